"""Turning a partner's feedback summary into product.md's 0-100 satisfaction and its category."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from scoring import ScoringSettings, damped_mean, satisfaction_category
from storage import feedback as feedback_store
from storage.feedback import FeedbackSummary

SATISFACTION_WINDOW_DAYS = ScoringSettings.__dataclass_fields__["window_days"].default
DAMPING = ScoringSettings.__dataclass_fields__["damping"].default


def partner_satisfaction(
    session: Session,
    team_id: str,
    summary: FeedbackSummary,
    *,
    since: datetime,
    until: datetime | None = None,
) -> tuple[float | None, str | None]:
    """Damped mean of the partner's answer scores toward the workspace's mean, and its category."""
    if summary.count == 0:
        return None, None
    prior = feedback_store.workspace_mean_score(session, team_id, since=since, until=until)
    value = damped_mean(summary.score_sum, summary.count, prior if prior is not None else 0.0, DAMPING)
    return value, satisfaction_category(value)
