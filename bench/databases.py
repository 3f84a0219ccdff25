"""The benchmark's own databases (a SQLite file, or a uniquely named PostgreSQL database that is
dropped afterwards) and the floors measured directly against them."""

from __future__ import annotations

import secrets
import shutil
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from bench.proc import BenchError

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Databases that hold someone else's data: never used for ours.
RESERVED = {"test", "postgres", "root", "template0", "template1"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
GROUP_BY = "SELECT partner_id, count(*) FROM interaction WHERE team_id = :t GROUP BY partner_id"


@dataclass
class BenchDatabase:
    kind: str  # "sqlite" or "postgresql"
    url: str
    label: str
    path: Path | None = None  # SQLite file
    _admin: Engine | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(self.url, poolclass=NullPool)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def drop(self) -> None:
        self.dispose()
        if self.kind == "sqlite" and self.path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            shutil.rmtree(self.path.parent, ignore_errors=True)
        elif self.kind == "postgresql" and self._admin is not None:
            name = make_url(self.url).database
            assert name and name not in RESERVED and name.startswith("partnerbot_bench_")
            with self._admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self._admin.dispose()

    def server_version(self) -> str:
        if self.kind == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        with self.engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())


def check_loopback(url: str) -> None:
    host = make_url(url).host or ""
    if host not in LOOPBACK:
        raise BenchError(f"benchmarks run against loopback only; {host!r} is not")


def create(
    kind: str, work_dir: Path, postgres_url: str = DEFAULT_POSTGRES_URL, label: str = ""
) -> BenchDatabase:
    """A fresh, empty database of ``kind``."""
    tag = secrets.token_hex(4)
    if kind == "sqlite":
        directory = work_dir / f"sqlite-{label or 'db'}-{tag}"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "partnerbot.db"
        return BenchDatabase("sqlite", f"sqlite:///{path}", label, path=path)
    if kind == "postgresql":
        check_loopback(postgres_url)
        server = make_url(postgres_url)
        admin = create_engine(
            server, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 5}
        )
        name = f"partnerbot_bench_{label or 'db'}_{tag}".lower()
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:
            admin.dispose()
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise BenchError(
                f"cannot create a PostgreSQL database at {server.render_as_string()}: {reason}"
            ) from None
        url = server.set(database=name).render_as_string(hide_password=False)
        return BenchDatabase("postgresql", url, label, _admin=admin)
    raise BenchError(f"unknown database kind {kind!r}")


# --- floors --------------------------------------------------------------------------------------


def group_by_floor(db: BenchDatabase, team: str, *, runs: int = 7) -> dict[str, float]:
    """``SELECT partner_id, count(*) … GROUP BY partner_id`` for the team: one warm-up, then
    ``runs`` timed executions (execute + fetch all rows), on one connection."""
    times: list[float] = []
    rows = 0
    with db.engine.connect() as conn:
        conn.execute(text(GROUP_BY), {"t": team}).fetchall()  # warm-up: caches, plan
        for _ in range(runs):
            started = time.perf_counter()
            rows = len(conn.execute(text(GROUP_BY), {"t": team}).fetchall())
            times.append(time.perf_counter() - started)
        conn.rollback()
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "rows": rows,
        "runs": runs,
    }


def bulk_insert_floor(db: BenchDatabase, rows: int) -> dict[str, float]:
    """The database's own speed for a trivial bulk insert of ``rows`` narrow rows (int, text) into a
    scratch table of the same database, committed: SQLite executemany with the app's journal
    settings (WAL, synchronous=FULL); PostgreSQL one COPY (what the app's import uses there).
    The rows are built before the clock starts; the table is dropped afterwards."""
    table = f"bench_floor_{secrets.token_hex(4)}"
    data = [(i, f"row {i} of the floor") for i in range(rows)]
    if db.kind == "sqlite":
        assert db.path is not None
        conn = sqlite3.connect(db.path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"CREATE TABLE {table} (id INTEGER, t TEXT)")
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(f"INSERT INTO {table} (id, t) VALUES (?, ?)", data)
            conn.execute("COMMIT")
            seconds = time.perf_counter() - started
            conn.execute(f"DROP TABLE {table}")
        finally:
            conn.close()
        method = "sqlite3 executemany, one transaction"
    else:
        import psycopg

        dsn = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(dsn) as conn:
            conn.execute(f"CREATE TABLE {table} (id bigint, t text)")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cursor, cursor.copy(f"COPY {table} (id, t) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
            conn.commit()
            seconds = time.perf_counter() - started
            conn.execute(f"DROP TABLE {table}")
            conn.commit()
        method = "psycopg COPY (write_row), one transaction"
    return {
        "rows": rows,
        "seconds": seconds,
        "rate": rows / seconds if seconds else float("inf"),
        "method": method,
    }


def count_team_rows(db: BenchDatabase, table: str, team: str) -> int:
    with db.engine.connect() as conn:
        return int(
            conn.execute(text(f"SELECT count(*) FROM {table} WHERE team_id = :t"), {"t": team}).scalar() or 0
        )


def settle(db: BenchDatabase) -> None:
    """After the bulk load, before any timing: PostgreSQL gets ``VACUUM ANALYZE`` (the state
    autovacuum reaches on its own a minute later: planner statistics, visibility map); SQLite gets a
    WAL checkpoint. SQLite is deliberately not ANALYZEd: the app never does that."""
    if db.kind == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        assert db.path is not None
        conn = sqlite3.connect(db.path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()


def commit_floor(db: BenchDatabase, *, threads: int = 16, transactions: int = 400) -> dict[str, float]:
    """The database's own latency for small durable writes under the same concurrency as the load
    benchmark: ``threads`` threads share ``transactions`` transactions, each inserting one row into
    a scratch table and committing, straight through the driver. SQLite uses the app's settings
    (WAL, synchronous=FULL, busy_timeout 10 s, BEGIN IMMEDIATE); PostgreSQL its defaults. Returns
    the latency summary of one transaction (begin to commit)."""
    import threading

    import numpy as np

    table = f"bench_commit_{secrets.token_hex(4)}"
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = {"n": transactions}
    deadline = time.monotonic() + 120

    def take() -> bool:
        with lock:
            if remaining["n"] <= 0 or time.monotonic() > deadline:
                return False
            remaining["n"] -= 1
            return True

    if db.kind == "sqlite":
        assert db.path is not None

        def connect():
            conn = sqlite3.connect(db.path, isolation_level=None, timeout=10, check_same_thread=False)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=10000")
            return conn

        def one(conn, i: int) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(f"INSERT INTO {table} (id, t) VALUES (?, ?)", (i, "a short note of the floor"))
            conn.execute("COMMIT")

        setup = connect()
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute(f"CREATE TABLE {table} (id INTEGER, t TEXT)")
        drop = lambda: setup.execute(f"DROP TABLE {table}")  # noqa: E731
        close = setup.close
    else:
        import psycopg

        dsn = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)

        def connect():
            return psycopg.connect(dsn)

        def one(conn, i: int) -> None:
            conn.execute(f"INSERT INTO {table} (id, t) VALUES (%s, %s)", (i, "a short note of the floor"))
            conn.commit()

        setup = psycopg.connect(dsn, autocommit=True)
        setup.execute(f"CREATE TABLE {table} (id bigint, t text)")
        drop = lambda: setup.execute(f"DROP TABLE {table}")  # noqa: E731
        close = setup.close

    def worker(n: int) -> None:
        conn = connect()
        try:
            while take():
                started = time.perf_counter()
                one(conn, n)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
        finally:
            conn.close()

    try:
        pool = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
        started = time.perf_counter()
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(130)
        wall = time.perf_counter() - started
        drop()
    finally:
        close()
    values = np.asarray(latencies)
    return {
        "n": len(latencies),
        "median": float(np.percentile(values, 50)),
        "p99": float(np.percentile(values, 99)),
        "max": float(values.max()),
        "rate": len(latencies) / wall,
    }
