"""Reading a digest's schedule from what a person typed."""

from __future__ import annotations

import pytest

from handlers.digests.schedule_words import parse_cadence, parse_time
from handlers.services.schedules import Cadence
from handlers.shared.errors import UserError

# --- reading a cadence ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected", "left"),
    [
        ("daily 07:30", Cadence("daily", 7, 30), []),
        ("Daily 7:30", Cadence("daily", 7, 30), []),
        ("daily 0730", Cadence("daily", 7, 30), []),
        ("daily 17h05", Cadence("daily", 17, 5), []),
        ("daily", Cadence("daily", 9, 0), []),
        ("weekly fri 17:00", Cadence("weekly", 17, 0, weekday=4), []),
        ("weekly Friday 17:00", Cadence("weekly", 17, 0, weekday=4), []),
        ("weekly sunday 23:59", Cadence("weekly", 23, 59, weekday=6), []),
        ("weekly 08:15", Cadence("weekly", 8, 15, weekday=0), []),
        ("weekly", Cadence("weekly", 9, 0, weekday=0), []),
        ("monthly 31 18:00", Cadence("monthly", 18, 0, day=31), []),
        ("monthly 1 00:00", Cadence("monthly", 0, 0, day=1), []),
        ("monthly 15", Cadence("monthly", 9, 0, day=15), []),
        ("monthly 18:00", Cadence("monthly", 18, 0, day=1), []),
        # The default: weekly on Monday at 09:00; the words are left for the caller.
        ("", Cadence("weekly", 9, 0, weekday=0), []),
        ("top 5", Cadence("weekly", 9, 0, weekday=0), ["top", "5"]),
        ("daily 07:30 top 5 tz:UTC", Cadence("daily", 7, 30), ["top", "5", "tz:UTC"]),
    ],
)
def test_cadences_are_read_with_their_defaults(words: str, expected: Cadence, left: list[str]) -> None:
    assert parse_cadence(words.split()) == (expected, left)


@pytest.mark.parametrize(
    ("words", "left"),
    [
        ("daily 24:00", ["24:00"]),
        ("daily 25:00", ["25:00"]),
        ("daily 9:60", ["9:60"]),
        ("daily 7:5", ["7:5"]),
        ("daily 9am", ["9am"]),
        ("weekly funday 10:00", ["funday", "10:00"]),
        ("weekly 32:00", ["32:00"]),
    ],
)
def test_a_bad_time_or_day_is_left_unread_for_the_caller_to_refuse(words: str, left: list[str]) -> None:
    """``/partner digest add`` refuses whatever is left ("I didn't understand …")."""
    _, rest = parse_cadence(words.split())
    assert rest == left


@pytest.mark.parametrize("day", ["0", "32", "99"])
def test_a_day_of_the_month_outside_1_to_31_is_refused(day: str) -> None:
    with pytest.raises(UserError, match="1 to 31"):
        parse_cadence(["monthly", day, "09:00"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:00", (9, 0)), ("9:05", (9, 5)), ("23:59", (23, 59)), ("00:00", (0, 0)), (" 7.30 ", (7, 30))],
)
def test_times_are_read_in_24_hour_form(text: str, expected: tuple[int, int]) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "noon", "", "9", "-1:00", "1:2:3"])
def test_unreadable_times_are_explained(text: str) -> None:
    with pytest.raises(UserError, match="24-hour HH:MM"):
        parse_time(text)
