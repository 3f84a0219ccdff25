"""Reading a digest's schedule as people type it: ``daily 09:00``, ``weekly monday 09:00``,
``monthly 1 09:00``, anywhere among the other words of ``/partner digest add``."""

from __future__ import annotations

import re

from handlers.services.schedules import WEEKDAYS, Cadence
from handlers.shared.errors import UserError
from handlers.shared.text import escape

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]?([0-5]\d)$")


def parse_time(text: str) -> tuple[int, int]:
    match = _TIME.match(text.strip().casefold())
    if not match:
        raise UserError(
            f"“{escape(text[:20])}” isn't a time I can read: use 24-hour HH:MM, like `09:00` or `17:30`."
        )
    return int(match.group(1)), int(match.group(2))


def parse_cadence(words: list[str]) -> tuple[Cadence, list[str]]:
    """Read a cadence from anywhere in ``words``; returns it and the words left, in order.

    ``daily``, ``weekly`` or ``monthly``, then (weekly) a weekday or (monthly) a day of the month,
    then an optional HH:MM. No cadence word → weekly Monday 09:00 (the default).
    """
    positions = [i for i, word in enumerate(words) if word.casefold() in {"daily", "weekly", "monthly"}]
    if not positions:
        return Cadence("weekly"), words
    if len(positions) > 1:
        raise UserError("Give one schedule: daily, weekly or monthly.")
    start = positions[0]
    every = words[start].casefold()
    rest = words[start + 1 :]
    weekday, day = 0, 1
    if every == "weekly" and rest and rest[0].casefold()[:3] in {w[:3] for w in WEEKDAYS}:
        weekday = [w[:3] for w in WEEKDAYS].index(rest[0].casefold()[:3])
        rest = rest[1:]
    elif every == "monthly" and rest and rest[0].isascii() and rest[0].isdigit():
        day = int(rest[0]) if len(rest[0]) <= 3 else 0
        if not 1 <= day <= 31:
            raise UserError("The day of the month must be 1 to 31 (short months use their last day).")
        rest = rest[1:]
    hour, minute = 9, 0
    if rest and _TIME.match(rest[0].casefold()):
        hour, minute = parse_time(rest[0])
        rest = rest[1:]
    return Cadence(every, hour, minute, weekday, day), words[:start] + rest
