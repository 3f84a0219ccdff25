"""Drop alerts without Slack: which partners' scores fell by the workspace's threshold over 7 days
(or whose satisfaction category fell), what moved and why in words, and claiming each alert so it
goes once per partner per ISO week whichever process gets there first.
``handlers.alerts.runner`` sends what this decides.

"Over 7 days" compares the current ranking with score history's snapshot of the day a week ago
(00:00 UTC). Workspaces are checked within a minute of a change that can move a score (marked by
the data-change subscription the scheduler makes) and all at the daily snapshot.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from handlers.services.history import ScoreHistory
from handlers.services.rankings import Ranking
from scoring import CATEGORY_LABELS, COMPONENTS, contributions, explain
from storage import alerts as alert_store
from storage import ranking as ranking_store
from storage import versions
from storage.audit import SCHEDULER
from storage.db import Database
from storage.slack_ids import FORMER_USER

LEASE = timedelta(minutes=5)  # a claim not sent by then (its process died) is taken over
WEEK = timedelta(days=7)
MOVES_SHOWN = 2
# Categories from worst (0) to best.
_CATEGORY_LEVEL = {label: level for level, label in enumerate(reversed(CATEGORY_LABELS))}


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Move:
    """One component's change over the week and what it rests on now."""

    component: str
    before: float | None
    after: float | None
    points: float  # its effect on the score: share × change (negative: it pulled the score down)
    detail: str  # scoring.explain's plain words for the component now


@dataclass(frozen=True)
class Alert:
    alert_id: int
    claimed_at: datetime  # this process's claim: a claim taken over since is not ours to record
    team_id: str
    partner_id: int
    partner_name: str
    owner: str
    since: date  # the snapshot compared with
    score_before: float | None
    score_after: float | None
    category_before: str | None
    category_after: str | None
    threshold: int
    moves: tuple[Move, ...]

    @property
    def dropped(self) -> float | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_before - self.score_after

    @property
    def category_fell(self) -> bool:
        return _category_fell(self.category_before, self.category_after)


def _category_fell(before: object, after: object) -> bool:
    if not isinstance(before, str) or not isinstance(after, str):
        return False
    return _CATEGORY_LEVEL.get(after, 0) < _CATEGORY_LEVEL.get(before, 0)


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def moves(before: pd.Series, scored: pd.DataFrame, partner_id: int, ranking: Ranking) -> tuple[Move, ...]:
    """The components that pulled the score down most (their share now × their change), with what
    each rests on now in words; the biggest change when none pulled it down by a point."""
    explanation = explain(scored, partner_id, ranking.settings)
    found = []
    for component in explanation.components:
        was, now = _number(before.get(component.name)), component.value
        if was is None and now is None:
            continue
        change = (now if now is not None else 0.0) - (was if was is not None else 0.0)
        share = component.normalised_weight if now is not None else 0.0
        effect = share * change if (was is not None and now is not None) else change
        found.append(Move(component.name, was, now, effect, component.detail))
    pulling = sorted((m for m in found if m.points <= -0.5), key=lambda m: m.points)
    if pulling:
        return tuple(pulling[:MOVES_SHOWN])
    biggest = sorted(found, key=lambda m: -abs((m.after or 0.0) - (m.before or 0.0)))
    return tuple(biggest[:1])


class DropAlerts:
    """The database side of drop alerts, for every workspace (or only ``team_ids``)."""

    def __init__(
        self,
        database: Database,
        now: Callable[[], datetime],
        history: ScoreHistory,
        ranking: Callable[[str], Ranking],
        *,
        lease: timedelta = LEASE,
        team_ids: Sequence[str] | None = None,
    ) -> None:
        self.database = database
        self.now = now
        self.history = history
        self.ranking = ranking
        self.lease = lease
        self.team_ids = team_ids
        self._lock = threading.Lock()
        self._marked: set[str] = set()
        # The data versions seen at the last check: a workspace whose version moved since was
        # changed by some process (a replica, the CLI), whether or not this one heard of it.
        self._versions: dict[str, int] | None = None

    # --- which workspaces to check ------------------------------------------------------------------

    def mark(self, team_id: str, user_id: str | None = None) -> None:
        """A workspace's records changed (a data-change subscriber): check it within a minute."""
        if self.team_ids is not None and team_id not in self.team_ids:
            return
        with self._lock:
            self._marked.add(team_id)

    def take_marked(self) -> list[str]:
        """The workspaces to check now: marked in this process, or changed by any process since
        the last check (their data version moved)."""
        with self.database.read() as session:
            now = versions.every_version(session)
        seen, self._versions = self._versions, now
        moved = (
            set() if seen is None else {team for team, version in now.items() if seen.get(team) != version}
        )
        if self.team_ids is not None:
            moved &= set(self.team_ids)
        with self._lock:
            marked, self._marked = sorted(self._marked | moved), set()
        return marked

    # --- finding and claiming -------------------------------------------------------------------------

    def _weights_changed_since(self, team_id: str, day: date) -> bool:
        with self.database.read() as session:
            latest = ranking_store.weight_history(session, team_id, limit=1)
        return bool(latest) and latest[0].changed_at >= datetime.combine(day, time(0), UTC)

    def due(self, team_id: str) -> Iterator[Alert]:
        """The workspace's alerts to send now, each claimed as it is taken."""
        with self.database.read() as session:
            settings = alert_store.settings(session, team_id)
        if not settings.enabled:
            return
        now = self.now()
        since = now.date() - WEEK
        if self.history.day_at_or_before(team_id, since, slack_days=0) is None:
            return  # no snapshot a week ago (yet): nothing to compare with
        before = self.history.snapshot(team_id, since).set_index("partner_id")
        ranking = self.ranking(team_id)
        if self._weights_changed_since(team_id, since):
            # New weights move every score at once, and that is nobody's drop: the week-old
            # components are scored with today's weights instead.
            components = before[list(COMPONENTS)].to_numpy(dtype=float)
            _, _, rescored = contributions(components, ranking.settings.weights)
            before = before.assign(score=rescored)
        scored = ranking.scored
        week = iso_week(now)
        with self.database.read() as session:
            done = alert_store.alerted(session, team_id, week)
        found: list[tuple[pd.Series, pd.Series]] = []
        for _, row in scored.iterrows():
            partner_id = int(row["partner_id"])
            owner = row.get("owner")
            if (
                partner_id in done
                or partner_id not in before.index
                or not isinstance(owner, str)
                or not owner
                or owner == FORMER_USER
            ):
                continue  # a partner without an owner (or whose owner was forgotten) alerts nobody
            was = before.loc[partner_id]
            score_before, score_after = _number(was["score"]), _number(row["score"])
            fell = (
                score_before is not None
                and score_after is not None
                and score_before - score_after >= settings.drop_points - 1e-9
            )
            if fell or _category_fell(was["category"], row["category"]):
                found.append((row, was))
        # Claimed one at a time, as the caller comes to send each: a long round never holds claims
        # it has not reached past their lease, for another scheduler to take over and send again.
        for row, was in found:
            partner_id = int(row["partner_id"])
            moved = moves(was, scored, partner_id, ranking)
            reason = "; ".join(f"{m.component} {m.before} → {m.after}" for m in moved)
            with self.database.transaction(actor=SCHEDULER) as session:
                alert_id = alert_store.claim(
                    session,
                    team_id,
                    partner_id,
                    week,
                    owner=str(row["owner"]),
                    reason=reason,
                    score_before=_number(was["score"]),
                    score_after=_number(row["score"]),
                    now=now,
                    lease=self.lease,
                )
            if alert_id is None:
                continue
            yield Alert(
                alert_id=alert_id,
                claimed_at=now,
                team_id=team_id,
                partner_id=partner_id,
                partner_name=str(row["name"]),
                owner=str(row["owner"]),
                since=since,
                score_before=_number(was["score"]),
                score_after=_number(row["score"]),
                category_before=was["category"] if isinstance(was["category"], str) else None,
                category_after=row["category"] if isinstance(row["category"], str) else None,
                threshold=settings.drop_points,
                moves=moved,
            )

    def sent(self, alert: Alert, *, channel: str | None, ts: str | None, delivered: bool) -> None:
        with self.database.transaction(actor=SCHEDULER) as session:
            alert_store.sent(
                session,
                alert.alert_id,
                claimed_at=alert.claimed_at,
                now=self.now(),
                channel=channel,
                ts=ts,
                delivered=delivered,
            )

    def retry_later(self, alert: Alert) -> None:
        with self.database.transaction(actor=SCHEDULER) as session:
            alert_store.release(session, alert.alert_id, claimed_at=alert.claimed_at)


__all__ = ["LEASE", "Alert", "DropAlerts", "Move", "iso_week"]
