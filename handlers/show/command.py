"""``/partner show <partner>``, and "show Acme" asked in plain words: the profile, the score
explained, feedback, projects, open needs and recent communications."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from handlers.services.projects import partner_projects
from handlers.services.rankings import partner_standing
from handlers.services.satisfaction import SATISFACTION_WINDOW_DAYS, partner_satisfaction
from handlers.shared.blocks import SlackBlock, context_block
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.deps import Deps
from handlers.shared.errors import UnknownPartner
from handlers.shared.partner_names import resolve_partner
from handlers.shared.questions import question
from handlers.shared.replies import Reply
from handlers.show.views import (
    FOLLOW_UPS_SHOWN,
    NEEDS_SHOWN,
    RECENT_COUNT,
    FeedbackSection,
    explanation_blocks,
    follow_up_blocks,
    four_weeks_text,
    needs_blocks,
    partner_profile,
    projects_blocks,
)
from storage import feedback as feedback_store
from storage import followups as follow_up_store
from storage import interactions as interaction_store
from storage import needs as need_store
from storage.models import Partner, PartnerStatus

_SHOW = re.compile(
    r"^(?:show|tell me about|how is|how's|what about|profile(?: of)?)\s+(?P<name>.+?)[?.!]*$", re.I
)


def profile_reply(deps: Deps, team_id: str, text: str) -> Reply:
    """Everything /partner show says about the partner named in ``text``."""
    now: datetime = deps.now()
    with deps.db.read() as session:
        partner = resolve_partner(session, team_id, text, whole=True).partner
        summary = interaction_store.contact_summary(session, team_id, partner.id, now=now)
        recent = interaction_store.recent_interactions(session, team_id, partner.id, limit=RECENT_COUNT)
        feedback = load_feedback(session, team_id, partner.id, now)
        needs, open_needs = need_store.needs(session, team_id, partner_id=partner.id, limit=NEEDS_SHOWN)
        follow_ups, follow_up_total = follow_up_store.follow_ups(
            session, team_id, partner_id=partner.id, limit=FOLLOW_UPS_SHOWN
        )
    score = score_blocks(deps, team_id, partner) if partner.status == PartnerStatus.ACTIVE else []
    today = now.date()
    projects = projects_blocks(partner_projects(deps.db, team_id, partner.id), today=today)
    return partner_profile(
        partner,
        summary,
        recent,
        feedback,
        score,
        projects,
        needs_blocks(partner, needs, open_needs, today=today),
        follow_up_blocks(follow_ups, follow_up_total, today=today),
    )


@subcommand("show", "info", "profile")
def show(request: CommandRequest, rest: str) -> Reply:
    # The first ranking of a large workspace can take longer than Slack's 3 seconds.
    return request.within_budget(lambda: profile_reply(request.deps, request.team_id, rest))


@question("show", _SHOW.match, order=10)
def answer_show(deps: Deps, team_id: str, asked: str, match: Any) -> Reply:
    try:
        return profile_reply(deps, team_id, match.group("name"))
    except UnknownPartner as unknown:
        return Reply(unknown.message)


def load_feedback(session: Session, team_id: str, partner_id: int, now: datetime) -> FeedbackSection:
    window = timedelta(days=SATISFACTION_WINDOW_DAYS)
    current = feedback_store.partner_summary(session, team_id, partner_id, since=now - window)
    previous = feedback_store.partner_summary(
        session, team_id, partner_id, since=now - 2 * window, until=now - window
    )
    satisfaction, category = partner_satisfaction(session, team_id, current, since=now - window)
    comments = feedback_store.latest_comments(session, team_id, partner_id, limit=3)
    return FeedbackSection(current, previous, satisfaction, category, comments, SATISFACTION_WINDOW_DAYS)


def score_blocks(deps: Deps, team_id: str, partner: Partner) -> list[SlackBlock]:
    """The partner's score taken apart, from the ranking in memory (brought up to date behind the
    answer after a change; before it, when the partner is new to the ranking)."""
    standing = partner_standing(deps.rankings, team_id, partner.id)
    if standing is None:  # added since the ranking was computed
        return [context_block("The score appears in a moment: ask again.")]
    explanation = standing.explanation
    four_weeks = four_weeks_ago(deps, team_id, partner.id, explanation.score)
    return explanation_blocks(
        explanation, standing.partner_count, loyalty=standing.loyalty, four_weeks=four_weeks
    )


def four_weeks_ago(deps: Deps, team_id: str, partner_id: int, score: float | None) -> str | None:
    """Where the score was 4 weeks ago, from score history; None without history. A workspace
    that has none yet gets it from the scheduler's next pass (at start and every 5 minutes), never
    from a request: its backfill is a minute of work and a few hundred MB at 10,000 partners."""
    row = deps.history.score_on(team_id, partner_id, deps.now().date() - timedelta(weeks=4))
    if row is None:
        return None
    before = row["score"]
    return four_weeks_text(None if pd.isna(before) else float(before), score)
