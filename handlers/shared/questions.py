"""Questions in plain words (a mention of the bot, a direct message): each feature declares what it
answers, the way it declares its ``/partner`` sub-commands, and ``handlers.mentions`` asks them in
order. So the mentions feature never imports another feature.

    @question("show", re.compile(r"^show (?P<name>.+)$", re.I).match, order=10)
    def answer_show(deps: Deps, team_id: str, asked: str, match: re.Match[str] | None) -> Reply: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handlers.shared.deps import Deps
from handlers.shared.replies import Reply

# Given the question (mention removed, spaces folded), something truthy when the answerer applies
# (a regex match is handed on to the answerer).
Matcher = Callable[[str], Any]
Answerer = Callable[[Deps, str, str, Any], Reply]


@dataclass(frozen=True)
class Question:
    name: str
    matches: Matcher
    answer: Answerer
    order: int  # lower is asked first


_QUESTIONS: dict[str, Question] = {}


def question(name: str, matches: Matcher, *, order: int) -> Callable[[Answerer], Answerer]:
    """Declare a kind of plain-words question and its answer (used by feature modules)."""

    def declare(answer: Answerer) -> Answerer:
        _QUESTIONS[name] = Question(name, matches, answer, order)
        return answer

    return declare


def questions() -> list[Question]:
    """Every declared question, in the order they are tried."""
    return sorted(_QUESTIONS.values(), key=lambda q: (q.order, q.name))
