"""The kind of an interaction as people type it: the kind's own name or an everyday word for it.

``parse_kind("Mtg")`` is ``InteractionKind.MEETING``; anything unrecognised is ``None``, so each
caller can word its own error (a CSV line number, a Slack modal field).
"""

from __future__ import annotations

from storage.models import InteractionKind

# Keys are lower-case with single spaces (the form parse_kind compares in).
KIND_ALIASES: dict[str, InteractionKind] = {
    "phone": InteractionKind.CALL,
    "phone call": InteractionKind.CALL,
    "ring": InteractionKind.CALL,
    "video call": InteractionKind.CALL,
    "mail": InteractionKind.EMAIL,
    "e-mail": InteractionKind.EMAIL,
    "e mail": InteractionKind.EMAIL,
    "mtg": InteractionKind.MEETING,
    "meet": InteractionKind.MEETING,
    "quarterly business review": InteractionKind.QBR,
    "conference": InteractionKind.EVENT,
    "webinar": InteractionKind.EVENT,
    "memo": InteractionKind.NOTE,
}

_KINDS: dict[str, InteractionKind] = {kind.value: kind for kind in InteractionKind}


def parse_kind(text: str) -> InteractionKind | None:
    """The kind ``text`` names, case-insensitively, or ``None`` when it names none.

    >>> parse_kind(" E-Mail ")
    <InteractionKind.EMAIL: 'email'>
    """
    word = " ".join(text.split()).casefold()
    kind = _KINDS.get(word)
    return kind if kind is not None else KIND_ALIASES.get(word)
