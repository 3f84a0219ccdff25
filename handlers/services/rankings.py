"""Computing a workspace's ranking: storage's grouped queries, then scoring's pure functions.

Shared by ``/partner top``, ``/partner show``, mentions, digests and the Workflow Builder steps. A
cache keyed by the workspace's data version lets a question repeated with nothing changed be
answered from memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from scoring import (
    KIND_WEIGHTS,
    Explanation,
    ScoringSettings,
    Weights,
    explain,
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
# How long a ranking is kept up to date by reading only the changed partners' rows before it is
# computed again from every row: scores drift with time alone, slowly (see ``patched``).
MAX_AGE_SECONDS = 600.0
# More partners changed than this since the cached ranking (a bulk edit): compute from every row.
PATCH_LIMIT = 200


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


@dataclass(frozen=True)
class RankingInputs:
    """Everything a ranking is computed from, as read at ``now``. The cache keeps it, so that after
    a change only the changed partners' rows are read again (``patched``)."""

    now: datetime
    window_days: int
    weights: Weights
    frames: ranking_store.RankingFrames
    previous: ranking_store.RankingFrames | None  # the window before, for the change in rank
    feedback_before: pd.DataFrame
    outcomes: pd.DataFrame
    # The previous window's scores once computed (previous_ranking), carried over by ``patched``
    # while the changed partners' rows of that window are what they were.
    previous_scored: pd.DataFrame | None = None

    @property
    def settings(self) -> ScoringSettings:
        return ScoringSettings(now=self.now, window_days=self.window_days, weights=self.weights)


def read_inputs(
    database: Database,
    team_id: str,
    *,
    now: datetime,
    window_days: int,
    weights: Weights,
    with_changes: bool = True,
    partner_ids: Collection[int] | None = None,
) -> RankingInputs:
    """Read what a ranking needs, in one read transaction: every active partner's rows, or with
    ``partner_ids`` only those partners'."""
    settings = ScoringSettings(now=now, window_days=window_days, weights=weights)
    before = settings.window_start
    with database.read() as session:
        frames = ranking_store.ranking_frames(
            session,
            team_id,
            since=before,
            until=now,
            kind_weights=KIND_WEIGHTS,
            half_life_days=settings.half_life_days,
            partner_ids=partner_ids,
        )
        previous = None
        if with_changes:
            previous = ranking_store.ranking_frames(
                session,
                team_id,
                since=before - timedelta(days=window_days),
                until=before,
                kind_weights=KIND_WEIGHTS,
                half_life_days=settings.half_life_days,
                partner_ids=partner_ids,
                partners=frames.partners,
            )
            feedback_before = previous.feedback
        else:
            feedback_before = ranking_store.feedback_frame(
                session,
                team_id,
                since=before - timedelta(days=window_days),
                until=before,
                partner_ids=partner_ids,
            )
        # A partner's track record: every project closed won or lost up to each window's end, and
        # the last 12 months' for loyalty, counted in one query.
        outcomes = project_store.outcome_counts(
            session,
            team_id,
            until=now.date(),
            before=before.date(),
            year_since=(now - timedelta(days=LOYALTY_DAYS)).date(),
            partner_ids=partner_ids,
        )
    return RankingInputs(now, window_days, weights, frames, previous, feedback_before, outcomes)


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
    inputs = read_inputs(
        database, team_id, now=now, window_days=window_days, weights=weights, with_changes=with_changes
    )
    return ranking_from(inputs)


def _swapped(
    old: pd.DataFrame, new: pd.DataFrame, ids: Collection[int], ageing: tuple[float, float] | None = None
) -> pd.DataFrame:
    """``old`` without the rows of ``ids``, plus ``new``'s rows (which hold only ``ids``). With
    ``ageing`` (scale, edge decay), the engagement carried over is aged: its settled part by the
    scale, its last day's weight by that day's decay now (storage.ranking.engagement_frame)."""
    kept = old[~old["partner_id"].isin(ids)]
    if ageing is not None and "settled_raw" in kept.columns:
        scale, edge = ageing
        settled = kept["settled_raw"] * scale
        kept = kept.assign(settled_raw=settled, engagement_raw=settled + kept["edge_weight"] * edge)
    if new.empty:
        return kept.reset_index(drop=True)
    if kept.empty:
        return new.reset_index(drop=True)
    return pd.concat([kept, new], ignore_index=True)


def _frames_swapped(
    old: ranking_store.RankingFrames,
    new: ranking_store.RankingFrames,
    ids: Collection[int],
    ageing: tuple[float, float],
) -> ranking_store.RankingFrames:
    return ranking_store.RankingFrames(
        partners=_swapped(old.partners, new.partners, ids),
        activity=_swapped(old.activity, new.activity, ids, ageing),
        feedback=_swapped(old.feedback, new.feedback, ids),
    )


def patched(inputs: RankingInputs, fresh: RankingInputs, ids: Collection[int]) -> RankingInputs:
    """``inputs`` with the rows of the partners ``ids`` replaced by ``fresh``'s (read for those
    partners only, at ``fresh.now``).

    Every other partner's decayed engagement is aged from ``inputs.now`` to ``fresh.now``: the days
    before the window's last by the same factor 2^(-Δ/H) (exact: their middays have passed), the
    last day's weight by its own decay now (capped at 1 until its midday). Windows are whole UTC
    days for communications, so they match while the day is the same; the cache recomputes in
    full on a new UTC day and at least every MAX_AGE_SECONDS, which bounds the feedback windows'
    drift at their edges.
    """
    half_life = inputs.settings.half_life_days
    elapsed_days = (fresh.now - inputs.now).total_seconds() / 86_400
    scale = 2.0 ** (-max(elapsed_days, 0.0) / half_life)
    frames = _frames_swapped(
        inputs.frames, fresh.frames, ids, (scale, ranking_store.edge_decay(fresh.now, half_life))
    )
    previous = None
    if inputs.previous is not None and fresh.previous is not None:
        edge = ranking_store.edge_decay(fresh.settings.window_start, half_life)
        previous = _frames_swapped(inputs.previous, fresh.previous, ids, (scale, edge))
        # The window before has the same partners: it shares their profile columns (copy-on-write)
        # and keeps only its own last contacts, as read_inputs builds it.
        last_before = previous.partners.set_index("partner_id")["last_contact"]
        aligned = last_before.reindex(pd.Index(frames.partners["partner_id"].to_numpy(dtype="int64")))
        previous = replace(previous, partners=frames.partners.assign(last_contact=aligned.array))
    # A log today leaves the window before as it was: its scores are kept, not computed again.
    unchanged_before = (
        inputs.previous is not None
        and fresh.previous is not None
        and _same_rows(inputs.frames.partners, fresh.frames.partners, ids, ["partner_id"])
        and _same_rows(inputs.previous.partners, fresh.previous.partners, ids)
        and _same_rows(
            inputs.previous.activity,
            fresh.previous.activity,
            ids,
            ["partner_id", "settled_raw", "edge_weight", "count"],
            scale,
        )
        and _same_rows(inputs.previous.feedback, fresh.previous.feedback, ids)
        and _same_rows(inputs.outcomes, fresh.outcomes, ids, ["partner_id", "won_before", "lost_before"])
    )
    return RankingInputs(
        now=fresh.now,
        window_days=inputs.window_days,
        weights=inputs.weights,
        frames=frames,
        previous=previous,
        feedback_before=_swapped(inputs.feedback_before, fresh.feedback_before, ids),
        outcomes=_swapped(inputs.outcomes, fresh.outcomes, ids),
        previous_scored=inputs.previous_scored if unchanged_before else None,
    )


def _same_rows(
    old: pd.DataFrame,
    new: pd.DataFrame,
    ids: Collection[int],
    columns: list[str] | None = None,
    scale: float = 1.0,
) -> bool:
    """Whether ``old``'s rows of ``ids`` (with a settled engagement aged by ``scale``) are ``new``'s."""
    columns = columns or list(new.columns)
    if not set(columns) <= set(old.columns) or not set(columns) <= set(new.columns):
        return False
    before = old.loc[old["partner_id"].isin(ids), columns].sort_values("partner_id").reset_index(drop=True)
    after = new.loc[new["partner_id"].isin(ids), columns].sort_values("partner_id").reset_index(drop=True)
    if len(before) != len(after):
        return False
    if len(before) == 0:
        return True  # no rows before nor now (an empty frame's columns may differ in type)
    for column in columns:
        left, right = before[column], after[column]
        if column == "settled_raw":
            if not np.allclose(left.to_numpy(float) * scale, right.to_numpy(float), rtol=1e-9, atol=0.0):
                return False
        elif pd.api.types.is_numeric_dtype(left) and pd.api.types.is_numeric_dtype(right):
            # int64 and float64 holding the same numbers are the same rows
            if not np.array_equal(left.to_numpy(float), right.to_numpy(float), equal_nan=True):
                return False
        elif _values(left) != _values(right):  # text, moments: one partner's handful of values
            return False
    return True


def _values(column: pd.Series) -> list[object]:
    """A column's values with every kind of missing (None, NaN, NaT) as None: a column of one
    partner read alone may come back as another dtype than the whole workspace's."""
    return [None if pd.isna(value) else value for value in column.tolist()]


def previous_ranking(inputs: RankingInputs) -> pd.DataFrame | None:
    """The window before's scores, for the change in rank: only the partners with something in
    that window (one with nothing there was not really ranked: it is "new"); None without it."""
    previous_frames = inputs.previous
    if previous_frames is None or previous_frames.partners.empty:
        return None
    if inputs.previous_scored is not None:
        return inputs.previous_scored
    settings = inputs.settings
    previous_settings = ScoringSettings(
        now=settings.window_start, window_days=inputs.window_days, weights=inputs.weights
    )
    previous = score_partners(
        previous_frames.partners,
        previous_frames.activity,
        previous_frames.feedback,
        previous_settings,
        inputs.outcomes[["partner_id", "won_before", "lost_before"]].rename(
            columns={"won_before": "won", "lost_before": "lost"}
        ),
    )
    active_before = set(previous_frames.activity["partner_id"]) | set(previous_frames.feedback["partner_id"])
    return previous[previous["partner_id"].isin(active_before)]


def ranking_from(inputs: RankingInputs) -> Ranking:
    """Scores, ranks, loyalty and the change in rank: scoring's pure functions over the inputs."""
    settings = inputs.settings
    frames, outcomes, now = inputs.frames, inputs.outcomes, inputs.now
    scored = score_partners(
        frames.partners, frames.activity, frames.feedback, settings, outcomes[["partner_id", "won", "lost"]]
    )
    # A column added, not a merge: the other columns are not copied (100,000 rows in a large programme).
    owners = frames.partners.set_index("partner_id")["owner"]
    scored["owner"] = owners.reindex(pd.Index(scored["partner_id"].to_numpy(dtype="int64"))).array
    scored = with_loyalty(scored, frames, inputs.feedback_before, outcomes, now=now)
    previous = previous_ranking(inputs)
    if previous is not None:
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


@dataclass(frozen=True)
class _Entry:
    full_at: float  # time.monotonic() of the last computation from every row
    day: date  # the UTC day of inputs.now: a new day moves the windows' first days
    version: int  # the workspace's data version it holds
    inputs: RankingInputs
    ranking: Ranking


class RankingCache:
    """Recent rankings per workspace and window (with the workspace's weights), in memory.

    Each is kept with the workspace's data version it holds (``storage.versions``: one more with
    every committed change, whichever process made it, and which partners it changed). A ranking
    whose version is still the database's is served as is. After a change, ``fresh=True``
    (``/partner top``, the Home tab after a change) brings it up to date before answering, while a
    plain ``get`` (``/partner show``) serves the previous ranking once and updates it behind.

    Bringing it up to date reads again only the rows of the partners changed since (``patched``),
    unless there were more than PATCH_LIMIT, the change could touch everyone (weights, an import),
    the UTC day changed, or the last computation from every row is older than MAX_AGE_SECONDS:
    then it is computed from every row. One computation per workspace and window at a time: a
    second request for the same ranking waits for the first's result.
    """

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self._database = database
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int], _Entry] = {}
        self._computing: dict[tuple[str, int], threading.Lock] = {}
        self._refreshing: set[tuple[str, int]] = set()
        # Called after each computation from every row (the server gives freed memory back).
        self.after_full: Callable[[], None] = lambda: None

    def get(self, team_id: str, *, window_days: int = 90, fresh: bool = False) -> Ranking:
        key = (team_id, window_days)
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or self._too_old(entry):
            return self._update(key)
        with self._database.read() as session:
            version = versions.current(session, team_id)
        if entry.version == version:
            return entry.ranking
        if fresh:
            return self._update(key)
        self._update_in_background(key)
        return entry.ranking

    def warm(self, team_ids: list[str], *, budget_seconds: float) -> int:
        """Compute the default rankings of ``team_ids`` in order until the budget is spent (at
        start-up, so that the first question after a start is answered from memory); returns how
        many were computed."""
        deadline = time.monotonic() + budget_seconds
        done = 0
        for team_id in team_ids:
            if time.monotonic() >= deadline:
                break
            self._update((team_id, 90))
            done += 1
        return done

    def _too_old(self, entry: _Entry) -> bool:
        return (
            time.monotonic() - entry.full_at >= MAX_AGE_SECONDS
            or self._clock().astimezone(UTC).date() != entry.day
        )

    def _update(self, key: tuple[str, int]) -> Ranking:
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # one computation per key; whoever waited finds it done
            with self._lock:
                entry = self._entries.get(key)
            if entry is None or self._too_old(entry):
                with self._database.read() as session:
                    version = versions.current(session, key[0])
                return self._store(key, self._compute(key), version)
            with self._database.read() as session:
                changes = versions.changes_since(session, key[0], entry.version)
            if changes.partners is None or len(changes.partners) > PATCH_LIMIT:
                return self._store(key, self._compute(key), changes.version)
            if not changes.partners:
                return entry.ranking  # brought up to date while this request waited
            return self._store(key, self._patch(key, entry, changes), changes.version)

    def _compute(self, key: tuple[str, int]) -> _Entry:
        # The version was read before the ranking's own reads, so the ranking holds at least the
        # changes up to it: a change committed in between only means one more update.
        team_id, window_days = key
        now = self._clock()
        weights = workspace_weights(self._database, team_id)
        inputs = read_inputs(self._database, team_id, now=now, window_days=window_days, weights=weights)
        inputs = replace(inputs, previous_scored=previous_ranking(inputs))
        entry = _Entry(time.monotonic(), now.astimezone(UTC).date(), 0, inputs, ranking_from(inputs))
        self.after_full()
        return entry

    def _patch(self, key: tuple[str, int], entry: _Entry, changes: versions.Changes) -> _Entry:
        team_id, window_days = key
        ids = sorted(changes.partners or ())
        fresh = read_inputs(
            self._database,
            team_id,
            now=self._clock(),
            window_days=window_days,
            weights=entry.inputs.weights,
            partner_ids=ids,
        )
        inputs = patched(entry.inputs, fresh, ids)
        if inputs.previous_scored is None:
            inputs = replace(inputs, previous_scored=previous_ranking(inputs))
        return _Entry(entry.full_at, entry.day, 0, inputs, ranking_from(inputs))

    def _store(self, key: tuple[str, int], entry: _Entry, version: int) -> Ranking:
        entry = replace(entry, version=version)
        with self._lock:
            self._entries[key] = entry
        return entry.ranking

    def _update_in_background(self, key: tuple[str, int]) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def run() -> None:
            try:
                self._update(key)
            except Exception:  # a failed update leaves the previous ranking; the next get tries again
                log.exception("updating the ranking of %s failed", key[0])
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        threading.Thread(target=run, name=f"ranking-{key[0]}", daemon=True).start()


@dataclass(frozen=True)
class Standing:
    """One partner's place in its workspace's ranking: the score taken apart (scoring.explain),
    out of how many partners, and its loyalty category."""

    explanation: Explanation
    partner_count: int
    loyalty: str | None


def partner_standing(rankings: RankingCache, team_id: str, partner_id: int) -> Standing | None:
    """The partner's standing in the ranking in memory (brought up to date behind the answer after a
    change; before it, when the partner is new to the ranking). None when the partner is not ranked
    (archived, or added since the ranking was computed)."""
    ranking = rankings.get(team_id)
    if not (ranking.scored["partner_id"] == partner_id).any():
        ranking = rankings.get(team_id, fresh=True)  # only its rows are read: a patch
    try:
        explanation = explain(ranking.scored, partner_id, ranking.settings)
    except KeyError:
        return None
    row = ranking.scored.loc[ranking.scored["partner_id"] == partner_id]
    loyalty = row["loyalty"].iloc[0] if "loyalty" in row and not row.empty else None
    return Standing(explanation, ranking.partner_count, None if pd.isna(loyalty) else str(loyalty))
