"""``python -m bench``: the whole suite, or parts of it, on SQLite and/or PostgreSQL.

    python -m bench                      # default sizes (10k partners, 1M interactions, 100k feedback,
                                         # 20k joint projects and 20k resources)
    python -m bench --quick              # 10× smaller, about a minute per database
    python -m bench --full               # default plus growth at 100k / 1M / 3M interactions
    python -m bench --only top show --databases sqlite

Prints a table (each figure next to a floor measured in the same run) and writes
``.bench/results.json``. docs/performance.md explains every figure and floor.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sqlite3
import time
import traceback
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path

from bench import databases, engine, growth, imports, load, measure, options, ranking
from bench.context import BENCH_TEAM, DEFAULT, FULL, QUICK, Context, start_standin
from bench.databases import DEFAULT_POSTGRES_URL
from bench.generate import ROOT, dataset
from bench.proc import BenchError, bare_server, partnerbot_server, proc_status
from bench.report import ERROR, NA, Row, table, write_json

BENCHMARKS = ("import", "top", "show", "options", "ack", "engine", "growth")
DEFAULT_SELECTION = ("import", "top", "show", "options", "ack", "engine")
BENCH_DIR = ROOT / ".bench"


APP_SOURCES = ("bot", "handlers", "storage", "scoring")


def app_fingerprint() -> dict[str, float]:
    """Modification time of every app source file, to notice code changing during a run."""
    return {
        str(path.relative_to(ROOT)): path.stat().st_mtime
        for folder in APP_SOURCES
        for path in sorted((ROOT / folder).rglob("*.py"))
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="10× smaller workspace (1k / 100k / 10k)")
    size.add_argument(
        "--full", action="store_true", help="also the growth benchmark (100k / 1M / 3M interactions)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=BENCHMARKS,
        metavar="NAME",
        help=f"run only these: {', '.join(BENCHMARKS)} (growth: 10k/100k/300k with --quick, else 100k/1M/3M)",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql (default both)"
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="PostgreSQL server (loopback only); the suite creates and drops its own databases",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="serve the app (and the bare-ack app) from this many processes (serve --workers; default 1)",
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of the generated workspace (default 42)")
    parser.add_argument("--top-runs", type=int, help="timed /partner top runs (default 10, --quick 5)")
    parser.add_argument(
        "--projects",
        type=int,
        help="joint projects (and as many resources) in the workspace (default 20,000, --quick 2,000; "
        "0 for none, to compare)",
    )
    parser.add_argument(
        "--partners",
        type=int,
        help="partners in the workspace (default 10,000, --quick 1,000); e.g. 100000 for a large "
        "partner programme over the same interactions",
    )
    parser.add_argument(
        "--max-minutes", type=float, help="time budget; later steps are skipped (default 45, --full 150)"
    )
    parser.add_argument(
        "--no-profile",
        action="store_true",
        help="do not profile /partner top with py-spy when it misses its goal",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases (prints where) for a closer look"
    )
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results.json", help="JSON results file")
    args = parser.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    for name in args.databases:
        if name not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {name!r}: use sqlite, postgresql")
    return args


def _names_of(path: Path) -> list[str]:
    import pandas as pd

    return pd.read_csv(path, usecols=["name"], dtype=str, keep_default_na=False)["name"].tolist()


def run_database(ctx: Context, kind: str) -> None:
    """Everything but growth on one database: load (and the import benchmark), then the request
    benchmarks against one ``partnerbot serve`` process and one bare-ack app."""
    wants_server = ctx.wants("top", "show", "options", "ack")
    if not (ctx.wants("import", "engine") or wants_server):
        return
    data = dataset(ctx.profile.sizes, seed=ctx.seed, log=ctx.log)
    db = databases.create(kind, ctx.work_dir, ctx.postgres_url, label="main")
    ctx.log(f"{kind}: database {db.url}")
    server = bare = None
    try:
        imports.load(ctx, db, data, report=ctx.wants("import"))
        databases.settle(db)
        if ctx.wants("engine"):
            ctx.log(f"{kind}: ranking engine in-process …")
            engine.bench_engine(ctx, db)
        if not wants_server:
            return
        server = partnerbot_server(
            db.url, ctx.standin.api_url, ctx.secret, ctx.work_dir / f"server-{kind}.log", workers=ctx.workers
        ).start()
        bare = bare_server(
            ctx.standin.api_url, ctx.secret, ctx.work_dir / f"bare-{kind}.log", workers=ctx.workers
        ).start()
        measure.warm_up(server, BENCH_TEAM, ctx.standin)
        measure.warm_up(bare, BENCH_TEAM, ctx.standin)
        idle = proc_status(server.pid).get("VmRSS")
        active = data.active_names()
        steps = (
            # the first question after a start, then show (its first call as the first show)
            ("top", lambda: ranking.bench_first_top(ctx, db, server, active)),
            ("show", lambda: ranking.bench_show(ctx, db, server, bare, data.meta["show_targets"], idle)),
            ("top", lambda: ranking.bench_top(ctx, db, server, active, idle)),
            ("options", lambda: options.bench_options(ctx, db, server, bare, active, idle)),
            ("ack", lambda: load.bench_ack(ctx, db, server, bare, _names_of(data.ack_partners_csv), idle)),
        )
        for name, step in steps:
            if not ctx.wants(name):
                continue
            if ctx.left() <= 0:
                ctx.add(Row(name, kind, None, "s", verdict=NA, note="skipped: time budget"))
                continue
            if not server.alive():
                ctx.add(Row(name, kind, None, "s", verdict=ERROR, note=f"server died: {server.log_tail()}"))
                continue
            try:
                result = step()
                if name == "top" and result is not None and result.sample is not None:
                    ranking.write_sample(ctx, db, result.sample)
            except BenchError as exc:
                ctx.add(Row(name, kind, None, "s", verdict=ERROR, note=str(exc)[:300]))
    finally:
        for proc in (server, bare):
            if proc is not None:
                code = proc.stop()
                if code != 0:  # partnerbot serve promises a clean exit on SIGTERM
                    ctx.log(f"{kind}: {proc.name} stopped with {code} (log: {proc.log_path})")
                    ctx.add(
                        Row(
                            f"{proc.name} exit on SIGTERM",
                            kind,
                            code,
                            "count",
                            None,
                            None,
                            "0",
                            ERROR,
                            note=f"None: killed after 20 s; log {ctx.relative(proc.log_path)}",
                        )
                    )
        if ctx.keep:
            ctx.log(f"{kind}: kept {db.url}")
            db.dispose()
        else:
            db.drop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    profile = QUICK if args.quick else FULL if args.full else DEFAULT
    if args.top_runs:
        profile = profile.__class__(**{**profile.__dict__, "top_runs": max(1, args.top_runs)})
    if args.projects is not None:
        sizes = replace(profile.sizes, projects=max(0, args.projects))
        profile = profile.__class__(**{**profile.__dict__, "sizes": sizes})
    if args.partners is not None:
        sizes = replace(profile.sizes, partners=max(10, args.partners))
        profile = profile.__class__(**{**profile.__dict__, "sizes": sizes})
    selected = set(args.only or DEFAULT_SELECTION)
    if args.full and not args.only:
        selected.add("growth")
    budget = args.max_minutes or (150.0 if args.full else 45.0)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work_dir = BENCH_DIR / "runs" / run_id
    work_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    load_before = os.getloadavg()
    sources_before = app_fingerprint()
    standin = start_standin()
    atexit.register(standin.stop)
    ctx = Context(
        profile=profile,
        selected=selected,
        work_dir=work_dir,
        postgres_url=args.postgres_url,
        seed=args.seed,
        keep=args.keep,
        auto_profile=not args.no_profile,
        workers=max(1, args.workers),
        deadline=started + budget * 60,
        standin=standin,
    )
    ctx.log(
        f"bench {profile.name}: {', '.join(sorted(selected))} on {', '.join(args.databases)}; "
        f"work dir {work_dir}"
    )
    versions: dict[str, str] = {"sqlite": f"SQLite {sqlite3.sqlite_version}"}
    try:
        for kind in args.databases:
            if kind == "postgresql":
                try:
                    probe = databases.create("postgresql", work_dir, args.postgres_url, label="probe")
                    versions["postgresql"] = f"PostgreSQL {probe.server_version()}"
                    probe.drop()
                except BenchError as exc:
                    ctx.add(Row("PostgreSQL", kind, None, "s", verdict=NA, note=str(exc)))
                    continue
            try:
                run_database(ctx, kind)
            except BenchError as exc:
                ctx.add(Row(f"suite on {kind}", kind, None, "s", verdict=ERROR, note=str(exc)[:400]))
            except Exception as exc:  # keep going with the next database, but show what broke
                traceback.print_exc()
                ctx.add(
                    Row(
                        f"suite on {kind}",
                        kind,
                        None,
                        "s",
                        verdict=ERROR,
                        note=f"{type(exc).__name__}: {exc}"[:400],
                    )
                )
            if "growth" in selected:
                try:
                    growth.bench_growth(ctx, kind)
                except BenchError as exc:
                    ctx.add(Row("growth", kind, None, "s", verdict=ERROR, note=str(exc)[:400]))
    except KeyboardInterrupt:
        ctx.log("interrupted: writing what was measured so far")
    finally:
        standin.stop()
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()
    sources_after = app_fingerprint()
    changed = sorted(
        name
        for name in set(sources_before) | set(sources_after)
        if sources_before.get(name) != sources_after.get(name)
    )
    print()
    print(table(ctx.rows))
    print(
        f"\n{profile.name} run, {elapsed / 60:.1f} min; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after ({os.cpu_count()} CPUs): other work on the machine shifts absolute "
        f"times; results → {args.output}"
    )
    write_json(
        args.output,
        ctx.rows,
        {
            "run_id": run_id,
            "mode": profile.name,
            "profile": {
                k: (asdict(v) if hasattr(v, "__dataclass_fields__") else v)
                for k, v in profile.__dict__.items()
            },
            "selected": sorted(selected),
            "databases": args.databases,
            "versions": versions,
            "seconds": round(elapsed, 1),
            "load_average": {"before": load_before, "after": load_after},
            "app_sources_changed_during_run": changed,
            "log": ctx.events,
        },
    )
    shutil.copy(args.output, work_dir / "results.json")
    if not args.keep:
        for leftover in work_dir.glob("sqlite-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    return 1 if any(r.verdict == ERROR for r in ctx.rows) else 0
