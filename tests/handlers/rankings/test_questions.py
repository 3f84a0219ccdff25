"""Reading ranking questions, typed or in plain words."""

from __future__ import annotations

import pytest

from handlers.mentions.listeners import SeenEvents
from handlers.rankings.questions import TopQuery, parse_top
from handlers.shared.errors import UserError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", TopQuery()),
        ("5", TopQuery(count=5)),
        ("5 by satisfaction last quarter tier:gold", TopQuery(5, "satisfaction", 90, "gold")),
        ("by revenue last year", TopQuery(by="revenue", window_days=365)),
        ("last 30d by engagement 20", TopQuery(20, "engagement", 30)),
        ("by recency last 45 days", TopQuery(by="recency", window_days=45)),
        ("tier:Gold", TopQuery(tier="gold")),
    ],
)
def test_slash_command_forms(text: str, expected: TopQuery) -> None:
    assert parse_top(text, strict=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("who are our top 5 partners this quarter?", TopQuery(count=5, window_days=90)),
        ("top 3 partners by satisfaction this month", TopQuery(3, "satisfaction", 30)),
        ("best partners by revenue this year please", TopQuery(by="revenue", window_days=365)),
    ],
)
def test_plain_words(text: str, expected: TopQuery) -> None:
    assert parse_top(text, strict=False) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("by popularity", "didn't understand"),
        ("0", "1 to 50"),
        ("51", "1 to 50"),
        ("last 9999d", "between 1 and 3650"),
    ],
)
def test_bad_questions_say_what_is_understood(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_top(text, strict=True)


def test_window_labels() -> None:
    assert TopQuery(window_days=90).window_label == "last quarter (90 days)"
    assert TopQuery(window_days=45).window_label == "last 45 days"


def test_a_retried_event_is_answered_once() -> None:
    seen = SeenEvents(size=2)
    assert seen.first_time("E1") and not seen.first_time("E1")
    assert seen.first_time("E2") and seen.first_time("E3")
    assert seen.first_time("E1")  # forgotten after `size` newer events
    assert seen.first_time(None) and seen.first_time(None)
