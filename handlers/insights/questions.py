"""Questions about what goes with satisfaction in plain words (mentions, direct messages): "what
drives satisfaction?", "what makes partners happy?", "insights on satisfaction last year"."""

from __future__ import annotations

import re
from typing import Any

from handlers.insights.commands import insights_answer, parse_insights
from handlers.shared.deps import Deps
from handlers.shared.questions import question
from handlers.shared.replies import Reply

_HAPPY = r"(?:satisf\w*|dissatisf\w*|happ(?:y|ier|iness)|unhappy|csat|nps|feedback\s+scores?)"
_WHAT = (
    r"(?:drives?|driving|makes?|keeps?|affects?|influences?|explains?|predicts?|improves?|raises?"
    r"|lowers?|hurts?|goes\s+with|linked\s+to|related\s+to|matters?\s+(?:for|to)|leads?\s+to)"
)
_INSIGHTS = re.compile(
    rf"\b(?:what|which|why)\b.*\b{_WHAT}\b.*\b{_HAPPY}"
    rf"|\b{_HAPPY}\s+(?:drivers?|insights?|regression)\b"
    r"|^(?:show\s+(?:me\s+)?|any\s+)?insights?\b"
    rf"|\bdrivers?\s+of\s+(?:partner\s+)?{_HAPPY}",
    re.I,
)


# Before the rankings' questions: "what makes partners unhappy?" is this one, not "who needs attention?".
@question("what drives satisfaction", _INSIGHTS.search, order=9)
def answer_insights(deps: Deps, team_id: str, asked: str, _match: Any) -> Reply:
    return insights_answer(deps, team_id, parse_insights(asked, strict=False))
