"""Ranking digests end to end: ``/partner digest …`` through the real server, the scheduler in the
server process posting to the Slack stand-in, restarts, a kill mid-post, two schedulers.

Runs on SQLite and on PostgreSQL (see conftest.py). Timing is real: a missed run is made by
subscribing at a time that has just passed and moving the subscription's creation back in the
database, so that a server starting afterwards catches it up within seconds. The claim lease
(5 minutes, fixed in storage.digests.claim_run) is "waited out" the same way, by ageing the
claim. The suite's only wait for a live trigger (the next wall-clock minute, two servers with
their schedulers on one PostgreSQL database of their own) is set up by the first test and checked
by the last, so every other test runs while it waits.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.standin.http import HttpStandIn
from bot.standin.records import Call
from handlers.services.schedules import Cadence
from storage import digests as digest_store
from storage import interactions, partners
from storage.db import Database
from storage.migrate import upgrade
from storage.models import DigestRun, DigestSubscription, InteractionKind

from .conftest import PostgresServer, ServerProcess, new_team_id, serve_env
from .slack_client import SlackClient

pytestmark = pytest.mark.e2e

LIVE_MARGIN = 12.0  # seconds the live subscription's minute is at least ahead of its set-up
GRACE_SECONDS = 2.0  # how long to keep watching for a second post that must not come


def channel_for(team: str, suffix: str) -> str:
    return f"C{team[1:9]}{suffix}"


def hhmm(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def ok_posts(standin: HttpStandIn, channel: str) -> list[Call]:
    """Messages Slack accepted in ``channel`` (a call whose client was killed took no effect)."""
    return standin.calls_to(
        "chat.postMessage", lambda c: c.args.get("channel") == channel and c.ok and not c.abandoned
    )


def wait_for_post(standin: HttpStandIn, channel: str, *, timeout: float) -> Call:
    return standin.wait_for(
        "chat.postMessage",
        timeout=timeout,
        where=lambda c: c.args.get("channel") == channel and c.ok and not c.abandoned,
    )


def subscribe(slack: SlackClient, team: str, user: str, channel: str, words: str) -> tuple[int, str]:
    """``/partner digest add``; the digest's number and the whole answer."""
    reply = slack.command_ok(f"digest add <#{channel}|digests> {words}", team=team, user=user)
    text = reply.json["text"]
    found = re.search(r"Digest #(\d+)", text)
    assert found and text.startswith("Subscribed"), text
    return int(found.group(1)), text


def next_epoch(text: str) -> int:
    found = re.search(r"Next: <!date\^(\d+)\^", text)
    assert found, text
    return int(found.group(1))


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    """The module's database, opened in the test process to look at and age records."""
    database = Database(database_url)
    yield database
    database.dispose()


def runs_of(db: Database, subscription_id: int) -> dict[str, DigestRun]:
    with db.read() as session:
        found = session.scalars(select(DigestRun).where(DigestRun.subscription_id == subscription_id))
        return {r.period: r for r in found}


def settled_run(db: Database, subscription_id: int, period: str, *, timeout: float = 10) -> DigestRun:
    """The run once it is no longer claimed (the post reaches Slack just before it is recorded)."""
    deadline = time.monotonic() + timeout
    while True:
        run = runs_of(db, subscription_id).get(period)
        if (run is not None and run.status != "claimed") or time.monotonic() > deadline:
            assert run is not None, f"no run of digest #{subscription_id} for {period}"
            return run
        time.sleep(0.05)


def with_partners(slack: SlackClient, team: str) -> None:
    slack.add_partner("Acme Digest", team=team)
    slack.add_partner("Globex Digest", team=team)
    slack.command_ok("log Acme Digest call quarterly review", team=team)


# --- the live trigger: set up first, checked last ------------------------------------------------------


@dataclass
class Live:
    channel: str
    subscription_id: int
    fires_at: datetime
    standin: HttpStandIn
    database: Database
    schedulers: list[ServerProcess]  # two servers, each with its scheduler, on one PostgreSQL database


@pytest.fixture(scope="module")
def live(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live | None]:
    """Its own PostgreSQL database and stand-in, a workspace with partners, a daily subscription
    due at the next whole minute at least LIVE_MARGIN s away, and two servers started on it. Set up
    by the module's first test and checked by its last, whichever backend the rest runs on, so the
    wait for the minute overlaps the other tests. None without PostgreSQL (outside CI)."""
    try:
        url = postgres.create()
    except pytest.skip.Exception:
        yield None
        return
    standin = HttpStandIn().start()
    database = Database(url)
    schedulers: list[ServerProcess] = []
    try:
        upgrade(database)  # once, here: two servers migrating one fresh database at once would race
        team = new_team_id()
        now = datetime.now(UTC)
        with database.transaction() as session:
            for i, name in enumerate(["Live Acme", "Live Globex"]):
                partner = partners.add_partner(session, team, name)
                interactions.log_interaction(
                    session,
                    team,
                    partner_id=partner.id,
                    kind=InteractionKind.CALL,
                    occurred_at=now - timedelta(days=i + 1),
                    notes="",
                    user_id="ULIVE",
                )
            fires_at = (now + timedelta(seconds=LIVE_MARGIN + 60)).replace(second=0, microsecond=0)
            if fires_at - now > timedelta(seconds=LIVE_MARGIN + 60):
                fires_at -= timedelta(minutes=1)
            channel = channel_for(team, "LIVE")
            subscription, _ = digest_store.add_subscription(
                session,
                team,
                channel_id=channel,
                every="daily",
                hour=fires_at.hour,
                minute=fires_at.minute,
                timezone="UTC",
                chart=False,
                created_by="ULIVE",
            )
            subscription_id = subscription.id
        for i in range(2):  # both load the subscription as they start; neither is waited for here
            cwd = tmp_path_factory.mktemp(f"live-scheduler-{i}")
            schedulers.append(ServerProcess(serve_env(standin, url), cwd).start())
        yield Live(channel, subscription_id, fires_at, standin, database, schedulers)
    finally:
        for process in schedulers:
            process.kill()
        standin.stop()
        database.dispose()
        postgres.drop(url)


# --- commands ---------------------------------------------------------------------------------------


def test_subscribe_list_and_post_now(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str, db: Database, live: Live | None
) -> None:
    with_partners(slack, team)
    channel = channel_for(team, "NOW")
    at = datetime.now(UTC) + timedelta(hours=2)
    subscription_id, text = subscribe(slack, team, user, channel, f"daily {hhmm(at)} tz:UTC")
    assert f"Subscribed <#{channel}> to the top 10 partners, daily at {hhmm(at)} (UTC)." in text
    expected = Cadence("daily", at.hour, at.minute).next_run(datetime.now(UTC), ZoneInfo("UTC"))[1]
    assert next_epoch(text) == int(expected.timestamp())

    # Without tz:, the subscriber's own Slack time zone (users.info).
    standin.set_user(user, tz="Europe/Berlin")
    weekly, text = subscribe(slack, team, user, channel_for(team, "WEEK"), "weekly fri 17:00 top 5")
    assert "top 5 partners, every Friday at 17:00 (Europe/Berlin)" in text
    friday = datetime.fromtimestamp(next_epoch(text), ZoneInfo("Europe/Berlin"))
    assert (friday.weekday(), friday.hour, friday.minute) == (4, 17, 0)
    assert timedelta(0) < friday - datetime.now(UTC) <= timedelta(days=7)

    listed = slack.command_ok("digest list", team=team, user=user).blocks_text
    assert f"*#{subscription_id}* <#{channel}> · daily at {hhmm(at)} (UTC) · top 10" in listed
    assert (
        f"*#{weekly}* <#{channel_for(team, 'WEEK')}> · every Friday at 17:00 (Europe/Berlin) · top 5"
        in listed
    )

    now = slack.send_command(f"digest now <#{channel}|digests>", team=team, user=user)
    assert now.status == 200
    answer = standin.wait_for_response(now.response_url or "", timeout=20)
    assert f"Digest #{subscription_id} for <#{channel}>: posted. The schedule is unchanged." in str(
        answer.args.get("text")
    )
    [post] = ok_posts(standin, channel)
    assert post.args["blocks"][0]["text"]["text"].startswith("Top 2 partners · ")
    assert "Acme Digest" in post.args["text"]
    ((period, run),) = runs_of(db, subscription_id).items()
    assert period.startswith("now:") and run.status == "posted" and run.message_ts == post.response["ts"]
    # the schedule is unchanged, and the last run shows in the list
    listed = slack.command_ok("digest list", team=team, user=user).blocks_text
    assert ": posted" in listed


def test_digest_commands_refuse_what_they_cannot_read(slack: SlackClient, team: str, user: str) -> None:
    channel = channel_for(team, "BAD")
    cases = {
        f"digest add <#{channel}|x> daily 25:00": "I didn't understand “25:00”",
        f"digest add <#{channel}|x> weekly funday 10:00": "I didn't understand “funday 10:00”",
        f"digest add <#{channel}|x> daily 09:00 tz:Mars/Base": "isn't a time zone I know",
        f"digest add <#{channel}|x> daily 09:00 top 99": "1 to 25 partners",
        "digest add daily 09:00": "Which channel?",
        "digest remove nine": "Which digest?",
        "digest frobnicate": "/partner digest list",
        f"digest now <#{channel}|x>": "has no digest",
    }
    for command, words in cases.items():
        reply = slack.command_ok(command, team=team, user=user)
        assert words in reply.json["text"], (command, reply.json["text"])
    assert "No channel gets a digest yet" in slack.command_ok("digest list", team=team).json["text"]


def test_only_the_subscriber_or_an_admin_removes_a_digest(
    slack: SlackClient, team: str, user: str, standin: HttpStandIn
) -> None:
    channel = channel_for(team, "RM")
    subscription_id, _ = subscribe(slack, team, user, channel, "daily 06:00 tz:UTC")
    refused = slack.command_ok(f"digest remove {subscription_id}", team=team, user="USOMEONEELSE")
    assert f"Only whoever set it up (<@{user}>) or an admin" in refused.json["text"]
    other_team = slack.command_ok(f"digest remove {subscription_id}", team=new_team_id(), user=user)
    assert f"There is no digest #{subscription_id}" in other_team.json["text"]
    removed = slack.command_ok(f"digest remove #{subscription_id}", team=team, user=user)
    assert f"Removed digest #{subscription_id}" in removed.json["text"]
    assert "No channel gets a digest yet" in slack.command_ok("digest list", team=team).json["text"]


# --- starting up: catching up, Slack failures, a kill mid-post ----------------------------------------


@pytest.fixture
def quiet_database(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[str, Database]]:
    """A migrated database of the test's own, which the module's server never looks at: that
    server's scheduler retries recent runs every minute and would race the servers the test starts
    (it would be the one to post, or to hang)."""
    postgres: PostgresServer | None = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'quiet.db'}"
    else:
        postgres = request.getfixturevalue("postgres")
        url = postgres.create()
    database = Database(url)
    try:
        upgrade(database)
        yield url, database
    finally:
        database.dispose()
        if postgres is not None:
            postgres.drop(url)


def test_missed_runs_are_caught_up_once_through_slack_failures_and_a_kill_mid_post(
    standin: HttpStandIn,
    team: str,
    user: str,
    quiet_database: tuple[str, Database],
    start_server: Callable[..., ServerProcess],
) -> None:
    """Subscriptions whose run passed a few minutes ago (and one 7 hours ago) while no scheduler
    was running (made in the database directly: the commands are tested above); then a server
    starts:

    - rate limited (429, Retry-After 1) → waits and posts; a 500 → retried and posts;
    - not in a public channel → joins and posts; not in a private one → the owner is told;
    - 7 hours ago (past the 6-hour grace) → recorded skipped, not posted;
    - the last one's post hangs; the server is killed -9 while it hangs (after the claim). Once
      the claim's lease has run out (5 minutes, simulated by ageing the claim in the database) a
      restarted server posts it, once, and posts nothing else again.
    """
    url, db = quiet_database
    now = datetime.now(UTC)
    recent, old = now - timedelta(minutes=3), now - timedelta(hours=7)
    names = ["429", "500", "JOIN", "OLD", "KILL"]
    channels = {name: channel_for(team, name) for name in names}
    channels["PRIVATE"] = "G" + channels["JOIN"][1:] + "P"
    ids = {}
    with db.transaction() as session:
        for i, name in enumerate(["Acme Digest", "Globex Digest"]):
            partner = partners.add_partner(session, team, name)
            interactions.log_interaction(
                session,
                team,
                partner_id=partner.id,
                kind=InteractionKind.CALL,
                occurred_at=now - timedelta(days=i + 1),
                notes="",
                user_id=user,
            )
        for name in ["429", "500", "JOIN", "PRIVATE", "OLD", "KILL"]:
            at = old if name == "OLD" else recent
            subscription, _ = digest_store.add_subscription(
                session,
                team,
                channel_id=channels[name],
                every="daily",
                hour=at.hour,
                minute=at.minute,
                timezone="UTC",
                chart=False,
                created_by=user,
                created_at=now - timedelta(days=2),
            )
            ids[name] = subscription.id
    standin.fail_next(
        "chat.postMessage",
        status=429,
        retry_after=1,
        where=lambda c: c.args.get("channel") == channels["429"],
    )
    standin.fail_next(
        "chat.postMessage", status=500, where=lambda c: c.args.get("channel") == channels["500"]
    )
    standin.set_channel(channels["JOIN"], member=False)
    standin.set_channel(channels["PRIVATE"], member=False, private=True)
    standin.delay("chat.postMessage", 60, where=lambda c: c.args.get("channel") == channels["KILL"])
    try:
        doomed = start_server(DATABASE_URL=url)
        hanging = standin.wait_for(
            "chat.postMessage",
            timeout=30,
            where=lambda c: c.args.get("channel") == channels["KILL"],
            answered=False,
        )
        assert runs_of(db, ids["KILL"])[recent_period(now)].status == "claimed"
        doomed.stop(signal.SIGKILL)
        deadline = time.monotonic() + 5
        while not hanging.abandoned and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hanging.abandoned, "the stand-in did not notice the killed server hang up"
    finally:
        standin.delay("chat.postMessage", 0)

    # The kill happened 5 minutes ago as far as the lease is concerned.
    period = recent_period(now)
    with db.transaction() as session:
        session.execute(
            update(DigestRun)
            .where(DigestRun.subscription_id == ids["KILL"], DigestRun.period == period)
            .values(claimed_at=datetime.now(UTC) - timedelta(minutes=6))
        )
    restarted = start_server(DATABASE_URL=url)
    post = wait_for_post(standin, channels["KILL"], timeout=20)
    assert len(ok_posts(standin, channels["KILL"])) == 1
    run = settled_run(db, ids["KILL"], period)
    assert (run.status, run.message_ts) == ("posted", post.response["ts"])
    # Whichever of the two servers got to them (catching up goes one subscription at a time, in no
    # set order): each posted once, after its failure; nothing was posted or told twice.
    for name in ("429", "500", "JOIN"):
        assert len(ok_posts(standin, channels[name])) == 1, name
        assert settled_run(db, ids[name], period).status == "posted", name

    def statuses(name: str) -> list[int]:
        return [
            c.status
            for c in standin.calls_to("chat.postMessage", lambda c: c.args["channel"] == channels[name])
        ]

    assert statuses("429") == [429, 200] and statuses("500") == [500, 200]
    assert standin.calls_to("conversations.join", lambda c: c.args.get("channel") == channels["JOIN"])
    [told] = standin.calls_to("chat.postMessage", lambda c: c.args.get("channel") == user)
    assert "/invite @Partnerbot" in told.args["text"] and f"<#{channels['PRIVATE']}>" in told.args["text"]
    assert settled_run(db, ids["PRIVATE"], period).status == "failed"
    assert ok_posts(standin, channels["OLD"]) == []
    assert runs_of(db, ids["OLD"])[old_period(now)].status == "skipped"
    listed = (
        SlackClient(restarted.url, restarted.secret, standin).command_ok("digest list", team=team).blocks_text
    )
    for name in ["429", "500", "JOIN", "PRIVATE", "OLD", "KILL"]:
        assert f"*#{ids[name]}* <#{channels[name]}>" in listed
    assert "not in the channel: invite the bot" in listed
    restarted.assert_stops_cleanly()


def recent_period(now: datetime) -> str:
    return (now - timedelta(minutes=3)).date().isoformat()


def old_period(now: datetime) -> str:
    return (now - timedelta(hours=7)).date().isoformat()


# --- the live trigger ----------------------------------------------------------------------------------


def test_a_scheduled_run_posts_once_with_two_schedulers_on_one_postgresql(live: Live | None) -> None:
    if live is None:
        pytest.skip("needs PostgreSQL: the live run is posted by two schedulers on one database")
    for process in live.schedulers:
        process.wait_ready()
        started = re.search(r"^(\S+ \S+) INFO bot.scheduler: scheduler started", process.output, re.M)
        assert started, process.output
        at = datetime.strptime(started.group(1), "%Y-%m-%d %H:%M:%S,%f").astimezone(UTC)
        assert at < live.fires_at, "a scheduler was not up before the digest was due"
    left = (live.fires_at - datetime.now(UTC)).total_seconds()
    post = wait_for_post(live.standin, live.channel, timeout=max(left, 0) + 20)
    assert datetime.now(UTC) >= live.fires_at
    period = live.fires_at.date().isoformat()

    def outcomes() -> list[list[str]]:
        pattern = rf"digest #{live.subscription_id} for {period}: (.+)"
        return [re.findall(pattern, process.output) for process in live.schedulers]

    # Both schedulers fired (each logs its outcome); the database let one of them post.
    deadline = time.monotonic() + GRACE_SECONDS
    while not all(outcomes()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(len(found) == 1 for found in outcomes()), outcomes()
    assert set(o for found in outcomes() for o in found) <= {
        "already posted or being posted elsewhere",
        "posted",
    }, outcomes()
    assert live.standin.calls_to("chat.postMessage") == [post] and not live.standin.invalid
    assert post.args["blocks"][0]["text"]["text"].startswith("Top 2 partners · ")
    ((recorded, run),) = runs_of(live.database, live.subscription_id).items()
    assert recorded == period and (run.status, run.message_ts) == ("posted", post.response["ts"])
    for process in live.schedulers:
        process.assert_stops_cleanly()


def test_no_digest_was_posted_twice_in_this_module(standin: HttpStandIn, db: Database) -> None:
    """Across every test's restarts and kills: one accepted post per posted run, per channel."""
    with db.read() as session:
        rows = session.execute(
            select(DigestSubscription.channel_id, DigestRun.status).join(
                DigestRun, DigestRun.subscription_id == DigestSubscription.id
            )
        ).all()
    posted: dict[str, int] = {}
    for channel, status in rows:
        posted[channel] = posted.get(channel, 0) + (status == "posted")
    for channel, count in posted.items():
        assert len(ok_posts(standin, channel)) == count, channel
