"""Digest subscriptions and runs on SQLite and PostgreSQL: a period is claimed once, whoever asks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage import digests
from storage.db import Database
from storage.models import DigestRun, DigestRunStatus, DigestSubscription

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)  # storage.digests.claim_run's default


def subscribe(database: Database, team_id: str, channel: str = "C1", **fields: object) -> int:
    values: dict[str, object] = {
        "channel_id": channel,
        "every": "daily",
        "hour": 9,
        "minute": 0,
        "timezone": "UTC",
        "created_by": "U1",
        "created_at": NOW - timedelta(days=30),
    }
    values.update(fields)
    with database.transaction() as session:
        subscription, created = digests.add_subscription(session, team_id, **values)
        assert created
        return subscription.id


def claim(
    database: Database,
    subscription_id: int,
    period: str = "2026-06-15",
    *,
    now: datetime = NOW,
    status: DigestRunStatus = DigestRunStatus.CLAIMED,
    scheduled_for: datetime = NOW,
    hold: float = 0.0,
) -> int | None:
    """claim_run in its own transaction (as one process would); the run's id, or None."""
    with database.transaction() as session:
        subscription = session.get(DigestSubscription, subscription_id)
        run = digests.claim_run(
            session, subscription, period=period, scheduled_for=scheduled_for, now=now, status=status
        )
        run_id = run.id if run is not None else None
        if hold and run_id is not None:
            time.sleep(hold)  # the winner keeps its transaction open while the others try
    return run_id


def finish(
    database: Database,
    run_id: int,
    status: DigestRunStatus,
    ranks: dict[int, tuple[int, float]] | None = None,
) -> None:
    with database.transaction() as session:
        digests.finish_run(
            session, run_id, status=status, now=NOW, outcome=status.value, message_ts="1.2", ranks=ranks
        )


def run_row(database: Database, subscription_id: int, period: str) -> DigestRun:
    with database.read() as session:
        row = session.scalar(
            select(DigestRun).where(DigestRun.subscription_id == subscription_id, DigestRun.period == period)
        )
        assert row is not None
        return row


def race(workers: int, attempt: Callable[[], int | None]) -> list[int | None]:
    """Run ``attempt`` in ``workers`` threads released at the same moment; their results."""
    barrier = threading.Barrier(workers)
    results: list[int | None] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            barrier.wait(10)
            found = attempt()
            with lock:
                results.append(found)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(results) == workers
    return results


# --- subscriptions ---------------------------------------------------------------------------------


def test_subscriptions_are_per_workspace(database: Database, team_id: str, other_team_id: str) -> None:
    mine = subscribe(database, team_id, "C1")
    also_mine = subscribe(database, team_id, "C2", every="weekly", weekday=4)
    theirs = subscribe(database, other_team_id, "C1")
    with database.read() as session:
        assert [s.id for s in digests.subscriptions(session, team_id)] == [mine, also_mine]
        assert [s.id for s in digests.subscriptions(session, other_team_id)] == [theirs]
        assert digests.get_subscription(session, team_id, theirs) is None
        assert digests.get_subscription(session, other_team_id, theirs).channel_id == "C1"
        enabled = {s.id for s in digests.all_enabled(session)}
        assert {mine, also_mine, theirs} <= enabled


def test_a_replayed_add_returns_the_first_subscription(database: Database, team_id: str) -> None:
    first = subscribe(database, team_id, request_key="command:T1")
    with database.transaction() as session:
        again, created = digests.add_subscription(
            session,
            team_id,
            channel_id="C9",
            every="daily",
            timezone="UTC",
            created_by="U1",
            request_key="command:T1",
        )
        assert (again.id, again.channel_id, created) == (first, "C1", False)
        assert len(digests.subscriptions(session, team_id)) == 1


def test_disable_and_remove(database: Database, team_id: str) -> None:
    kept, removed = subscribe(database, team_id, "C1"), subscribe(database, team_id, "C2")
    run_id = claim(database, removed)
    assert run_id is not None
    with database.transaction() as session:
        digests.disable(session, kept, "channel is archived")
    with database.transaction() as session:
        digests.remove_subscription(session, digests.get_subscription(session, team_id, removed))
    with database.read() as session:
        found = digests.subscriptions(session, team_id)
        assert [(s.id, s.enabled, s.disabled_reason) for s in found] == [(kept, False, "channel is archived")]
        assert kept not in {s.id for s in digests.all_enabled(session)}
        assert session.get(DigestRun, run_id) is None  # its runs went with it


# --- claiming a period -------------------------------------------------------------------------------


def test_a_period_is_claimed_once(database: Database, team_id: str) -> None:
    subscription = subscribe(database, team_id)
    first = claim(database, subscription)
    assert first is not None
    assert claim(database, subscription) is None  # while it is being posted
    assert claim(database, subscription, now=NOW + timedelta(minutes=4)) is None  # lease still on
    finish(database, first, DigestRunStatus.POSTED)
    assert claim(database, subscription, now=NOW + timedelta(days=1)) is None  # posted: never again
    # another period, another subscription: free
    assert claim(database, subscription, "2026-06-16") is not None
    assert claim(database, subscribe(database, team_id, "C2")) is not None
    row = run_row(database, subscription, "2026-06-15")
    assert (row.team_id, row.status, row.message_ts) == (team_id, "posted", "1.2")
    assert row.scheduled_for == NOW and row.claimed_at == NOW


@pytest.mark.parametrize("status", [DigestRunStatus.FAILED, DigestRunStatus.SKIPPED])
def test_a_finished_run_is_never_taken_over(
    database: Database, team_id: str, status: DigestRunStatus
) -> None:
    subscription = subscribe(database, team_id)
    if status is DigestRunStatus.SKIPPED:
        assert claim(database, subscription, status=status) is not None
        assert run_row(database, subscription, "2026-06-15").finished_at == NOW
    else:
        finish(database, claim(database, subscription), status)  # type: ignore[arg-type]
    assert claim(database, subscription, now=NOW + timedelta(hours=1)) is None
    assert run_row(database, subscription, "2026-06-15").status is status


def test_a_stale_claim_is_taken_over_exactly_once(database: Database, team_id: str) -> None:
    subscription = subscribe(database, team_id)
    first = claim(database, subscription)  # ... and its process died before posting
    assert claim(database, subscription, now=NOW + LEASE) is None  # not older than the lease yet
    later = NOW + LEASE + timedelta(seconds=1)
    taken = claim(database, subscription, now=later)
    assert taken == first  # the same row, now this process's
    row = run_row(database, subscription, "2026-06-15")
    assert (row.status, row.claimed_at) == ("claimed", later)
    assert claim(database, subscription, now=later) is None
    assert claim(database, subscription, now=later + timedelta(minutes=1)) is None  # fresh lease


def test_concurrent_claims_of_one_period_have_one_winner(database: Database, team_id: str) -> None:
    subscription = subscribe(database, team_id)
    # The winner keeps its transaction open a moment: the others meet its row (PostgreSQL: they
    # wait on the unique index until it commits; SQLite: they queue on the write lock).
    results = race(8, lambda: claim(database, subscription, hold=0.2))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1, results
    with database.read() as session:
        rows = session.scalars(select(DigestRun).where(DigestRun.subscription_id == subscription)).all()
        assert [r.id for r in rows] == winners


def test_concurrent_takeovers_of_a_stale_claim_have_one_winner(database: Database, team_id: str) -> None:
    subscription = subscribe(database, team_id)
    first = claim(database, subscription)
    later = NOW + LEASE + timedelta(minutes=1)
    results = race(8, lambda: claim(database, subscription, now=later, hold=0.2))
    assert [r for r in results if r is not None] == [first], results


# --- what the next digest compares with, and what list shows -------------------------------------------


def test_previous_ranks_come_from_the_last_posted_scheduled_digest(database: Database, team_id: str) -> None:
    subscription = subscribe(database, team_id)
    other = subscribe(database, team_id, "C2")

    def record(sub: int, period: str, at: datetime, status: DigestRunStatus, rank: int) -> None:
        run_id = claim(database, sub, period, scheduled_for=at)
        assert run_id is not None
        finish(database, run_id, status, {7: (rank, 50.0 + rank)})

    day = timedelta(days=1)
    with database.read() as session:
        assert digests.previous_ranks(session, subscription, before=NOW) is None  # first digest
    record(subscription, "2026-06-12", NOW - 3 * day, DigestRunStatus.POSTED, 1)
    record(subscription, "2026-06-13", NOW - 2 * day, DigestRunStatus.POSTED, 2)
    record(subscription, "2026-06-14", NOW - day, DigestRunStatus.FAILED, 3)  # not posted
    record(subscription, f"now:{(NOW - day / 2).isoformat()}", NOW - day / 2, DigestRunStatus.POSTED, 4)
    assert claim(database, subscription, "2026-06-14b", scheduled_for=NOW - day / 3) is not None  # claimed
    record(other, "2026-06-14", NOW - day, DigestRunStatus.POSTED, 5)  # another subscription
    with database.read() as session:
        assert digests.previous_ranks(session, subscription, before=NOW) == {7: (2, 52.0)}
        assert digests.previous_ranks(session, subscription, before=NOW - 2 * day) == {7: (1, 51.0)}
        assert digests.previous_ranks(session, subscription, before=NOW - 3 * day) is None
        assert digests.previous_ranks(session, other, before=NOW) == {7: (5, 55.0)}


def test_last_runs_are_the_latest_of_each_subscription(database: Database, team_id: str) -> None:
    first, second, never = (subscribe(database, team_id, c) for c in ("C1", "C2", "C3"))
    finish(
        database,
        claim(database, first, "2026-06-14", scheduled_for=NOW - timedelta(days=1)),
        DigestRunStatus.POSTED,
    )  # type: ignore[arg-type]
    finish(database, claim(database, first, "2026-06-15"), DigestRunStatus.FAILED)  # type: ignore[arg-type]
    claim(database, second, "2026-06-15", status=DigestRunStatus.SKIPPED)
    with database.read() as session:
        last = digests.last_runs(session, [first, second, never])
        assert digests.last_runs(session, []) == {}
    assert set(last) == {first, second}
    assert (last[first].scheduled_for, last[first].status, last[first].outcome) == (NOW, "failed", "failed")
    assert (last[second].status, last[second].outcome) == ("skipped", None)


def test_run_status_and_known_periods(database: Database, team_id: str, other_team_id: str) -> None:
    subscription = subscribe(database, team_id)
    theirs = subscribe(database, other_team_id)
    claim(database, subscription, "2026-06-14", status=DigestRunStatus.SKIPPED)
    claim(database, subscription, "2026-06-15")
    claim(database, theirs, "2026-06-13")
    with database.read() as session:
        assert digests.run_status(session, subscription, "2026-06-14") == "skipped"
        assert digests.run_status(session, subscription, "2026-06-15") == "claimed"
        assert digests.run_status(session, subscription, "2026-06-13") is None
        assert digests.known_periods(session, subscription, ["2026-06-13", "2026-06-14", "2026-06-15"]) == {
            "2026-06-14",
            "2026-06-15",
        }
        assert digests.known_periods(session, subscription, []) == set()


def test_outcome_before_is_the_subscriptions_previous_run_only(database: Database, team_id: str) -> None:
    sub, other = subscribe(database, team_id), subscribe(database, team_id, "C2")
    first = claim(database, sub, "2026-06-14")
    assert first is not None
    assert digests_outcome_before(database, sub, first) is None  # the first run has none
    finish(database, first, DigestRunStatus.SKIPPED)
    elsewhere = claim(database, other, "2026-06-15")
    assert elsewhere is not None
    finish(database, elsewhere, DigestRunStatus.POSTED)
    second = claim(database, sub, "2026-06-15")
    assert second is not None
    assert digests_outcome_before(database, sub, second) == "skipped"  # not the other subscription's


def digests_outcome_before(database: Database, subscription_id: int, run_id: int) -> str | None:
    with database.read() as session:
        return digests.outcome_before(session, subscription_id, run_id=run_id)


# --- many at once (the scheduler's group commits) -----------------------------------------------------


def claim_many(database: Database, wanted: list[tuple[int, str]], *, now: datetime = NOW) -> list[int | None]:
    with database.transaction() as session:
        subscriptions = digests.subscriptions_by_id(session, [s for s, _ in wanted])
        return digests.claim_runs(
            session, [digests.Wanted(subscriptions[s], period, NOW) for s, period in wanted], now=now
        )


def test_claims_in_one_batch_are_each_claimed_once(database: Database, team_id: str) -> None:
    first, second, taken, stale = (subscribe(database, team_id, c) for c in ("C1", "C2", "C3", "C4"))
    assert claim(database, taken) is not None  # another process has it
    assert claim(database, stale, now=NOW - LEASE - timedelta(seconds=1)) is not None  # its claimer died
    # The same period asked twice in one batch is one claim, as two claim_run calls would be.
    wanted = [(first, "2026-06-15"), (second, "2026-06-15"), (first, "2026-06-15"), (taken, "2026-06-15")]
    ids = claim_many(database, [*wanted, (stale, "2026-06-15")])
    assert ids[0] is not None and ids[1] is not None and ids[0] != ids[1]
    assert ids[2:4] == [None, None]
    assert ids[4] == run_row(database, stale, "2026-06-15").id  # taken over: its lease ran out
    assert run_row(database, first, "2026-06-15").id == ids[0]
    assert run_row(database, stale, "2026-06-15").claimed_at == NOW
    assert claim_many(database, wanted) == [None, None, None, None]  # nothing claimable twice


def test_concurrent_batches_of_the_same_periods_claim_each_once(database: Database, team_id: str) -> None:
    subscriptions = [subscribe(database, team_id, f"C{i}") for i in range(10)]
    wanted = [(s, "2026-06-15") for s in subscriptions]
    results = race(4, lambda: claim_many(database, wanted))  # type: ignore[arg-type,return-value]
    for i in range(10):
        winners = [batch[i] for batch in results if batch[i] is not None]  # type: ignore[index]
        assert len(winners) == 1


def test_finishes_in_one_batch_keep_the_ranks_of_posted_runs(database: Database, team_id: str) -> None:
    first, second, failed = (subscribe(database, team_id, c) for c in ("C1", "C2", "C3"))
    ids = claim_many(database, [(first, "2026-06-14"), (second, "2026-06-14"), (failed, "2026-06-14")])
    ranks = {7: (1, 81.5), 8: (2, 60.0)}
    with database.transaction() as session:
        digests.finish_runs(
            session,
            [
                digests.Finished(ids[0], DigestRunStatus.POSTED, "posted", "1.1", ranks),  # type: ignore[arg-type]
                digests.Finished(ids[1], DigestRunStatus.POSTED, "posted", "1.2", ranks),  # type: ignore[arg-type]
                digests.Finished(ids[2], DigestRunStatus.FAILED, "failed: boom"),  # type: ignore[arg-type]
            ],
            now=NOW,
        )
    row = run_row(database, second, "2026-06-14")
    assert (row.status, row.outcome, row.message_ts, row.finished_at) == ("posted", "posted", "1.2", NOW)
    assert run_row(database, failed, "2026-06-14").ranks is None
    with database.read() as session:
        for subscription in (first, second):
            assert digests.previous_ranks(session, subscription, before=NOW + timedelta(days=1)) == ranks
        assert digests.previous_ranks(session, failed, before=NOW + timedelta(days=1)) is None
