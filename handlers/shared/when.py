"""When a follow-up is due, as people type it: ``2026-12-24``, ``today``, ``tomorrow``, ``in 3 days``,
``in 2 weeks``, ``friday``, ``next friday`` — always relative to the person's own today.

The phrase must have one of these shapes before dateparser reads it: dateparser understands almost
anything ("march", "5"), and a follow-up's *what* often starts with words it would take for a date.
A weekday means the next one after today (on a Friday, ``friday`` is a week away); ``next friday``
means the same — the reply always repeats the date it understood.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

import dateparser

from handlers.shared.dates import LATEST_AHEAD, out_of_range, parse_day

FORMATS = "`2026-12-24`, `today`, `tomorrow`, `in 3 days`, `in 2 weeks`, `friday`, `next friday`"
_NUMBER = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
)
_SHAPES = re.compile(
    rf"\d{{4}}-\d{{2}}-\d{{2}}|today|tomorrow|in {_NUMBER} (?:day|days|week|weeks)|(?:next |this )?{_WEEKDAY}"
)
_SETTINGS = {"PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False}
LONGEST_PHRASE = 3  # words: "in 12 days"


def parse_when(text: str, *, today: date) -> date | None:
    """The date ``text`` means, seen from ``today``; None when it is not one of the shapes above.

    >>> parse_when("in 3 days", today=date(2026, 11, 30)), parse_when("friday", today=date(2026, 11, 30))
    (datetime.date(2026, 12, 3), datetime.date(2026, 12, 4))
    >>> parse_when("send the deck", today=date(2026, 11, 30)) is None
    True
    """
    phrase = " ".join(text.casefold().split())
    if not _SHAPES.fullmatch(phrase):
        return None
    if phrase[:1].isdigit():
        return parse_day(phrase)
    if phrase == "today":  # dateparser reads it as now, which is today anyway; no library call
        return today
    settings = {**_SETTINGS, "RELATIVE_BASE": datetime.combine(today, time(12))}
    found = dateparser.parse(phrase, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return found.date() if found is not None else None


def split_when(text: str, *, today: date) -> tuple[date | None, str]:
    """(the date the text starts with, the rest): the longest phrase of up to three words that
    parses wins, so ``in 3 days call them`` is (today + 3, "call them")."""
    words = text.split()
    for length in range(min(LONGEST_PHRASE, len(words)), 0, -1):
        day = parse_when(" ".join(words[:length]), today=today)
        if day is not None:
            rest = text.strip()
            for word in words[:length]:  # keep the rest exactly as typed (line breaks and all)
                rest = rest[len(word) :].lstrip()
            return day, rest
    return None, text.strip()


# ``… follow up next friday`` (also "followup", "follow-up", "follow up on/by …") ending the notes.
_FOLLOW_UP_AT_END = re.compile(
    r"(?:^|\s)follow[- ]?up(?:\s+(?:on|by))?\s+(?P<when>\S+(?:\s+\S+){0,2})\s*$", re.IGNORECASE
)


def take_follow_up(notes: str, *, today: date) -> tuple[str, date | None, str | None]:
    """(notes without a trailing ``follow up <when>``, its date, the phrase as typed).

    The phrase is taken only when it is a date: ``follow up with legal`` stays in the notes.

    >>> take_follow_up("pricing talk follow up next friday", today=date(2026, 11, 30))
    ('pricing talk', datetime.date(2026, 12, 4), 'next friday')
    >>> take_follow_up("follow up with legal", today=date(2026, 11, 30))
    ('follow up with legal', None, None)
    """
    match = _FOLLOW_UP_AT_END.search(notes)
    if match is None:
        return notes, None, None
    phrase = " ".join(match.group("when").split())
    day = parse_when(phrase, today=today)
    if day is None:
        return notes, None, None
    return notes[: match.start()].rstrip().rstrip(",;:-–—").rstrip(), day, phrase


_FIRST_WORD = re.compile(rf"\d{{4}}-\d{{2}}-\d{{2}}|today|tomorrow|in|next|this|{_WEEKDAY}")


def starts_when(word: str) -> bool:
    """Whether a date phrase could begin with ``word`` (where a partner's name stops)."""
    return bool(_FIRST_WORD.fullmatch(word.casefold()))


def check_new_date(day: date, *, today: date) -> str | None:
    """Why ``day`` cannot be a new follow-up's date (the past, or beyond a year), or None."""
    if day < today:
        return (
            f"{day.isoformat()} is in the past. When should I remind you? "
            "e.g. `tomorrow`, `in 3 days`, `friday`."
        )
    return out_of_range(day, today=today, ahead=LATEST_AHEAD)
