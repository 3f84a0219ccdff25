"""The grouped queries behind rankings, "needs attention" and stale partners, and the
workspace's scoring weights.

Each question is answered by the database in one grouped query over indexed columns; only one
row per partner (or per partner and day) reaches Python. ``scoring`` does the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Float, Integer, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage.feedback import answer_score
from storage.frames import frame_of
from storage.models import (
    Feedback,
    Interaction,
    Partner,
    PartnerStatus,
    ScoringWeights,
    WeightChange,
)


@dataclass(frozen=True)
class RankingFrames:
    """The frames ``scoring.score_partners`` takes (see scoring.model for the contract)."""

    partners: pd.DataFrame
    activity: pd.DataFrame
    feedback: pd.DataFrame


def _last_contact(until: datetime | None = None) -> ColumnElement[datetime]:
    # A correlated MAX over the (team, partner, time) index: one index seek per partner, never a
    # scan of every interaction.
    inner = Interaction.__table__.alias("last_i")
    query = select(func.max(inner.c.occurred_at)).where(
        inner.c.team_id == Partner.team_id, inner.c.partner_id == Partner.id
    )
    if until is not None:
        query = query.where(inner.c.occurred_at < until)
    return query.scalar_subquery()


def _utc_day(session: Session) -> ColumnElement[str]:
    """The UTC day of an interaction, as text the frame reads back (YYYY-MM-DD…)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", Interaction.occurred_at), "YYYY-MM-DD")
    return func.substr(Interaction.occurred_at, 1, 10)  # stored as 'YYYY-MM-DD HH:MM:SS' UTC


def _kind_weight(kind_weights: Mapping[str, float]) -> ColumnElement[float]:
    return case(
        *((Interaction.kind == kind, float(weight)) for kind, weight in kind_weights.items()), else_=1.0
    )


def partners_frame(session: Session, team_id: str, *, until: datetime) -> pd.DataFrame:
    """The workspace's active partners with profile figures and their last contact before ``until``."""
    rows = session.execute(
        select(
            Partner.id,
            Partner.name,
            Partner.tier,
            Partner.owner,
            Partner.revenue,
            Partner.cost,
            _last_contact(until),
            Partner.created_at,
        ).where(Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)
    ).all()
    frame = frame_of(
        rows, ["partner_id", "name", "tier", "owner", "revenue", "cost", "last_contact", "created_at"]
    )
    frame["created_at"] = _utc(frame["created_at"])
    frame["revenue"] = pd.to_numeric(frame["revenue"], errors="coerce").astype(float)
    frame["cost"] = pd.to_numeric(frame["cost"], errors="coerce").astype(float)
    frame["last_contact"] = _utc(frame["last_contact"])
    return frame


def _utc(values: pd.Series) -> pd.Series:
    # SQLite hands back text for computed columns; both databases' values are UTC.
    return pd.to_datetime(values, utc=True, format="mixed")


def activity_frame(
    session: Session, team_id: str, *, since: datetime, until: datetime, kind_weights: Mapping[str, float]
) -> pd.DataFrame:
    """Per partner and UTC day inside the window: Σ kind weights and the number of communications."""
    day = _utc_day(session)
    rows = session.execute(
        select(Interaction.partner_id, day, func.sum(_kind_weight(kind_weights)), func.count())
        .where(
            Interaction.team_id == team_id, Interaction.occurred_at >= since, Interaction.occurred_at < until
        )
        .group_by(Interaction.partner_id, day)
    ).all()
    frame = frame_of(rows, ["partner_id", "day", "weight", "count"])
    frame["day"] = pd.to_datetime(frame["day"], utc=True, format="%Y-%m-%d")
    frame["weight"] = frame["weight"].astype(float)
    return frame


def _decay(session: Session, now: datetime, half_life_days: float) -> ColumnElement[float]:
    """2^(-(now - midday of the communication's UTC day)/H): scoring's decay of a day's bucket
    (never above 1, since today's midday may still be ahead)."""
    now_epoch = literal(now.timestamp(), Float)
    if session.get_bind().dialect.name == "postgresql":
        day = func.floor(func.extract("epoch", Interaction.occurred_at) / 86400.0) * 86400.0
        age = func.greatest((now_epoch - (day + 43200.0)) / 86400.0, 0.0)
        return func.power(2.0, -age / half_life_days)
    # SQLite stores UTC text: strftime('%s') gives its epoch second, // its day.
    epoch = cast(func.strftime("%s", Interaction.occurred_at), Integer)
    day = (epoch // 86400) * 86400
    age = func.max((now_epoch - (day + 43200.0)) / 86400.0, 0.0)
    return func.pow(2.0, -age / half_life_days)


def engagement_frame(
    session: Session,
    team_id: str,
    *,
    since: datetime,
    until: datetime,
    kind_weights: Mapping[str, float],
    half_life_days: float,
) -> pd.DataFrame:
    """Per partner: the window's communications weighted and decayed by the database (scoring's
    "already decayed" activity form) and how many there were: one row per partner reaches Python."""
    rows = session.execute(
        select(
            Interaction.partner_id,
            func.sum(_kind_weight(kind_weights) * _decay(session, until, half_life_days)),
            func.count(),
        )
        .where(
            Interaction.team_id == team_id, Interaction.occurred_at >= since, Interaction.occurred_at < until
        )
        .group_by(Interaction.partner_id)
    ).all()
    frame = frame_of(rows, ["partner_id", "engagement_raw", "count"])
    frame["engagement_raw"] = frame["engagement_raw"].astype(float)
    return frame


def feedback_frame(session: Session, team_id: str, *, since: datetime, until: datetime) -> pd.DataFrame:
    """Per partner: Σ answer scores (0-100) and the number of answers inside the window."""
    rows = session.execute(
        select(Feedback.partner_id, func.sum(cast(answer_score(), Float)), func.count())
        .where(Feedback.team_id == team_id, Feedback.submitted_at >= since, Feedback.submitted_at < until)
        .group_by(Feedback.partner_id)
    ).all()
    frame = frame_of(rows, ["partner_id", "score_sum", "count"])
    frame["score_sum"] = frame["score_sum"].astype(float)
    return frame


def ranking_frames(
    session: Session,
    team_id: str,
    *,
    since: datetime,
    until: datetime,
    kind_weights: Mapping[str, float],
    half_life_days: float,
) -> RankingFrames:
    """The frames scoring needs, each from one grouped query."""
    return RankingFrames(
        partners=partners_frame(session, team_id, until=until),
        activity=engagement_frame(
            session,
            team_id,
            since=since,
            until=until,
            kind_weights=kind_weights,
            half_life_days=half_life_days,
        ),
        feedback=feedback_frame(session, team_id, since=since, until=until),
    )


@dataclass(frozen=True)
class StalePartner:
    partner_id: int
    name: str
    owner: str | None
    last_contact: datetime | None


def stale_partners(
    session: Session, team_id: str, *, before: datetime, limit: int
) -> tuple[list[StalePartner], int]:
    """Active partners with no communication since ``before`` (never contacted first, then oldest).

    Returns up to ``limit`` of them and how many there are in all.
    """
    last = _last_contact().label("last_contact")
    inner = (
        select(Partner.id, Partner.name, Partner.owner, last)
        .where(Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)
        .subquery()
    )
    stale = (inner.c.last_contact.is_(None)) | (inner.c.last_contact < before)
    total = session.scalar(select(func.count()).select_from(inner).where(stale)) or 0
    rows = session.execute(
        select(inner.c.id, inner.c.name, inner.c.owner, inner.c.last_contact)
        .where(stale)
        .order_by(inner.c.last_contact.is_not(None), inner.c.last_contact, inner.c.name)
        .limit(limit)
    ).all()
    found = [StalePartner(pid, name, owner, _as_utc(last)) for pid, name, owner, last in rows]
    return found, int(total)


def _as_utc(value: object) -> datetime | None:
    if value is None:
        return None
    moment = pd.Timestamp(value)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return moment.to_pydatetime()


# --- weights --------------------------------------------------------------------------------------


def stored_weights(session: Session, team_id: str) -> dict[str, float] | None:
    row = session.get(ScoringWeights, team_id)
    if row is None:
        return None
    stored = {
        "satisfaction": row.satisfaction,
        "engagement": row.engagement,
        "recency": row.recency,
        "business": row.business,
    }
    if row.delivery is not None:  # weights saved before delivery existed keep its default
        stored["delivery"] = row.delivery
    return stored


def save_weights(
    session: Session,
    team_id: str,
    new: Mapping[str, float],
    *,
    old: Mapping[str, float],
    changed_by: str,
    now: datetime,
) -> None:
    """Store the workspace's weights and record the change (who, when, old → new)."""
    row = session.get(ScoringWeights, team_id)
    if row is None:
        row = ScoringWeights(team_id=team_id)
        session.add(row)
    for name in ("satisfaction", "engagement", "recency", "business", "delivery"):
        setattr(row, name, float(new[name]) if name in new else None)
    row.updated_by = changed_by
    row.updated_at = now
    session.add(
        WeightChange(
            team_id=team_id,
            changed_by=changed_by,
            changed_at=now,
            old_weights={name: float(weight) for name, weight in sorted(old.items())},
            new_weights={name: float(weight) for name, weight in sorted(new.items())},
        )
    )
    session.flush()


@dataclass(frozen=True)
class WeightChangeRecord:
    changed_by: str
    changed_at: datetime
    old: dict[str, float]
    new: dict[str, float]


def weight_history(session: Session, team_id: str, *, limit: int = 5) -> list[WeightChangeRecord]:
    rows = session.scalars(
        select(WeightChange)
        .where(WeightChange.team_id == team_id)
        .order_by(WeightChange.changed_at.desc(), WeightChange.id.desc())
        .limit(limit)
    )
    return [WeightChangeRecord(r.changed_by, r.changed_at, r.old_weights, r.new_weights) for r in rows]
