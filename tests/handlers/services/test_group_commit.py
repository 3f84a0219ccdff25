"""Many threads' writes committed together: each caller gets its own result once its batch is
committed; a batch that fails is written again one item at a time, so only the bad item fails."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from handlers.services.group_commit import GroupCommit
from storage.db import Database


def test_callers_queued_while_a_batch_is_written_share_the_next_transaction(database: Database) -> None:
    first_started = threading.Event()
    release = threading.Event()
    batches: list[list[int]] = []

    def write(session: object, items: list[int]) -> list[int]:
        batches.append(sorted(items))
        if len(batches) == 1:
            first_started.set()
            assert release.wait(10)
        return [item * 10 for item in items]

    commit: GroupCommit[int, int] = GroupCommit(database, write)
    with ThreadPoolExecutor(9) as pool:
        first = pool.submit(commit, 0)
        assert first_started.wait(10)
        rest = [pool.submit(commit, i) for i in range(1, 9)]
        while len(commit._queue) < 8:  # every caller is waiting behind the first write
            threading.Event().wait(0.01)
        release.set()
        assert first.result(10) == 0
        assert [f.result(10) for f in rest] == [i * 10 for i in range(1, 9)]
    assert batches == [[0], list(range(1, 9))]
    assert commit.transactions == 2


def test_a_failing_item_fails_alone(database: Database) -> None:
    go = threading.Event()
    seen: list[list[str]] = []

    def write(session: object, items: list[str]) -> list[str]:
        seen.append(list(items))
        if items == ["hold"]:
            assert go.wait(10)
        if "bad" in items:
            raise ValueError("bad item")
        return [item.upper() for item in items]

    commit: GroupCommit[str, str] = GroupCommit(database, write, order=str)
    with ThreadPoolExecutor(4) as pool:
        held = pool.submit(commit, "hold")
        while not seen:
            threading.Event().wait(0.01)
        futures = {item: pool.submit(commit, item) for item in ("good", "bad", "fine")}
        while len(commit._queue) < 3:
            threading.Event().wait(0.01)
        go.set()
        assert held.result(10) == "HOLD"
        assert futures["good"].result(10) == "GOOD"
        assert futures["fine"].result(10) == "FINE"
        with pytest.raises(ValueError, match="bad item"):
            futures["bad"].result(10)
    # the batch of three (in order) failed, then each was written on its own
    assert seen[1] == ["bad", "fine", "good"]
    assert sorted(map(tuple, seen[2:])) == [("bad",), ("fine",), ("good",)]
