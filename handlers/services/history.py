"""Score history without Slack: the daily snapshot of every workspace (claimed once per day across
schedulers), the backfill of a workspace's past from its logged data on first use, and reading
history back for trends, ``/partner show``, digests and drop alerts.

A day's snapshot is the ranking at 00:00 UTC that day (``compute_ranking`` with ``now`` at
midnight). The first snapshot of a workspace backfills: every past day from the first logged
communication or feedback answer, at most two years back (daily for 26 weeks, Mondays before:
what ``storage.history`` keeps), scored by ``scoring.history.score_days`` from one grouped query
per frame. Days missed while the app was down are filled the same way.
"""

from __future__ import annotations

import logging
import threading
import time as clock
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from handlers.services.rankings import compute_ranking, workspace_weights
from scoring import KIND_WEIGHTS
from scoring.history import midnight, score_days
from storage import history as history_store
from storage.audit import SCHEDULER
from storage.db import Database
from storage.history import DAILY_DAYS, KEPT_DAYS, kept

log = logging.getLogger(__name__)
WINDOW_DAYS = 90  # the rankings' default window: what a snapshot scores over
# A claim is held this long without a sign of life before another process takes the day over; a
# long backfill renews it with every batch it writes.
LEASE = timedelta(minutes=10)
# Rows written per transaction while backfilling: short transactions, so SQLite's single writer
# never keeps the app's requests waiting for long.
BATCH_ROWS = 50_000

__all__ = ["DAILY_DAYS", "KEPT_DAYS", "LEASE", "ScoreHistory", "SnapshotOutcome", "midnight"]


@dataclass(frozen=True)
class SnapshotOutcome:
    team_id: str
    day: date
    what: str  # "taken", "backfilled", "filled", "already", "busy", "lost", "failed"
    days: int = 0
    rows: int = 0
    seconds: float = 0.0


def snapshot_rows(team_id: str, day: date, scored: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """A scored frame (``score_partners``' columns) as score_snapshot rows (NaN as None)."""
    columns: dict[str, list[Any]] = {
        "partner_id": scored["partner_id"].to_numpy(dtype=np.int64).tolist(),
        "rank": scored["rank"].to_numpy(dtype=np.int64).tolist(),
        "category": [c if isinstance(c, str) else None for c in scored["category"]],
    }
    for name in ("score", "satisfaction", "engagement", "recency", "business", "delivery"):
        values = scored[name].to_numpy(dtype=float)
        columns[name] = np.where(np.isnan(values), None, values).tolist()
    names = list(columns)
    for values in zip(*columns.values(), strict=True):
        row = dict(zip(names, values, strict=True))
        row["team_id"] = team_id
        row["day"] = day
        yield row


class ScoreHistory:
    """The database side of score history, for every workspace (or only ``team_ids``)."""

    def __init__(
        self,
        database: Database,
        now: Callable[[], datetime],
        *,
        lease: timedelta = LEASE,
        team_ids: Sequence[str] | None = None,
    ) -> None:
        self.database = database
        self.now = now
        self.lease = lease
        self.team_ids = team_ids
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    # --- taking snapshots ---------------------------------------------------------------------

    def today(self) -> date:
        return self.now().date()  # now() is aware UTC

    def run_once(self) -> list[SnapshotOutcome]:
        """Snapshot every workspace whose snapshot of today is missing (backfilling new ones)."""
        with self.database.read() as session:
            teams = history_store.workspaces(session, self.team_ids)
        outcomes = []
        for team_id in teams:
            try:
                outcome = self.ensure(team_id)
            except Exception:
                log.exception("score history snapshot of %s failed", team_id)
                continue
            if outcome.what not in ("already", "busy"):
                log.info("score history: %s", outcome)
            outcomes.append(outcome)
        return outcomes

    def has_history(self, team_id: str) -> bool:
        with self.database.read() as session:
            return history_store.last_done_day(session, team_id) is not None

    def ensure(self, team_id: str) -> SnapshotOutcome:
        """Take the workspace's snapshot of today if nobody has; backfill its past when it has none
        and fill days missed since its last one. Safe to call from any thread or process."""
        today = self.today()
        with self._lock:  # one pass per workspace in this process; others are told it is busy
            if team_id in self._busy:
                return SnapshotOutcome(team_id, today, "busy")
            self._busy.add(team_id)
        try:
            return self._snapshot(team_id, today)
        finally:
            with self._lock:
                self._busy.discard(team_id)

    def _snapshot(self, team_id: str, today: date) -> SnapshotOutcome:
        started = clock.monotonic()
        with self.database.transaction(actor=SCHEDULER) as session:
            state = history_store.run_state(session, team_id, today)
            if state is not None and state.status == history_store.SnapshotRunStatus.DONE:
                return SnapshotOutcome(team_id, today, "already")
            last = history_store.last_done_day(session, team_id)
            claimed = history_store.claim_day(session, team_id, today, now=self.now(), lease=self.lease)
        if claimed is None:
            return SnapshotOutcome(team_id, today, "busy")
        claim = _Claim(team_id, today, claimed)
        try:
            if last is None:
                days = self._backfill_days(team_id, today)
                what = "backfilled" if len(days) > 1 else "taken"
            elif last < today - timedelta(days=1):
                days = [d for d in _days(last + timedelta(days=1), today) if kept(d, today=today)]
                what = "filled"
            else:
                days = [today]
                what = "taken"
            if days == [today]:
                rows = self._write(claim, [(today, self._ranking_at(team_id, today))])
            else:
                rows = self._write(claim, self._scores(team_id, days))
            with self.database.transaction(actor=SCHEDULER) as session:
                if not history_store.finish_day(
                    session,
                    team_id,
                    today,
                    claimed_at=claim.claimed_at,
                    now=self.now(),
                    days=len(days),
                    rows=rows,
                    first_day=days[0] if days else None,
                ):
                    raise _Lost
                history_store.prune(session, team_id, today=today)
        except _Lost:
            return SnapshotOutcome(team_id, today, "lost")
        except Exception:
            with self.database.transaction(actor=SCHEDULER) as session:
                history_store.release_day(session, team_id, today, claimed_at=claim.claimed_at)
            raise
        return SnapshotOutcome(team_id, today, what, len(days), rows, clock.monotonic() - started)

    def _backfill_days(self, team_id: str, today: date) -> list[date]:
        with self.database.read() as session:
            first = history_store.data_span(session, team_id).first
        if first is None:
            return [today]
        start = max(first.date() + timedelta(days=1), today - timedelta(days=KEPT_DAYS - 1))
        return [d for d in _days(min(start, today), today) if kept(d, today=today)]

    def _ranking_at(self, team_id: str, day: date) -> pd.DataFrame:
        return compute_ranking(
            self.database, team_id, now=midnight(day), window_days=WINDOW_DAYS, with_changes=False
        ).scored

    def _scores(self, team_id: str, days: list[date]) -> Iterator[tuple[date, pd.DataFrame]]:
        """Every day's scores from one grouped query per frame (scoring.history)."""
        weights = workspace_weights(self.database, team_id)
        span_start = midnight(days[0] - timedelta(days=WINDOW_DAYS))
        span_end = midnight(days[-1])
        with self.database.read() as session:
            partners = history_store.active_partners(session, team_id)
            activity = history_store.daily_activity(
                session, team_id, since=span_start, until=span_end, kind_weights=KIND_WEIGHTS
            )
            last_before = history_store.last_contacts(session, team_id, before=span_start)
            feedback = history_store.daily_feedback(session, team_id, since=span_start, until=span_end)
            outcomes = history_store.daily_outcomes(session, team_id, until=days[-1])
        return score_days(
            partners,
            activity,
            feedback,
            outcomes,
            days,
            weights=weights,
            window_days=WINDOW_DAYS,
            last_before=last_before,
        )

    def _write(self, claim: _Claim, scored_days: Iterator[tuple[date, pd.DataFrame]] | list[Any]) -> int:
        """Write the days' rows in short transactions, renewing the claim with each (and stopping
        if another process has taken it over)."""
        written = 0
        batch: list[tuple[date, pd.DataFrame]] = []
        size = 0
        for day, scored in scored_days:
            batch.append((day, scored))
            size += len(scored)
            if size >= BATCH_ROWS:
                written += self._write_batch(claim, batch)
                batch, size = [], 0
        if batch:
            written += self._write_batch(claim, batch)
        return written

    def _write_batch(self, claim: _Claim, batch: list[tuple[date, pd.DataFrame]]) -> int:
        with self.database.transaction(actor=SCHEDULER) as session:
            renewed = self.now()
            if not history_store.renew_claim(
                session, claim.team_id, claim.day, claimed_at=claim.claimed_at, now=renewed
            ):
                raise _Lost
            claim.claimed_at = renewed
            rows = (row for day, scored in batch for row in snapshot_rows(claim.team_id, day, scored))
            return history_store.replace_days(session, claim.team_id, [day for day, _ in batch], rows)

    # --- reading ---------------------------------------------------------------------------------

    def partner_history(self, team_id: str, partner_id: int, *, since: date, until: date) -> pd.DataFrame:
        with self.database.read() as session:
            return history_store.partner_history(session, team_id, partner_id, since=since, until=until)

    def score_on(self, team_id: str, partner_id: int, day: date) -> pd.Series | None:
        """The partner's snapshot of ``day`` (or the latest within the week before: older history
        keeps Mondays only), None when there is none."""
        frame = self.partner_history(team_id, partner_id, since=day - timedelta(days=6), until=day)
        return None if frame.empty else frame.iloc[-1]

    def day_at_or_before(self, team_id: str, day: date, *, slack_days: int = 6) -> date | None:
        with self.database.read() as session:
            return history_store.snapshot_day_at_or_before(
                session, team_id, day, not_before=day - timedelta(days=slack_days)
            )

    def snapshot(self, team_id: str, day: date) -> pd.DataFrame:
        with self.database.read() as session:
            return history_store.snapshot(session, team_id, day)

    def ranks_on(self, team_id: str, day: date) -> tuple[date, dict[int, tuple[int, float]]] | None:
        """(the snapshot's day, partner_id → (rank, score)) of the snapshot at or just before ``day``."""
        found = self.day_at_or_before(team_id, day)
        if found is None:
            return None
        frame = self.snapshot(team_id, found)
        return found, {
            int(p): (int(r), float(s) if not pd.isna(s) else 0.0)
            for p, r, s in zip(frame["partner_id"], frame["rank"], frame["score"], strict=True)
        }

    def partners_on(self, team_id: str, partner_ids: Sequence[int], days: Sequence[date]) -> pd.DataFrame:
        with self.database.read() as session:
            return history_store.partners_history(session, team_id, partner_ids, days)

    def data_since(self, team_id: str, partner_id: int | None = None) -> datetime | None:
        """When the workspace's (or the partner's) logged data begins."""
        with self.database.read() as session:
            return history_store.data_span(session, team_id, partner_id).first

    def first_day(self, team_id: str, partner_id: int) -> date | None:
        with self.database.read() as session:
            return history_store.first_partner_day(session, team_id, partner_id)


@dataclass
class _Claim:
    team_id: str
    day: date
    claimed_at: datetime


class _Lost(Exception):
    """Another process took the day over (our lease ran out): what we wrote is rolled back."""


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
