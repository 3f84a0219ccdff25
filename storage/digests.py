"""Digest subscriptions and their runs. A run is claimed by inserting its unique
(subscription, period) row before anything is posted, so each period posts once across restarts,
replicas and schedulers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Text, bindparam, cast, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import DigestRun, DigestRunStatus, DigestSubscription

# How long a claim is its claimer's alone: one left unfinished longer (its process died mid-post)
# may be taken over.
LEASE = timedelta(minutes=5)


def add_subscription(session: Session, team_id: str, **fields: object) -> tuple[DigestSubscription, bool]:
    """A new subscription; (subscription, created). A replayed request returns the first one."""
    request_key = fields.get("request_key")
    if request_key:
        earlier = session.scalar(
            select(DigestSubscription).where(
                DigestSubscription.team_id == team_id, DigestSubscription.request_key == request_key
            )
        )
        if earlier is not None:
            return earlier, False
    subscription = DigestSubscription(team_id=team_id, **fields)
    session.add(subscription)
    session.flush()
    return subscription, True


def get_subscription(session: Session, team_id: str, subscription_id: int) -> DigestSubscription | None:
    return session.scalar(
        select(DigestSubscription).where(
            DigestSubscription.team_id == team_id, DigestSubscription.id == subscription_id
        )
    )


def get_any_subscription(session: Session, subscription_id: int) -> DigestSubscription | None:
    """A subscription of any workspace, by ID: for the scheduler, which runs every workspace's
    digests (never for answering a person, who sees their own workspace's only)."""
    return session.get(DigestSubscription, subscription_id)


def subscriptions(session: Session, team_id: str) -> list[DigestSubscription]:
    return list(
        session.scalars(
            select(DigestSubscription)
            .where(DigestSubscription.team_id == team_id)
            .order_by(DigestSubscription.id)
        )
    )


def all_enabled(session: Session) -> list[DigestSubscription]:
    """Every workspace's enabled subscriptions: what a scheduler schedules."""
    return list(session.scalars(select(DigestSubscription).where(DigestSubscription.enabled.is_(True))))


def remove_subscription(session: Session, subscription: DigestSubscription) -> None:
    session.execute(delete(DigestRun).where(DigestRun.subscription_id == subscription.id))
    session.delete(subscription)
    session.flush()


def disable(session: Session, subscription_id: int, reason: str) -> None:
    # Through the unit of work, so the audit trail records it (the scheduler turns a digest off
    # when its channel is gone).
    subscription = session.get(DigestSubscription, subscription_id)
    if subscription is not None:
        subscription.enabled = False
        subscription.disabled_reason = reason
        session.flush()


# --- runs -------------------------------------------------------------------------------------------


def claim_run(
    session: Session,
    subscription: DigestSubscription,
    *,
    period: str,
    scheduled_for: datetime,
    now: datetime,
    status: DigestRunStatus = DigestRunStatus.CLAIMED,
    lease: timedelta | None = None,
) -> DigestRun | None:
    """Claim the period for this process; None when another process has it (or it is done).

    A claim left behind by a process that died before posting (older than ``lease``, by default
    ``LEASE``) is taken over.
    """
    run = DigestRun(
        subscription_id=subscription.id,
        team_id=subscription.team_id,
        period=period,
        scheduled_for=scheduled_for,
        status=status,
        claimed_at=now,
        finished_at=now if status is not DigestRunStatus.CLAIMED else None,
    )
    try:
        with session.begin_nested():
            session.add(run)
        return run
    except IntegrityError:
        pass
    return _take_over(session, subscription, period=period, now=now, status=status, lease=lease or LEASE)


def _take_over(
    session: Session,
    subscription: DigestSubscription,
    *,
    period: str,
    now: datetime,
    status: DigestRunStatus,
    lease: timedelta,
) -> DigestRun | None:
    # Taken over only if still unfinished and its lease ran out: one UPDATE, so one process wins.
    result = session.execute(
        update(DigestRun)
        .where(
            DigestRun.subscription_id == subscription.id,
            DigestRun.period == period,
            DigestRun.status == DigestRunStatus.CLAIMED,
            DigestRun.claimed_at < now - lease,
        )
        .values(
            claimed_at=now,
            status=status,
            finished_at=now if status is not DigestRunStatus.CLAIMED else None,
        )
    )
    if result.rowcount != 1:
        return None
    return session.scalar(
        select(DigestRun).where(DigestRun.subscription_id == subscription.id, DigestRun.period == period)
    )


@dataclass(frozen=True)
class Wanted:
    """A period to claim (see :func:`claim_runs`)."""

    subscription: Any  # a DigestSubscription, or a row of one (subscriptions_by_id)
    period: str
    scheduled_for: datetime


def subscriptions_by_id(session: Session, subscription_ids: list[int]) -> dict[int, Any]:
    """Subscriptions of any workspace by ID, in one query (for the scheduler, like
    :func:`get_any_subscription`): rows with a subscription's attributes, read-only (lighter than
    the mapped objects)."""
    if not subscription_ids:
        return {}
    table = DigestSubscription.__table__
    found = session.execute(select(table).where(table.c.id.in_(set(subscription_ids))))
    return {row.id: row for row in found}


def claim_runs(
    session: Session, wanted: list[Wanted], *, now: datetime, lease: timedelta | None = None
) -> list[int | None]:
    """:func:`claim_run` for many periods at once: each one's run ID when this process has it, None
    when another has it (or it is done). The unique (subscription, period) row is still the claim:
    INSERT … ON CONFLICT DO NOTHING (one executemany) inserts the free ones, and a period already
    there is taken over only as ``claim_run`` would (unfinished, its lease run out)."""
    if not wanted:
        return []
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    runs = DigestRun.__table__  # the table, not the entity: one cached executemany, no ORM bulk
    statement = (
        insert(runs)
        .on_conflict_do_nothing(index_elements=["subscription_id", "period"])
        .returning(runs.c.id, runs.c.subscription_id, runs.c.period)
    )
    rows = session.execute(
        statement,
        [
            {
                "subscription_id": w.subscription.id,
                "team_id": w.subscription.team_id,
                "period": w.period,
                "scheduled_for": w.scheduled_for,
                "status": DigestRunStatus.CLAIMED,
                "claimed_at": now,
                "finished_at": None,
                "message_ts": None,
                "outcome": None,
                "ranks": None,
            }
            for w in wanted
        ],
    )
    # Only the rows inserted come back (in any order): the others were there already.
    inserted = {(sid, period): run_id for run_id, sid, period in rows}
    claimed: list[int | None] = []
    for w in wanted:
        # pop: the same period asked twice in one batch is claimed once, like two claim_run calls.
        run_id = inserted.pop((w.subscription.id, w.period), None)
        if run_id is None:  # there already: ours only if its claimer died (rare, one UPDATE each)
            run = _take_over(
                session,
                w.subscription,
                period=w.period,
                now=now,
                status=DigestRunStatus.CLAIMED,
                lease=lease or LEASE,
            )
            run_id = run.id if run is not None else None
        claimed.append(run_id)
    return claimed


@dataclass(frozen=True)
class Finished:
    """How a run ended (see :func:`finish_runs`)."""

    run_id: int
    status: DigestRunStatus
    outcome: str
    message_ts: str | None = None
    ranks: dict[int, tuple[int, float]] | None = None


def finish_runs(session: Session, finished: list[Finished], *, now: datetime) -> None:
    """:func:`finish_run` for many runs, in one executemany."""
    if not finished:
        return
    # The digests of one ranking share one ranks object (200 partners or so): serialised once per
    # batch, not once per run (JSON encoding was most of the time of recording a thousand runs).
    stored: dict[int, str] = {}

    def as_stored(ranks: dict[int, tuple[int, float]]) -> str:
        if id(ranks) not in stored:
            stored[id(ranks)] = json.dumps({str(k): list(v) for k, v in ranks.items()})
        return stored[id(ranks)]

    runs = DigestRun.__table__  # the table, not the entity: one compiled executemany, no ORM bulk
    ranks: Any = bindparam("ranks", type_=Text)  # already JSON text
    if session.get_bind().dialect.name == "postgresql":
        ranks = cast(ranks, JSON)  # SQLite keeps JSON as text; PostgreSQL's json column wants a cast
    session.execute(
        update(runs)
        .where(runs.c.id == bindparam("run_id"))
        .values(
            status=bindparam("status"),
            finished_at=now,
            outcome=bindparam("outcome"),
            message_ts=bindparam("message_ts"),
            ranks=ranks,
        ),
        [
            {
                "run_id": f.run_id,
                "status": f.status,
                "outcome": f.outcome,
                "message_ts": f.message_ts,
                "ranks": as_stored(f.ranks) if f.ranks is not None else None,
            }
            for f in finished
        ],
    )


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: DigestRunStatus,
    now: datetime,
    outcome: str,
    message_ts: str | None = None,
    ranks: dict[int, tuple[int, float]] | None = None,
) -> None:
    session.execute(
        update(DigestRun)
        .where(DigestRun.id == run_id)
        .values(
            status=status,
            finished_at=now,
            outcome=outcome,
            message_ts=message_ts,
            ranks={str(k): list(v) for k, v in ranks.items()} if ranks is not None else None,
        )
    )


def period_statuses(session: Session, subscription_id: int, periods: list[str]) -> dict[str, DigestRunStatus]:
    """The status of each of these periods that has a run, in one query."""
    if not periods:
        return {}
    rows = session.execute(
        select(DigestRun.period, DigestRun.status).where(
            DigestRun.subscription_id == subscription_id, DigestRun.period.in_(periods)
        )
    )
    return {period: status for period, status in rows}


def known_periods(session: Session, subscription_id: int, periods: list[str]) -> set[str]:
    if not periods:
        return set()
    return set(
        session.scalars(
            select(DigestRun.period).where(
                DigestRun.subscription_id == subscription_id, DigestRun.period.in_(periods)
            )
        )
    )


def previous_ranks(
    session: Session, subscription_id: int, *, before: datetime
) -> dict[int, tuple[int, float]] | None:
    """Ranks and scores of the subscription's last scheduled digest before ``before`` (for ▲▼/new)."""
    ranks = session.scalar(
        select(DigestRun.ranks)
        .where(
            DigestRun.subscription_id == subscription_id,
            DigestRun.status == DigestRunStatus.POSTED,
            DigestRun.scheduled_for < before,
            DigestRun.period.not_like("now:%"),
        )
        .order_by(DigestRun.scheduled_for.desc())
        .limit(1)
    )
    if ranks is None:
        return None
    return {int(k): (int(v[0]), float(v[1])) for k, v in ranks.items()}


@dataclass(frozen=True)
class LastRun:
    scheduled_for: datetime
    status: DigestRunStatus
    outcome: str | None


def last_runs(session: Session, subscription_ids: list[int]) -> dict[int, LastRun]:
    """Each subscription's most recent run (any status)."""
    if not subscription_ids:
        return {}
    latest = (
        select(DigestRun.subscription_id, func.max(DigestRun.id).label("run_id"))
        .where(DigestRun.subscription_id.in_(subscription_ids))
        .group_by(DigestRun.subscription_id)
        .subquery()
    )
    rows = session.execute(select(DigestRun).join(latest, DigestRun.id == latest.c.run_id)).scalars()
    return {r.subscription_id: LastRun(r.scheduled_for, r.status, r.outcome) for r in rows}


def outcome_before(session: Session, subscription_id: int, *, run_id: int) -> str | None:
    """The outcome of the subscription's run just before ``run_id`` (None: it is the first)."""
    return session.scalar(
        select(DigestRun.outcome)
        .where(DigestRun.subscription_id == subscription_id, DigestRun.id < run_id)
        .order_by(DigestRun.id.desc())
        .limit(1)
    )


def run_status(session: Session, subscription_id: int, period: str) -> DigestRunStatus | None:
    return session.scalar(
        select(DigestRun.status).where(
            DigestRun.subscription_id == subscription_id, DigestRun.period == period
        )
    )
