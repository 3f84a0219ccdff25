"""The database handle: engine set-up for SQLite and PostgreSQL, and the transaction scope.

A unit of work is one short transaction: ``with db.transaction() as session`` commits on
success, rolls back on any error and always closes, so nothing is left half-written.

``db.grouped(work)`` runs a small write the person is waiting for (a logged communication) in a
transaction shared with the other requests queued at that moment (storage.group_commit): one
commit — one fsync — saves them all, and each request returns only after it, so nothing
acknowledged is lost. The shared transaction is an ordinary ``transaction()``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from sqlalchemy.orm import Session, sessionmaker

from storage import audit, versions
from storage.group_commit import GroupCommit

_WRITE_OPTION = "partnerbot_write"
# PostgreSQL: a pooled connection older than this is replaced (instead of pinging every checkout).
RECYCLE_SECONDS = 600
T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database could not be reached or opened; the message says what to check."""


def _configure_sqlite(engine: Engine, *, busy_milliseconds: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling defers it badly).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a commit is on disk before we tell anyone it is saved (the kill -9 promise).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={busy_milliseconds}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        # A write transaction takes the write lock up front, so two writers queue on busy_timeout
        # instead of one failing with "database is locked" when it upgrades from a read.
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """An engine plus the two kinds of transaction the app uses: read-only and read-write."""

    # Only the benchmark's "without audit" server turns this off (bench/no_audit.py), to measure
    # what the audit trail costs; no setting reaches it.
    audit: bool = True

    def __init__(self, url: str, *, lock_timeout: float = 30.0, echo: bool = False) -> None:
        """``lock_timeout``: seconds a statement may wait for another transaction's lock before it
        fails. The server uses a short one so that a request never outlives Slack's 3 seconds
        (the person gets an apology instead, and nothing is written); the CLI can wait longer."""
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise DatabaseUnavailable(f"DATABASE_URL is not a database URL: {url!r}") from None
        self.url = parsed
        self.lock_timeout = lock_timeout
        kwargs: dict[str, Any] = {"echo": echo}
        if parsed.get_backend_name() == "sqlite":
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": lock_timeout}
        else:
            milliseconds = int(lock_timeout * 1000)
            kwargs.update(
                # No ping before every checkout (a round trip per request): a connection the server
                # dropped fails one statement, SQLAlchemy then discards every older pooled
                # connection, and that request's person gets the database apology.
                pool_pre_ping=False,
                pool_recycle=RECYCLE_SECONDS,
                pool_size=10,
                max_overflow=10,
                connect_args={"connect_timeout": 5, "options": f"-c lock_timeout={milliseconds}"},
            )
        try:
            self.engine = create_engine(parsed, **kwargs)
        except Exception as exc:  # missing driver, bad options
            raise DatabaseUnavailable(f"cannot use DATABASE_URL {parsed.render_as_string()}: {exc}") from exc
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine, busy_milliseconds=int(lock_timeout * 1000))
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time, and its busy handler polls in sleeps of up to 100 ms;
        # queueing this process's writers on a lock hands the write lock over at once instead.
        self._writers = threading.RLock() if self.dialect == "sqlite" else None
        self._write = sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )
        versions.watch(self._write)
        audit.watch(self._write)
        # At most this many logs share a transaction: a failing group reruns them one by one.
        # At most this many works share a transaction: a failing group reruns them one by one.
        self._group: GroupCommit[tuple[str, Callable[[Session], Any]], Any] = GroupCommit(
            self.transaction, _run_each, max_batch=32
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def check(self) -> None:
        """Raise DatabaseUnavailable with a one-line reason when the database cannot be reached."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnavailable(
                f"cannot reach the database at {self.url.render_as_string()}: {reason} — check DATABASE_URL"
            ) from exc

    @contextmanager
    def transaction(self, actor: str | None = None) -> Iterator[Session]:
        """A read-write unit of work: commit on success, roll back on error, close always.

        ``actor`` is who makes the change, for the audit trail (``storage.audit``): a Slack user
        ID, ``cli:<login>``, ``scheduler``, ``workflow:<id>``. Every write path of the app names
        one (tests/storage/test_audit_actors.py checks); only tests' set-up leaves it out."""
        with self._write_turn(), self._write() as session:
            session.info[audit.ACTOR] = actor
            if not self.audit:
                audit.switch_off(session)
            with session.begin():
                yield session

    def grouped(self, work: Callable[[Session], T], *, actor: str) -> T:
        """Run ``work(session)`` in a write transaction, possibly shared with other requests' work,
        and return its result once that transaction has committed. ``work`` may run twice (alone,
        after a shared attempt failed), so it must only read and write through ``session``; it
        must not open another transaction. ``actor``: who makes the change (the audit trail)."""
        return self._group((actor, work))  # type: ignore[no-any-return]

    def waiting_writes(self) -> int:
        """How many grouped works wait for the next group (they are not yet committed)."""
        return self._group.waiting()

    @contextmanager
    def _write_turn(self) -> Iterator[None]:
        """SQLite: wait (at most the lock timeout) for this process's other writers to finish."""
        if self._writers is None:
            yield
            return
        if not self._writers.acquire(timeout=self.lock_timeout):
            raise SQLAlchemyTimeout("the database is busy with other writes; try again")
        try:
            yield
        finally:
            self._writers.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (never takes SQLite's write lock)."""
        with self._read() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def after_fork(self) -> None:
        """In a forked worker: leave the parent's pooled connections to the parent."""
        self.engine.dispose(close=False)


def _run_each(session: Session, works: list[tuple[str, Callable[[Session], Any]]]) -> list[Any]:
    """Run a group's works one after another in its transaction, each as its own actor and
    flushed before the next, so the flush hooks (data versions, the audit trail) see each work's
    changes apart and record each under the person who made them."""
    results = []
    for actor, work in works:
        session.info[audit.ACTOR] = actor
        results.append(work(session))
        session.flush()
    return results
