"""Group commit (``Database.grouped``), on SQLite and PostgreSQL: works queued while a group
commits share the next transaction, each caller gets its own result or error once it is committed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from storage import interactions, partners
from storage.db import Database
from storage.group_commit import GroupCommit
from storage.models import InteractionKind

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def commits(database: Database) -> Iterator[list[int]]:
    """One entry per COMMIT the database's connections send."""
    seen: list[int] = []

    def count(_conn: Any) -> None:
        seen.append(1)

    event.listen(database.engine, "commit", count)
    yield seen
    event.remove(database.engine, "commit", count)


def queued_behind_a_held_group(
    database: Database, works: list[Callable[[Session], Any]]
) -> list[Future[Any]]:
    """Submit ``works`` while the writer is busy with another group, so they form the next one."""
    held, release = threading.Event(), threading.Event()

    def hold(session: Session) -> None:
        session.execute(select(1))  # a real transaction, with its own COMMIT
        held.set()
        release.wait(10)

    pool = ThreadPoolExecutor(max_workers=len(works) + 1)
    first = pool.submit(database.grouped, hold, actor="U1")
    assert held.wait(10)
    futures = [pool.submit(database.grouped, work, actor="U1") for work in works]
    deadline = time.monotonic() + 10
    while database.waiting_writes() < len(works) and time.monotonic() < deadline:
        time.sleep(0.001)  # waiting for the threads to queue, not for time to pass
    release.set()
    first.result(10)
    pool.shutdown(wait=True)
    return futures


def adder(team_id: str, name: str) -> Callable[[Session], int]:
    return lambda session: partners.add_partner(session, team_id, name).id


def names(database: Database, team_id: str) -> set[str]:
    with database.read() as session:
        return {p.name for p in partners.search_partners(session, team_id, "", limit=10)}


def test_writes_queued_together_commit_once_and_each_gets_its_result(
    database: Database, team_id: str, commits: list[int]
) -> None:
    futures = queued_behind_a_held_group(database, [adder(team_id, n) for n in ("Acme", "Globex", "Initech")])
    ids = [f.result(10) for f in futures]
    assert len(set(ids)) == 3
    assert len(commits) == 2, "the held group, then one commit for the three queued behind it"
    assert names(database, team_id) == {"Acme", "Globex", "Initech"}


def test_a_failing_write_fails_alone_and_the_rest_of_its_group_is_saved(
    database: Database, team_id: str
) -> None:
    def mistaken(session: Session) -> int:
        partners.add_partner(session, team_id, "Half Written")
        raise ValueError("the partner manager typed something wrong")

    futures = queued_behind_a_held_group(
        database, [adder(team_id, "Acme"), mistaken, adder(team_id, "Globex")]
    )
    with pytest.raises(ValueError, match="typed something wrong"):
        futures[1].result(10)
    assert futures[0].result(10) and futures[2].result(10)
    assert names(database, team_id) == {"Acme", "Globex"}


def test_one_command_replayed_within_a_group_is_logged_once(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        acme_id = partners.add_partner(session, team_id, "Acme").id

    def log(session: Session) -> tuple[int, bool]:
        logged = interactions.log_interaction(
            session,
            team_id,
            partner_id=acme_id,
            kind=InteractionKind.CALL,
            occurred_at=NOW,
            notes="sent twice by Slack",
            user_id="U1",
            request_key="command:trigger-1",
            rerun_on_conflict=True,
        )
        return logged.interaction.id, logged.created

    first, again = (f.result(10) for f in queued_behind_a_held_group(database, [log, log]))
    assert first[0] == again[0] and sorted([first[1], again[1]]) == [False, True]
    with database.read() as session:
        assert len(interactions.recent_interactions(session, team_id, acme_id, limit=10)) == 1


# --- GroupCommit itself: items written in batches (the digest runs' claims and outcomes) ------


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

    commit: GroupCommit[int, int] = GroupCommit(database.transaction, write)
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

    commit: GroupCommit[str, str] = GroupCommit(database.transaction, write, order=str)
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
