"""The ranking pipeline behind ``/partner top`` measured in-process, stage by stage: the storage
layer's three grouped queries (``storage.ranking.ranking_frames``) and ``scoring.score_partners``,
for the current 90-day window and the one before it (for the change in rank).

This is what ``/partner top`` is built from (issue 4), so it tells where the time of a ranking goes
even before the command exists, and a cProfile of one run is written next to the results. It calls
the app's functions as they are today; if their signatures change the row says so instead.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import databases
from bench.context import BENCH_TEAM, Context
from bench.databases import BenchDatabase
from bench.report import NA, Row, time_ratio


def _pipeline(db: Any, team: str, now: datetime) -> dict[str, float]:
    from scoring import KIND_WEIGHTS, ScoringSettings, rank_changes, score_partners
    from storage.ranking import activity_frame, feedback_frame, partners_frame

    stages: dict[str, float] = {}

    def timed(name: str, func, *args, **kwargs):
        started = time.perf_counter()
        value = func(*args, **kwargs)
        stages[name] = stages.get(name, 0.0) + time.perf_counter() - started
        return value

    settings = ScoringSettings(now=now)
    before = ScoringSettings(now=settings.window_start)
    window = timedelta(days=settings.window_days)
    scored = []
    with db.read() as session:
        for label, s in (("current", settings), ("previous", before)):
            start = s.now - window
            partners = timed(f"partners_frame ({label})", partners_frame, session, team, until=s.now)
            activity = timed(
                f"activity_frame ({label})",
                activity_frame,
                session,
                team,
                since=start,
                until=s.now,
                kind_weights=KIND_WEIGHTS,
            )
            feedback = timed(
                f"feedback_frame ({label})", feedback_frame, session, team, since=start, until=s.now
            )
            scored.append(timed(f"score_partners ({label})", score_partners, partners, activity, feedback, s))
            stages[f"activity rows ({label})"] = float(len(activity))
    timed("rank_changes", rank_changes, scored[0], scored[1])
    return stages


def _compute_ranking(db: Any, team: str, now: datetime):
    """What /partner top runs (handlers.rankings.compute_ranking), or None when it is not there."""
    try:
        from handlers.rankings import compute_ranking
    except ImportError:
        return None
    return lambda: compute_ranking(db, team, now=now)


def bench_engine(ctx: Context, db: BenchDatabase, runs: int = 3) -> None:
    from storage.db import Database

    name = "ranking in-process (median)"
    app_db = Database(db.url)
    now = datetime.now(UTC)
    try:
        floor = databases.group_by_floor(db, BENCH_TEAM)
        whole = _compute_ranking(app_db, BENCH_TEAM, now)
        try:
            _pipeline(app_db, BENCH_TEAM, now)  # warm-up
            if whole:
                whole()
        except (ImportError, TypeError, AttributeError, KeyError) as exc:
            ctx.add(
                Row(
                    name,
                    db.kind,
                    None,
                    "s",
                    floor["median"],
                    verdict=NA,
                    note=f"the app's ranking functions changed: {exc}",
                )
            )
            return
        stage_runs: list[dict[str, float]] = []
        totals: list[float] = []
        for _ in range(runs):
            stage_runs.append(_pipeline(app_db, BENCH_TEAM, now))
            started = time.perf_counter()
            if whole:
                whole()
            totals.append(time.perf_counter() - started)
        profiler = cProfile.Profile()
        profiler.enable()
        if whole:
            whole()
        else:
            _pipeline(app_db, BENCH_TEAM, now)
        profiler.disable()
    finally:
        app_db.dispose()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    profile_path = ctx.work_dir / "profiles" / f"ranking-inprocess-{db.kind}.txt"
    profile_path.parent.mkdir(parents=True, exist_ok=True)
    profile_path.write_text(out.getvalue())
    stages = {k: statistics.median(r[k] for r in stage_runs) for k in stage_runs[0]}
    timing = {k: v for k, v in stages.items() if "rows" not in k}
    pipeline_total = sum(timing.values())
    median = statistics.median(totals) if whole else pipeline_total
    heavy = sorted(timing.items(), key=lambda kv: -kv[1])[:5]
    ctx.add(
        Row(
            name,
            db.kind,
            median,
            "s",
            floor["median"],
            time_ratio(median, floor["median"]),
            "",
            "—",
            note=(
                (
                    "handlers.rankings.compute_ranking (what /partner top runs) called directly, "
                    if whole
                    else "storage.ranking frames + scoring for both windows, "
                )
                + f"median of {runs}; its stages (timed separately): "
                + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in heavy)
                + f"; {stages.get('activity rows (current)', 0):,.0f} (partner, day) rows per window"
                + f"; cProfile → {ctx.relative(profile_path)}"
            ),
            details={"totals": totals, "stages": stages, "floor": floor},
        )
    )
