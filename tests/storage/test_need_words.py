"""A need's type, priority and difficulty as people type them (storage.need_words)."""

from __future__ import annotations

import pytest

from storage.models import NeedDifficulty, NeedPriority, NeedType
from storage.need_words import (
    DIFFICULTY_WORDS,
    NEED_TYPE_WORDS,
    PRIORITY_WORDS,
    closest,
    parse_need_type,
    parse_word,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("pricing", NeedType.PRICING),
        (" Discount ", NeedType.PRICING),
        ("price", NeedType.PRICING),
        ("tech", NeedType.TECHNICAL),
        ("BUG", NeedType.TECHNICAL),
        ("api", NeedType.TECHNICAL),
        ("integrate", NeedType.INTEGRATION),
        ("connector", NeedType.INTEGRATION),
        ("co-marketing", NeedType.MARKETING),
        ("Co  Marketing", NeedType.MARKETING),
        ("leads", NeedType.MARKETING),
        ("money", NeedType.FUNDING),
        ("budget", NeedType.FUNDING),
        ("MDF", NeedType.FUNDING),
        ("enablement", NeedType.TRAINING),
        ("certification", NeedType.TRAINING),
        ("help", NeedType.SUPPORT),
        ("ticket", NeedType.SUPPORT),
        ("other", NeedType.OTHER),
        ("lunch", None),
        ("", None),
    ],
)
def test_parse_need_type(word: str, expected: NeedType | None) -> None:
    assert parse_need_type(word) is expected


@pytest.mark.parametrize(
    ("word", "priority", "difficulty"),
    [
        ("High", NeedPriority.HIGH, None),
        ("urgent", NeedPriority.HIGH, None),
        ("med", NeedPriority.MEDIUM, NeedDifficulty.MEDIUM),
        ("easy", None, NeedDifficulty.EASY),
        ("complex", None, NeedDifficulty.HARD),
        ("soon", None, None),
    ],
)
def test_priority_and_difficulty_words(
    word: str, priority: NeedPriority | None, difficulty: NeedDifficulty | None
) -> None:
    assert (parse_word(word, NeedPriority), parse_word(word, NeedDifficulty)) == (priority, difficulty)


def test_the_words_are_in_the_compared_form_and_never_shadow_a_value() -> None:
    for words, choices in (
        (NEED_TYPE_WORDS, NeedType),
        (PRIORITY_WORDS, NeedPriority),
        (DIFFICULTY_WORDS, NeedDifficulty),
    ):
        for word in words:
            assert word == " ".join(word.split()).casefold()
            assert word not in {choice.value for choice in choices}


@pytest.mark.parametrize(
    ("typed", "choices", "expected"),
    [
        ("pricng", list(NeedType), "pricing"),
        ("Integraton", list(NeedType), "integration"),
        ("hgh", list(NeedPriority), "high"),
        ("priorty", ["priority", "difficulty"], "priority"),
        ("p", ["priority", "difficulty"], None),  # too short to guess from
        ("lunch", list(NeedType), None),
    ],
)
def test_closest_guesses_only_a_near_typo(typed: str, choices: list[str], expected: str | None) -> None:
    assert closest(typed, choices) == expected
