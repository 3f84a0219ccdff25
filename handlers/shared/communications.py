"""What a logged communication must say, checked the same way wherever it is logged from: the
``/partner log`` command and the Workflow Builder step "Log a partner communication"."""

from __future__ import annotations

import re

from handlers.shared.errors import UserError
from handlers.shared.text import escape
from storage.kinds import parse_kind
from storage.models import InteractionKind

KINDS_TEXT = ", ".join(k.value for k in InteractionKind)
# Kinds that say nothing on their own, so the notes are what is being logged.
NOTES_REQUIRED = {InteractionKind.NOTE, InteractionKind.OTHER}
# ``project:12`` anywhere in the notes names the joint project the communication was about.
_PROJECT = re.compile(r"(?<!\S)project:#?(\d+)(?!\S) ?", re.IGNORECASE)


def take_project(notes: str) -> tuple[str, str | None]:
    """The notes without their ``project:<id>`` (the rest kept exactly as typed), and the id.

    >>> take_project("kickoff project:12 went well")
    ('kickoff went well', '12')
    """
    match = _PROJECT.search(notes)
    if match is None:
        return notes, None
    return (notes[: match.start()] + notes[match.end() :]).strip(), match.group(1)


def read_kind(word: str, *, example: str) -> InteractionKind:
    """The kind ``word`` names (a kind or an everyday word for one, storage.kinds); otherwise a
    UserError listing the kinds, with ``example`` (mrkdwn) showing where the kind goes."""
    kind = parse_kind(word) if word.strip() else None
    if kind is not None:
        return kind
    if not word.strip():
        raise UserError(f"What kind of communication? e.g. {example} (kinds: {KINDS_TEXT}).")
    raise UserError(
        f"“{escape(word.strip()[:40])}” isn't a kind I know. Use one of: {KINDS_TEXT} — e.g. {example}."
    )


def require_notes(kind: InteractionKind, notes: str, *, example: str) -> None:
    """A note or an "other" is nothing but its notes: without them there is nothing to log."""
    if kind in NOTES_REQUIRED and not notes.strip():
        raise UserError(f"A {kind.value} needs a few words: {example}")
