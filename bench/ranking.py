"""``/partner top 10`` and ``/partner show`` from request to visible answer, against the real server,
next to their floors; plus the server's peak memory while it answers them.

The app keeps recent rankings in memory (``handlers/rankings.py``), so ``/partner top`` is timed
two ways. **After a change**: before each timed request, a signed ``/partner log`` to the same
workspace marks the cached ranking out of date, as any real edit does, so the ranking is
computed. **Repeated**: the same question again with nothing changed in between.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench import databases, measure, slack
from bench.context import BENCH_TEAM, Context
from bench.databases import BenchDatabase
from bench.proc import Profiler, Server, proc_status, reset_peak, summarise_profile
from bench.report import ERROR, NA, Row, summary, time_ratio, verdict
from bot.standin.texts import texts

TOP_GOAL = 1.0  # × the GROUP BY floor (issue 14; 1.5 in issue 4)
SHOW_GOAL = 0.150  # seconds (issue 4)
RSS_GOAL = 300e6  # bytes (issue 4 and 6)
TOP_TIMEOUT = 120.0
NOT_IMPLEMENTED = "top not implemented yet: the server answers “I don't know `top`”"


@dataclass
class TopResult:
    implemented: bool | None = None  # None: could not tell (error)
    times: list[float] = field(default_factory=list)
    where: set[str] = field(default_factory=set)
    problem: str | None = None
    sample: Any = None


def is_ranking(names: list[str], count: int) -> Callable[[Any], bool]:
    """A message with blocks that names at least three of the workspace's partners."""
    need = min(3, count, len(names))

    def accept(payload: Any) -> bool:
        return (
            isinstance(payload, dict)
            and bool(payload.get("blocks"))
            and measure.names_in(payload, names, need) >= need
        )

    return accept


def mark_changed(ctx: Context, server: Server, session: requests.Session, partner: str) -> str | None:
    """Log a note to BENCH_TEAM through the server, as a person would; None when it was logged."""
    prepared = slack.command(
        server.secret,
        f"log {partner} note bench: a change before the ranking",
        team=BENCH_TEAM,
        response_url=ctx.standin.new_response_url(),
        trigger_id=ctx.standin.new_trigger_id(),
    )
    answer = slack.send(session, server.events_url, prepared, timeout=30)
    said = texts(answer.json()) if answer.status == 200 else []
    if any(t.startswith("Logged") for t in said):
        return None
    return f"the change before the ranking was not logged: HTTP {answer.status} {answer.text[:200]}"


def time_top(
    ctx: Context,
    server: Server,
    names: list[str],
    *,
    runs: int,
    warmups: int = 1,
    after_change: bool = True,
    text: str = "top 10",
    budget: float = 600.0,
) -> TopResult:
    """``runs`` timed ``/partner top 10`` requests, one after another, after ``warmups`` untimed
    ones; with ``after_change`` each is preceded (untimed) by a ``/partner log`` to the workspace."""
    result = TopResult()
    accept = is_ranking(names, 10)
    deadline = time.monotonic() + budget
    with requests.Session() as session:
        for i in range(warmups + runs):
            if time.monotonic() > deadline or ctx.left() <= 0:
                result.problem = result.problem or f"stopped after {len(result.times)} runs: time budget"
                break
            if after_change and result.implemented is not False:
                problem = mark_changed(ctx, server, session, names[i % len(names)])
                if problem:
                    result.problem = problem
                    return result
            seen = measure.until_visible(
                server,
                ctx.standin,
                text,
                team=BENCH_TEAM,
                accept=accept,
                word="top",
                timeout=TOP_TIMEOUT,
                session=session,
            )
            if seen.where == "not implemented":
                result.implemented = False
                result.sample = seen.payload
                return result
            if seen.seconds is None:
                result.problem = f"no ranking visible ({seen.where}): {str(seen.payload)[:300]}"
                result.sample = seen.payload
                return result
            result.implemented = True
            result.where.add(seen.where)
            result.sample = seen.payload
            if i >= warmups:
                result.times.append(seen.seconds)
    return result


def peak(server: Server) -> int | None:
    return proc_status(server.pid).get("VmHWM")


def rss_row(
    ctx: Context, db: BenchDatabase, what: str, server: Server, idle: int | None, reset: bool
) -> None:
    high = peak(server)
    note = "" if reset else "peak since the server started (could not reset the peak mark)"
    ctx.add(
        Row(
            f"server peak RSS: {what}",
            db.kind,
            high,
            "MB",
            idle,
            time_ratio(high, idle),
            "< 300 MB",
            verdict(None if high is None else high < RSS_GOAL),
            note=note or f"floor: the server's RSS when idle after start-up; VmHWM reset before {what}",
        )
    )


def profile_during(ctx: Context, server: Server, label: str, action: Callable[[], Any]) -> Path | None:
    """py-spy on the server while ``action`` runs; writes ``profiles/<label>.txt`` and a summary next
    to it, and returns the summary's path."""
    output = ctx.work_dir / "profiles" / f"{label}.txt"
    profiler = Profiler(server.pid, output).start()
    if profiler.error:
        ctx.log(f"py-spy failed: {profiler.error}")
        return None
    try:
        action()
    finally:
        written = profiler.stop()
    if written is None:
        return None
    summary_path = output.with_suffix(".summary.txt")
    summary_path.write_text("\n".join(summarise_profile(written)) + "\n")
    ctx.log(f"profile → {ctx.relative(summary_path)}")
    return summary_path


def _top_rows(
    ctx: Context, db: BenchDatabase, label: str, result: TopResult, floor: float, floor_note: str, goal: bool
) -> Row | None:
    goal_text = f"≤ {TOP_GOAL}× floor" if goal else ""
    if not result.times:
        ctx.add(
            Row(
                f"/partner top 10 {label} (median)",
                db.kind,
                None,
                "s",
                floor,
                None,
                goal_text,
                ERROR,
                note=result.problem or "no runs",
            )
        )
        return None
    stats = summary(result.times)
    ratio = time_ratio(stats["median"], floor)
    row = ctx.add(
        Row(
            f"/partner top 10 {label} (median)",
            db.kind,
            stats["median"],
            "s",
            floor,
            ratio,
            goal_text,
            verdict(ratio is not None and ratio <= TOP_GOAL) if goal else "—",
            note=(
                f"{stats['n']} runs after 1 warm-up, answer seen via {', '.join(sorted(result.where))}; "
                + floor_note
                + (f"; {result.problem}" if result.problem else "")
            ),
            details={"times": result.times, "summary": stats},
        )
    )
    if goal:
        ctx.add(
            Row(
                f"/partner top 10 {label} (p95)",
                db.kind,
                stats["p95"],
                "s",
                floor,
                time_ratio(stats["p95"], floor),
                "",
                "—",
            )
        )
    return row


def bench_first_top(ctx: Context, db: BenchDatabase, server: Server, names: list[str]) -> TopResult:
    """The first ``/partner top 10`` the server answers after it started (one sample)."""
    floor = databases.group_by_floor(db, BENCH_TEAM)
    result = time_top(ctx, server, names, runs=1, warmups=0, after_change=False)
    if result.implemented is False or not result.times:
        ctx.add(
            Row("/partner top 10 first after a start", db.kind, None, "s", floor["median"], None,
                f"≤ {TOP_GOAL}× floor", ERROR, note=result.problem or NOT_IMPLEMENTED)
        )  # fmt: skip
        return result
    seconds = result.times[0]
    ratio = time_ratio(seconds, floor["median"])
    ctx.add(
        Row(
            "/partner top 10 first after a start",
            db.kind,
            seconds,
            "s",
            floor["median"],
            ratio,
            f"≤ {TOP_GOAL}× floor",
            verdict(ratio is not None and ratio <= TOP_GOAL),
            note="the first request of its kind after partnerbot serve started (one sample; serve ranks the "
            "largest workspaces before it takes requests, bot/run.py warm_rankings); floor: the GROUP BY",
            details={"floor": floor},
        )
    )
    return result


def bench_top(
    ctx: Context, db: BenchDatabase, server: Server, names: list[str], idle: int | None
) -> TopResult:
    reset = reset_peak(server.pid)
    floor = databases.group_by_floor(db, BENCH_TEAM)
    ctx.log(
        f"{db.kind}: GROUP BY floor {floor['median'] * 1000:.0f} ms over {floor['rows']:,} partners; "
        f"timing /partner top 10 ×{ctx.profile.top_runs}, after a change and repeated …"
    )
    changed = time_top(ctx, server, names, runs=ctx.profile.top_runs, after_change=True)
    repeated = (
        time_top(ctx, server, names, runs=ctx.profile.top_runs, after_change=False)
        if changed.implemented
        else TopResult()
    )
    floor_after = databases.group_by_floor(db, BENCH_TEAM)
    floor_median = min(floor["median"], floor_after["median"])
    floor_note = (
        "floor: one SELECT partner_id, count(*) … GROUP BY partner_id over the team's interactions, "
        f"median of {floor['runs']} before ({floor['median'] * 1000:.0f} ms) and after "
        f"({floor_after['median'] * 1000:.0f} ms) the timed runs; the lower is used"
    )
    if changed.implemented is False:
        ctx.add(
            Row(
                "/partner top 10 (median)",
                db.kind,
                None,
                "s",
                floor_median,
                None,
                f"≤ {TOP_GOAL}× floor",
                NA,
                note=NOT_IMPLEMENTED,
                details={"floor": floor, "floor_after": floor_after},
            )
        )
        return changed
    main = _top_rows(
        ctx,
        db,
        "after a change",
        changed,
        floor_median,
        "each run preceded by a /partner log to the workspace (cached ranking out of date); " + floor_note,
        goal=True,
    )
    _top_rows(
        ctx,
        db,
        "repeated",
        repeated,
        floor_median,
        "the same question again with nothing changed (the app's cached ranking)",
        goal=False,
    )
    rss_row(ctx, db, "top", server, idle, reset)
    if main is not None:
        main.details.update(floor=floor, floor_after=floor_after)
        ratio = main.ratio
        if ctx.auto_profile and ratio is not None and ratio > TOP_GOAL:
            ctx.log(f"{db.kind}: top misses its goal ({ratio:.2f}× floor): 3 more runs under py-spy …")
            path = profile_during(
                ctx,
                server,
                f"top-{db.kind}",
                lambda: time_top(ctx, server, names, runs=3, warmups=0, after_change=True),
            )
            if path:
                main.note += f"; py-spy profile (3 more runs after a change): {ctx.relative(path)}"
                main.details["profile"] = path.read_text().splitlines()
    return changed


def _show_times(
    ctx: Context, server: Server, targets: list[str], runs: int
) -> tuple[list[float], float | None, str | None]:
    """``runs`` timed ``/partner show`` over ``targets`` after 2 warm-ups; also the very first."""
    order = (targets * ((runs // max(len(targets), 1)) + 2))[: runs + 2]
    times: list[float] = []
    first: float | None = None
    with requests.Session() as session:
        for i, name in enumerate(order):
            if ctx.left() <= 0:
                return times, first, "time budget"

            def accept(payload: Any, name: str = name) -> bool:
                return (
                    isinstance(payload, dict)
                    and bool(payload.get("blocks"))
                    and name in "\n".join(texts(payload))
                )

            seen = measure.until_visible(
                server,
                ctx.standin,
                f"show {name}",
                team=BENCH_TEAM,
                accept=accept,
                word="show",
                timeout=30,
                session=session,
            )
            if seen.seconds is None:
                return times, first, f"{name}: {seen.where}: {str(seen.payload)[:200]}"
            if i == 0:
                first = seen.seconds
            if i >= 2:
                times.append(seen.seconds)
    return times, first, None


def bench_show(
    ctx: Context, db: BenchDatabase, server: Server, bare: Server | None, targets: list[str], idle: int | None
) -> None:
    """Runs before ``top``: the first ``show`` is then the first ranking the server computes."""
    reset = reset_peak(server.pid)
    runs = ctx.profile.show_runs
    times, first, problem = _show_times(ctx, server, targets, runs)
    floor = bare_command_floor(ctx, bare, runs=max(runs, 20)) if bare else None
    if not times:
        ctx.add(
            Row(
                "/partner show (median)",
                db.kind,
                None,
                "s",
                floor,
                None,
                "< 150 ms",
                ERROR,
                note=problem or "",
            )
        )
        return
    stats = summary(times)
    median_row = ctx.add(
        Row(
            "/partner show (median)",
            db.kind,
            stats["median"],
            "s",
            floor,
            time_ratio(stats["median"], floor),
            "< 150 ms",
            verdict(stats["median"] < SHOW_GOAL),
            note=(
                f"{stats['n']} runs over the 10 busiest and 10 random partners after 2 warm-ups, answered "
                "in the ack; floor: the bare-ack app answering a /partner command (median)"
                + (f"; stopped: {problem}" if problem else "")
            ),
            details={"times": times, "summary": stats},
        )
    )
    ctx.add(
        Row(
            "/partner show (p95)",
            db.kind,
            stats["p95"],
            "s",
            floor,
            time_ratio(stats["p95"], floor),
            "< 150 ms",
            verdict(stats["p95"] < SHOW_GOAL),
        )
    )
    if first is not None:
        ctx.add(
            Row(
                "/partner show (first call)",
                db.kind,
                first,
                "s",
                floor,
                time_ratio(first, floor),
                "< 150 ms",
                verdict(first < SHOW_GOAL),
                note="the first /partner show after the server started (one sample), before any ranking "
                "is cached: the score it explains is computed by this call (handlers/rankings.py)",
            )
        )
    rss_row(ctx, db, "show", server, idle, reset)
    if ctx.auto_profile and stats["p95"] >= SHOW_GOAL:
        ctx.log(f"{db.kind}: show misses its goal: {runs} more under py-spy …")
        path = profile_during(ctx, server, f"show-{db.kind}", lambda: _show_times(ctx, server, targets, runs))
        if path:
            median_row.note += f"; py-spy profile ({runs} more): {ctx.relative(path)}"
            median_row.details["profile"] = path.read_text().splitlines()


def bare_command_floor(ctx: Context, bare: Server, runs: int = 20) -> float | None:
    """Median time for the bare-ack app to acknowledge a signed /partner command."""
    prepared = [
        slack.command(
            bare.secret,
            "show anything",
            team=BENCH_TEAM,
            response_url=ctx.standin.new_response_url(),
            trigger_id=ctx.standin.new_trigger_id(),
        )
        for _ in range(runs + 3)
    ]
    answers = measure.sequential(bare.events_url, prepared, deadline=time.monotonic() + 60)[3:]
    good = [a.elapsed for a in answers if a.status == 200]
    return summary(good)["median"] if good else None


def write_sample(ctx: Context, db: BenchDatabase, payload: Any) -> Path:
    path = ctx.work_dir / f"top-answer-{db.kind}.json"
    path.write_text(json.dumps(payload, indent=2, default=str)[:200_000])
    return path
