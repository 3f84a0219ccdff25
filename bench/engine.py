"""Where ``/partner top``'s time goes, measured in the benchmark's own process.

``handlers.rankings.compute_ranking``, the function the command runs, is called directly against
the loaded database (median of a few runs, no HTTP, no rendering). One more run goes under
cProfile. The row's note lists the app's own functions from ``storage/``, ``scoring/`` and
``handlers/`` with the most cumulative time. The breakdown therefore follows the code as it is,
whatever the ranking does internally. The full profile goes to ``profiles/``. If the function is
missing or its signature changed, the row says so instead of failing.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from datetime import UTC, datetime

from bench import databases
from bench.context import BENCH_TEAM, Context
from bench.databases import BenchDatabase
from bench.generate import ROOT
from bench.report import NA, Row, time_ratio

NAME = "ranking in-process (median)"
APP_DIRS = ("storage/", "scoring/", "handlers/")


def _app_functions(profile: cProfile.Profile, total: float, top: int = 6) -> list[tuple[str, float]]:
    """The app's functions with the most cumulative time in the profile (outermost excluded)."""
    stats = pstats.Stats(profile)
    found: list[tuple[str, float]] = []
    entries = stats.stats.items()  # type: ignore[attr-defined]
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in entries:
        relative = filename.replace(str(ROOT) + "/", "")
        if relative.startswith(APP_DIRS) and function != "compute_ranking" and cumulative < 0.98 * total:
            found.append((f"{relative.split('/')[-1].removesuffix('.py')}.{function}", cumulative))
    merged: dict[str, float] = {}
    for name, seconds in found:
        merged[name] = merged.get(name, 0.0) + seconds
    return sorted(merged.items(), key=lambda kv: -kv[1])[:top]


def bench_engine(ctx: Context, db: BenchDatabase, runs: int = 3) -> None:
    from storage.db import Database

    try:
        from handlers.services.rankings import compute_ranking
    except ImportError as exc:
        ctx.add(Row(NAME, db.kind, None, "s", verdict=NA, note=f"handlers.rankings.compute_ranking: {exc}"))
        return
    app_db = Database(db.url)
    now = datetime.now(UTC)
    floor = databases.group_by_floor(db, BENCH_TEAM)
    try:
        try:
            compute_ranking(app_db, BENCH_TEAM, now=now)  # warm-up
        except TypeError as exc:
            ctx.add(
                Row(
                    NAME,
                    db.kind,
                    None,
                    "s",
                    floor["median"],
                    verdict=NA,
                    note=f"compute_ranking's signature changed: {exc}",
                )
            )
            return
        totals = []
        for _ in range(runs):
            started = time.perf_counter()
            compute_ranking(app_db, BENCH_TEAM, now=now)
            totals.append(time.perf_counter() - started)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        compute_ranking(app_db, BENCH_TEAM, now=now)
        profiler.disable()
        profiled = time.perf_counter() - started
    finally:
        app_db.dispose()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    profile_path = ctx.work_dir / "profiles" / f"ranking-inprocess-{db.kind}.txt"
    profile_path.parent.mkdir(parents=True, exist_ok=True)
    profile_path.write_text(out.getvalue())
    median = statistics.median(totals)
    heavy = _app_functions(profiler, profiled)
    ctx.add(
        Row(
            NAME,
            db.kind,
            median,
            "s",
            floor["median"],
            time_ratio(median, floor["median"]),
            "",
            "—",
            note=(
                f"handlers.rankings.compute_ranking (what /partner top runs) called directly, median of "
                f"{runs}; under cProfile ({profiled * 1000:.0f} ms) the app's heaviest functions were: "
                + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in heavy)
                + f"; profile → {ctx.relative(profile_path)}"
            ),
            details={"totals": totals, "profiled": profiled, "heavy": heavy, "floor": floor},
        )
    )
