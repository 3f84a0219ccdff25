"""Group commit: the small writes people are waiting for, committed several at a time.

Each commit costs a disk flush (SQLite's WAL with ``synchronous=FULL``, PostgreSQL's WAL) and, on
PostgreSQL, round trips for BEGIN, the data-version bump and COMMIT. Under load, requests queue
their work here; one writer thread per process takes everything queued, runs it in one
transaction and commits once. Every request waits for that commit before it answers, so nothing
acknowledged is lost, and while one group commits the next one gathers.

When anything in a group fails (a person's typing mistake raising ``UserError``, a lost race on a
unique key), the group is rolled back and each work runs again alone, so one failure costs only
its own request — and a lost race, rerun after the winner committed, finds the winner's record.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
T = TypeVar("T")
# At most this many works share a transaction: a failing group reruns them one by one.
MOST_PER_GROUP = 32


class _Work(Generic[T]):
    def __init__(self, work: Callable[[Session], T]) -> None:
        self.work = work
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    """A queue of write works and the one thread that commits them in groups."""

    def __init__(
        self, transaction: Callable[[], AbstractContextManager[Session]], *, wait_seconds: float
    ) -> None:
        """``transaction``: the database's own write transaction (``Database.transaction``), so
        every hook on it sees the grouped writes. ``wait_seconds``: how long a request waits for
        its group before it gives up with the "database is busy" error."""
        self._transaction = transaction
        self._wait_seconds = wait_seconds
        self._start_lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Work[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def run(self, work: Callable[[Session], T]) -> T:
        """Queue ``work``, wait for the commit of its group, return its result (or raise its error)."""
        item = _Work(work)
        self._writer().put(item)
        if not item.done.wait(self._wait_seconds):
            # It may still commit later; a Slack retry of the same request is deduplicated by its key.
            raise SQLAlchemyTimeout("the database is busy with other writes; try again")
        if item.error is not None:
            raise item.error
        return item.result  # type: ignore[no-any-return]

    def waiting(self) -> int:
        """How many works wait for the next group."""
        return self._writer().qsize()

    def stop(self) -> None:
        """Let the writer thread end once the works queued before this are done."""
        with self._start_lock:
            if self._thread is not None and self._pid == os.getpid():
                self._queue.put(None)
            self._thread = None

    def _writer(self) -> queue.SimpleQueue[_Work[Any] | None]:
        if self._pid != os.getpid():
            # A forked worker: the parent's thread did not come along (nor, maybe, its lock).
            self._start_lock = threading.Lock()
            self._queue = queue.SimpleQueue()
            self._thread = None
            self._pid = os.getpid()
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._commit_groups, args=(self._queue,), name="group-commit", daemon=True
                    )
                    self._thread.start()
        return self._queue

    def _commit_groups(self, waiting: queue.SimpleQueue[_Work[Any] | None]) -> None:
        while True:
            group = list(_take_group(waiting))
            stopping = group and group[-1] is None
            works = [w for w in group if w is not None]
            if works:
                self._commit(works)
            if stopping:
                return

    def _commit(self, works: list[_Work[Any]]) -> None:
        if len(works) > 1:
            try:
                with self._transaction() as session:
                    results = [_flushed(w.work, session) for w in works]
            except Exception:
                log.debug("a group of %d writes failed; each runs again alone", len(works), exc_info=True)
            else:
                for w, result in zip(works, results, strict=True):
                    w.result = result
                    w.done.set()
                return
        for w in works:
            try:
                with self._transaction() as session:
                    w.result = w.work(session)
            except Exception as error:
                w.error = error
            finally:
                w.done.set()


def _flushed(work: Callable[[Session], T], session: Session) -> T:
    """Run one work of a group and flush what it changed, so a session hook (``after_flush``: the
    data versions, an audit trail) sees each work's changes apart from the next one's."""
    result = work(session)
    session.flush()
    return result


def _take_group(waiting: queue.SimpleQueue[_Work[Any] | None]) -> Iterator[_Work[Any] | None]:
    """The next work (waiting for it) and whatever else is queued already, up to MOST_PER_GROUP."""
    first = waiting.get()
    yield first
    if first is None:
        return
    for _ in range(MOST_PER_GROUP - 1):
        try:
            item = waiting.get_nowait()
        except queue.Empty:
            return
        yield item
        if item is None:
            return
