"""What the Home tab shows one person: their partners' scores, the workspace's top, who needs
attention and what they logged last (a domain object; ``handlers.home`` renders it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from handlers.services.rankings import Ranking
from scoring import ATTENTION_SATISFACTION_BELOW, ATTENTION_STALE_DAYS, needs_attention
from storage import followups as follow_up_store
from storage import interactions as interaction_store
from storage import projects as project_store
from storage.db import Database
from storage.models import FollowUp, Project

RECENT_COUNT = 5
PROJECTS_SHOWN = 10
FOLLOW_UPS_SHOWN = 10


@dataclass(frozen=True)
class RecentLog:
    """One communication the user logged, as the dashboard shows it."""

    partner_name: str
    kind: str
    occurred_at: datetime
    notes: str
    follow_up_on: date | None = None


@dataclass(frozen=True)
class Dashboard:
    """Everything the Home tab shows one user."""

    user_id: str
    scored: pd.DataFrame  # the ranking's frame: active partners by rank, with "owner"
    has_data: bool  # anything logged or rated inside the window?
    window_days: int
    attention: pd.DataFrame  # scoring.needs_attention's rows (with "reason")
    recent: list[RecentLog]
    stale_days: int
    floor: int
    projects: list[Project] = field(default_factory=list)  # their open projects, by due date
    today: date | None = None  # the user's today, for "overdue"
    follow_ups: list[FollowUp] = field(default_factory=list)  # their open follow-ups, earliest first
    follow_up_total: int = 0

    @property
    def partner_count(self) -> int:
        return len(self.scored)


def load_dashboard(
    database: Database,
    team_id: str,
    user_id: str,
    ranking: Ranking,
    *,
    now: datetime,
    today: date | None = None,
) -> Dashboard:
    """``today``: the person's own (their time zone), for what is overdue; UTC's when not given."""
    with database.read() as session:
        overdue = follow_up_store.overdue_by_partner(session, team_id, today=today or now.date())
        recent = [
            RecentLog(i.partner.name, i.kind, i.occurred_at, i.notes or "", i.follow_up_on)
            for i in interaction_store.recent_by_user(session, team_id, user_id, limit=RECENT_COUNT)
        ]
        projects = project_store.open_projects_of(session, team_id, user_id, limit=PROJECTS_SHOWN)
        follow_ups, follow_up_total = follow_up_store.follow_ups(
            session, team_id, owner=user_id, limit=FOLLOW_UPS_SHOWN
        )
    attention = needs_attention(ranking.scored, now, overdue=overdue)
    return Dashboard(
        user_id=user_id,
        scored=ranking.scored,
        has_data=ranking.has_data,
        window_days=ranking.settings.window_days,
        attention=attention,
        recent=recent,
        stale_days=ATTENTION_STALE_DAYS,
        floor=ATTENTION_SATISFACTION_BELOW,
        projects=projects,
        today=today or now.date(),
        follow_ups=follow_ups,
        follow_up_total=follow_up_total,
    )
