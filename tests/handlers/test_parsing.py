"""Reading what people type after /partner."""

from __future__ import annotations

import pytest

from handlers.parsing import (
    extract_options,
    first_word,
    quoted_name,
    slack_user_id,
    split_subcommand,
    word_prefixes,
)


@pytest.mark.parametrize(
    ("text", "name", "rest"),
    [
        ("log Acme call hi", "log", "Acme call hi"),
        ("  LOG   Acme  ", "log", "Acme"),
        ("", "", ""),
        ("show\nAcme", "show", "Acme"),
        ("help", "help", ""),
    ],
)
def test_split_subcommand(text: str, name: str, rest: str) -> None:
    sub = split_subcommand(text)
    assert (sub.name, sub.rest) == (name, rest)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Acme Corp" call notes', ("Acme Corp", "call notes")),
        ("'Acme Corp' call", ("Acme Corp", "call")),
        ("“Acme Corp” call", ("Acme Corp", "call")),
        ('"unclosed call', None),
        ("Acme call", None),
    ],
)
def test_quoted_name(text: str, expected: tuple[str, str] | None) -> None:
    assert quoted_name(text) == expected


def test_word_prefixes_keep_the_rest_as_typed() -> None:
    cuts = word_prefixes("Acme  Corp call  line one\nline two")
    assert cuts[0] == ("Acme", "Corp call  line one\nline two")
    assert cuts[1] == ("Acme Corp", "call  line one\nline two")
    assert cuts[-1][1] == ""


def test_word_prefixes_are_capped() -> None:
    assert len(word_prefixes(" ".join(["w"] * 40), max_words=12)) == 12


@pytest.mark.parametrize(
    ("text", "user"),
    [
        ("<@U123ABC|ann>", "U123ABC"),
        ("<@U123ABC>", "U123ABC"),
        ("@U123ABC", "U123ABC"),
        ("W0AB12", "W0AB12"),
        ("@ann", None),
        ("<!channel>", None),
    ],
)
def test_slack_user_id(text: str, user: str | None) -> None:
    assert slack_user_id(text) == user


def test_extract_options_pulls_known_keys_and_quoted_values() -> None:
    found = extract_options(
        'Acme Corp tier:gold region:"North America" owner:<@U1|a>', {"tier", "region", "owner"}
    )
    assert found.values == {"tier": "gold", "region": "North America", "owner": "<@U1|a>"}
    assert found.remainder == "Acme Corp"


def test_extract_options_leaves_unknown_keys_and_inner_colons_in_the_name() -> None:
    found = extract_options("Acme: EU note:x tier:gold", {"tier"})
    assert found.values == {"tier": "gold"}
    assert found.remainder == "Acme: EU note:x"


def test_first_word() -> None:
    assert first_word("  call  the rest\nmore ") == ("call", "the rest\nmore")
    assert first_word("   ") == ("", "")
