"""Group commit: many threads' small writes committed together, one transaction (one commit, one
fsync) for whatever was asked while the previous one was being written.

Each commit costs a disk flush (SQLite's WAL, PostgreSQL's WAL) and, on PostgreSQL, round trips
for BEGIN and COMMIT. A caller hands its item over and waits: the first waiting thread leads,
writing every item queued so far in one transaction and handing each caller its own result, so a
caller still returns only once its own write is committed, exactly as with a transaction of its
own — nothing acknowledged is lost. While one batch commits, the next one gathers; then the
first caller of the next batch leads it, so no caller ever writes more than its own batch (a
leader that kept going would answer its own request only when the queue ran dry).

When a batch's transaction fails (a person's typing mistake raising ``UserError``, a lost race on
a unique key), its items are written again one transaction each, so one failure costs only its
own caller — and a lost race, rerun after the winner committed, finds the winner's record.

Used by ``Database.grouped`` (a logged communication: each item is a callable) and by the digest
runs (claims and outcomes: items written with one executemany).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
MAX_BATCH = 200  # a bound on one transaction's length (its locks are held until it commits)
Transaction = Callable[[], AbstractContextManager[Session]]


@dataclass
class _Waiting(Generic[Item, Result]):
    item: Item
    done: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event = field(default_factory=threading.Event)  # done, or its turn to lead
    result: Result | None = None
    error: BaseException | None = None

    def finish(self) -> None:
        self.done.set()
        self.wake.set()


class GroupCommit(Generic[Item, Result]):
    """``write(session, items)`` (a result per item, in order) for many items per transaction.

    ``transaction``: opens the database's own write transaction (``Database.transaction``, with
    its actor, or the works name theirs), so every hook on it (data versions, the audit trail)
    sees the grouped writes. ``order``: a sort key
    applied within a batch, so that two processes writing overlapping batches take their row locks
    in the same order (PostgreSQL would otherwise see a deadlock).
    """

    def __init__(
        self,
        transaction: Transaction,
        write: Callable[[Session, list[Item]], list[Result]],
        *,
        order: Callable[[Item], object] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.open_transaction = transaction
        self.write = write
        self.order = order
        self.max_batch = max_batch
        self.transactions = 0  # how many it took (a figure for the benchmark and the tests)
        self._reset()

    def _reset(self) -> None:
        self._queue: list[_Waiting[Item, Result]] = []
        self._lock = threading.Lock()
        self._writing = False
        self._pid = os.getpid()

    def __call__(self, item: Item) -> Result:
        """Write ``item`` (with whatever else is waiting) and return its result once committed."""
        if self._pid != os.getpid():
            self._reset()  # a forked worker: the parent's leader (and maybe its lock) stayed behind
        waiting: _Waiting[Item, Result] = _Waiting(item)
        with self._lock:
            self._queue.append(waiting)
            lead = not self._writing
            if lead:
                self._writing = True
        if lead:
            self._lead()
        while not waiting.done.is_set():
            waiting.wake.wait()
            if not waiting.done.is_set():  # the previous leader handed this batch over
                waiting.wake.clear()
                self._lead()
        if waiting.error is not None:
            raise waiting.error
        return waiting.result  # type: ignore[return-value]

    def waiting(self) -> int:
        """How many items wait for the next batch (they are not yet committed)."""
        with self._lock:
            return len(self._queue)

    def _lead(self) -> None:
        """Write the next batch (the leader's own item is in it), then hand the lead to the first
        caller still waiting, or give it up."""
        with self._lock:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
        try:
            self._write_batch(batch)
        except BaseException as error:  # never leave a caller waiting forever
            for waiting in batch:
                if not waiting.done.is_set():
                    waiting.error = error
                    waiting.finish()
            raise
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].wake.set()  # its turn: it leads the next batch
                else:
                    self._writing = False

    def _write_batch(self, batch: list[_Waiting[Item, Result]]) -> None:
        if self.order is not None:
            batch = sorted(batch, key=lambda waiting: self.order(waiting.item))  # type: ignore[misc]
        if len(batch) > 1:
            try:
                self.transactions += 1
                with self.open_transaction() as session:
                    results = self.write(session, [waiting.item for waiting in batch])
            except Exception:
                log.debug("a batch of %d writes failed; writing them one by one", len(batch), exc_info=True)
            else:
                for waiting, result in zip(batch, results, strict=True):
                    waiting.result = result
                    waiting.finish()
                return
        for waiting in batch:  # alone: one transaction each, each failing on its own
            try:
                self.transactions += 1
                with self.open_transaction() as session:
                    [waiting.result] = self.write(session, [waiting.item])
            except Exception as error:
                waiting.error = error
            waiting.finish()
