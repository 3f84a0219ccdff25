"""Dates people give: what range makes sense, and reading ``YYYY-MM-DD`` typed in a command.

A date before 1990 or far in the future is a typo, never a plan: forms and commands refuse it with
the range they accept (issue 10). Communications look back; projects may plan years ahead.
"""

from __future__ import annotations

from datetime import date, timedelta

EARLIEST_DATE = date(1990, 1, 1)
LATEST_AHEAD = timedelta(days=366)  # communications, follow-ups: within a year from today
PLANNING_AHEAD = timedelta(days=3653)  # a project's dates: within ten years from today


def out_of_range(day: date, *, today: date, ahead: timedelta = LATEST_AHEAD) -> str | None:
    """Why ``day`` is not a date a person can mean here, or None when it is fine."""
    latest = today + ahead
    if EARLIEST_DATE <= day <= latest:
        return None
    return f"Pick a date between {EARLIEST_DATE:%Y} and {latest.isoformat()}."


def parse_day(text: str) -> date | None:
    """``2026-09-30`` → that date; None for anything else (``30/09``, ``2026-13-45``).

    >>> parse_day("2026-09-30"), parse_day("2026-13-45")
    (datetime.date(2026, 9, 30), None)
    """
    cleaned = text.strip()
    if len(cleaned) != 10 or not cleaned.isascii():
        return None
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        return None
