"""Score history: each workspace's daily snapshots of every active partner's score, rank and
components, the claim that makes a day snapshotted once, and the grouped per-day queries a
backfill scores every past day from.

A day's snapshot is claimed by inserting its unique (team, day) ``snapshot_run`` row before the
scores are computed (as digest runs are), so two schedulers on one PostgreSQL take each day once;
a claim left by a process that died is taken over after its lease. The rows are written in the
same transaction that marks the run done, and only while the claim is still this process's.

Kept: daily for the last ``DAILY_DAYS``, Mondays only before that, nothing older than
``KEPT_DAYS`` (:func:`prune`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Float, and_, case, cast, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage.bulk import insert_rows
from storage.feedback import answer_score
from storage.frames import days, epoch_days, epoch_seconds, frame_of, moments, numbers_frame
from storage.models import (
    Feedback,
    Interaction,
    Partner,
    PartnerStatus,
    Project,
    ProjectStatus,
    ScoreSnapshot,
    SnapshotRun,
    SnapshotRunStatus,
)

KEPT_DAYS = 730  # two years
DAILY_DAYS = 182  # 26 weeks of daily points; Mondays only before that
SNAPSHOT_COLUMNS = (
    "partner_id",
    "score",
    "rank",
    "satisfaction",
    "engagement",
    "recency",
    "business",
    "delivery",
    "category",
)
COMPONENT_COLUMNS = ("satisfaction", "engagement", "recency", "business", "delivery")


def kept(day: date, *, today: date) -> bool:
    """Whether history keeps ``day``'s snapshot as of ``today`` (daily recently, Mondays before)."""
    age = (today - day).days
    if age >= KEPT_DAYS:
        return False
    return age < DAILY_DAYS or day.weekday() == 0


# --- which workspaces ---------------------------------------------------------------------------


def workspaces(session: Session, team_ids: Sequence[str] | None = None) -> list[str]:
    """The workspaces with active partners (those a scheduler snapshots), or those of ``team_ids``."""
    query = select(Partner.team_id).where(Partner.status == PartnerStatus.ACTIVE).distinct()
    if team_ids is not None:
        query = query.where(Partner.team_id.in_(list(team_ids)))
    return sorted(session.scalars(query))


# --- claims ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunState:
    day: date
    status: SnapshotRunStatus
    claimed_at: datetime
    first_day: date | None


def run_state(session: Session, team_id: str, day: date) -> RunState | None:
    row = session.get(SnapshotRun, (team_id, day))
    if row is None:
        return None
    return RunState(row.day, row.status, row.claimed_at, row.first_day)


def last_done_day(session: Session, team_id: str) -> date | None:
    """The latest day whose snapshot is done (None: the workspace has no history yet)."""
    return session.scalar(
        select(func.max(SnapshotRun.day)).where(
            SnapshotRun.team_id == team_id, SnapshotRun.status == SnapshotRunStatus.DONE
        )
    )


def claim_day(
    session: Session, team_id: str, day: date, *, now: datetime, lease: timedelta
) -> datetime | None:
    """Claim ``day``'s snapshot for this process: the claim's moment, or None when another process
    has it (or it is done). A claim older than ``lease`` that never finished is taken over."""
    try:
        with session.begin_nested():
            session.add(
                SnapshotRun(team_id=team_id, day=day, status=SnapshotRunStatus.CLAIMED, claimed_at=now)
            )
        return now
    except IntegrityError:
        pass
    result = session.execute(
        update(SnapshotRun)
        .where(
            SnapshotRun.team_id == team_id,
            SnapshotRun.day == day,
            SnapshotRun.status == SnapshotRunStatus.CLAIMED,
            SnapshotRun.claimed_at < now - lease,
        )
        .values(claimed_at=now)
    )
    return now if result.rowcount == 1 else None


def finish_day(
    session: Session,
    team_id: str,
    day: date,
    *,
    claimed_at: datetime,
    now: datetime,
    days: int,
    rows: int,
    first_day: date | None,
) -> bool:
    """Mark the run done if the claim is still ours (False: another process took it over, and the
    caller must roll back what it wrote). The UPDATE locks the row until the commit, so a takeover
    waiting on it then finds the run done."""
    result = session.execute(
        update(SnapshotRun)
        .where(*_still_ours(team_id, day, claimed_at))
        .values(status=SnapshotRunStatus.DONE, finished_at=now, days=days, rows=rows, first_day=first_day)
    )
    return result.rowcount == 1


def _still_ours(team_id: str, day: date, claimed_at: datetime) -> tuple[ColumnElement[bool], ...]:
    """The run this process claimed at ``claimed_at``, if no other process has taken it over."""
    return (
        SnapshotRun.team_id == team_id,
        SnapshotRun.day == day,
        SnapshotRun.status == SnapshotRunStatus.CLAIMED,
        SnapshotRun.claimed_at == claimed_at,
    )


def renew_claim(session: Session, team_id: str, day: date, *, claimed_at: datetime, now: datetime) -> bool:
    """Renew our claim (a long backfill's sign of life); False when it is no longer ours."""
    result = session.execute(
        update(SnapshotRun).where(*_still_ours(team_id, day, claimed_at)).values(claimed_at=now)
    )
    return result.rowcount == 1


def release_day(session: Session, team_id: str, day: date, *, claimed_at: datetime) -> None:
    """Give a claim back after a failure, so the next pass tries again at once."""
    session.execute(
        delete(SnapshotRun).where(
            SnapshotRun.team_id == team_id,
            SnapshotRun.day == day,
            SnapshotRun.status == SnapshotRunStatus.CLAIMED,
            SnapshotRun.claimed_at == claimed_at,
        )
    )


# --- writing and pruning -------------------------------------------------------------------------


def replace_days(session: Session, team_id: str, days: Sequence[date], rows: Iterable[dict[str, Any]]) -> int:
    """Write snapshot rows for ``days`` (replacing any already there) in one bulk insert."""
    if days:
        session.execute(
            delete(ScoreSnapshot).where(
                ScoreSnapshot.team_id == team_id,
                ScoreSnapshot.day >= min(days),
                ScoreSnapshot.day <= max(days),
            )
        )
    # A batch is small next to the table: keep the index up to date rather than rebuild it.
    return insert_rows(session, ScoreSnapshot.__table__, iter(rows), rebuild_indexes=False)


def prune(session: Session, team_id: str, *, today: date) -> int:
    """Drop what history no longer keeps: anything two years old, and all but Mondays after 26 weeks."""
    oldest = today - timedelta(days=KEPT_DAYS - 1)
    removed = session.execute(
        delete(ScoreSnapshot).where(ScoreSnapshot.team_id == team_id, ScoreSnapshot.day < oldest)
    ).rowcount
    thinned = [
        oldest + timedelta(days=i)
        for i in range(KEPT_DAYS - DAILY_DAYS)
        if not kept(oldest + timedelta(days=i), today=today)
    ]
    for start in range(0, len(thinned), 500):
        removed += session.execute(
            delete(ScoreSnapshot).where(
                ScoreSnapshot.team_id == team_id, ScoreSnapshot.day.in_(thinned[start : start + 500])
            )
        ).rowcount
    return int(removed or 0)


# --- reading --------------------------------------------------------------------------------------


def _snapshot_frame(rows: Sequence[Any], with_day: bool) -> pd.DataFrame:
    columns = (["day"] if with_day else []) + list(SNAPSHOT_COLUMNS)
    frame = frame_of(rows, columns)
    for column in ("score", *COMPONENT_COLUMNS):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["partner_id"] = frame["partner_id"].astype("int64")
    frame["rank"] = frame["rank"].astype("int64")
    frame["category"] = pd.Series(
        [c if isinstance(c, str) else None for c in frame["category"]], index=frame.index, dtype=object
    )
    return frame


def _columns() -> list[ColumnElement[Any]]:
    return [getattr(ScoreSnapshot, name) for name in SNAPSHOT_COLUMNS]


def snapshot_day_at_or_before(session: Session, team_id: str, day: date, *, not_before: date) -> date | None:
    """The latest day with snapshot rows in ``[not_before, day]``."""
    return session.scalar(
        select(func.max(ScoreSnapshot.day)).where(
            ScoreSnapshot.team_id == team_id, ScoreSnapshot.day <= day, ScoreSnapshot.day >= not_before
        )
    )


def snapshot(session: Session, team_id: str, day: date) -> pd.DataFrame:
    """Every partner's row of one day's snapshot (empty frame with the columns when none)."""
    rows = session.execute(
        select(*_columns())
        .where(ScoreSnapshot.team_id == team_id, ScoreSnapshot.day == day)
        .order_by(ScoreSnapshot.rank)
    ).all()
    return _snapshot_frame(rows, with_day=False)


def partner_history(
    session: Session, team_id: str, partner_id: int, *, since: date, until: date
) -> pd.DataFrame:
    """One partner's snapshots from ``since`` to ``until``, oldest first (a ``day`` column first)."""
    rows = session.execute(
        select(ScoreSnapshot.day, *_columns())
        .where(
            ScoreSnapshot.team_id == team_id,
            ScoreSnapshot.partner_id == partner_id,
            ScoreSnapshot.day >= since,
            ScoreSnapshot.day <= until,
        )
        .order_by(ScoreSnapshot.day)
    ).all()
    return _snapshot_frame(rows, with_day=True)


def partners_history(
    session: Session, team_id: str, partner_ids: Sequence[int], days: Sequence[date]
) -> pd.DataFrame:
    """Some partners' snapshots on some days (a digest's chart)."""
    if not partner_ids or not days:
        return _snapshot_frame([], with_day=True)
    rows = session.execute(
        select(ScoreSnapshot.day, *_columns())
        .where(
            ScoreSnapshot.team_id == team_id,
            ScoreSnapshot.partner_id.in_(list(partner_ids)),
            ScoreSnapshot.day.in_(list(days)),
        )
        .order_by(ScoreSnapshot.day, ScoreSnapshot.rank)
    ).all()
    return _snapshot_frame(rows, with_day=True)


def first_partner_day(session: Session, team_id: str, partner_id: int) -> date | None:
    return session.scalar(
        select(func.min(ScoreSnapshot.day)).where(
            ScoreSnapshot.team_id == team_id, ScoreSnapshot.partner_id == partner_id
        )
    )


@dataclass(frozen=True)
class DataSpan:
    """When a workspace's (or a partner's) logged data begins."""

    first_contact: datetime | None
    first_feedback: datetime | None

    @property
    def first(self) -> datetime | None:
        known = [moment for moment in (self.first_contact, self.first_feedback) if moment is not None]
        return min(known) if known else None


def data_span(session: Session, team_id: str, partner_id: int | None = None) -> DataSpan:
    """The first logged communication and the first feedback answer (of one partner, or all)."""
    contact = select(func.min(Interaction.occurred_at)).where(Interaction.team_id == team_id)
    feedback = select(func.min(Feedback.submitted_at)).where(Feedback.team_id == team_id)
    if partner_id is not None:
        contact = contact.where(Interaction.partner_id == partner_id)
        feedback = feedback.where(Feedback.partner_id == partner_id)
    return DataSpan(_utc(session.scalar(contact)), _utc(session.scalar(feedback)))


def _utc(value: object) -> datetime | None:
    if value is None:
        return None
    moment = pd.Timestamp(value)  # type: ignore[arg-type]
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return moment.to_pydatetime()


# --- what a backfill scores every past day from: one grouped query per frame ----------------------


def active_partners(session: Session, team_id: str) -> pd.DataFrame:
    """The workspace's active partners: partner_id, name, tier, owner, revenue, cost."""
    rows = session.execute(
        select(Partner.id, Partner.name, Partner.tier, Partner.owner, Partner.revenue, Partner.cost).where(
            Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE
        )
    ).all()
    frame = frame_of(rows, ["partner_id", "name", "tier", "owner", "revenue", "cost"])
    frame["revenue"] = pd.to_numeric(frame["revenue"], errors="coerce").astype(float)
    frame["cost"] = pd.to_numeric(frame["cost"], errors="coerce").astype(float)
    return frame


def daily_activity(
    session: Session, team_id: str, *, since: datetime, until: datetime, kind_weights: Mapping[str, float]
) -> pd.DataFrame:
    """Per partner and UTC day in ``[since, until)``: Σ kind weights, the number of communications
    and the last one's moment (``last_at``). Two years of a large workspace are close to a
    million rows: they arrive as numbers, in chunks (storage.frames.numbers_frame)."""
    day = epoch_days(session, Interaction.occurred_at)
    weight = case(*((Interaction.kind == kind, float(w)) for kind, w in kind_weights.items()), else_=1.0)
    query = (
        select(
            Interaction.partner_id,
            day,
            func.sum(weight),
            func.count(),
            epoch_seconds(session, func.max(Interaction.occurred_at)),
        )
        .where(
            Interaction.team_id == team_id, Interaction.occurred_at >= since, Interaction.occurred_at < until
        )
        .group_by(Interaction.partner_id, day)
    )
    frame = numbers_frame(session, query, ["partner_id", "day", "weight", "count", "last_at"])
    return pd.DataFrame(
        {
            "partner_id": frame["partner_id"].astype("int64"),
            "day": days(frame["day"]),
            "weight": frame["weight"],
            "count": frame["count"].astype("int64"),
            "last_at": moments(frame["last_at"]),
        }
    )


def last_contacts(session: Session, team_id: str, *, before: datetime) -> pd.DataFrame:
    """Per partner: the last communication before ``before`` (partner_id, last_at)."""
    query = (
        select(Interaction.partner_id, epoch_seconds(session, func.max(Interaction.occurred_at)))
        .where(Interaction.team_id == team_id, Interaction.occurred_at < before)
        .group_by(Interaction.partner_id)
    )
    frame = numbers_frame(session, query, ["partner_id", "last_at"])
    return pd.DataFrame(
        {"partner_id": frame["partner_id"].astype("int64"), "last_at": moments(frame["last_at"])}
    )


def daily_feedback(session: Session, team_id: str, *, since: datetime, until: datetime) -> pd.DataFrame:
    """Per partner and UTC day in ``[since, until)``: Σ answer scores (0-100) and the answers,
    read as numbers like ``daily_activity``."""
    day = epoch_days(session, Feedback.submitted_at)
    query = (
        select(Feedback.partner_id, day, func.sum(cast(answer_score(), Float)), func.count())
        .where(Feedback.team_id == team_id, Feedback.submitted_at >= since, Feedback.submitted_at < until)
        .group_by(Feedback.partner_id, day)
    )
    frame = numbers_frame(session, query, ["partner_id", "day", "score_sum", "count"])
    return pd.DataFrame(
        {
            "partner_id": frame["partner_id"].astype("int64"),
            "day": days(frame["day"]),
            "score_sum": frame["score_sum"],
            "count": frame["count"].astype("int64"),
        }
    )


def daily_outcomes(session: Session, team_id: str, *, until: date) -> pd.DataFrame:
    """Per partner and closing day up to ``until``: joint projects closed won and lost."""
    won = func.sum(case((Project.status == ProjectStatus.WON, 1), else_=0))
    lost = func.sum(case((Project.status == ProjectStatus.LOST, 1), else_=0))
    rows = session.execute(
        select(Project.partner_id, Project.closed_on, won, lost)
        .where(
            and_(
                Project.team_id == team_id,
                Project.status.in_((ProjectStatus.WON, ProjectStatus.LOST)),
                Project.closed_on <= until,
            )
        )
        .group_by(Project.partner_id, Project.closed_on)
    ).all()
    frame = frame_of(rows, ["partner_id", "closed_on", "won", "lost"])
    return frame.astype({"won": "int64", "lost": "int64"})
