"""Score history's backfill at scale: ``python -m bench.history [--partners N --interactions N
--feedback N --projects N] [--only sqlite|postgresql]``.

Imports a generated workspace (``bench.generate``: two years of data, by default 10,000 partners,
1,000,000 interactions, 100,000 feedback answers, 20,000 projects) into a fresh SQLite file and a
fresh PostgreSQL database, then times the first snapshot, which backfills every kept day (daily for
26 weeks, Mondays before, two years), next to one ``compute_ranking`` (the floor: one day's work
done the plain way) and the day after's ordinary snapshot.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.generate import Sizes, dataset
from handlers.services.history import ScoreHistory, midnight
from handlers.services.rankings import compute_ranking
from storage.db import Database
from storage.migrate import upgrade
from storage.transfer import import_csv

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TEAM = "TBENCHHISTORY"


def run(database: Database, directory: Path, label: str) -> None:
    upgrade(database)
    started = time.perf_counter()
    for kind in ("partners", "interactions", "feedback", "projects"):
        path = directory / f"{kind}.csv"
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as source:
                import_csv(database, kind, source, team_id=TEAM, actor="bench")
    print(f"[{label}] imported in {time.perf_counter() - started:.1f} s", flush=True)
    today = datetime.now(UTC).date()
    started = time.perf_counter()
    compute_ranking(database, TEAM, now=midnight(today), with_changes=False)
    floor = time.perf_counter() - started
    history = ScoreHistory(database, lambda: datetime.now(UTC), team_ids=[TEAM])
    outcome = history.ensure(TEAM)
    print(
        f"[{label}] backfill: {outcome.days} days, {outcome.rows:,} rows in {outcome.seconds:.1f} s "
        f"({outcome.rows / max(outcome.seconds, 1e-9):,.0f} rows/s); one compute_ranking {floor:.2f} s, "
        f"so {outcome.days} of them would take ~{floor * outcome.days:.0f} s; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
        flush=True,
    )
    tomorrow = today + timedelta(days=1)
    daily = ScoreHistory(database, lambda: midnight(tomorrow) + timedelta(minutes=1), team_ids=[TEAM])
    outcome = daily.ensure(TEAM)
    print(f"[{label}] next day's snapshot: {outcome.what}, {outcome.rows:,} rows in {outcome.seconds:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args(argv)
    data = dataset(Sizes(args.partners, args.interactions, args.feedback, args.projects))
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            database = Database(f"sqlite:///{tmp}/history.db")
            try:
                run(database, data.directory, "sqlite")
            finally:
                database.dispose()
    if args.only != "sqlite":
        server = create_engine(POSTGRES, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        name = f"partnerbot_bench_history_{uuid.uuid4().hex[:8]}"
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        database = Database(make_url(POSTGRES).set(database=name).render_as_string(hide_password=False))
        try:
            run(database, data.directory, "postgresql")
        finally:
            database.dispose()
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
