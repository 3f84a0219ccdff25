"""The kind words (storage.kinds): each kind's name and the everyday words for it."""

from __future__ import annotations

import pytest

from storage.kinds import KIND_ALIASES, parse_kind
from storage.models import InteractionKind


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("call", InteractionKind.CALL),
        ("QBR", InteractionKind.QBR),
        (" Meeting ", InteractionKind.MEETING),
        ("mtg", InteractionKind.MEETING),
        ("Meet", InteractionKind.MEETING),
        ("phone", InteractionKind.CALL),
        ("ring", InteractionKind.CALL),
        ("Phone  Call", InteractionKind.CALL),
        ("mail", InteractionKind.EMAIL),
        ("E-Mail", InteractionKind.EMAIL),
        ("conference", InteractionKind.EVENT),
        ("Webinar", InteractionKind.EVENT),
        ("memo", InteractionKind.NOTE),
        ("other", InteractionKind.OTHER),
        ("lunch", None),
        ("", None),
    ],
)
def test_parse_kind(word: str, expected: InteractionKind | None) -> None:
    assert parse_kind(word) is expected


def test_kind_aliases_are_in_the_compared_form_and_never_shadow_a_kind() -> None:
    for alias in KIND_ALIASES:
        assert alias == " ".join(alias.split()).casefold()
        assert alias not in {kind.value for kind in InteractionKind}
