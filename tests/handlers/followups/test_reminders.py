"""Follow-up reminders against the Slack stand-in with a real WebClient, on SQLite and PostgreSQL, in
travelled time (time-machine): 09:00 in the owner's own zone whatever daylight saving does, exactly
once across restarts and two schedulers, late when the app was down, again after each snooze."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from slack_sdk import WebClient

from bot.scheduler import Scheduler, digest_client
from bot.settings import Settings
from bot.standin.http import HttpStandIn
from handlers.followups.reminders import ReminderRunner
from handlers.shared.deps import Deps
from storage import followups as follow_up_store
from storage import interactions, partners
from storage.db import Database
from storage.models import InteractionKind

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def slack() -> Iterator[HttpStandIn]:
    with HttpStandIn() as running:
        running.set_user("UNY", tz="America/New_York")
        running.set_user("UTOKYO", tz="Asia/Tokyo")
        yield running
    assert not running.invalid, f"the runner sent payloads Slack refuses: {running.invalid}"


@pytest.fixture
def client(slack: HttpStandIn) -> WebClient:
    return digest_client(Settings(database_url="", slack_bot_token="xoxb-test", slack_api_url=slack.api_url))


def runner(database: Database, client: WebClient, team_id: str) -> ReminderRunner:
    """A fresh runner: a new process as far as reminders go (no memory but the database)."""
    return ReminderRunner(Deps(db=database), client, team_ids=[team_id])


def follow_up(
    database: Database, team_id: str, due_on: date, *, owner: str = "UNY", what: str = "Send the deck"
) -> int:
    with database.transaction() as session:
        partner = partners.get_partner_by_name(session, team_id, "Acme") or partners.add_partner(
            session, team_id, "Acme"
        )
        found, _ = follow_up_store.add_follow_up(
            session, team_id, partner_id=partner.id, owner=owner, what=what, due_on=due_on, created_by=owner
        )
        return found.id


def reminders(slack: HttpStandIn, owner: str | None = None) -> list[dict[str, Any]]:
    calls = slack.calls_to("chat.postMessage", lambda c: owner is None or c.args.get("channel") == owner)
    return [call.args for call in calls]


def at(zone: ZoneInfo, *when: int) -> time_machine.travel:
    return time_machine.travel(datetime(*when, tzinfo=zone), tick=True)


def test_reminded_at_nine_on_its_day_in_the_owners_zone_across_daylight_saving(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    # 2026-03-08: New York moves its clocks forward at 02:00, so 09:00 is 13:00 UTC, not 14:00.
    spring = follow_up(database, team_id, date(2026, 3, 8), what="Spring call")
    with at(NEW_YORK, 2026, 3, 8, 8, 59):
        assert runner(database, client, team_id).run_once().sent == 0
    with at(NEW_YORK, 2026, 3, 8, 9, 0):
        assert datetime.now(UTC).hour == 13
        assert runner(database, client, team_id).run_once().sent == 1
        assert runner(database, client, team_id).run_once().sent == 0
    # 2026-11-01: back an hour at 02:00, so 09:00 is 14:00 UTC.
    autumn = follow_up(database, team_id, date(2026, 11, 1), what="Autumn call")
    with at(UTC, 2026, 11, 1, 13, 30):  # 08:30 in New York
        assert runner(database, client, team_id).run_once().sent == 0
    with at(UTC, 2026, 11, 1, 14, 0):
        assert runner(database, client, team_id).run_once().sent == 1
    sent = reminders(slack, "UNY")
    assert [m["text"] for m in sent] == [
        "Reminder: follow up with Acme — Spring call",
        "Reminder: follow up with Acme — Autumn call",
    ]
    with database.read() as session:
        for number, day in ((spring, date(2026, 3, 8)), (autumn, date(2026, 11, 1))):
            stored = follow_up_store.get_follow_up(session, team_id, number)
            assert stored is not None and stored.reminded_for == day and stored.reminder_ts


def test_each_owner_is_reminded_at_their_own_nine(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    follow_up(database, team_id, date(2026, 6, 16), owner="UTOKYO")
    follow_up(database, team_id, date(2026, 6, 16), owner="UNY")
    with at(TOKYO, 2026, 6, 16, 9, 0):  # 20:00 the day before in New York
        assert runner(database, client, team_id).run_once().sent == 1
    with at(NEW_YORK, 2026, 6, 16, 9, 0):
        assert runner(database, client, team_id).run_once().sent == 1
    assert [m["channel"] for m in reminders(slack)] == ["UTOKYO", "UNY"]


def test_a_missed_reminder_goes_out_when_the_app_is_back_and_once_across_restarts(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    follow_up(database, team_id, date(2026, 6, 15))
    with database.transaction() as session:
        acme = partners.get_partner_by_name(session, team_id, "Acme")
        assert acme is not None
        interactions.log_interaction(
            session,
            team_id,
            partner_id=acme.id,
            kind=InteractionKind.MEETING,
            occurred_at=datetime(2026, 6, 10, 15, tzinfo=UTC),
            notes="Pricing <!channel> talk",
            user_id="UNY",
        )
    # The app was down from before 09:00 on the 15th until 07:00 on the 16th.
    with at(NEW_YORK, 2026, 6, 16, 7, 0):
        assert runner(database, client, team_id).run_once().sent == 1
        assert runner(database, client, team_id).run_once().sent == 0  # restarted: nothing twice
    with at(NEW_YORK, 2026, 6, 17, 9, 0):
        assert runner(database, client, team_id).run_once().sent == 0
    (message,) = reminders(slack, "UNY")
    shown = str(message["blocks"])
    assert "was due yesterday" in shown and "&gt;Send the deck" not in shown and ">Send the deck" in shown
    assert "last communication: meeting" in shown and "Pricing &lt;!channel&gt; talk" in shown
    assert "<!channel>" not in shown  # what a person typed never pings anyone
    buttons = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["followup_done", "followup_snooze_day", "followup_snooze_week", "followup_log"]


def test_two_schedulers_on_one_database_send_each_reminder_once(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    numbers = [follow_up(database, team_id, date(2026, 6, 15), what=f"Task {i}") for i in range(60)]
    # Two processes: each its own engine (connection pool) on the same database.
    second = Database(database.url.render_as_string(hide_password=False))
    try:
        runners = [runner(database, client, team_id), runner(second, client, team_id)]
        rounds: list[Any] = []
        start = threading.Barrier(2)

        def work(one: ReminderRunner) -> None:
            start.wait()
            rounds.append(one.run_once())

        with at(NEW_YORK, 2026, 6, 15, 9, 1):
            threads = [threading.Thread(target=work, args=(one,)) for one in runners]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        second.dispose()
    sent = Counter(m["text"] for m in reminders(slack, "UNY"))
    assert len(sent) == len(numbers) and set(sent.values()) == {1}
    assert sum(r.sent for r in rounds) == len(numbers) and all(r.lost_claims == 0 for r in rounds)


def test_snoozed_twice_it_is_reminded_on_each_new_date(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    number = follow_up(database, team_id, date(2026, 6, 15))
    with at(NEW_YORK, 2026, 6, 15, 9, 0):
        assert runner(database, client, team_id).run_once().sent == 1
        with database.transaction() as session:
            stored = follow_up_store.get_follow_up(session, team_id, number)
            assert stored is not None
            follow_up_store.snooze(session, stored, days=1, today=date(2026, 6, 15))
        assert runner(database, client, team_id).run_once().sent == 0
    with at(NEW_YORK, 2026, 6, 16, 8, 59):
        assert runner(database, client, team_id).run_once().sent == 0
    with at(NEW_YORK, 2026, 6, 16, 9, 0):
        assert runner(database, client, team_id).run_once().sent == 1
        with database.transaction() as session:
            stored = follow_up_store.get_follow_up(session, team_id, number)
            assert stored is not None
            follow_up_store.snooze(session, stored, days=7, today=date(2026, 6, 16))
    with at(NEW_YORK, 2026, 6, 22, 9, 0):
        assert runner(database, client, team_id).run_once().sent == 0
    with at(NEW_YORK, 2026, 6, 23, 9, 0):
        assert runner(database, client, team_id).run_once().sent == 1
    texts = [str(m["blocks"]) for m in reminders(slack, "UNY")]
    assert len(texts) == 3 and "snoozed 2 times" in texts[2] and "snoozed 1 time" in texts[1]


def test_done_follow_ups_are_never_reminded(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    number = follow_up(database, team_id, date(2026, 6, 15))
    with database.transaction() as session:
        stored = follow_up_store.get_follow_up(session, team_id, number)
        assert stored is not None
        follow_up_store.mark_done(session, stored, on=date(2026, 6, 14), by="UNY")
    with at(NEW_YORK, 2026, 6, 15, 9, 0):
        assert runner(database, client, team_id).run_once().sent == 0
    assert reminders(slack) == []


def test_slack_failures_retry_or_give_up(
    database: Database, team_id: str, client: WebClient, slack: HttpStandIn
) -> None:
    follow_up(database, team_id, date(2026, 6, 15), owner="UGONE")
    follow_up(database, team_id, date(2026, 6, 15), owner="UNY")
    slack.fail_next(
        "chat.postMessage", error="user_not_found", where=lambda c: c.args.get("channel") == "UGONE"
    )
    # Slack down for longer than the client's own retries: the next round tries again.
    slack.fail_next(
        "chat.postMessage", status=500, times=None, where=lambda c: c.args.get("channel") == "UNY"
    )
    with at(UTC, 2026, 6, 15, 14, 0):  # 10:00 in New York; UGONE (no zone known) counts in UTC
        first = runner(database, client, team_id).run_once()
        assert (first.given_up, first.retry, first.sent) == (1, 1, 0)
        slack.clear_failures("chat.postMessage")
        second = runner(database, client, team_id).run_once()
        assert (second.given_up, second.retry, second.sent) == (0, 0, 1)  # UGONE is not tried again
    delivered = slack.calls_to("chat.postMessage", lambda c: c.status == 200 and c.response.get("ok"))
    assert [c.args["channel"] for c in delivered] == ["UNY"]


def test_the_scheduler_sends_reminders_every_minute_and_at_start(
    database: Database, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = Scheduler(Deps(db=database), client)
    rounds = threading.Event()
    # Only what is wired is checked here: the rounds themselves are tested above, and a real round
    # would remind every workspace in the shared test database.
    monkeypatch.setattr(scheduler.reminders, "run_once", rounds.set)
    monkeypatch.setattr(scheduler.runner, "catch_up", lambda **_: [])
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job("follow-up-reminders")
        assert job is not None and job.trigger.interval == timedelta(minutes=1)
        assert rounds.wait(10), "no round right after the start (reminders missed while down)"
    finally:
        scheduler.stop()
