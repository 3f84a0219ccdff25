"""A need's type, priority and difficulty as people type them: the value itself or an everyday word
for it, in a command, a form or a CSV cell.

``parse_need_type("Discount")`` is ``NeedType.PRICING``; anything unrecognised is ``None``, so each
caller words its own error (a CSV line number, a Slack reply), with :func:`closest` for a typo.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import TypeVar

from rapidfuzz import fuzz, process

from storage.models import NeedDifficulty, NeedPriority, NeedType

Member = TypeVar("Member", bound=enum.StrEnum)

# Keys are lower-case with single spaces (the form the parsers compare in).
NEED_TYPE_WORDS: dict[str, NeedType] = {
    **dict.fromkeys(
        ("price", "prices", "discount", "discounts", "margin", "margins", "rebate", "rebates", "quote"),
        NeedType.PRICING,
    ),
    **dict.fromkeys(
        ("tech", "bug", "bugs", "api", "apis", "engineering", "feature", "features", "product"),
        NeedType.TECHNICAL,
    ),
    **dict.fromkeys(
        ("integrate", "integrations", "connector", "connectors", "plugin", "plugins", "sso"),
        NeedType.INTEGRATION,
    ),
    **dict.fromkeys(
        ("co-marketing", "comarketing", "co marketing", "leads", "lead", "campaign", "campaigns"),
        NeedType.MARKETING,
    ),
    **dict.fromkeys(("money", "budget", "mdf", "funds", "fund", "grant", "financing"), NeedType.FUNDING),
    **dict.fromkeys(
        ("enablement", "certification", "certifications", "course", "courses", "workshop"),
        NeedType.TRAINING,
    ),
    **dict.fromkeys(("help", "ticket", "tickets", "escalation", "sla"), NeedType.SUPPORT),
    "misc": NeedType.OTHER,
}
PRIORITY_WORDS: dict[str, NeedPriority] = {
    "urgent": NeedPriority.HIGH,
    "critical": NeedPriority.HIGH,
    "med": NeedPriority.MEDIUM,
    "normal": NeedPriority.MEDIUM,
}
DIFFICULTY_WORDS: dict[str, NeedDifficulty] = {
    "simple": NeedDifficulty.EASY,
    "med": NeedDifficulty.MEDIUM,
    "difficult": NeedDifficulty.HARD,
    "complex": NeedDifficulty.HARD,
}


WORDS: dict[type[enum.StrEnum], Mapping[str, enum.StrEnum]] = {
    NeedType: NEED_TYPE_WORDS,
    NeedPriority: PRIORITY_WORDS,
    NeedDifficulty: DIFFICULTY_WORDS,
}
# The two levels a need is ranked by, as options (``priority:high``) and CSV columns name them;
# both are medium unless said.
LEVELS: dict[str, type[NeedPriority] | type[NeedDifficulty]] = {
    "priority": NeedPriority,
    "difficulty": NeedDifficulty,
}
DEFAULT_LEVEL = "medium"


def parse_word(text: str, choices: type[Member]) -> Member | None:
    """The member of ``choices`` (NeedType, NeedPriority or NeedDifficulty) that ``text`` names by
    its value or an everyday word, case-insensitively; ``None`` when it names none.

    >>> parse_word(" API ", NeedType), parse_word("Urgent", NeedPriority), parse_word("lunch", NeedType)
    (<NeedType.TECHNICAL: 'technical'>, <NeedPriority.HIGH: 'high'>, None)
    """
    word = " ".join(text.split()).casefold()
    try:
        return choices(word)
    except ValueError:
        found = WORDS[choices].get(word)
        return found if isinstance(found, choices) else None


def parse_need_type(text: str) -> NeedType | None:
    return parse_word(text, NeedType)


def closest(text: str, choices: Iterable[str]) -> str | None:
    """The one of ``choices`` (an enum's members, or words) a typo most likely meant
    (``"pricng"`` → ``"pricing"``), or None when none is close."""
    values = [str(choice) for choice in choices]
    match = process.extractOne(text.casefold(), values, scorer=fuzz.ratio, score_cutoff=75)
    return match[0] if match else None


def names(choices: Iterable[enum.StrEnum]) -> str:
    """``high, medium, low``: the values to list in a message."""
    return ", ".join(choice.value for choice in choices)
