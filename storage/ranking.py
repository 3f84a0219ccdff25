"""The grouped queries behind rankings, "needs attention" and stale partners, and the
workspace's scoring weights.

Each question is answered by the database in one grouped query over indexed columns; only one
row per partner (or per partner and day) reaches Python. ``scoring`` does the rest.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Float, Select, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage.feedback import answer_score
from storage.frames import epoch_seconds, frame_of, moments
from storage.models import (
    ActivityDay,
    Feedback,
    Interaction,
    LastContact,
    Partner,
    PartnerStatus,
    ScoringWeights,
    WeightChange,
)
from storage.rollups import KIND_COLUMNS


@dataclass(frozen=True)
class RankingFrames:
    """The frames ``scoring.score_partners`` takes (see scoring.model for the contract)."""

    partners: pd.DataFrame
    activity: pd.DataFrame
    feedback: pd.DataFrame


def _last_contact(until: datetime) -> ColumnElement[datetime]:
    # A correlated MAX over the (team, partner, time) index: one index seek per partner, never a
    # scan of every interaction.
    inner = Interaction.__table__.alias("last_i")
    query = select(func.max(inner.c.occurred_at)).where(
        inner.c.team_id == Partner.team_id, inner.c.partner_id == Partner.id, inner.c.occurred_at < until
    )
    return query.scalar_subquery()


def _last_contact_before(until: datetime) -> ColumnElement[datetime]:
    """A partner's last contact before ``until``: its roll-up when that is earlier (every partner
    not contacted since, so at the present moment nearly all), else one index seek."""
    return case((LastContact.occurred_at < until, LastContact.occurred_at), else_=_last_contact(until))


def _with_last_contact(query: Select[Any]) -> Select[Any]:
    return query.outerjoin(
        LastContact, (LastContact.team_id == Partner.team_id) & (LastContact.partner_id == Partner.id)
    )


def partners_frame(
    session: Session,
    team_id: str,
    *,
    until: datetime,
    partner_ids: Collection[int] | None = None,
) -> pd.DataFrame:
    """The workspace's active partners (only ``partner_ids`` when given) with profile figures and
    their last contact before ``until``."""
    query = _with_last_contact(
        select(
            Partner.id,
            Partner.name,
            Partner.tier,
            Partner.owner,
            cast(Partner.revenue, Float),
            cast(Partner.cost, Float),
            epoch_seconds(session, _last_contact_before(until)),
            epoch_seconds(session, Partner.created_at),
        )
    ).where(Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)
    if partner_ids is not None:
        query = query.where(Partner.id.in_(partner_ids))
    # Core, not the ORM's result machinery: a row per partner, 100,000 of them in a large programme.
    rows = session.connection().execute(query).all()
    frame = frame_of(
        rows, ["partner_id", "name", "tier", "owner", "revenue", "cost", "last_contact", "created_at"]
    )
    frame["revenue"] = frame["revenue"].astype(float)
    frame["cost"] = frame["cost"].astype(float)
    frame["last_contact"] = moments(frame["last_contact"])
    frame["created_at"] = moments(frame["created_at"])
    return frame


def last_contacts_before(
    session: Session, team_id: str, until: datetime, *, partner_ids: Collection[int] | None = None
) -> pd.Series:
    """partner_id → each active partner's last contact before ``until`` (NaT when none)."""
    query = _with_last_contact(select(Partner.id, epoch_seconds(session, _last_contact_before(until)))).where(
        Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE
    )
    if partner_ids is not None:
        query = query.where(Partner.id.in_(partner_ids))
    frame = frame_of(session.connection().execute(query).all(), ["partner_id", "last_contact"])
    return moments(frame["last_contact"]).set_axis(frame["partner_id"].to_numpy())


def _window_days(since: datetime, until: datetime) -> tuple[date, date]:
    """The UTC days whose roll-up counts in ``[since, until)``: every day that overlaps it."""
    last = until.astimezone(UTC)
    last_day = last.date() if last.time() != time(0) else last.date() - timedelta(days=1)
    return since.astimezone(UTC).date(), last_day


def _day_weight(kind_weights: Mapping[str, float]) -> ColumnElement[float]:
    """Σ kind weight × that kind's count on a roll-up day."""
    total: ColumnElement[float] = literal(0.0, Float)
    for kind, column in KIND_COLUMNS.items():
        total = total + getattr(ActivityDay, column) * float(kind_weights.get(kind.value, 1.0))
    return total


def _decay(session: Session, now: datetime, half_life_days: float) -> ColumnElement[float]:
    """2^(-(now - midday of the roll-up's UTC day)/H): scoring's decay of a day's bucket
    (never above 1, since today's midday may still be ahead)."""
    now_epoch = literal(now.timestamp(), Float)
    if session.get_bind().dialect.name == "postgresql":
        midday = func.extract("epoch", ActivityDay.day) + 43200.0
        age = func.greatest((now_epoch - midday) / 86400.0, 0.0)
        return func.power(2.0, -age / half_life_days)
    # SQLite keeps the day as 'YYYY-MM-DD' text: julianday gives its midnight.
    midday = (func.julianday(ActivityDay.day) - 2440587.5) * 86400.0 + 43200.0
    age = func.max((now_epoch - midday) / 86400.0, 0.0)
    return func.pow(2.0, -age / half_life_days)


def activity_frame(
    session: Session, team_id: str, *, since: datetime, until: datetime, kind_weights: Mapping[str, float]
) -> pd.DataFrame:
    """Per partner and UTC day inside the window: Σ kind weights and the number of communications."""
    first, last = _window_days(since, until)
    rows = session.execute(
        select(
            ActivityDay.partner_id, ActivityDay.day, _day_weight(kind_weights), ActivityDay.communications
        ).where(ActivityDay.team_id == team_id, ActivityDay.day >= first, ActivityDay.day <= last)
    ).all()
    frame = frame_of(rows, ["partner_id", "day", "weight", "count"])
    frame["day"] = pd.to_datetime(frame["day"], utc=True)
    frame["weight"] = frame["weight"].astype(float)
    return frame


def edge_decay(until: datetime, half_life_days: float) -> float:
    """The decay of the roll-up day ``until`` falls on, at ``until``: 1 until its midday, as the
    database's ``_decay`` (scoring's per-day buckets)."""
    moment = until.astimezone(UTC)
    midday = datetime.combine(moment.date(), time(12), UTC)
    age_days = max((moment - midday).total_seconds() / 86_400, 0.0)
    return float(2.0 ** (-age_days / half_life_days))


def engagement_frame(
    session: Session,
    team_id: str,
    *,
    since: datetime,
    until: datetime,
    kind_weights: Mapping[str, float],
    half_life_days: float,
    partner_ids: Collection[int] | None = None,
) -> pd.DataFrame:
    """Per partner: the window's communications weighted and decayed by the database (scoring's
    "already decayed" activity form) and how many there were, summed over the roll-up days that
    overlap the window: one row per partner reaches Python.

    The day ``until`` falls on is kept apart (``edge_weight``, undecayed; ``settled_raw`` is the
    rest, decayed): its decay is capped at 1 until its midday, so a ranking brought up to date a
    little later ages the two parts differently (handlers.services.rankings.patched)."""
    first, last = _window_days(since, until)
    edge = until.astimezone(UTC).date()
    on_edge = ActivityDay.day == edge
    weight = _day_weight(kind_weights)
    query = (
        select(
            ActivityDay.partner_id,
            func.sum(case((on_edge, 0.0), else_=weight * _decay(session, until, half_life_days))),
            func.sum(case((on_edge, weight), else_=0.0)),
            func.sum(ActivityDay.communications),
        )
        .where(ActivityDay.team_id == team_id, ActivityDay.day >= first, ActivityDay.day <= last)
        .group_by(ActivityDay.partner_id)
    )
    if partner_ids is not None:
        query = query.where(ActivityDay.partner_id.in_(partner_ids))
    rows = session.execute(query).all()
    frame = frame_of(rows, ["partner_id", "settled_raw", "edge_weight", "count"])
    frame["settled_raw"] = frame["settled_raw"].astype(float)
    frame["edge_weight"] = frame["edge_weight"].astype(float)
    frame["count"] = frame["count"].astype("int64")
    frame.insert(
        1, "engagement_raw", frame["settled_raw"] + frame["edge_weight"] * edge_decay(until, half_life_days)
    )
    return frame


def feedback_frame(
    session: Session,
    team_id: str,
    *,
    since: datetime,
    until: datetime,
    partner_ids: Collection[int] | None = None,
) -> pd.DataFrame:
    """Per partner: Σ answer scores (0-100) and the number of answers inside the window."""
    query = (
        select(Feedback.partner_id, func.sum(cast(answer_score(), Float)), func.count())
        .where(Feedback.team_id == team_id, Feedback.submitted_at >= since, Feedback.submitted_at < until)
        .group_by(Feedback.partner_id)
    )
    if partner_ids is not None:
        query = query.where(Feedback.partner_id.in_(partner_ids))
    rows = session.execute(query).all()
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
    partner_ids: Collection[int] | None = None,
    partners: pd.DataFrame | None = None,
) -> RankingFrames:
    """The frames scoring needs, each from one grouped query; ``partner_ids``: only those
    partners' rows. For an earlier window, ``partners`` (a later window's frame of the same
    partners) lends its profile columns, and only the last contacts before ``until`` are read."""
    if partners is None:
        profile = partners_frame(session, team_id, until=until, partner_ids=partner_ids)
    else:
        before = last_contacts_before(session, team_id, until, partner_ids=partner_ids)
        # The other columns are shared with ``partners`` (copy-on-write), not copied.
        aligned = before.reindex(pd.Index(partners["partner_id"].to_numpy(dtype="int64")))
        profile = partners.assign(last_contact=aligned.array)
    return RankingFrames(
        partners=profile,
        activity=engagement_frame(
            session,
            team_id,
            since=since,
            until=until,
            kind_weights=kind_weights,
            half_life_days=half_life_days,
            partner_ids=partner_ids,
        ),
        feedback=feedback_frame(session, team_id, since=since, until=until, partner_ids=partner_ids),
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
    last = LastContact.occurred_at.label("last_contact")
    inner = (
        select(Partner.id, Partner.name, Partner.owner, last)
        .outerjoin(
            LastContact, (LastContact.team_id == Partner.team_id) & (LastContact.partner_id == Partner.id)
        )
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
