"""Slack user IDs (storage.slack_ids), as commands and CSV files write them."""

from __future__ import annotations

import doctest

import pytest

from storage import slack_ids
from storage.slack_ids import USER_MENTION, parse_user_id


@pytest.mark.parametrize(
    ("text", "user"),
    [
        ("<@U123ABC|ann>", "U123ABC"),
        ("<@U123ABC>", "U123ABC"),
        ("@U123ABC", "U123ABC"),
        ("W0AB12", "W0AB12"),
        ("  <@W0AB12>  ", "W0AB12"),
        ("<@U1>", "U1"),  # Slack wrote it: short IDs in brackets are still IDs
        ("U1", None),  # typed by hand, too short to tell from a word
        ("@U1", None),
        ("UK", None),
        ("@ann", None),
        ("u123abc", None),
        ("<!channel>", None),
        ("<#C123ABC|general>", None),
        ("<@U123ABC> <@U456DEF>", None),
        ("U" + "A" * 30, "U" + "A" * 30),  # 31 characters: fits the 32-character columns
        ("U" + "A" * 31, None),
        ("<@U" + "A" * 31 + ">", None),
    ],
)
def test_parse_user_id(text: str, user: str | None) -> None:
    assert parse_user_id(text) == user


def test_mentions_are_found_inside_text() -> None:
    text = "ask <@U1|ann> and <@W22> about <#C1|partners>"
    assert USER_MENTION.findall(text) == ["U1", "W22"]
    assert " ".join(USER_MENTION.sub(" ", text).split()) == "ask and about <#C1|partners>"


def test_the_examples_in_the_docstrings_hold() -> None:
    result = doctest.testmod(slack_ids)
    assert result.attempted > 0 and result.failed == 0
