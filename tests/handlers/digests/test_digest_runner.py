"""Posting digests against the Slack stand-in with a real WebClient, on SQLite and PostgreSQL:
claim → rank → post → chart → record, Slack's failures, sharing rankings, catching up."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

import bot.scheduler as bot_scheduler
import handlers.digests.runner as digest_runner
import handlers.services.digests as digest_service
from bot.scheduler import DigestTrigger, Scheduler, digest_client
from bot.settings import Settings
from bot.standin.http import HttpStandIn
from bot.standin.records import Call
from handlers.digests.runner import DigestRunner, Due
from handlers.services.rankings import compute_ranking
from handlers.services.schedules import Cadence
from handlers.shared.deps import Deps
from storage import digests, feedback, followups, interactions, partners
from storage.db import Database
from storage.models import DigestRun, DigestRunStatus, DigestSubscription, InteractionKind

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # a Monday; the occurrence of a daily 09:00 UTC digest
TODAY = "2026-06-15"
OWNER = "UOWNER"
NASTY = "<!channel> & *Stark*"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def slack() -> Iterator[HttpStandIn]:
    with HttpStandIn() as running:
        yield running
    assert not running.invalid, f"the runner sent payloads Slack refuses: {running.invalid}"


@pytest.fixture
def client(slack: HttpStandIn) -> WebClient:
    """The scheduler's own client: waits out 429s, retries 5xx and dropped connections."""
    return digest_client(Settings(database_url="", slack_bot_token="xoxb-test", slack_api_url=slack.api_url))


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def svc(database: Database, clock: Clock) -> Deps:
    return Deps(db=database, clock=clock)


@pytest.fixture
def runner(svc: Deps, client: WebClient) -> DigestRunner:
    return DigestRunner(svc, client)


@pytest.fixture
def only_this_workspace(team_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """catch_up looks at every workspace's subscriptions; on the session's shared PostgreSQL
    database other tests' are there too. Keep it to this test's workspace."""
    every = digests.all_enabled
    monkeypatch.setattr(
        digests, "all_enabled", lambda session: [s for s in every(session) if s.team_id == team_id]
    )


def test_overdue_follow_ups_put_a_partner_in_needs_attention(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn
) -> None:
    ids = seed(database, team_id)
    with database.transaction() as session:
        for days in (3, 8):
            followups.add_follow_up(
                session,
                team_id,
                partner_id=ids["Globex"],
                owner="UG",
                what="Send the deck",
                due_on=NOW.date() - timedelta(days=days),
                created_by="UG",
            )
        followups.add_follow_up(  # due today: not overdue yet
            session,
            team_id,
            partner_id=ids["Acme"],
            owner="UA",
            what="Call",
            due_on=NOW.date(),
            created_by="UA",
        )
    sub = subscribe(database, team_id, "CFOLLOW", top_n=3)
    assert runner.run(Due(sub, TODAY, NOW)) == "posted"
    [post] = attempts(slack, "CFOLLOW")
    attention = next(t for t in texts(post) if t.startswith("*Needs attention*"))
    overdue_since = (NOW.date() - timedelta(days=8)).isoformat()
    assert f"*Globex* — 2 follow-ups overdue since {overdue_since}" in attention
    assert "*Acme*" not in attention


def seed(database: Database, team_id: str) -> dict[str, int]:
    """Six partners: two busy and happy-ish, one stale (45 days, owned by UI), one unhappy, one
    never contacted, one with a name that tries to ping the channel."""
    ids = {}
    with database.transaction() as session:
        for name, owner in [
            ("Acme", "UA"),
            ("Globex", None),
            ("Initech", "UI"),
            ("Umbrella", None),
            ("Hooli", None),
            (NASTY, None),
        ]:
            ids[name] = partners.add_partner(
                session, team_id, name, owner=owner, revenue=Decimal("300"), cost=Decimal("100")
            ).id
        for name, kind, days in [
            ("Acme", InteractionKind.MEETING, 1),
            ("Acme", InteractionKind.MEETING, 3),
            ("Globex", InteractionKind.CALL, 10),
            ("Initech", InteractionKind.CALL, 45),
            ("Umbrella", InteractionKind.EMAIL, 2),
            (NASTY, InteractionKind.EMAIL, 5),
        ]:
            interactions.log_interaction(
                session,
                team_id,
                partner_id=ids[name],
                kind=kind,
                occurred_at=NOW - timedelta(days=days),
                notes="",
                user_id="U1",
            )
        for name, csat, nps in [("Acme", 5, 10), ("Umbrella", 1, 0)]:
            feedback.record_feedback(
                session,
                team_id,
                partner_id=ids[name],
                csat=csat,
                nps=nps,
                comment="",
                user_team_id=team_id,
                user_id="U" + name,
                anonymous=False,
                submitted_at=NOW - timedelta(days=2),
            )
    return ids


def subscribe(database: Database, team_id: str, channel: str, **fields: Any) -> int:
    values: dict[str, Any] = {
        "channel_id": channel,
        "every": "daily",
        "hour": 9,
        "minute": 0,
        "timezone": "UTC",
        "top_n": 3,
        "chart": False,
        "created_by": OWNER,
        "created_at": NOW - timedelta(days=10),
    }
    values.update(fields)
    with database.transaction() as session:
        subscription, _ = digests.add_subscription(session, team_id, **values)
        return subscription.id


def posts(slack: HttpStandIn, channel: str) -> list[Call]:
    """Messages Slack accepted in ``channel``."""
    return slack.calls_to("chat.postMessage", lambda c: c.args.get("channel") == channel and c.ok)


def attempts(slack: HttpStandIn, channel: str) -> list[Call]:
    return slack.calls_to("chat.postMessage", lambda c: c.args.get("channel") == channel)


def runs(database: Database, subscription_id: int) -> dict[str, DigestRun]:
    with database.read() as session:
        found = session.scalars(select(DigestRun).where(DigestRun.subscription_id == subscription_id))
        return {r.period: r for r in found}


def subscription(database: Database, subscription_id: int) -> DigestSubscription:
    with database.read() as session:
        found = session.get(DigestSubscription, subscription_id)
        assert found is not None
        return found


def texts(call: Call) -> list[str]:
    """Every section/context/header text of a posted message, in order."""
    found = []
    for block in call.args.get("blocks") or []:
        if block["type"] in ("section", "header"):
            found.append(block["text"]["text"])
        elif block["type"] == "context":
            found.extend(e["text"] for e in block["elements"])
    return found


def record_previous(
    database: Database, subscription_id: int, period: str, at: datetime, ranks: dict[int, int]
) -> None:
    with database.transaction() as session:
        sub = session.get(DigestSubscription, subscription_id)
        run = digests.claim_run(session, sub, period=period, scheduled_for=at, now=at)
        assert run is not None
        digests.finish_run(
            session,
            run.id,
            status=DigestRunStatus.POSTED,
            now=at,
            outcome="posted",
            message_ts="1.1",
            ranks={p: (r, 50.0) for p, r in ranks.items()},
        )


def mark(change: int | None) -> str:
    if change is None:
        return "new"
    return f"▲{change}" if change > 0 else f"▼{-change}" if change < 0 else "="


# --- one digest ------------------------------------------------------------------------------------


def test_a_digest_posts_once_with_the_top_n_changes_movers_and_attention(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn
) -> None:
    ids = seed(database, team_id)
    names = {v: k for k, v in ids.items()}
    channel = "CDIGEST"
    sub = subscribe(database, team_id, channel, top_n=3)
    ranking = compute_ranking(database, team_id, now=NOW, with_changes=False).scored
    order = [int(p) for p in ranking["partner_id"]]
    assert len(order) == 6
    # The previous digest of this subscription: the current #1 was 3rd, #2 was 1st, #3 was absent
    # (new); the rest kept their places.
    previous = {order[0]: 3, order[1]: 1, **{p: i + 1 for i, p in enumerate(order) if i >= 3}}
    record_previous(database, sub, "2026-06-14", NOW - timedelta(days=1), previous)
    # Neither an on-demand digest nor a failed run counts as "the previous digest".
    record_previous(database, sub, "now:2026-06-14T20:00:00+00:00", NOW - timedelta(hours=13), {})
    with database.transaction() as session:
        failed = digests.claim_run(
            session,
            session.get(DigestSubscription, sub),
            period="2026-06-10",
            scheduled_for=NOW - timedelta(hours=12),
            now=NOW,
        )
        digests.finish_run(
            session, failed.id, status=DigestRunStatus.FAILED, now=NOW, outcome="x", ranks={1: (9, 1.0)}
        )

    assert runner.run(Due(sub, TODAY, NOW)) == "posted"
    assert runner.run(Due(sub, TODAY, NOW)) == "already posted or being posted elsewhere"

    [post] = attempts(slack, channel)
    assert post.ok and post.invalid is None
    header, top, movers, attention, footer = texts(post)
    assert header == "Top 3 partners · 15 Jun 2026"
    lines = top.split("\n")
    assert len(lines) == 3
    expected_marks = ["▲2", "▼1", "new"]
    for position, (line, partner_id, expected) in enumerate(zip(lines, order, expected_marks, strict=False)):
        name = names[partner_id]
        shown = "&lt;!channel&gt; &amp; *\u200dStark*\u200d" if name == NASTY else name
        assert line.startswith(f"*{position + 1}.* *{shown}* — "), line
        assert f" · {expected} · " in line, line
        assert "last contact <!date^" in line or "never contacted" in line
    assert movers.startswith("*Biggest movers:* ")
    assert f"*{names[order[0]]}* ▲2 (now #1)" in movers
    assert "*Needs attention*" in attention
    assert "*Initech* — no contact for 45 days · <@UI>" in attention
    assert "*Hooli* — never contacted" in attention
    assert "*Umbrella* — satisfaction" in attention
    assert "▲▼ since the previous digest" in footer and f"`/partner digest remove {sub}`" in footer
    assert post.args["text"].startswith("Partner ranking: 1. ")
    everything = json.dumps(post.args)
    assert "<!channel>" not in everything  # the partner's name can't ping anyone
    assert not slack.calls_to("files.getUploadURLExternal")  # chart off

    run = runs(database, sub)[TODAY]
    assert (run.status, run.outcome, run.message_ts) == ("posted", "posted", post.response["ts"])
    assert run.finished_at == NOW and run.team_id == team_id
    recorded = {int(k): v[0] for k, v in run.ranks.items()}
    assert recorded == {p: i + 1 for i, p in enumerate(order)}


def test_changes_are_against_the_previous_scheduled_digest_of_the_same_subscription(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn, clock: Clock
) -> None:
    ids = seed(database, team_id)
    first, second = (
        subscribe(database, team_id, "CFIRST", top_n=6),
        subscribe(database, team_id, "CSECOND", top_n=6),
    )
    assert runner.run(Due(first, TODAY, NOW)) == "posted"
    [day_one] = posts(slack, "CFIRST")
    assert all(" · new · " in line for line in texts(day_one)[1].split("\n"))
    assert "first digest: every partner is new" in texts(day_one)[-1]
    day_one_ranks = {int(k): v[0] for k, v in runs(database, first)[TODAY].ranks.items()}

    # Hooli, never contacted, gets busy; an on-demand digest in between is not "the previous one".
    with database.transaction() as session:
        for hours in range(1, 9):
            interactions.log_interaction(
                session,
                team_id,
                partner_id=ids["Hooli"],
                kind=InteractionKind.QBR,
                occurred_at=NOW + timedelta(hours=hours),
                notes="",
                user_id="U1",
            )
    clock.now = NOW + timedelta(hours=10)
    assert runner.run(Due(first, f"now:{clock.now.isoformat()}", clock.now)) == "posted"
    tomorrow = NOW + timedelta(days=1)
    clock.now = tomorrow
    assert runner.run(Due(first, "2026-06-16", tomorrow)) == "posted"
    assert runner.run(Due(second, "2026-06-16", tomorrow)) == "posted"

    day_two = posts(slack, "CFIRST")[-1]
    day_two_ranks = {int(k): v[0] for k, v in runs(database, first)["2026-06-16"].ranks.items()}
    assert day_two_ranks[ids["Hooli"]] < day_one_ranks[ids["Hooli"]]  # it climbed
    by_name = {line.split("* —")[0].split("*")[-1]: line for line in texts(day_two)[1].split("\n")}
    change = day_one_ranks[ids["Hooli"]] - day_two_ranks[ids["Hooli"]]
    assert f" · {mark(change)} · " in by_name["Hooli"]
    assert f"*Hooli* {mark(change)}" in texts(day_two)[2]  # among the biggest movers
    # The other subscription's first digest knows nothing of the first one's.
    other = posts(slack, "CSECOND")[-1]
    assert all(" · new · " in line for line in texts(other)[1].split("\n"))


@pytest.mark.parametrize("chart", [True, False], ids=["chart", "no-chart"])
def test_the_chart_is_uploaded_in_the_digests_thread_when_on(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn, chart: bool
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CCHART", chart=chart, top_n=5)
    assert runner.run(Due(sub, TODAY, NOW)) == "posted"
    [post] = posts(slack, "CCHART")
    shared = slack.shared_files("CCHART")
    if not chart:
        assert shared == [] and not slack.calls_to("files.getUploadURLExternal")
        return
    [png] = shared
    assert png.thread_ts == post.response["ts"]
    assert png.filename == "partner-scores.png" and png.title == "Top partners' scores over recent periods"
    assert png.data is not None and png.data.startswith(b"\x89PNG\r\n\x1a\n") and len(png.data) > 5000
    assert [c.method for c in slack.calls if c.method != "chat.postMessage"] == [
        "conversations.info",  # is the channel shared with another organisation? (no)
        "files.getUploadURLExternal",
        "file_upload",
        "files.completeUploadExternal",
    ]


def test_a_chart_that_slack_refuses_leaves_the_digest_posted(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CNOCHART", chart=True)
    slack.fail_next("files.completeUploadExternal", error="not_allowed_token_type")
    assert runner.run(Due(sub, TODAY, NOW)) == "posted"
    assert len(posts(slack, "CNOCHART")) == 1 and slack.shared_files() == []
    assert runs(database, sub)[TODAY].status == "posted"


def test_a_chart_that_cannot_be_drawn_leaves_the_digest_recorded_as_posted(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn, monkeypatch: Any
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CBADCHART", chart=True)

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise ValueError("matplotlib could not draw this")

    monkeypatch.setattr(digest_runner, "score_history_chart", broken)
    runner.run(Due(sub, TODAY, NOW))
    [post] = posts(slack, "CBADCHART")
    run = runs(database, sub)[TODAY]
    assert (run.status, run.message_ts) == ("posted", post.response["ts"])


# --- Slack failures ------------------------------------------------------------------------------------


def test_429_waits_for_retry_after_and_posts_once(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CLIMITED")
    slack.fail_next(
        "chat.postMessage", status=429, retry_after=1, where=lambda c: c.args.get("channel") == "CLIMITED"
    )
    assert runner.run(Due(sub, TODAY, NOW)) == "posted"
    limited, posted = attempts(slack, "CLIMITED")
    assert limited.status == 429 and posted.ok
    assert posted.time - limited.time >= 0.9  # it waited Retry-After: 1
    assert runs(database, sub)[TODAY].message_ts == posted.response["ts"]


def test_5xx_is_retried(database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CFLAKY")
    slack.fail_next("chat.postMessage", status=500, where=lambda c: c.args.get("channel") == "CFLAKY")
    assert runner.run(Due(sub, TODAY, NOW)) == "posted"
    assert [c.status for c in attempts(slack, "CFLAKY")] == [500, 200]
    assert len(posts(slack, "CFLAKY")) == 1


def test_not_in_a_public_channel_joins_it_then_posts(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CPUBLIC", chart=True)
    slack.set_channel("CPUBLIC", member=False)
    assert runner.run(Due(sub, TODAY, NOW)) == "posted"
    assert [c.response["error"] if not c.ok else "ok" for c in attempts(slack, "CPUBLIC")] == [
        "not_in_channel",
        "ok",
    ]
    [joined] = slack.calls_to("conversations.join")
    assert joined.args["channel"] == "CPUBLIC" and joined.ok
    assert len(slack.shared_files("CPUBLIC")) == 1  # the chart too, now that it is a member
    assert not slack.calls_to("chat.postMessage", lambda c: c.args.get("channel") == OWNER)


def test_not_in_a_private_channel_tells_the_owner_how_to_invite_the_bot(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "GPRIVATE", chart=True)
    slack.set_channel("GPRIVATE", member=False, private=True)
    outcome = runner.run(Due(sub, TODAY, NOW))
    assert outcome == "not in the channel: invite the bot"
    assert posts(slack, "GPRIVATE") == [] and slack.shared_files() == []
    [join] = slack.calls_to("conversations.join")
    assert join.response["error"] == "method_not_supported_for_channel_type"
    [told] = slack.calls_to("chat.postMessage", lambda c: c.args.get("channel") == OWNER)
    assert told.ok and "/invite @Partnerbot" in told.args["text"] and "<#GPRIVATE>" in told.args["text"]
    run = runs(database, sub)[TODAY]
    assert (run.status, run.outcome, run.message_ts) == ("failed", outcome, None)
    assert subscription(database, sub).enabled  # the next digest will arrive once invited


@pytest.mark.parametrize(
    ("state", "error", "words"),
    [
        ({"archived": True}, "is_archived", "the channel is archived"),
        ({"exists": False}, "channel_not_found", "the channel is gone"),
    ],
)
def test_a_gone_or_archived_channel_turns_the_subscription_off_and_tells_its_owner(
    database: Database,
    team_id: str,
    runner: DigestRunner,
    slack: HttpStandIn,
    state: dict[str, bool],
    error: str,
    words: str,
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CGONE", chart=True)
    slack.set_channel("CGONE", **state)
    assert runner.run(Due(sub, TODAY, NOW)) == f"turned off: {error}"
    [told] = slack.calls_to("chat.postMessage", lambda c: c.args.get("channel") == OWNER)
    assert f"Digest #{sub} for <#CGONE> is off: {words}" in told.args["text"]
    off = subscription(database, sub)
    assert not off.enabled and off.disabled_reason
    assert runs(database, sub)[TODAY].status == "failed"
    assert runner.run(Due(sub, "2026-06-16", NOW + timedelta(days=1))) == "subscription removed or off"
    assert len(attempts(slack, "CGONE")) == 1


@pytest.mark.parametrize(
    ("state", "reason"),
    [({"exists": False}, "the channel was deleted"), ({"archived": True}, "the channel is archived")],
)
def test_the_reason_a_subscription_is_off_reads_well(
    database: Database,
    team_id: str,
    runner: DigestRunner,
    slack: HttpStandIn,
    state: dict[str, bool],
    reason: str,
) -> None:
    """(It used to be stored as "channel channel not found".)"""
    seed(database, team_id)
    sub = subscribe(database, team_id, "COFF")
    slack.set_channel("COFF", **state)
    runner.run(Due(sub, TODAY, NOW))
    assert subscription(database, sub).disabled_reason == reason


def test_one_subscription_failing_does_not_stop_the_others(
    database: Database,
    team_id: str,
    other_team_id: str,
    svc: Deps,
    client: WebClient,
    slack: HttpStandIn,
    clock: Clock,
    monkeypatch: Any,
) -> None:
    seed(database, team_id)
    seed(database, other_team_id)
    archived = subscribe(database, team_id, "CARCHIVED")
    private = subscribe(database, team_id, "GHIDDEN")
    broken = subscribe(database, other_team_id, "CBROKEN")  # its workspace's ranking fails
    fine = subscribe(database, team_id, "CFINE", chart=True)
    slack.set_channel("CARCHIVED", archived=True)
    slack.set_channel("GHIDDEN", member=False, private=True)
    original = digest_service.compute_ranking

    def compute(database: Database, team: str, **kwargs: Any) -> Any:
        if team == other_team_id:
            raise RuntimeError("scoring blew up")
        return original(database, team, **kwargs)

    monkeypatch.setattr(digest_service, "compute_ranking", compute)
    clock.now = NOW + timedelta(seconds=2)  # the jobs fire a moment after 09:00
    scheduler = Scheduler(svc, client)
    with ThreadPoolExecutor(4) as pool:  # like APScheduler's executor
        list(pool.map(scheduler.run_due, [archived, private, broken, fine]))
    assert len(posts(slack, "CFINE")) == 1 and len(slack.shared_files("CFINE")) == 1
    outcomes = {s: runs(database, s)[TODAY].outcome for s in (archived, private, broken, fine)}
    assert outcomes == {
        archived: "turned off: is_archived",
        private: "not in the channel: invite the bot",
        broken: "failed: RuntimeError",
        fine: "posted",
    }
    assert runs(database, broken)[TODAY].status == "failed"


# --- shared work --------------------------------------------------------------------------------------


def test_rankings_are_computed_once_per_workspace_for_everything_due_at_that_time(
    database: Database,
    team_id: str,
    other_team_id: str,
    svc: Deps,
    client: WebClient,
    slack: HttpStandIn,
    clock: Clock,
    monkeypatch: Any,
) -> None:
    seed(database, team_id)
    seed(database, other_team_id)
    # 09:00 UTC = 11:00 in Berlin = 05:00 in New York on 15 June: all due at the same instant.
    zones = [("UTC", 9), ("Europe/Berlin", 11), ("America/New_York", 5)]
    subs = [
        subscribe(database, team_id, f"CA{i}", timezone=zones[i % 3][0], hour=zones[i % 3][1], chart=True)
        for i in range(10)
    ] + [subscribe(database, other_team_id, f"CB{i}", chart=i % 2 == 0) for i in range(4)]
    calls: Counter[tuple[str, datetime]] = Counter()
    charts: Counter[str] = Counter()
    lock = threading.Lock()
    original_compute, original_chart = digest_service.compute_ranking, digest_runner.score_history_chart

    def counting_compute(database: Database, team: str, *, now: datetime, **kwargs: Any) -> Any:
        with lock:
            calls[(team, now)] += 1
        return original_compute(database, team, now=now, **kwargs)

    def counting_chart(history: Any, partner_ids: list[int]) -> bytes:
        with lock:
            charts[",".join(map(str, partner_ids))] += 1
        return original_chart(history, partner_ids)

    monkeypatch.setattr(digest_service, "compute_ranking", counting_compute)
    monkeypatch.setattr(digest_runner, "score_history_chart", counting_chart)
    clock.now = NOW + timedelta(seconds=5)
    scheduler = Scheduler(svc, client)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(scheduler.run_due, subs))

    assert calls[(team_id, NOW)] == 1 and calls[(other_team_id, NOW)] == 1
    # the chart's earlier periods: once per workspace too (5 earlier points each)
    assert sum(calls.values()) == 2 * 6
    assert sum(charts.values()) == 2
    # Each digest is rendered once per workspace and moment, but signed by its own subscription.
    channels = [f"CA{i}" for i in range(10)] + [f"CB{i}" for i in range(4)]
    for channel, sub in zip(channels, subs, strict=True):
        [post] = posts(slack, channel)
        assert texts(post)[-1].endswith(f"stop with `/partner digest remove {sub}`")
    assert len({texts(posts(slack, c)[0])[0] for c in channels}) == 1  # same header: same moment
    assert len(slack.shared_files()) == 10 + 2
    assert {runs(database, s)[TODAY].status for s in subs} == {"posted"}


# --- catching up after downtime -------------------------------------------------------------------------


def test_catch_up_posts_a_recent_miss_once_and_records_older_ones_as_skipped(
    database: Database,
    team_id: str,
    runner: DigestRunner,
    slack: HttpStandIn,
    clock: Clock,
    only_this_workspace: None,
) -> None:
    seed(database, team_id)
    recent = subscribe(database, team_id, "CRECENT", created_at=NOW - timedelta(days=2, hours=23))
    too_old = subscribe(database, team_id, "CTOOOLD", hour=2, created_at=NOW - timedelta(days=1, hours=12))
    brand_new = subscribe(database, team_id, "CNEW", created_at=NOW + timedelta(minutes=30))
    done = subscribe(database, team_id, "CDONE", created_at=NOW - timedelta(hours=12))
    record_previous(database, done, TODAY, NOW, {})
    clock.now = NOW + timedelta(hours=2)  # back up at 11:00: 09:00 was 2 h ago, 02:00 was 9 h ago

    assert runner.catch_up() == ["posted"]
    assert len(posts(slack, "CRECENT")) == 1
    assert {p: r.status for p, r in runs(database, recent).items()} == {
        "2026-06-13": "skipped",
        "2026-06-14": "skipped",
        TODAY: "posted",
    }
    assert posts(slack, "CTOOOLD") == []
    assert {p: r.status for p, r in runs(database, too_old).items()} == {
        "2026-06-14": "skipped",
        TODAY: "skipped",
    }
    assert runs(database, brand_new) == {} and posts(slack, "CNEW") == []
    assert list(runs(database, done)) == [TODAY] and posts(slack, "CDONE") == []

    clock.now += timedelta(minutes=10)
    assert runner.catch_up() == []  # a second start posts nothing
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_catch_up_takes_over_a_claim_whose_process_died_after_the_lease(
    database: Database,
    team_id: str,
    runner: DigestRunner,
    slack: HttpStandIn,
    clock: Clock,
    only_this_workspace: None,
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CORPHAN")
    with database.transaction() as session:  # the process claimed 09:00's run, then was killed
        digests.claim_run(
            session, session.get(DigestSubscription, sub), period=TODAY, scheduled_for=NOW, now=NOW
        )
    clock.now = NOW + timedelta(minutes=2)
    assert runner.catch_up() == ["already posted or being posted elsewhere"]  # its lease is still on
    assert attempts(slack, "CORPHAN") == []
    clock.now = NOW + timedelta(minutes=6)
    assert runner.catch_up() == ["posted"]
    assert len(attempts(slack, "CORPHAN")) == 1 and runs(database, sub)[TODAY].status == "posted"


def test_catch_up_records_an_older_orphaned_claim_as_skipped(
    database: Database,
    team_id: str,
    runner: DigestRunner,
    slack: HttpStandIn,
    clock: Clock,
    only_this_workspace: None,
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CSTALE")
    yesterday = NOW - timedelta(days=1)
    with database.transaction() as session:  # yesterday's run was claimed by a process that died
        digests.claim_run(
            session,
            session.get(DigestSubscription, sub),
            period="2026-06-14",
            scheduled_for=yesterday,
            now=yesterday,
        )
    clock.now = NOW + timedelta(hours=1)
    assert runner.catch_up() == ["posted"]  # today's
    assert runs(database, sub)["2026-06-14"].status == "skipped"


@pytest.fixture
def quick_scheduler(
    database: Database, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Scheduler]:
    """A real Scheduler (APScheduler running) whose every-minute jobs — syncing the
    subscriptions and retrying recent runs — run every second, with a 1-second claim lease."""
    if database.dialect != "sqlite":
        pytest.skip("the same code path as on SQLite; one real-time wait is enough")
    monkeypatch.setattr(bot_scheduler, "SYNC_SECONDS", 1)
    monkeypatch.setattr(digests, "LEASE", timedelta(seconds=1))
    scheduler = Scheduler(Deps(db=database), client)
    yield scheduler
    scheduler.stop()


def test_a_run_orphaned_by_a_quick_restart_is_posted_once_its_lease_runs_out(
    database: Database, team_id: str, slack: HttpStandIn, quick_scheduler: Scheduler
) -> None:
    """A process claimed a run and was killed mid-post; the app restarts within the lease. The
    catch-up at start must leave it (someone may still be posting it); once the lease is over the
    scheduler's periodic retry posts it, once."""
    seed(database, team_id)
    real_now = datetime.now(UTC)
    earlier = real_now - timedelta(minutes=10)
    day, moment = Cadence("daily", earlier.hour, earlier.minute).previous_run(real_now, ZoneInfo("UTC"))
    sub = subscribe(
        database,
        team_id,
        "CQUICK",
        hour=earlier.hour,
        minute=earlier.minute,
        created_at=real_now - timedelta(days=1, hours=1),
    )
    claimed_at = datetime.now(UTC)
    with database.transaction() as session:  # claimed just now by a process that was then killed
        digests.claim_run(
            session,
            session.get(DigestSubscription, sub),
            period=day.isoformat(),
            scheduled_for=moment,
            now=claimed_at,
        )
    quick_scheduler.start()  # the restarted process
    post = slack.wait_for("chat.postMessage", timeout=5, where=lambda c: c.args.get("channel") == "CQUICK")
    assert post.ok
    # a few more retries: none posts again
    slack.assert_no_call(
        "chat.postMessage", where=lambda c: c.args.get("channel") == "CQUICK" and c.ok, beyond=1, within=1.5
    )
    run = runs(database, sub)[day.isoformat()]
    assert (run.status, run.message_ts) == ("posted", post.response["ts"])
    assert run.claimed_at >= claimed_at + timedelta(seconds=1)  # taken over after the lease, not before


def test_a_run_due_before_the_scheduler_syncs_a_new_subscription_is_still_posted(
    database: Database, team_id: str, slack: HttpStandIn, quick_scheduler: Scheduler
) -> None:
    """A subscription added by another process (a `serve --no-scheduler` replica, or any `serve`
    when `partnerbot scheduler` runs alone) reaches the scheduler at its next sync; an occurrence
    between its creation and that sync (`daily 09:00` added at 08:59:40, answered "Next: today
    09:00") must still be posted."""
    seed(database, team_id)
    quick_scheduler.start()  # running before the subscription exists
    due = datetime.now(UTC).replace(second=0, microsecond=0)  # the minute that has just begun
    sub = subscribe(
        database,
        team_id,
        "CLATESYNC",
        hour=due.hour,
        minute=due.minute,
        created_at=due - timedelta(seconds=30),
    )
    post = slack.wait_for("chat.postMessage", timeout=5, where=lambda c: c.args.get("channel") == "CLATESYNC")
    slack.assert_no_call(
        "chat.postMessage",
        where=lambda c: c.args.get("channel") == "CLATESYNC" and c.ok,
        beyond=1,
        within=1.5,
    )
    assert runs(database, sub)[due.date().isoformat()].message_ts == post.response["ts"]


# --- the scheduler's jobs ---------------------------------------------------------------------------


def test_jobs_follow_the_subscriptions_with_each_ones_time_zone(
    database: Database, team_id: str, svc: Deps, client: WebClient
) -> None:
    scheduler = Scheduler(svc, client)
    berlin = subscribe(database, team_id, "CBER", timezone="Europe/Berlin", hour=2, minute=30)
    york = subscribe(database, team_id, "CNYC", timezone="America/New_York", every="weekly", weekday=4)
    scheduler.sync()
    jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
    assert {f"digest-{berlin}", f"digest-{york}"} <= set(jobs)
    trigger = jobs[f"digest-{berlin}"].trigger
    assert isinstance(trigger, DigestTrigger) and trigger.zone == ZoneInfo("Europe/Berlin")
    assert jobs[f"digest-{york}"].trigger.zone == ZoneInfo("America/New_York")
    assert jobs[f"digest-{york}"].trigger.cadence == Cadence("weekly", 9, 0, weekday=4)

    with database.transaction() as session:
        digests.disable(session, york, "channel is archived")
        digests.remove_subscription(session, digests.get_subscription(session, team_id, berlin))
    scheduler.sync()
    assert not {f"digest-{berlin}", f"digest-{york}"} & {job.id for job in scheduler.scheduler.get_jobs()}


def test_the_trigger_fires_once_a_local_day_across_both_changes() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    trigger = DigestTrigger(Cadence("daily", 2, 30), berlin)
    start = datetime(2026, 3, 27, tzinfo=UTC)
    fired = [trigger.get_next_fire_time(None, start)]
    while fired[-1] < datetime(2026, 10, 28, tzinfo=UTC) and len(fired) < 400:
        fired.append(trigger.get_next_fire_time(fired[-1], fired[-1]))
    days = [f.astimezone(berlin).date() for f in fired]
    assert len(days) == len(set(days)) == (days[-1] - days[0]).days + 1
    assert trigger.get_next_fire_time(None, fired[3]) == fired[3]  # due right now: fires now


# --- ▲▼ and movers from score history ----------------------------------------------------------------


def test_changes_and_movers_come_from_the_snapshot_at_the_periods_start(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn
) -> None:
    from storage import history as history_store

    ids = seed(database, team_id)
    names = {v: k for k, v in ids.items()}
    sub = subscribe(database, team_id, "CHISTORY", top_n=3)
    order = [
        int(p) for p in compute_ranking(database, team_id, now=NOW, with_changes=False).scored["partner_id"]
    ]
    # The previous digest says one thing, the snapshot of the period's start (yesterday: a daily
    # digest) another: history wins.
    record_previous(
        database, sub, "2026-06-14", NOW - timedelta(days=1), {p: i + 1 for i, p in enumerate(order)}
    )
    yesterday = NOW.date() - timedelta(days=1)
    at_start = {order[0]: 4, order[1]: 1, order[2]: 2}  # #1 was 4th; #2 was 1st; #3 was 2nd
    with database.transaction() as session:
        history_store.replace_days(
            session,
            team_id,
            [yesterday],
            (
                {
                    "team_id": team_id,
                    "day": yesterday,
                    "partner_id": p,
                    "score": 50.0,
                    "rank": r,
                    "satisfaction": None,
                    "engagement": 1.0,
                    "recency": 1.0,
                    "business": None,
                    "delivery": None,
                    "category": None,
                }
                for p, r in at_start.items()
            ),
        )
    assert runner.run(Due(sub, TODAY, NOW)) == "posted"
    [post] = attempts(slack, "CHISTORY")
    _header, top, movers, *_, footer = texts(post)
    marks = [line.split(" · ")[1] for line in top.split("\n")]
    assert marks == ["▲3", "▼1", "▼1"]
    assert movers.startswith("*Biggest movers:* ") and f"*{names[order[0]]}* ▲3 (now #1)" in movers
    assert "▲▼ since 14 Jun 2026 (score history)" in footer


@pytest.mark.parametrize("sharing", [{"ext_shared": True}, {"pending_ext_shared": True}])
def test_a_digest_never_reaches_a_channel_shared_with_another_organisation(
    database: Database,
    team_id: str,
    runner: DigestRunner,
    slack: HttpStandIn,
    sharing: dict[str, bool],
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CEXT", chart=True)
    slack.set_channel("CEXT", **sharing)  # shared (or invited to be) after it subscribed
    assert runner.run(Due(sub, TODAY, NOW)) == digest_runner.SHARED_OUTCOME
    assert runner.run(Due(sub, "2026-06-16", NOW + timedelta(days=1))) == digest_runner.SHARED_OUTCOME
    assert attempts(slack, "CEXT") == [] and slack.shared_files() == []
    # Its subscriber is told once, not at every run.
    [told] = slack.calls_to("chat.postMessage", lambda c: c.args.get("channel") == OWNER)
    assert "shared with another organisation" in told.args["text"] and "<#CEXT>" in told.args["text"]
    recorded = runs(database, sub)
    assert {p: (r.status, r.outcome) for p, r in recorded.items()} == {
        TODAY: ("skipped", digest_runner.SHARED_OUTCOME),
        "2026-06-16": ("skipped", digest_runner.SHARED_OUTCOME),
    }
    assert subscription(database, sub).enabled  # paused, not off: unshared, it posts again
    slack.set_channel("CEXT")
    assert runner.run(Due(sub, "2026-06-17", NOW + timedelta(days=2))) == "posted"
    assert len(posts(slack, "CEXT")) == 1


def test_a_channel_shared_only_within_our_own_organisation_gets_its_digest(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CGRID")
    slack.set_channel("CGRID", org_shared=True)
    assert runner.run(Due(sub, TODAY, NOW)) == "posted"
    assert len(posts(slack, "CGRID")) == 1


def test_when_slack_cannot_say_whether_a_channel_is_shared_the_digest_is_not_posted(
    database: Database, team_id: str, runner: DigestRunner, slack: HttpStandIn
) -> None:
    seed(database, team_id)
    sub = subscribe(database, team_id, "CUNSURE")
    slack.fail_next("conversations.info", error="fatal_error", times=None)
    assert runner.run(Due(sub, TODAY, NOW)) == digest_runner.UNKNOWN_OUTCOME
    assert attempts(slack, "CUNSURE") == []
    # Not told: that is Slack's passing trouble, not something the subscriber can change.
    assert not slack.calls_to("chat.postMessage", lambda c: c.args.get("channel") == OWNER)
    assert runs(database, sub)[TODAY].status == "skipped"
