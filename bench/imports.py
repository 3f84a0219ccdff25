"""Loading the generated workspace through the CLI (``partnerbot import …``), and issue 6's import
throughput benchmark: rows/s per file next to the database's own bulk-insert speed."""

from __future__ import annotations

import re

from bench import databases
from bench.context import ACK_TEAM, BENCH_TEAM, Context
from bench.databases import BenchDatabase
from bench.generate import Dataset
from bench.proc import BenchError, run_cli
from bench.report import ERROR, Row, verdict

SQLITE_GOAL = 50_000  # interactions/s, issue 6


def _timeout(rows: int) -> float:
    return 120 + rows / 4_000


def load(ctx: Context, db: BenchDatabase, data: Dataset, *, report: bool) -> dict[str, float]:
    """Import partners, interactions, feedback, projects and resources into BENCH_TEAM and the
    load benchmark's partners into ACK_TEAM, each with ``partnerbot import`` in its own process.
    Returns seconds per file."""
    run_cli(db.url, "migrate", timeout=120)  # creates the schema
    # What every command pays before its first row: interpreter start-up, imports, connecting and
    # "schema is up to date" (a no-op migrate, median of 3).
    startup = sorted(run_cli(db.url, "migrate", timeout=120).seconds for _ in range(3))[1]
    seconds: dict[str, float] = {"startup": startup}
    sizes = data.sizes
    files = (
        ("partners", data.partners_csv, sizes.partners),
        ("interactions", data.interactions_csv, sizes.interactions),
        ("feedback", data.feedback_csv, sizes.feedback),
    ) + (
        (("projects", data.projects_csv, sizes.projects), ("resources", data.resources_csv, sizes.projects))
        if sizes.projects
        else ()
    )
    for table, path, rows in files:
        ctx.log(f"{db.kind}: partnerbot import {table} {path.name} ({rows:,} rows) …")
        try:
            run = run_cli(db.url, "import", table, str(path), "--team", BENCH_TEAM, timeout=_timeout(rows))
        except BenchError as exc:
            if report:
                ctx.add(Row(f"import {table}", db.kind, None, "rows/s", verdict=ERROR, note=str(exc)[:300]))
            raise
        imported = re.search(r"imported (\d+)", run.stderr)
        if not imported or int(imported.group(1)) != rows:
            raise BenchError(
                f"import {table} reported {imported.group(0) if imported else run.stderr[-200:]!r}, "
                f"expected {rows:,} rows"
            )
        seconds[table] = run.seconds
        rate = rows / run.seconds
        ctx.log(
            f"{db.kind}: {table}: {run.seconds:.1f} s, {rate:,.0f} rows/s, "
            f"peak RSS {run.max_rss / 1e6:.0f} MB"
        )
        if not report:
            continue
        floor = databases.bulk_insert_floor(db, rows)
        net = rows / max(run.seconds - startup, 1e-9)
        goal, passed = "", None
        if table == "interactions" and db.kind == "sqlite":
            goal, passed = f"≥ {SQLITE_GOAL:,} rows/s", rate >= SQLITE_GOAL
        elif table == "interactions" and db.kind == "postgresql":
            sqlite_rows = [
                r
                for r in ctx.rows
                if r.benchmark == "import interactions" and r.database == "sqlite" and r.figure
            ]
            if sqlite_rows:
                goal, passed = f"> SQLite ({sqlite_rows[0].figure:,.0f})", rate > sqlite_rows[0].figure
            else:
                goal, passed = f"≥ {SQLITE_GOAL:,} rows/s", rate >= SQLITE_GOAL
        ctx.add(
            Row(
                f"import {table}",
                db.kind,
                rate,
                "rows/s",
                floor["rate"],
                floor["rate"] / rate,
                goal,
                verdict(passed),
                note=(
                    f"{rows:,} rows in {run.seconds:.1f} s for the whole command (start-up {startup:.2f} s; "
                    f"{net:,.0f} rows/s without it), import peak RSS {run.max_rss / 1e6:.0f} MB; "
                    f"floor: {rows:,} (int, text) rows by {floor['method']} in {floor['seconds']:.2f} s"
                ),
                details={
                    "rows": rows,
                    "seconds": run.seconds,
                    "startup_seconds": startup,
                    "net_rate": net,
                    "import_max_rss": run.max_rss,
                    "floor": floor,
                },
            )
        )
    run_cli(db.url, "import", "partners", str(data.ack_partners_csv), "--team", ACK_TEAM, timeout=120)
    return seconds
