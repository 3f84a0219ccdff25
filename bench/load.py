"""Issue 6, item 1 and issue 17: acknowledgement under load. 400 signed ``/partner log <partner>
call …`` requests, 16 at a time, against ``partnerbot serve`` (``--workers N`` with ``python -m
bench --workers N``), next to the bare-ack app served the same way; then the server and its workers
are killed with SIGKILL at once and exactly 400 communications must still be stored (``partnerbot
export``): every acknowledged log was committed before its ack."""

from __future__ import annotations

import csv
import io
import time

import numpy as np

from bench import databases, measure, slack
from bench.context import ACK_TEAM, Context
from bench.databases import BenchDatabase
from bench.proc import (
    BenchError,
    Profiler,
    Server,
    family_cpu_seconds,
    family_peaks,
    family_pss,
    partnerbot_server,
    reset_family_peaks,
    run_cli,
    summarise_profile,
)
from bench.ranking import rss_row
from bench.report import ERROR, Row, summary, time_ratio, verdict
from bot.standin.texts import texts

SLACK_LIMIT = 3.0  # seconds Slack waits for an acknowledgement
P99_GOAL = 2.0  # × the bare app's p99
NOTES = (
    "Renewal talk, they want a 3-year deal.",
    "Quick check-in about the SSO rollout; all good.",
    "Discussed Q3 pipeline: 4 deals, 2 at risk (pricing). Next step: send the revised quote and book a QBR.",
    "Long call. " + "They walked us through their whole roadmap, integration by integration, " * 6,
    "Intro to their new channel manager, Zoë Müller.",
)


def requests_for(ctx: Context, secret: str, names: list[str], count: int) -> list[slack.Prepared]:
    rng = np.random.default_rng([ctx.seed, 6])
    prepared = []
    for _i in range(count):
        name = names[int(rng.integers(len(names)))]
        notes = NOTES[int(rng.integers(len(NOTES)))]
        user = f"UBENCH{int(rng.integers(1, 40)):02d}"
        prepared.append(
            slack.command(
                secret,
                f"log {name} call {notes}",
                team=ACK_TEAM,
                user=user,
                response_url=ctx.standin.new_response_url(),
                trigger_id=ctx.standin.new_trigger_id(),
            )
        )
    return prepared


def _is_logged(answer: slack.Answer) -> bool:
    body = answer.json()
    return (
        answer.status == 200 and isinstance(body, dict) and any(t.startswith("Logged") for t in texts(body))
    )


def _figures(answers: list[slack.Answer], wall: float) -> dict[str, float]:
    times = [a.elapsed for a in answers]
    stats = summary(times)
    stats["rps"] = len(answers) / wall if wall else 0.0
    stats["over_3s"] = sum(t > SLACK_LIMIT for t in times)
    return stats


def run_load(server: Server, prepared: list[slack.Prepared], concurrency: int, budget: float):
    return measure.concurrent(
        server.events_url, prepared, concurrency=concurrency, deadline=time.monotonic() + budget, timeout=30
    )


def bench_ack(
    ctx: Context, db: BenchDatabase, server: Server, bare: Server, names: list[str], idle: int | None
) -> None:
    count, concurrency = ctx.profile.ack_requests, ctx.profile.ack_concurrency
    budget = min(300.0, max(30.0, ctx.left()))

    # The floor first: the same requests (signed for the bare app) against the bare-ack app.
    measure.warm_up(bare, ACK_TEAM, ctx.standin, 20)
    bare_cpu = family_cpu_seconds(bare.pid)
    bare_answers, bare_wall = run_load(
        bare, requests_for(ctx, bare.secret, names, count), concurrency, budget
    )
    bare_cpu = (family_cpu_seconds(bare.pid) or 0) - (bare_cpu or 0)
    bare_fig = _figures(bare_answers, bare_wall)
    bare_errors = sum(a.status != 200 for a in bare_answers) + (count - len(bare_answers))

    measure.warm_up(server, ACK_TEAM, ctx.standin, 20)
    reset = reset_family_peaks(server.pid)
    ctx.log(f"{db.kind}: {count} × /partner log, {concurrency} at a time …")
    server_cpu = family_cpu_seconds(server.pid)
    answers, wall = run_load(server, requests_for(ctx, server.secret, names, count), concurrency, budget)
    server_cpu = (family_cpu_seconds(server.pid) or 0) - (server_cpu or 0)
    fig = _figures(answers, wall)
    failed = [a for a in answers if not _is_logged(a)]
    errors = len(failed) + (count - len(answers))
    example = ""
    if failed:
        bad = failed[0]
        example = f"; first error: HTTP {bad.status} {bad.error or bad.text[:200]}"

    where = db.kind
    bare_note = (
        f"floor: the bare-ack app, same {count} requests, {concurrency} at a time ({bare_errors} errors)"
    )
    ctx.add(
        Row(
            "ack under load: p50",
            where,
            fig["median"],
            "s",
            bare_fig["median"],
            time_ratio(fig["median"], bare_fig["median"]),
            "",
            "—",
            note=f"{len(answers)} of {count} requests answered in {wall:.1f} s; " + bare_note,
            details={"figures": fig, "bare": bare_fig, "times": [a.elapsed for a in answers]},
        )
    )
    p99_ratio = time_ratio(fig["p99"], bare_fig["p99"])
    p99_row = ctx.add(
        Row(
            "ack under load: p99",
            where,
            fig["p99"],
            "s",
            bare_fig["p99"],
            p99_ratio,
            f"≤ {P99_GOAL}× floor",
            verdict(p99_ratio is not None and p99_ratio <= P99_GOAL),
        )
    )
    ctx.add(
        Row(
            "ack under load: max",
            where,
            fig["max"],
            "s",
            bare_fig["max"],
            time_ratio(fig["max"], bare_fig["max"]),
            "< 3 s",
            verdict(fig["max"] < SLACK_LIMIT),
        )
    )
    ctx.add(
        Row(
            "ack under load: throughput",
            where,
            fig["rps"],
            "req/s",
            bare_fig["rps"],
            time_ratio(bare_fig["rps"], fig["rps"]),
            "",
            "—",
            note=(
                f"ratio: how many times the bare app's rate; server CPU per request "
                f"{server_cpu / max(len(answers), 1) * 1000:.1f} ms (bare app "
                f"{bare_cpu / max(len(bare_answers), 1) * 1000:.1f} ms), from /proc/<pid>/stat"
            ),
            details={"server_cpu_s": server_cpu, "bare_cpu_s": bare_cpu},
        )
    )
    ctx.add(
        Row(
            "ack under load: errors",
            where,
            errors,
            "count",
            bare_errors,
            None,
            "0",
            verdict(errors == 0),
            note=f"non-200 or no “Logged …” confirmation in the ack{example}",
        )
    )
    ctx.add(
        Row(
            "ack under load: over 3 s",
            where,
            fig["over_3s"],
            "count",
            bare_fig["over_3s"],
            None,
            "0",
            verdict(fig["over_3s"] == 0),
        )
    )
    rss_row(ctx, db, "ack under load", server, idle, reset)
    _workers_rss_row(ctx, db, server)
    commit = databases.commit_floor(db, threads=concurrency, transactions=count)
    ctx.add(
        Row(
            "ack under load: p99 vs database",
            where,
            fig["p99"],
            "s",
            commit["p99"],
            time_ratio(fig["p99"], commit["p99"]),
            "",
            "—",
            note=(
                f"second floor: the database alone, {concurrency} threads sharing {commit['n']} one-row "
                f"insert+commit transactions through the driver (p50 {commit['median'] * 1000:.1f} ms, "
                f"p99 {commit['p99'] * 1000:.1f} ms, max {commit['max'] * 1000:.0f} ms, "
                f"{commit['rate']:,.0f} tx/s)"
            ),
            details={"commit_floor": commit},
        )
    )

    # kill -9 right after the last ack: whatever was acknowledged must be on disk already.
    server.kill_hard()
    try:
        export = run_cli(db.url, "export", "interactions", "--team", ACK_TEAM, timeout=120)
        stored = sum(1 for _ in csv.DictReader(io.StringIO(export.stdout, newline="")))
        ctx.add(
            Row(
                "ack under load: stored",
                where,
                stored,
                "count",
                None,
                None,
                f"= {count}",
                verdict(stored == count),
                note="interactions of the load workspace, counted in `partnerbot export` after the server "
                "and its workers were killed with SIGKILL right after the last ack",
            )
        )
        acknowledged = len(answers) - len(failed)
        lost = max(0, acknowledged - stored)
        ctx.add(
            Row(
                "ack under load: lost after kill -9",
                where,
                lost,
                "count",
                None,
                None,
                "0",
                verdict(lost == 0),
                note=f"“Logged …” acks ({acknowledged}) not found in the database after SIGKILL",
            )
        )
    except BenchError as exc:
        ctx.add(
            Row(
                "ack under load: stored", where, None, "count", None, None, f"= {count}", ERROR, note=str(exc)
            )
        )
    server.start()  # again, for the profile below and the clean stop on SIGTERM at the end
    audit_cost(ctx, db, server, names, count, concurrency, budget)
    if ctx.auto_profile and p99_ratio is not None and p99_ratio > P99_GOAL:
        p99_row.note = profile_ack(ctx, db, server, names, count, concurrency)


def _workers_rss_row(ctx: Context, db: BenchDatabase, server: Server) -> None:
    """With ``--workers N``: the memory of all processes together. Peak RSS counts the pages the
    workers share with the parent since the fork once per process, so the row gives their
    proportional share (PSS, each shared page split between its sharers) after the load, and the
    peaks in the note."""
    peaks = family_peaks(server.pid)
    if len(peaks) < 2:
        return
    pss = family_pss(server.pid)
    largest = max(v for k, v in peaks.items() if k != server.pid)
    ctx.add(
        Row(
            "server memory (PSS), all processes: ack under load",
            db.kind,
            pss,
            "MB",
            None,
            None,
            "< 300 MB",
            verdict(None if pss is None else pss < 300 * 1024 * 1024),
            note=f"parent + {len(peaks) - 1} workers after the load; peak RSS: largest worker "
            f"{largest / 1024 / 1024:.0f} MB, parent {peaks[server.pid] / 1024 / 1024:.0f} MB, "
            f"sum {sum(peaks.values()) / 1024 / 1024:.0f} MB (shared pages counted in each)",
        )
    )


def profile_ack(
    ctx: Context, db: BenchDatabase, server: Server, names: list[str], count: int, concurrency: int
) -> str:
    """The same load once more (after the count check) under py-spy, waiting threads included, so
    the profile shows where request threads spend wall time, not only CPU."""
    output = ctx.work_dir / "profiles" / f"ack-{db.kind}.txt"
    ctx.log(f"{db.kind}: ack p99 misses its goal: the same load again under py-spy (--idle) …")
    profiler = Profiler(server.pid, output, idle=True).start()
    if profiler.error:
        return f"py-spy failed: {profiler.error}"
    try:
        answers, _ = run_load(server, requests_for(ctx, server.secret, names, count), concurrency, 120)
    finally:
        written = profiler.stop()
    if written is None:
        return "py-spy wrote no profile"
    again = summary([a.elapsed for a in answers])
    lines = [
        f"profiled rerun: p50 {again['median'] * 1000:.0f} ms, p99 {again['p99'] * 1000:.0f} ms "
        "(py-spy slows the process down)",
        *summarise_profile(written, within="on_partner_command"),
    ]
    path = output.with_suffix(".summary.txt")
    path.write_text("\n".join(lines) + "\n")
    return f"wall-time profile of a rerun (request threads, waits included): {ctx.relative(path)}"


AUDIT_GOAL = 1.10  # the audit trail may cost at most 10% on the acknowledgement's p99


def audit_cost(
    ctx: Context,
    db: BenchDatabase,
    server: Server,
    names: list[str],
    count: int,
    concurrency: int,
    budget: float,
) -> None:
    """The same load again on the server, then on a second server with the audit trail switched
    off (bench/no_audit.py) over the same database, one after the other so both meet the same
    machine: the p99 with the trail against the p99 without."""
    plain = partnerbot_server(
        db.url, ctx.standin.api_url, ctx.secret, ctx.work_dir / f"server-no-audit-{db.kind}.log", audit=False
    ).start()
    try:
        ctx.log(f"{db.kind}: {count} × /partner log with the audit trail, then without …")
        # Both warmed alike: the server with the trail was just restarted after the kill -9 check.
        measure.warm_up(server, ACK_TEAM, ctx.standin, 20)
        measure.warm_up(plain, ACK_TEAM, ctx.standin, 20)
        with_audit, _ = run_load(server, requests_for(ctx, server.secret, names, count), concurrency, budget)
        without, _ = run_load(plain, requests_for(ctx, plain.secret, names, count), concurrency, budget)
    finally:
        plain.stop()
    audited, bare = summary([a.elapsed for a in with_audit]), summary([a.elapsed for a in without])
    ratio = time_ratio(audited["p99"], bare["p99"])
    ctx.add(
        Row(
            "ack p99 with audit vs without",
            db.kind,
            audited["p99"],
            "s",
            bare["p99"],
            ratio,
            f"≤ {AUDIT_GOAL}× without",
            verdict(ratio is not None and ratio <= AUDIT_GOAL),
            note=(
                f"{len(with_audit)} and {len(without)} requests, {concurrency} at a time; p50 "
                f"{audited['median'] * 1000:.1f} ms with, {bare['median'] * 1000:.1f} ms without; floor: "
                "the same server with the audit trail switched off (bench/no_audit.py)"
            ),
            details={"with": audited, "without": bare},
        )
    )
