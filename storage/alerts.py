"""Drop alerts: a workspace's settings, and the alerts sent. An alert is claimed by inserting its
unique (team, partner, ISO week) row before it is sent, so it goes once per partner per week across
restarts, replicas and schedulers; a claim whose process died before sending is taken over after
its lease."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import AlertSent, AlertSettings, AlertStatus

DEFAULT_DROP = 10
DROP_RANGE = (1, 100)


@dataclass(frozen=True)
class Settings:
    drop_points: int = DEFAULT_DROP
    enabled: bool = True
    updated_by: str | None = None
    updated_at: datetime | None = None


def settings(session: Session, team_id: str) -> Settings:
    row = session.get(AlertSettings, team_id)
    if row is None:
        return Settings()
    return Settings(row.drop_points, row.enabled, row.updated_by, row.updated_at)


def save_settings(
    session: Session,
    team_id: str,
    *,
    drop_points: int | None,
    enabled: bool | None,
    changed_by: str,
    now: datetime,
) -> Settings:
    """Change what was given (None keeps the current value); returns the new settings."""
    row = session.get(AlertSettings, team_id)
    if row is None:
        row = AlertSettings(team_id=team_id, drop_points=DEFAULT_DROP, enabled=True)
        session.add(row)
    if drop_points is not None:
        row.drop_points = drop_points
    if enabled is not None:
        row.enabled = enabled
    row.updated_by = changed_by
    row.updated_at = now
    session.flush()
    return Settings(row.drop_points, row.enabled, row.updated_by, row.updated_at)


def claim(
    session: Session,
    team_id: str,
    partner_id: int,
    week: str,
    *,
    owner: str,
    reason: str,
    score_before: float | None,
    score_after: float | None,
    now: datetime,
    lease: timedelta,
) -> int | None:
    """Claim the partner's alert of this week: its id, or None when it went (or is going) already."""
    row = AlertSent(
        team_id=team_id,
        partner_id=partner_id,
        week=week,
        owner=owner,
        status=AlertStatus.CLAIMED,
        reason=reason,
        score_before=score_before,
        score_after=score_after,
        claimed_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
        return row.id
    except IntegrityError:
        pass
    result = session.execute(
        update(AlertSent)
        .where(
            AlertSent.team_id == team_id,
            AlertSent.partner_id == partner_id,
            AlertSent.week == week,
            AlertSent.status == AlertStatus.CLAIMED,
            AlertSent.claimed_at < now - lease,
        )
        .values(
            claimed_at=now, owner=owner, reason=reason, score_before=score_before, score_after=score_after
        )
    )
    if result.rowcount != 1:
        return None
    return session.scalar(
        select(AlertSent.id).where(
            AlertSent.team_id == team_id, AlertSent.partner_id == partner_id, AlertSent.week == week
        )
    )


def sent(
    session: Session,
    alert_id: int,
    *,
    claimed_at: datetime,
    now: datetime,
    channel: str | None,
    ts: str | None,
    delivered: bool,
) -> None:
    """Record the alert as sent (or given up), if the claim is still the one made at ``claimed_at``."""
    session.execute(
        update(AlertSent)
        .where(AlertSent.id == alert_id, AlertSent.claimed_at == claimed_at)
        .values(
            status=AlertStatus.SENT if delivered else AlertStatus.UNDELIVERABLE,
            sent_at=now,
            channel=channel,
            message_ts=ts,
        )
    )


def release(session: Session, alert_id: int, *, claimed_at: datetime) -> None:
    """Give a claim back (Slack failed for now): the next check sends it. A claim another process
    has taken over since (its lease ran out) is theirs, and stays."""
    session.execute(
        delete(AlertSent).where(
            AlertSent.id == alert_id,
            AlertSent.status == AlertStatus.CLAIMED,
            AlertSent.claimed_at == claimed_at,
        )
    )


def alerted(session: Session, team_id: str, week: str) -> set[int]:
    """The partners alerted (or being alerted) about this week."""
    return set(
        session.scalars(
            select(AlertSent.partner_id).where(AlertSent.team_id == team_id, AlertSent.week == week)
        )
    )
