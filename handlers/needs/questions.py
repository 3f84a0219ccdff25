"""Questions about needs in plain words (mentions, direct messages): "what does Acme need?" and
"what do our partners need most?"."""

from __future__ import annotations

import re
from typing import Any

from handlers.needs.commands import needs_answer
from handlers.shared.deps import Deps
from handlers.shared.errors import UnknownPartner
from handlers.shared.partner_names import resolve_partner
from handlers.shared.questions import question
from handlers.shared.replies import Reply

_PARTNER = re.compile(
    r"^(?:so\s+)?what\s+(?:does|do|did)\s+(?P<name>.+?)\s+(?:still\s+|really\s+)?needs?"
    r"(?:\s+most)?(?:\s+from\s+us)?(?:\s+most)?[?.!]*$"
    r"|^(?:what\s+are\s+|show\s+|list\s+)?(?:the\s+)?needs\s+(?:of|for)\s+(?P<of>.+?)[?.!]*$",
    re.I,
)
# "our partners", "partners", "all the partners": the whole workspace, the other question.
_EVERYONE = re.compile(r"^(?:all\s+)?(?:of\s+)?(?:our|the|my|your)?\s*partners$", re.I)
# Never "needs attention" (that is the rankings' question).
_WORKSPACE = re.compile(
    r"\b(?:what|which)\b.*\bpartners\b.*\bneed\b(?!\s+attention)"
    r"|\bneeds\b(?!\s+attention).*\bpartners\b"
    r"|\bmost\s+(?:common\s+)?needs?\b(?!\s+attention)"
    r"|\bneeds?\s+summary\b",
    re.I,
)


def _partner_named(asked: str) -> Any:
    match = _PARTNER.match(asked)
    if match is None or _EVERYONE.match(" ".join((match.group("name") or match.group("of")).split())):
        return None
    return match


@question("needs of a partner", _partner_named, order=3)
def answer_partner_needs(deps: Deps, team_id: str, asked: str, match: Any) -> Reply:
    with deps.db.read() as session:
        try:
            partner = resolve_partner(session, team_id, match.group("name") or match.group("of"), whole=True)
        except UnknownPartner as unknown:
            return Reply(unknown.message)
    return needs_answer(deps, team_id, partner.partner, today=deps.now().date())


@question("what partners need most", _WORKSPACE.search, order=4)
def answer_workspace_needs(deps: Deps, team_id: str, asked: str, match: Any) -> Reply:
    return needs_answer(deps, team_id, None, today=deps.now().date())
