"""Reading when a follow-up is due, as people type it, relative to their own today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.shared.when import check_new_date, parse_when, split_when, starts_when, take_follow_up

MONDAY = date(2026, 11, 30)
FRIDAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("typed", "today", "expected"),
    [
        ("today", MONDAY, MONDAY),
        ("Tomorrow", MONDAY, date(2026, 12, 1)),
        ("in 3 days", MONDAY, date(2026, 12, 3)),
        ("in a week", MONDAY, date(2026, 12, 7)),
        ("in 2 weeks", MONDAY, date(2026, 12, 14)),
        ("in one day", MONDAY, date(2026, 12, 1)),
        ("friday", MONDAY, FRIDAY),
        ("fri", MONDAY, FRIDAY),
        ("next friday", MONDAY, FRIDAY),
        ("friday", FRIDAY, date(2026, 12, 11)),  # on a Friday, "friday" is a week away
        ("monday", MONDAY, date(2026, 12, 7)),
        ("2026-12-24", MONDAY, date(2026, 12, 24)),
        ("in 12 days", date(2026, 12, 25), date(2027, 1, 6)),  # across the year
        ("tomorrow", date(2028, 2, 28), date(2028, 2, 29)),  # a leap day
    ],
)
def test_the_phrases_it_reads(typed: str, today: date, expected: date) -> None:
    assert parse_when(typed, today=today) == expected


@pytest.mark.parametrize(
    "typed", ["", "someday", "march", "5", "2026-13-45", "next", "in days", "send the deck", "last friday"]
)
def test_anything_else_is_not_a_date(typed: str) -> None:
    assert parse_when(typed, today=MONDAY) is None


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(1, 999))
def test_relative_phrases_are_never_in_the_past(today: date, days: int) -> None:
    for typed in (f"in {days} days", "tomorrow", "friday", "next sunday"):
        found = parse_when(typed, today=today)
        assert found is not None and found > today
    assert parse_when(f"in {days} days", today=today) == today + timedelta(days=days)


def test_split_when_takes_the_longest_phrase_and_keeps_the_rest_as_typed() -> None:
    assert split_when("in 3 days call them\nabout it", today=MONDAY) == (
        date(2026, 12, 3),
        "call them\nabout it",
    )
    assert split_when("next friday  send deck", today=MONDAY) == (FRIDAY, "send deck")
    assert split_when("soon send deck", today=MONDAY) == (None, "soon send deck")
    assert starts_when("Tomorrow") and starts_when("next") and not starts_when("Acme")


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("pricing talk follow up next friday", ("pricing talk", FRIDAY, "next friday")),
        ("pricing talk, follow-up on tomorrow", ("pricing talk", date(2026, 12, 1), "tomorrow")),
        ("followup in 2 weeks", ("", date(2026, 12, 14), "in 2 weeks")),
        ("FOLLOW UP BY Friday", ("", FRIDAY, "Friday")),  # the phrase as typed
        ("follow up with legal", ("follow up with legal", None, None)),
        ("follow up friday then more words", ("follow up friday then more words", None, None)),
        ("we follow up soon", ("we follow up soon", None, None)),
    ],
)
def test_a_trailing_follow_up_phrase_is_taken_off_the_notes(notes: str, expected: tuple) -> None:
    assert take_follow_up(notes, today=MONDAY) == expected


def test_a_new_follow_up_is_today_or_later_and_within_a_year() -> None:
    assert check_new_date(MONDAY, today=MONDAY) is None
    assert "in the past" in (check_new_date(MONDAY - timedelta(days=1), today=MONDAY) or "")
    assert "Pick a date between" in (check_new_date(MONDAY + timedelta(days=400), today=MONDAY) or "")
