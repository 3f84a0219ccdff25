"""Reading what people type after /partner."""

from __future__ import annotations

import pytest

from handlers.shared.parsing import (
    extract_options,
    first_word,
    quoted_name,
    record_id,
    split_subcommand,
    whole_number,
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


@pytest.mark.parametrize(
    ("typed", "number"),
    [("12", 12), ("#12", 12), (" 7 ", 7), ("9223372036854775807", 2**63 - 1)],
)
def test_record_numbers(typed: str, number: int) -> None:
    assert record_id(typed) == number


@pytest.mark.parametrize(
    "typed", ["", "0", "-1", "1.5", "²", "١٢", "9223372036854775808", "9" * 20, "9" * 5000, "12a", None]
)
def test_what_cannot_be_a_record_number_is_none(typed: str | None) -> None:
    assert record_id(typed) is None


@pytest.mark.parametrize(
    ("typed", "number"),
    [("5", 5), ("1,000", 1000), ("1,000,000", 1_000_000), ("0", 0), (" 42 ", 42)],
)
def test_whole_numbers_with_thousands_separators(typed: str, number: int) -> None:
    assert whole_number(typed) == number


@pytest.mark.parametrize("typed", ["1.5", "1,00", "-3", "²", "", "1e3", "9" * 30, "1,000.0"])
def test_what_is_not_a_whole_number_is_none(typed: str) -> None:
    assert whole_number(typed) is None
