"""Questions about joint projects in plain words (mentions, direct messages): "what projects do we
have with Acme?", "success rate by tier", "which partners won the most this year?"."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from handlers.projects.views import by_tier_reply, programme_reply, projects_reply, winners_reply
from handlers.services.projects import programme
from handlers.shared.deps import Deps
from handlers.shared.errors import UnknownPartner
from handlers.shared.partner_names import resolve_partner
from handlers.shared.questions import question
from handlers.shared.replies import Reply
from storage import projects as project_store

_WITH_PARTNER = re.compile(r"\bprojects?\b.*?\b(?:with|for|of)\s+(?P<name>.+?)[?.!]*$", re.I)
_BY_TIER = re.compile(r"\bsuccess(?:\s+rate)?\b.*\btiers?\b", re.I)
_WINNERS = re.compile(r"\bwon\s+(?:the\s+)?most\b|\bmost\s+(?:projects|wins)\b|\bbiggest\s+winners?\b", re.I)
_PROGRAMME = re.compile(r"\b(?:project\s+success|success\s+rate|relationship\s+degree)\b", re.I)


@question("projects with a partner", _WITH_PARTNER.search, order=5)
def answer_projects_with(deps: Deps, team_id: str, asked: str, match: Any) -> Reply:
    today = deps.now().date()
    with deps.db.read() as session:
        try:
            partner = resolve_partner(session, team_id, match.group("name"), whole=True).partner
        except UnknownPartner as unknown:
            return Reply(unknown.message)
        found, total = project_store.projects(session, team_id, partner_id=partner.id)
        return projects_reply(
            found, total, scope=f"projects with {partner.name}", today=today, with_partner=False
        )


@question("success rate by tier", _BY_TIER.search, order=6)
def answer_by_tier(deps: Deps, team_id: str, asked: str, match: Any) -> Reply:
    return by_tier_reply(programme(deps.db, team_id).by_tier)


@question("most projects won", _WINNERS.search, order=7)
def answer_winners(deps: Deps, team_id: str, asked: str, match: Any) -> Reply:
    today = deps.now().date()
    lowered = asked.casefold()
    if "this year" in lowered:
        since = date(today.year, 1, 1)
    elif "quarter" in lowered:
        since = today - timedelta(days=90)
    elif "month" in lowered:
        since = today - timedelta(days=30)
    else:
        since = today - timedelta(days=365)
    with deps.db.read() as session:
        rows = project_store.biggest_winners(session, team_id, since=since)
    return winners_reply(rows, since=since)


@question("project success", _PROGRAMME.search, order=8)
def answer_programme(deps: Deps, team_id: str, asked: str, match: Any) -> Reply:
    return programme_reply(programme(deps.db, team_id))
