"""Score history: the backfill scores every past day exactly as a ranking computed at that day's
midnight would (``compute_ranking``), on SQLite and PostgreSQL; each day is snapshotted once, gaps
are filled, what is kept thins out with age, and one workspace never sees another's history."""

from __future__ import annotations

import io
import random
import threading
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import time_machine
from sqlalchemy import func, select

from handlers.services.history import LEASE, ScoreHistory, midnight
from handlers.services.rankings import compute_ranking
from handlers.shared.deps import Deps, utc_now
from storage import history as history_store
from storage.db import Database
from storage.history import kept
from storage.models import ScoreSnapshot
from storage.transfer import import_csv

TODAY = date(2026, 6, 15)
KINDS = ("call", "email", "meeting", "qbr", "event", "note")


def clock(day: date, hour: int = 0, minute: int = 5):  # type: ignore[no-untyped-def]
    return lambda: datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def workspace(
    database: Database, team_id: str, *, partners: int = 12, days: int = 200, seed: int = 7
) -> None:
    """Partners with communications, feedback and closed projects spread over ``days`` before TODAY."""
    rng = random.Random(seed)
    names = [f"Partner {i:02d}" for i in range(partners)]
    rows = ["name,tier,owner,revenue,cost"]
    for i, name in enumerate(names):
        revenue = "" if i % 5 == 0 else str(rng.randint(0, 50_000))
        cost = "" if i % 7 == 0 else str(rng.randint(0, 20_000))
        rows.append(f"{name},{rng.choice(['gold', 'silver', ''])},U{i:04d},{revenue},{cost}")
    import_csv(database, "partners", io.StringIO("\n".join(rows) + "\n"), team_id=team_id)
    start = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) - timedelta(days=days)
    rows = ["partner,kind,occurred_at,notes"]
    for name in names[:-1]:  # the last partner is never contacted
        for _ in range(rng.randint(3, 60)):
            moment = start + timedelta(seconds=rng.randint(0, days * 86_400 + 3600 * 5))
            rows.append(f"{name},{rng.choice(KINDS)},{moment.isoformat()},n")
    import_csv(database, "interactions", io.StringIO("\n".join(rows) + "\n"), team_id=team_id)
    rows = ["partner,csat,nps,submitted_at"]
    for name in names[: partners // 2]:
        for _ in range(rng.randint(1, 8)):
            moment = start + timedelta(seconds=rng.randint(0, days * 86_400))
            nps = rng.choice(["", str(rng.randint(0, 10))])
            rows.append(f"{name},{rng.randint(1, 5)},{nps},{moment.isoformat()}")
    import_csv(database, "feedback", io.StringIO("\n".join(rows) + "\n"), team_id=team_id)
    rows = ["partner,name,status,started_on,closed_on"]
    for n, name in enumerate(names[:6]):
        for k in range(rng.randint(1, 4)):
            closed = TODAY - timedelta(days=rng.randint(0, days))
            status = rng.choice(["won", "lost", "cancelled"])
            rows.append(
                f"{name},P{n}-{k},{status},{(closed - timedelta(days=30)).isoformat()},{closed.isoformat()}"
            )
    import_csv(database, "projects", io.StringIO("\n".join(rows) + "\n"), team_id=team_id)


def expected(database: Database, team_id: str, day: date) -> pd.DataFrame:
    scored = compute_ranking(database, team_id, now=midnight(day), with_changes=False).scored
    return scored.sort_values("partner_id").reset_index(drop=True)


def stored(database: Database, team_id: str, day: date) -> pd.DataFrame:
    with database.read() as session:
        frame = history_store.snapshot(session, team_id, day)
    return frame.sort_values("partner_id").reset_index(drop=True)


def assert_same(snapshot: pd.DataFrame, ranking: pd.DataFrame, day: date) -> None:
    assert snapshot["partner_id"].tolist() == ranking["partner_id"].tolist(), day
    assert snapshot["rank"].tolist() == ranking["rank"].tolist(), day
    for column in ("score", "satisfaction", "engagement", "recency", "business", "delivery"):
        np.testing.assert_allclose(
            snapshot[column].to_numpy(dtype=float),
            ranking[column].to_numpy(dtype=float),
            rtol=0,
            atol=1e-9,
            equal_nan=True,
            err_msg=f"{column} on {day}",
        )
    assert snapshot["category"].tolist() == [
        c if isinstance(c, str) else None for c in ranking["category"]
    ], day


def test_the_backfill_equals_the_ranking_computed_at_each_days_midnight(
    database: Database, team_id: str
) -> None:
    workspace(database, team_id)
    outcome = ScoreHistory(database, clock(TODAY)).ensure(team_id)
    assert outcome.what == "backfilled"
    # From the day after the first communication: daily for 26 weeks, Mondays before that.
    wanted = [
        d for d in (TODAY - timedelta(days=i) for i in range(200)) if history_store.kept(d, today=TODAY)
    ]
    assert outcome.days == len(wanted) == 182 + 3
    for day in wanted:
        assert_same(stored(database, team_id, day), expected(database, team_id, day), day)


def test_a_day_is_taken_once_and_missed_days_are_filled(database: Database, team_id: str) -> None:
    workspace(database, team_id, partners=5, days=40)
    assert ScoreHistory(database, clock(TODAY)).ensure(team_id).what == "backfilled"
    assert ScoreHistory(database, clock(TODAY, 13)).ensure(team_id).what == "already"
    tomorrow = TODAY + timedelta(days=1)
    taken = ScoreHistory(database, clock(tomorrow)).ensure(team_id)
    assert (taken.what, taken.days) == ("taken", 1)
    assert_same(stored(database, team_id, tomorrow), expected(database, team_id, tomorrow), tomorrow)
    # Down for four days: the next pass fills them all.
    later = tomorrow + timedelta(days=5)
    filled = ScoreHistory(database, clock(later)).ensure(team_id)
    assert (filled.what, filled.days) == ("filled", 5)
    for day in (tomorrow + timedelta(days=i) for i in range(1, 6)):
        assert_same(stored(database, team_id, day), expected(database, team_id, day), day)


def test_a_workspace_with_nothing_logged_starts_its_history_today(database: Database, team_id: str) -> None:
    import_csv(database, "partners", io.StringIO("name\nAcme\n"), team_id=team_id)
    outcome = ScoreHistory(database, clock(TODAY)).ensure(team_id)
    assert (outcome.what, outcome.days, outcome.rows) == ("taken", 1, 1)


def test_history_keeps_two_years_daily_for_26_weeks_then_mondays(database: Database, team_id: str) -> None:
    workspace(database, team_id, partners=3, days=900, seed=3)
    ScoreHistory(database, clock(TODAY)).ensure(team_id)
    with database.read() as session:
        (pid,) = session.execute(
            history_store.select(history_store.ScoreSnapshot.partner_id)
            .where(history_store.ScoreSnapshot.team_id == team_id)
            .limit(1)
        ).one()
        days = set(
            history_store.partner_history(session, team_id, pid, since=date(2000, 1, 1), until=TODAY)["day"]
        )
    assert min(days) > TODAY - timedelta(days=730)
    recent = {d for d in days if (TODAY - d).days < 182}
    assert recent == {TODAY - timedelta(days=i) for i in range(182)}
    assert all(d.weekday() == 0 for d in days - recent)
    # A year on, the old days are gone and the 26-week boundary has moved.
    later = TODAY + timedelta(days=365)
    ScoreHistory(database, clock(later)).ensure(team_id)
    with database.read() as session:
        days = set(
            history_store.partner_history(session, team_id, pid, since=date(2000, 1, 1), until=later)["day"]
        )
    assert min(days) > later - timedelta(days=730)
    assert all(d.weekday() == 0 for d in days if (later - d).days >= 182)


def test_one_workspace_never_sees_anothers_history(
    database: Database, team_id: str, other_team_id: str
) -> None:
    workspace(database, team_id, partners=3, days=20)
    workspace(database, other_team_id, partners=4, days=20, seed=9)
    ScoreHistory(database, clock(TODAY), team_ids=[team_id]).run_once()
    assert len(stored(database, team_id, TODAY)) == 3
    assert stored(database, other_team_id, TODAY).empty
    ScoreHistory(database, clock(TODAY), team_ids=[other_team_id]).run_once()
    assert len(stored(database, other_team_id, TODAY)) == 4
    assert set(stored(database, team_id, TODAY)["partner_id"]).isdisjoint(
        stored(database, other_team_id, TODAY)["partner_id"]
    )


@pytest.mark.parametrize("hour", [0, 23])
def test_the_snapshot_is_of_midnight_whenever_it_is_taken(
    database: Database, team_id: str, hour: int
) -> None:
    workspace(database, team_id, partners=4, days=30)
    ScoreHistory(database, clock(TODAY, hour)).ensure(team_id)
    assert_same(stored(database, team_id, TODAY), expected(database, team_id, TODAY), TODAY)


def test_two_schedulers_on_one_database_snapshot_each_day_once(database: Database, team_id: str) -> None:
    workspace(database, team_id, partners=30, days=120)
    # Two processes: each its own engine (connection pool) on the same database.
    second = Database(database.url.render_as_string(hide_password=False))
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def work(db: Database) -> None:
        start.wait()
        outcomes.extend(o.what for o in ScoreHistory(db, clock(TODAY), team_ids=[team_id]).run_once())

    try:
        threads = [threading.Thread(target=work, args=(db,)) for db in (database, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        second.dispose()
    assert sorted(outcomes) in (["backfilled", "busy"], ["already", "backfilled"])
    with database.read() as session:
        count = session.scalar(
            select(func.count()).select_from(ScoreSnapshot).where(ScoreSnapshot.team_id == team_id)
        )
    assert count == 30 * len(
        [d for d in (TODAY - timedelta(days=i) for i in range(120)) if kept(d, today=TODAY)]
    )


def test_the_snapshot_of_a_day_is_taken_after_midnight_utc(database: Database, team_id: str) -> None:
    workspace(database, team_id, partners=3, days=10)
    history = ScoreHistory(database, utc_now, team_ids=[team_id])
    with time_machine.travel(datetime(2026, 6, 14, 23, 59, tzinfo=UTC), tick=False):
        assert [o.day for o in history.run_once()] == [date(2026, 6, 14)]
        assert [o.what for o in history.run_once()] == ["already"]
    with time_machine.travel(datetime(2026, 6, 15, 0, 1, tzinfo=UTC), tick=False):
        (taken,) = history.run_once()
        assert (taken.day, taken.what, taken.days) == (TODAY, "taken", 1)
    assert_same(stored(database, team_id, TODAY), expected(database, team_id, TODAY), TODAY)


def test_a_claim_left_by_a_dead_process_is_taken_over_after_its_lease(
    database: Database, team_id: str
) -> None:
    workspace(database, team_id, partners=3, days=10)
    with database.transaction() as session:  # a process claimed today, then died
        history_store.claim_day(session, team_id, TODAY, now=midnight(TODAY), lease=LEASE)
    assert ScoreHistory(database, clock(TODAY, 0, 9)).ensure(team_id).what == "busy"
    assert ScoreHistory(database, clock(TODAY, 0, 11)).ensure(team_id).what == "backfilled"


def test_the_scheduler_snapshots_every_few_minutes_and_at_start(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slack_sdk import WebClient

    from bot.scheduler import Scheduler

    deps = Deps(db=database)
    scheduler = Scheduler(deps, WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/"))
    passes = threading.Event()
    # Only the wiring: a real pass would snapshot every workspace of the shared test database.
    monkeypatch.setattr(deps.history, "run_once", lambda: passes.set() or [])
    monkeypatch.setattr(scheduler.runner, "catch_up", lambda **_: [])
    monkeypatch.setattr(scheduler.reminders, "run_once", lambda: None)
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job("score-history")
        assert job is not None and job.trigger.interval == timedelta(minutes=5)
        assert passes.wait(10), "no snapshot pass right after the start"
    finally:
        scheduler.stop()
