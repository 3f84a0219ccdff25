"""Drop alerts against the Slack stand-in with a real WebClient, on SQLite and PostgreSQL, in
travelled time (time-machine): an owner is told once per drop (once per partner per ISO week, also
with two schedulers), a satisfaction category that falls counts too, a partner without an owner
alerts nobody, alerts off or a higher threshold tell nobody, and a change marks its workspace for
the next minute's check."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from slack_sdk import WebClient

from bot.scheduler import digest_client
from bot.settings import Settings
from bot.standin.http import HttpStandIn
from handlers.alerts.runner import AlertRunner
from handlers.services.rankings import compute_ranking
from handlers.shared.deps import Deps
from storage import alerts as alert_store
from storage import history as history_store
from storage import partners as partner_store
from storage import ranking as ranking_store
from storage.db import Database
from storage.transfer import import_csv

NOW = datetime(2026, 6, 17, 10, 0, tzinfo=UTC)  # a Wednesday
WEEK_AGO = NOW.date() - timedelta(days=7)


@pytest.fixture
def slack() -> Iterator[HttpStandIn]:
    with HttpStandIn() as running:
        yield running
    assert not running.invalid, f"the runner sent payloads Slack refuses: {running.invalid}"


@pytest.fixture
def client(slack: HttpStandIn) -> WebClient:
    return digest_client(Settings(database_url="", slack_bot_token="xoxb-test", slack_api_url=slack.api_url))


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def seed(database: Database, team_id: str) -> dict[str, int]:
    """Acme (owned by U0OWN, a nasty name), Globex (no owner), Hooli (owned by U0HOOLI, busy)."""
    import_csv(
        database,
        "partners",
        io.StringIO('name,owner\n"<!channel> Acme",U0OWN\nGlobex,\nHooli,U0HOOLI\n'),
        team_id=team_id,
    )
    rows = ['"<!channel> Acme",email,2026-04-20T10:00:00Z', "Globex,email,2026-04-20T10:00:00Z"]
    rows += [f"Hooli,meeting,2026-06-{d:02d}T10:00:00Z" for d in range(1, 16)]
    import_csv(
        database, "interactions", io.StringIO("partner,kind,occurred_at\n" + "\n".join(rows)), team_id=team_id
    )
    import_csv(
        database,
        "feedback",
        io.StringIO(
            "partner,csat,submitted_at\n"
            '"<!channel> Acme",3,2026-06-01T10:00:00Z\nHooli,5,2026-06-02T10:00:00Z\n'
        ),
        team_id=team_id,
    )
    with database.read() as session:
        frame = history_store.active_partners(session, team_id)
    return {str(n): int(p) for n, p in zip(frame["name"], frame["partner_id"], strict=True)}


def baseline(
    database: Database, team_id: str, day: date, *, points: float, category: str | None = None
) -> None:
    """A snapshot of ``day`` where every partner scored ``points`` more than now (engagement the
    more so), optionally in another satisfaction category."""
    scored = compute_ranking(database, team_id, now=NOW, with_changes=False).scored
    rows = []
    for _, row in scored.iterrows():
        rows.append(
            {
                "team_id": team_id,
                "day": day,
                "partner_id": int(row["partner_id"]),
                "score": float(row["score"]) + points,
                "rank": int(row["rank"]),
                "satisfaction": None
                if row["satisfaction"] != row["satisfaction"]
                else float(row["satisfaction"]),
                "engagement": float(row["engagement"]) + 3 * points,
                "recency": float(row["recency"]),
                "business": None,
                "delivery": None,
                "category": category or (row["category"] if isinstance(row["category"], str) else None),
            }
        )
    with database.transaction() as session:
        history_store.replace_days(session, team_id, [day], iter(rows))


def runner(database: Database, client: WebClient, team_id: str) -> AlertRunner:
    """A fresh runner: a new process as far as alerts go (no memory but the database)."""
    return AlertRunner(Deps(db=database), client, team_ids=[team_id])


def alerts(slack: HttpStandIn) -> list[dict[str, Any]]:
    return [c.args for c in slack.calls_to("chat.postMessage")]


def test_an_owner_is_told_once_per_drop_with_what_moved_and_buttons(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    ids = seed(database, team_id)
    with at(NOW):
        baseline(database, team_id, WEEK_AGO, points=15)
        first = runner(database, client, team_id).check([team_id])
        again = runner(database, client, team_id).check([team_id])  # a restart: nothing twice
    assert (first.sent, again.sent) == (2, 0)  # Acme's and Hooli's owners; Globex has none
    sent = {m["channel"]: m for m in alerts(slack)}
    assert set(sent) == {"U0OWN", "U0HOOLI"}
    acme = str(sent["U0OWN"]["blocks"])
    assert "fell *15 points* in 7 days" in acme and "&lt;!channel&gt; Acme" in acme
    assert "<!channel>" not in acme  # the name never pings anyone
    assert "*engagement*" in acme and "(▼ 45 points)" in acme  # what moved, and why in words
    assert "communication" in acme or "weighted" in acme or "days" in acme
    buttons = [e for b in sent["U0OWN"]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("alert_log", str(ids["<!channel> Acme"])),
        ("alert_survey", str(ids["<!channel> Acme"])),
    ]
    # Later the same ISO week, still down: nothing more. The next week, down again: told again.
    with at(NOW + timedelta(days=3)):
        baseline(database, team_id, WEEK_AGO + timedelta(days=3), points=20)
        assert runner(database, client, team_id).check([team_id]).sent == 0
    with at(NOW + timedelta(days=7)):
        baseline(database, team_id, NOW.date(), points=20)
        assert runner(database, client, team_id).check([team_id]).sent == 2
    assert len(alerts(slack)) == 4


def test_a_smaller_drop_or_alerts_off_tell_nobody(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    with at(NOW):
        baseline(database, team_id, WEEK_AGO, points=9.4)  # under the default 10
        assert runner(database, client, team_id).check([team_id]).sent == 0
        baseline(database, team_id, WEEK_AGO, points=25)
        with database.transaction() as session:
            alert_store.save_settings(
                session, team_id, drop_points=30, enabled=None, changed_by="UA", now=NOW
            )
        assert runner(database, client, team_id).check([team_id]).sent == 0
        with database.transaction() as session:
            alert_store.save_settings(
                session, team_id, drop_points=20, enabled=False, changed_by="UA", now=NOW
            )
        assert runner(database, client, team_id).check([team_id]).sent == 0
        with database.transaction() as session:
            alert_store.save_settings(
                session, team_id, drop_points=None, enabled=True, changed_by="UA", now=NOW
            )
        assert runner(database, client, team_id).check([team_id]).sent == 2
    assert alerts(slack) and all(m["channel"] in ("U0OWN", "U0HOOLI") for m in alerts(slack))


def test_new_weights_are_nobodys_drop(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    """An admin moves all weight to recency: every score moves at once, and the owners of partners
    not contacted lately would all be told their score fell — unless the week-old components are
    scored with today's weights, as they are."""
    seed(database, team_id)
    recency_only = {"satisfaction": 0.0, "engagement": 0.0, "recency": 1.0, "business": 0.0, "delivery": 0.0}
    with at(NOW):
        baseline(database, team_id, WEEK_AGO, points=0)
        with database.transaction() as session:
            ranking_store.save_weights(
                session, team_id, recency_only, old={}, changed_by="U0ADMIN", now=NOW - timedelta(days=1)
            )
        assert runner(database, client, team_id).check([team_id]).sent == 0
    assert alerts(slack) == []


def test_a_satisfaction_category_that_falls_is_an_alert_too(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    with at(NOW):
        baseline(database, team_id, WEEK_AGO, points=1, category="very satisfied")
        assert runner(database, client, team_id).check([team_id]).sent == 2
    texts = " ".join(str(m["blocks"]) for m in alerts(slack))
    assert "satisfaction fell from *very satisfied* to *" in texts


def test_no_history_a_week_ago_means_nothing_to_compare(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    with at(NOW):
        baseline(database, team_id, WEEK_AGO - timedelta(days=1), points=50)
        assert runner(database, client, team_id).check([team_id]).sent == 0


def test_a_change_marks_its_workspace_for_the_next_check(
    database: Database, team_id: str, other_team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    deps = Deps(db=database)
    one = AlertRunner(deps, client, team_ids=[team_id])
    deps.changes.on_data_change(one.alerts.mark)
    with at(NOW):
        baseline(database, team_id, WEEK_AGO, points=15)
        assert one.run_marked().checked == 0  # nothing changed: nothing checked
        deps.changes.data_changed(other_team_id, "U1")  # not this runner's workspace
        deps.changes.data_changed(team_id, "U1")
        done = one.run_marked()
        assert (done.checked, done.sent) == (1, 2)
        assert one.run_marked().checked == 0


def test_a_change_made_by_another_process_is_checked_within_the_minute(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    """No data-change call reaches this scheduler (the change came from a replica or the CLI):
    the workspace's data version in the database moved, and that is enough."""
    seed(database, team_id)
    scheduler = AlertRunner(Deps(db=database), client, team_ids=[team_id])
    with at(NOW):
        baseline(database, team_id, WEEK_AGO, points=15)
        assert scheduler.run_marked().checked == 0  # the first round only notes the versions
        assert scheduler.run_marked().checked == 0
        with database.transaction() as session:  # elsewhere: a partner edited
            partner = partner_store.get_partner_by_name(session, team_id, "Globex")
            assert partner is not None
            partner.region = "EMEA"
        done = scheduler.run_marked()
        assert (done.checked, done.sent) == (1, 2)
        assert scheduler.run_marked().checked == 0


def test_two_schedulers_on_one_database_send_each_alert_once(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    second = Database(database.url.render_as_string(hide_password=False))
    start = threading.Barrier(2)
    rounds: list[Any] = []

    def work(db: Database) -> None:
        one = runner(db, client, team_id)
        start.wait()
        rounds.append(one.check([team_id]))

    try:
        with at(NOW):
            baseline(database, team_id, WEEK_AGO, points=15)
            threads = [threading.Thread(target=work, args=(db,)) for db in (database, second)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        second.dispose()
    assert sum(r.sent for r in rounds) == 2
    assert sorted(m["channel"] for m in alerts(slack)) == ["U0HOOLI", "U0OWN"]


def test_slack_trouble_is_retried_and_a_gone_owner_given_up(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    slack.fail_next(
        "chat.postMessage", error="user_not_found", where=lambda c: c.args.get("channel") == "U0HOOLI"
    )
    slack.fail_next(
        "chat.postMessage", status=500, times=None, where=lambda c: c.args.get("channel") == "U0OWN"
    )
    with at(NOW):
        baseline(database, team_id, WEEK_AGO, points=15)
        one = runner(database, client, team_id)
        first = one.check([team_id])
        assert (first.sent, first.given_up, first.retry) == (0, 1, 1)
        slack.clear_failures("chat.postMessage")
        second = one.run_marked()  # the failed one marked its workspace again
        assert (second.sent, second.given_up) == (1, 0)


def test_the_scheduler_checks_marked_workspaces_every_minute_and_all_at_the_daily_snapshot(
    database: Database, team_id: str, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.scheduler import Scheduler
    from handlers.services.history import SnapshotOutcome

    deps = Deps(db=database)
    scheduler = Scheduler(deps, client)
    checked: list[list[str]] = []
    snapshot_done = threading.Event()
    # Only the wiring: real passes would look at every workspace of the shared test database.
    monkeypatch.setattr(scheduler.runner, "catch_up", lambda **_: [])
    monkeypatch.setattr(scheduler.reminders, "run_once", lambda: None)
    monkeypatch.setattr(
        deps.history,
        "run_once",
        lambda: [
            SnapshotOutcome(team_id, NOW.date(), "taken"),
            SnapshotOutcome("TOTHER", NOW.date(), "already"),
        ],
    )

    def check(teams: Any) -> None:
        checked.append(list(teams))
        if len(checked) == 1:
            snapshot_done.set()

    monkeypatch.setattr(scheduler.alerts, "check", check)
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job("drop-alerts")
        assert job is not None and job.trigger.interval == timedelta(minutes=1)
        assert snapshot_done.wait(10), "no check at the start's snapshot"
        assert checked[0] == [team_id]  # only workspaces that got a snapshot
        deps.changes.data_changed(team_id, "U1")
        assert scheduler.alerts.alerts.take_marked() == [team_id]  # marked by the change
    finally:
        scheduler.stop()
    deps.changes.data_changed(team_id, "U1")
    assert scheduler.alerts.alerts.take_marked() == []  # stopped: no longer listening
