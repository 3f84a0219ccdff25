"""Reading ranking questions: ``top 5 by satisfaction last quarter tier:gold`` typed after
``/partner``, or said in plain words to the bot ("who are our top 5 partners this quarter?")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.shared.errors import UserError
from handlers.shared.parsing import whole_number
from handlers.shared.text import escape

DEFAULT_TOP = 10
MAX_TOP = 50
DEFAULT_WINDOW_DAYS = 90
BY_WORDS = {
    "score": "score",
    "overall": "score",
    "satisfaction": "satisfaction",
    "satisfied": "satisfaction",
    "feedback": "satisfaction",
    "csat": "satisfaction",
    "engagement": "engagement",
    "engaged": "engagement",
    "activity": "engagement",
    "recency": "recency",
    "recent": "recency",
    "revenue": "revenue",
    "business": "revenue",
    "delivery": "delivery",
    "projects": "delivery",
    "success": "delivery",
    "loyalty": "loyalty",
    "loyal": "loyalty",
}
WINDOW_WORDS = {"week": 7, "month": 30, "quarter": 90, "year": 365}
# Words that carry no meaning in a question ("who are our top 5 partners?").
FILLER = {
    "who",
    "are",
    "is",
    "our",
    "the",
    "partners",
    "partner",
    "best",
    "top",
    "show",
    "me",
    "what",
    "which",
    "in",
    "over",
    "for",
    "of",
    "last",
    "past",
    "this",
    "please",
    "list",
    "ranked",
    "ranking",
    "a",
    "by",
    "days",
    "day",
}
_DAYS = re.compile(r"([\d,]+)\s*(?:d|days?)$")
MAX_WINDOW_DAYS = 3650
# Punctuation that ends a word in a sentence ("this quarter?") but is not part of it.
_TRAILING = ".,;:!?\"'”’)"


@dataclass(frozen=True)
class TopQuery:
    count: int = DEFAULT_TOP
    by: str = "score"
    window_days: int = DEFAULT_WINDOW_DAYS
    tier: str | None = None

    @property
    def window_label(self) -> str:
        for word, days in WINDOW_WORDS.items():
            if days == self.window_days:
                return f"last {word}" if word != "quarter" else "last quarter (90 days)"
        return f"last {self.window_days} days"


def _window(word: str) -> int | None:
    if word in WINDOW_WORDS:
        return WINDOW_WORDS[word]
    match = _DAYS.fullmatch(word)
    if match:
        days = whole_number(match.group(1))
        if days is None or not 1 <= days <= MAX_WINDOW_DAYS:
            raise UserError(
                f"The window must be between 1 and {MAX_WINDOW_DAYS} days, e.g. `last 30d` "
                f"(you asked for {escape(match.group(1)[:20])})."
            )
        return days
    return None


def _looks_numeric(word: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,]*\.?\d+", word))


def parse_top(text: str, *, strict: bool) -> TopQuery:
    """``[N] [by X] [last 30d|90d|quarter|year] [tier:<tier>]`` in any order.

    ``strict`` (the slash command): an unknown word is an error that says what is understood.
    Otherwise (plain-words questions) unknown words are ignored.
    """
    words = re.findall(r"tier:\S+|[\d,]+\s*(?:d|days?)(?!\S)|\S+", text.casefold())
    if not strict:  # a sentence: "who are our top 5 partners this quarter?"
        words = [w if w.startswith("tier:") else w.strip(_TRAILING) for w in words]
    count, by, window, tier = DEFAULT_TOP, "score", DEFAULT_WINDOW_DAYS, None
    count_given = False
    for word in words:
        if not word:
            continue
        if word.startswith("tier:"):
            tier = word.removeprefix("tier:").strip() or None
        elif not count_given and (number := whole_number(word)) is not None:
            count, count_given = number, True
        elif strict and not count_given and _looks_numeric(word):
            raise UserError(
                f"How many partners? Give a whole number from 1 to {MAX_TOP} (not “{escape(word[:20])}”)."
            )
        elif word in BY_WORDS:
            by = BY_WORDS[word]
        elif (days := _window(word.replace(" ", ""))) is not None:
            window = days
        elif word in FILLER:
            continue
        elif strict:
            raise UserError(
                f"I didn't understand “{escape(word[:30])}”. "
                "Try `/partner top 5 by satisfaction last quarter tier:gold` — by score, satisfaction, "
                "engagement, recency, revenue, delivery or loyalty; last 30d, 90d, quarter or year."
            )
    if not 1 <= count <= MAX_TOP:
        raise UserError(f"I can list 1 to {MAX_TOP} partners at a time (you asked for {count:,}).")
    return TopQuery(count=count, by=by, window_days=window, tier=tier)
