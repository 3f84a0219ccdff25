"""Digest runs without Slack: claiming a period once across processes, the ranking each run shows
(computed once per workspace per moment and shared), recording the outcome, and working out which
runs were missed while the app was down. ``handlers.digests.runner`` posts what this decides."""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.orm import Session

from handlers.services.history import ScoreHistory
from handlers.services.rankings import Ranking, compute_ranking
from handlers.services.schedules import Cadence, zone_named
from storage import digests as digest_store
from storage import followups as follow_up_store
from storage import projects as project_store
from storage.audit import SCHEDULER
from storage.db import Database
from storage.group_commit import GroupCommit
from storage.models import DigestRunStatus, DigestSubscription, Project

GRACE = timedelta(hours=6)  # a run missed by less than this is posted late; older ones are skipped
_SHARED_SECONDS = 600
T = TypeVar("T")


@dataclass(frozen=True)
class Due:
    subscription_id: int
    period: str  # the occurrence's local date (ISO), or "now:<timestamp>" for /partner digest now
    scheduled_for: datetime


@dataclass(frozen=True)
class Claim:
    """A period this process claimed: post it, then :meth:`DigestRuns.finish` it."""

    run_id: int
    subscription_id: int
    team_id: str
    channel_id: str
    top_n: int
    chart: bool
    owner: str
    cadence: Cadence
    previous: dict[int, tuple[int, float]] | None  # ranks and scores at the period's start
    # The score-history day ``previous`` comes from; None when it is the previous digest's ranks
    # (a workspace without history at the period's start).
    previous_day: date | None = None


def _write_order(item: Due | digest_store.Finished) -> tuple[int, int, str]:
    """Outcomes (rows this process owns) first, then claims by subscription and period."""
    if isinstance(item, digest_store.Finished):
        return (0, item.run_id, "")
    return (1, item.subscription_id, item.period)


def cadence_of(subscription: DigestSubscription) -> tuple[Cadence, ZoneInfo]:
    cadence = Cadence(
        subscription.every, subscription.hour, subscription.minute, subscription.weekday, subscription.day
    )
    return cadence, zone_named(subscription.timezone)


class DigestRuns:
    """The database side of posting digests, for every workspace."""

    def __init__(
        self,
        database: Database,
        now: Callable[[], datetime],
        *,
        grace: timedelta = GRACE,
        history: ScoreHistory | None = None,
    ) -> None:
        self.database = database
        self.now = now
        self.grace = grace
        self.history = history or ScoreHistory(database, now)
        self._lock = threading.Lock()
        self._shared: dict[tuple[str, ...], tuple[float, threading.Lock, dict[str, object]]] = {}
        self._ranks: dict[int, tuple[pd.DataFrame, dict[int, tuple[int, float]]]] = {}
        # Claims and outcomes of the digests due together are committed together: one transaction
        # for all those waiting, whichever they are (claims in subscription order, so that
        # schedulers never deadlock).
        self._writes: GroupCommit[Due | digest_store.Finished, Claim | str | None] = GroupCommit(
            lambda: database.transaction(actor=SCHEDULER), self._write_all, order=_write_order
        )

    @property
    def transactions(self) -> dict[str, int]:
        """How many transactions the claims and the outcomes have taken so far."""
        return {"claims and outcomes": self._writes.transactions}

    # --- computed once per workspace per moment, shared by the subscriptions due then ------------

    def shared(self, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            now = clock.monotonic()
            for stale in [k for k, (t, _, _) in self._shared.items() if now - t > _SHARED_SECONDS]:
                del self._shared[stale]
            entry = self._shared.setdefault(key, (now, threading.Lock(), {}))
        _, key_lock, box = entry
        with key_lock:  # the first subscription computes; the others due at that time wait and share
            if "value" not in box:
                box["value"] = compute()
            return box["value"]  # type: ignore[return-value]

    def ranking(self, team_id: str, at: datetime) -> Ranking:
        return self.shared(
            ("ranking", team_id, at.isoformat()),
            lambda: compute_ranking(self.database, team_id, now=at, with_changes=False),
        )

    def score_history(
        self, team_id: str, at: datetime, period: timedelta, points: int
    ) -> list[tuple[datetime, pd.DataFrame]]:
        """The ranking at ``at`` and at the ``points - 1`` periods before it, oldest first (the chart):
        past points from score history's snapshots where it has them, computed otherwise."""
        current = self.ranking(team_id, at).scored
        names = current[["partner_id", "name"]]
        history = []
        for back in range(points - 1, -1, -1):
            moment = at - back * period
            if back == 0:
                history.append((moment, current))
                continue
            day = self.history.day_at_or_before(team_id, moment.astimezone(UTC).date(), slack_days=0)
            if day is not None:
                snapshot = self.history.snapshot(team_id, day).merge(names, on="partner_id", how="left")
                history.append((moment, snapshot))
                continue
            scored = compute_ranking(self.database, team_id, now=moment, with_changes=False).scored
            history.append((moment, scored))
        return history

    # --- one run --------------------------------------------------------------------------------

    def claim(self, due: Due) -> Claim | str:
        """Claim the period for this process, or the reason it is not ours to post."""
        claim = self._writes(due)  # committed (with the other claims asked meanwhile) when it returns
        if isinstance(claim, str):
            return claim
        # ▲▼ and movers come from score history: the snapshot at the start of the period the digest
        # covers; the previous digest's ranks only while the workspace has no history from then.
        # Both are read after the claim's commit, by each posting thread: the one writer has
        # enough to do.
        start = (due.scheduled_for - claim.cadence.period).astimezone(UTC).date()
        at_start = self.shared(
            ("ranks on", claim.team_id, start.isoformat()),
            lambda: self.history.ranks_on(claim.team_id, start),
        )
        if at_start is None:
            with self.database.read() as session:
                previous = digest_store.previous_ranks(
                    session, claim.subscription_id, before=due.scheduled_for
                )
            return replace(claim, previous=previous)
        day, ranks = at_start
        return replace(claim, previous=ranks, previous_day=day)

    def _claim_all(self, session: Session, dues: list[Due]) -> list[Claim | str]:
        """Claim these periods in one go: one query for the subscriptions, one executemany for the
        claims."""
        subscriptions = digest_store.subscriptions_by_id(session, [d.subscription_id for d in dues])
        wanted = {
            i: digest_store.Wanted(subscriptions[d.subscription_id], d.period, d.scheduled_for)
            for i, d in enumerate(dues)
            if d.subscription_id in subscriptions and subscriptions[d.subscription_id].enabled
        }
        keys = list(wanted)
        claimed = digest_store.claim_runs(session, [wanted[i] for i in keys], now=self.now())
        run_ids = {i: run_id for i, run_id in zip(keys, claimed, strict=True) if run_id is not None}
        claims: list[Claim | str] = []
        for i in range(len(dues)):
            if i not in wanted:
                claims.append("subscription removed or off")
                continue
            run_id = run_ids.get(i)
            if run_id is None:
                claims.append("already posted or being posted elsewhere")
                continue
            subscription = wanted[i].subscription
            cadence, _ = cadence_of(subscription)
            claims.append(
                Claim(
                    run_id=run_id,
                    subscription_id=subscription.id,
                    team_id=subscription.team_id,
                    channel_id=subscription.channel_id,
                    top_n=subscription.top_n,
                    chart=subscription.chart,
                    owner=subscription.created_by,
                    cadence=cadence,
                    previous=None,  # see claim()
                )
            )
        return claims

    def finish(
        self,
        claim: Claim,
        *,
        status: DigestRunStatus,
        outcome: str,
        message_ts: str | None = None,
        scored: pd.DataFrame | None = None,
    ) -> None:
        """Record how the run ended; a posted one keeps its ranks for the next digest's ▲▼. Returns
        once it is committed (with the other outcomes recorded meanwhile)."""
        ranks = None
        if status is DigestRunStatus.POSTED and scored is not None:
            ranks = self._ranks_of(scored)
        self._writes(digest_store.Finished(claim.run_id, status, outcome, message_ts, ranks))

    def _ranks_of(self, scored: pd.DataFrame) -> dict[int, tuple[int, float]]:
        """partner_id → (rank, score): worked out once per ranking, whichever digests show it."""
        with self._lock:
            known = self._ranks.get(id(scored))
            if known is not None and known[0] is scored:
                return known[1]
        ranks = {
            int(p): (int(r), float(s) if not pd.isna(s) else 0.0)
            for p, r, s in zip(scored["partner_id"], scored["rank"], scored["score"], strict=True)
        }
        with self._lock:
            self._ranks = {id(scored): (scored, ranks)}  # the latest ranking only: digests due together
        return ranks

    def _write_all(
        self, session: Session, items: list[Due | digest_store.Finished]
    ) -> list[Claim | str | None]:
        finished = [item for item in items if isinstance(item, digest_store.Finished)]
        digest_store.finish_runs(session, finished, now=self.now())
        dues = [item for item in items if isinstance(item, Due)]
        claims = iter(self._claim_all(session, dues))
        return [None if isinstance(item, digest_store.Finished) else next(claims) for item in items]

    def overdue_follow_ups(self, team_id: str, *, today: date) -> dict[int, tuple[int, date]]:
        """partner_id → (open follow-ups past their date, the earliest), for needs-attention."""
        with self.database.read() as session:
            return follow_up_store.overdue_by_partner(session, team_id, today=today)

    def outcomes(self, team_id: str, *, since: datetime, until: datetime) -> list[Project]:
        """The joint projects won or lost in the period a digest covers."""
        with self.database.read() as session:
            return project_store.closed_between(session, team_id, since=since.date(), until=until.date())

    def outcome_before(self, claim: Claim) -> str | None:
        """How the subscription's previous run ended (to tell its owner about a problem once)."""
        with self.database.read() as session:
            return digest_store.outcome_before(session, claim.subscription_id, run_id=claim.run_id)

    def turn_off(self, subscription_id: int, reason: str) -> None:
        with self.database.transaction(actor=SCHEDULER) as session:
            digest_store.disable(session, subscription_id, reason)

    # --- catching up after downtime ---------------------------------------------------------------

    def missed(self, *, look_back: timedelta) -> list[Due]:
        """Runs missed while the app was down: the latest within the grace window of each
        subscription is returned to be posted once; older ones are recorded as skipped. Unfinished
        claims of dead processes count as missed, so they are taken over once their lease has run
        out (claim_run decides)."""
        now = self.now()
        due: list[Due] = []
        with self.database.read() as session:
            subscriptions = [(s.id, s.created_at, *cadence_of(s)) for s in digest_store.all_enabled(session)]
        for subscription_id, created_at, cadence, zone in subscriptions:
            occurrences = cadence.runs_between(max(created_at, now - look_back), now, zone, limit=60)
            if not occurrences:
                continue
            periods = [day.isoformat() for day, _ in occurrences]
            with self.database.read() as session:
                statuses = digest_store.period_statuses(session, subscription_id, periods)
            done = {p for p, status in statuses.items() if status != DigestRunStatus.CLAIMED}
            latest_day, latest_moment = occurrences[-1]
            for day, moment in occurrences[:-1]:
                if day.isoformat() not in done:
                    self.skip(Due(subscription_id, day.isoformat(), moment))
            if latest_day.isoformat() in done:
                continue
            if now - latest_moment <= self.grace:
                due.append(Due(subscription_id, latest_day.isoformat(), latest_moment))
            else:
                self.skip(Due(subscription_id, latest_day.isoformat(), latest_moment))
        return due

    def skip(self, due: Due) -> None:
        with self.database.transaction(actor=SCHEDULER) as session:
            subscription = digest_store.get_any_subscription(session, due.subscription_id)
            if subscription is not None:
                digest_store.claim_run(
                    session,
                    subscription,
                    period=due.period,
                    scheduled_for=due.scheduled_for,
                    now=self.now(),
                    status=DigestRunStatus.SKIPPED,
                )

    def due_now(self, subscription_id: int) -> Due | None:
        """The occurrence a scheduler job fired for: the latest one at or before now."""
        with self.database.read() as session:
            subscription = digest_store.get_any_subscription(session, subscription_id)
            if subscription is None:
                return None
            cadence, zone = cadence_of(subscription)
        day, moment = cadence.previous_run(self.now(), zone)
        return Due(subscription_id, day.isoformat(), moment)
