"""Computing a workspace's ranking: storage's grouped queries, then scoring's pure functions.

Shared by ``/partner top``, ``/partner show``, mentions and digests. A cache keyed by the
workspace's data version lets a question repeated with nothing changed be answered from memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from scoring import (
    KIND_WEIGHTS,
    ScoringSettings,
    Weights,
    loyalty_categories,
    loyalty_level,
    rank_changes,
    score_partners,
)
from storage import projects as project_store
from storage import ranking as ranking_store
from storage import versions
from storage.db import Database

log = logging.getLogger(__name__)
# Loyalty looks at a year of joint projects (the seeds' repeat business).
LOYALTY_DAYS = 365
# How long a cached ranking of unchanged data is served: scores drift with time alone, slowly.
MAX_AGE_SECONDS = 600.0


@dataclass(frozen=True)
class Ranking:
    scored: pd.DataFrame  # scoring.score_partners' frame, plus "owner" and "rank_change"
    settings: ScoringSettings
    has_data: bool  # anything logged or rated inside the window?

    @property
    def partner_count(self) -> int:
        return len(self.scored)


@dataclass(frozen=True)
class WorkspaceWeights:
    """The weights a workspace ranks with, and whether they are its own."""

    weights: Weights
    custom: bool  # the workspace set its own (and they are usable)
    unusable: str | None = None  # why the stored weights cannot be used; the defaults are used instead


def weights_from(stored: dict[str, float] | None) -> WorkspaceWeights:
    """Stored weights that cannot rank (stored before they were checked, or edited by hand) must
    never take the ranking down: the defaults are used, and the reason is kept to tell admins."""
    if stored is None:
        return WorkspaceWeights(Weights(), custom=False)
    try:
        weights = Weights(**stored)
        weights.normalised()
    except (ValueError, TypeError) as error:
        log.warning("stored scoring weights cannot be used, ranking with the defaults: %s", error)
        return WorkspaceWeights(Weights(), custom=False, unusable=str(error))
    return WorkspaceWeights(weights, custom=True)


def load_weights(database: Database, team_id: str) -> WorkspaceWeights:
    with database.read() as session:
        return weights_from(ranking_store.stored_weights(session, team_id))


def workspace_weights(database: Database, team_id: str) -> Weights:
    return load_weights(database, team_id).weights


def compute_ranking(
    database: Database,
    team_id: str,
    *,
    now: datetime,
    window_days: int = 90,
    weights: Weights | None = None,
    with_changes: bool = True,
) -> Ranking:
    """Score every active partner over the window ending ``now``; with the change in rank versus the
    window before it when ``with_changes``."""
    weights = weights or workspace_weights(database, team_id)
    settings = ScoringSettings(now=now, window_days=window_days, weights=weights)
    with database.read() as session:
        frames = ranking_store.ranking_frames(
            session,
            team_id,
            since=settings.window_start,
            until=now,
            kind_weights=KIND_WEIGHTS,
            half_life_days=settings.half_life_days,
        )
        previous_frames = None
        before = settings.window_start
        if with_changes:
            previous_frames = ranking_store.ranking_frames(
                session,
                team_id,
                since=before - timedelta(days=window_days),
                until=before,
                kind_weights=KIND_WEIGHTS,
                half_life_days=settings.half_life_days,
                current=False,
            )
            feedback_before = previous_frames.feedback
        else:
            feedback_before = ranking_store.feedback_frame(
                session, team_id, since=before - timedelta(days=window_days), until=before
            )
        # A partner's track record: every project closed won or lost up to each window's end, and
        # the last 12 months' for loyalty, counted in one query.
        outcomes = project_store.outcome_counts(
            session,
            team_id,
            until=now.date(),
            before=before.date(),
            year_since=(now - timedelta(days=LOYALTY_DAYS)).date(),
        )
    scored = score_partners(
        frames.partners, frames.activity, frames.feedback, settings, outcomes[["partner_id", "won", "lost"]]
    )
    scored = scored.merge(frames.partners[["partner_id", "owner"]], on="partner_id", how="left")
    scored = with_loyalty(scored, frames, feedback_before, outcomes, now=now)
    if previous_frames is not None and not previous_frames.partners.empty:
        previous_settings = ScoringSettings(
            now=settings.window_start, window_days=window_days, weights=weights
        )
        previous = score_partners(
            previous_frames.partners,
            previous_frames.activity,
            previous_frames.feedback,
            previous_settings,
            outcomes[["partner_id", "won_before", "lost_before"]].rename(
                columns={"won_before": "won", "lost_before": "lost"}
            ),
        )
        # A partner with nothing in the previous window was not really ranked there: it is "new".
        active_before = set(previous_frames.activity["partner_id"]) | set(
            previous_frames.feedback["partner_id"]
        )
        previous = previous[previous["partner_id"].isin(active_before)]
        scored["rank_change"] = scored["partner_id"].map(rank_changes(scored, previous))
    else:
        scored["rank_change"] = float("nan")
    has_data = not frames.activity.empty or not frames.feedback.empty
    return Ranking(scored=scored, settings=settings, has_data=has_data)


def _mean_score(feedback: pd.DataFrame) -> pd.Series:
    """partner_id → the average feedback score (0-100) of a window's frame."""
    if feedback.empty:
        return pd.Series(dtype=float)
    return pd.Series(
        feedback["score_sum"].to_numpy(dtype=float) / feedback["count"].to_numpy(dtype=float),
        index=feedback["partner_id"].to_numpy(),
    )


def with_loyalty(
    scored: pd.DataFrame,
    frames: ranking_store.RankingFrames,
    feedback_before: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    now: datetime,
) -> pd.DataFrame:
    """``scored`` with each partner's loyalty category (scoring.loyalty) and what it rests on;
    ``outcomes`` is storage.projects.outcome_counts' frame."""
    if scored.empty:
        return scored.assign(
            loyalty=pd.Series(dtype=object),
            loyalty_level=pd.Series(dtype=float),
            won_12m=pd.Series(dtype="int64"),
            won_value_12m=pd.Series(dtype=float),
        )
    ids = scored["partner_id"]
    year = outcomes.set_index("partner_id") if len(outcomes) else None
    created = frames.partners.set_index("partner_id")["created_at"]
    inputs = pd.DataFrame(
        {
            "partner_id": ids,
            "won_12m": ids.map(year["won_12m"]).fillna(0) if year is not None else 0,
            "lost_12m": ids.map(year["lost_12m"]).fillna(0) if year is not None else 0,
            "won_value_12m": ids.map(year["won_value_12m"]).fillna(0.0) if year is not None else 0.0,
            "satisfaction": scored["satisfaction"],
            "feedback_now": ids.map(_mean_score(frames.feedback)),
            "feedback_before": ids.map(_mean_score(feedback_before)),
            "age_days": (pd.Timestamp(now) - pd.to_datetime(ids.map(created), utc=True)).dt.total_seconds()
            / 86_400,
        },
        index=scored.index,
    )
    loyalty = loyalty_categories(inputs)
    return scored.assign(
        loyalty=loyalty,
        loyalty_level=loyalty_level(loyalty),
        won_12m=inputs["won_12m"].astype("int64"),
        won_value_12m=inputs["won_value_12m"].astype(float),
    )


@dataclass
class _Entry:
    computed_at: float  # time.monotonic()
    version: int  # the workspace's data version it was computed at
    ranking: Ranking


class RankingCache:
    """Recent rankings per workspace and window (with the workspace's weights), in memory.

    Each is kept with the workspace's data version it was computed at (``storage.versions``: one
    more with every committed change, whichever process made it). A ranking whose version is still
    the database's, and younger than MAX_AGE_SECONDS, is served as is. After a change, ``fresh=True``
    (``/partner top``, the Home tab after a change) recomputes before answering, while a plain
    ``get`` (``/partner show``) serves the previous ranking once and recomputes behind it. Anything
    older than MAX_AGE_SECONDS is recomputed before answering: scores move with time alone
    (recency, decay), if slowly.
    """

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self._database = database
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int], _Entry] = {}
        self._refreshing: set[tuple[str, int]] = set()

    def version(self, team_id: str) -> int:
        with self._database.read() as session:
            return versions.current(session, team_id)

    def get(self, team_id: str, *, window_days: int = 90, fresh: bool = False) -> Ranking:
        key = (team_id, window_days)
        version = self.version(team_id)
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry.computed_at >= MAX_AGE_SECONDS:
            return self._refresh(key, version)
        if entry.version == version:
            return entry.ranking
        if fresh:
            return self._refresh(key, version)
        self._refresh_in_background(key, version)
        return entry.ranking

    def _refresh(self, key: tuple[str, int], version: int) -> Ranking:
        # ``version`` was read before the ranking's own reads, so the ranking holds at least the
        # changes up to it: a change committed in between only means one more recomputation.
        team_id, window_days = key
        ranking = compute_ranking(self._database, team_id, now=self._clock(), window_days=window_days)
        with self._lock:
            current = self._entries.get(key)
            if current is None or current.version <= version:
                self._entries[key] = _Entry(time.monotonic(), version, ranking)
        return ranking

    def _refresh_in_background(self, key: tuple[str, int], version: int) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def run() -> None:
            try:
                self._refresh(key, version)
            except Exception:  # a failed refresh leaves the previous ranking; the next get tries again
                log.exception("refreshing the ranking of %s failed", key[0])
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        threading.Thread(target=run, name=f"ranking-{key[0]}", daemon=True).start()
