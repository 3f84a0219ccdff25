"""Questions in plain words end to end: mentions of the bot in a channel (answered in the thread)
and direct messages, through the Events API; retried deliveries, edits and bots' messages.

Runs against the real server on SQLite and PostgreSQL. One workspace holds the data; each test
uses channels of its own (the stand-in's call log is shared by the module).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.standin.http import HttpStandIn
from bot.standin.records import Call

from .conftest import new_team_id, run_cli
from .slack_client import SlackClient, SlackResult

pytestmark = pytest.mark.e2e

CHANNEL_CO = "<!channel> *Co*"


@pytest.fixture(scope="module")
def workspace(slack: SlackClient, database_url: str) -> str:
    """Acme: met 2 days ago, rated 5. Umbrella: called yesterday, rated 1. Globex: last call 45
    days ago (owner UOWNG). Initech and the oddly named one: never contacted.

    Satisfaction is damped toward the workspace mean (100 + 0) / 2 = 50: Acme 62.5, Umbrella 37.5.
    """
    team = new_team_id()
    for text in ("Acme", "Umbrella", "Globex owner:<@UOWNG>", "Initech", f'"{CHANNEL_CO}"'):
        slack.command_ok(f"add {text}", team=team)
    now = datetime.now(UTC)
    interactions = "partner,kind,occurred_at,notes\n" + "".join(
        f"{name},{kind},{(now - timedelta(days=days)).strftime('%Y-%m-%dT%H:%M:%SZ')},{notes}\n"
        for name, kind, days, notes in (
            ("Acme", "meeting", 2, "Kickoff for the Q3 pilot"),
            ("Umbrella", "call", 1, "Escalation"),
            ("Globex", "call", 45, "Pricing"),
        )
    )
    run_cli(database_url, "import", "interactions", "-", "--team", team, input=interactions)
    for name, csat in (("Acme", "5"), ("Umbrella", "1")):
        ack = slack.send_command(f"feedback {name}", team=team)
        opened = slack.standin.wait_for(
            "views.open", where=lambda c, t=ack.trigger_id: c.args.get("trigger_id") == t
        )
        answer = slack.submit_view(opened.response["view"], {"csat": csat}, team=team)  # type: ignore[index]
        assert answer.json["response_action"] == "update", answer.json
    return team


def channel_for(team: str, kind: str = "C") -> str:
    """A channel only this test uses (``team`` is the test's own fresh ID)."""
    return kind + team[1:]


def mention(
    slack: SlackClient, workspace: str, channel: str, text: str, **extra: Any
) -> tuple[SlackResult, str]:
    ts = f"{time.time():.6f}"
    event = {
        "type": "app_mention",
        "user": "U1",
        "text": f"<@{slack.standin.bot_user_id}> {text}",
        "channel": channel,
        "ts": ts,
        "event_ts": ts,
        **extra,
    }
    result = slack.send_event(event, team=workspace)
    assert result.status == 200 and result.elapsed < 3, (result.status, result.elapsed)
    return result, ts


def direct_message(
    slack: SlackClient, workspace: str, channel: str, text: str, event_id: str | None = None, **extra: Any
) -> SlackResult:
    ts = f"{time.time():.6f}"
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "U1",
        "text": text,
        "channel": channel,
        "ts": ts,
        "event_ts": ts,
        **extra,
    }
    result = slack.send_event(event, team=workspace, event_id=event_id)
    assert result.status == 200 and result.elapsed < 3, (result.status, result.elapsed)
    return result


def reply_in(standin: HttpStandIn, channel: str, count: int = 1) -> Call:
    call = standin.wait_for(
        "chat.postMessage", where=lambda c: c.args.get("channel") == channel, count=count, timeout=10
    )
    assert call.ok, call.response
    return call


def replies_in(standin: HttpStandIn, channel: str) -> list[Call]:
    return standin.calls_to("chat.postMessage", lambda c: c.args.get("channel") == channel)


def said(call: Call) -> str:
    texts = [call.args.get("text", "")]
    for block in call.args.get("blocks", []):
        for part in [block.get("text"), *block.get("elements", []), *block.get("fields", [])]:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
    return "\n".join(texts)


def test_a_mention_asking_for_the_top_partners_is_answered_in_its_thread(
    slack: SlackClient, standin: HttpStandIn, workspace: str, team: str
) -> None:
    channel = channel_for(team)
    _, ts = mention(slack, workspace, channel, "top 5 partners by satisfaction this quarter")
    answer = reply_in(standin, channel)
    assert answer.args.get("thread_ts") == ts, "a mention is answered in a thread under it"
    text = said(answer)
    assert "Top 5 partners by satisfaction" in text
    ranked = [line for line in text.splitlines() if line.startswith("*") and ".* *" in line]
    assert ranked[0].startswith("*1.* *Acme* —") and "satisfaction 62" in ranked[0]  # 62.5 shown as 62
    assert ranked[1].startswith("*2.* *Umbrella* —") and "satisfaction 38" in ranked[1]
    assert "Last quarter (90 days)" in text
    assert "<!channel>" not in json.dumps(answer.args)

    # Asked inside an existing thread, the answer stays in that thread.
    _, _ = mention(slack, workspace, channel, "best 2 partners", thread_ts="1700000000.000001")
    again = reply_in(standin, channel, count=2)
    assert again.args.get("thread_ts") == "1700000000.000001"
    assert "Top 2 partners by score" in said(again)


def test_a_direct_message_asking_who_needs_attention_is_answered_inline(
    slack: SlackClient, standin: HttpStandIn, workspace: str, team: str
) -> None:
    channel = channel_for(team, "D")
    direct_message(slack, workspace, channel, "who needs attention?")
    answer = reply_in(standin, channel)
    assert not answer.args.get("thread_ts"), "a direct message is answered inline"
    text = said(answer)
    assert "Needs attention: 4 partners" in text
    lines = {line.split("*")[1]: line for line in text.splitlines() if line.startswith("• *")}
    assert "never contacted" in lines["Initech"]
    assert "no contact for 45 days" in lines["Globex"] and lines["Globex"].endswith("<@UOWNG>")
    assert "satisfaction 37.5 (very dissatisfied)" in lines["Umbrella"]
    assert "Acme" not in lines
    assert "<!channel>" not in json.dumps(answer.args) and "&lt;!channel&gt;" in text


def test_show_in_a_direct_message_gives_the_profile(
    slack: SlackClient, standin: HttpStandIn, workspace: str, team: str
) -> None:
    channel = channel_for(team, "D")
    direct_message(slack, workspace, channel, "show Acme")
    text = said(reply_in(standin, channel))
    assert "Acme" in text and "Kickoff for the Q3 pilot" in text and "*Score " in text

    direct_message(slack, workspace, channel, "how is acme?")
    assert "Kickoff for the Q3 pilot" in said(reply_in(standin, channel, count=2))

    direct_message(slack, workspace, channel, "show Acne")
    assert "Did you mean *Acme*" in said(reply_in(standin, channel, count=3))

    direct_message(slack, workspace, channel, f"show {CHANNEL_CO}")
    odd = reply_in(standin, channel, count=4)
    assert "&lt;!channel&gt;" in said(odd) and "<!channel>" not in json.dumps(odd.args)


@pytest.mark.parametrize("question", ["what's the weather like?", "hello", "<@UBOT>"])
def test_an_unrecognised_question_gets_the_list_of_what_is_understood(
    slack: SlackClient, standin: HttpStandIn, workspace: str, team: str, question: str
) -> None:
    channel = channel_for(team)
    mention(slack, workspace, channel, question)
    text = said(reply_in(standin, channel))
    assert "top 5 partners by satisfaction this quarter" in text
    assert "who needs attention?" in text and "show Acme" in text


def test_the_same_event_delivered_twice_is_answered_once(
    slack: SlackClient, standin: HttpStandIn, workspace: str, team: str
) -> None:
    channel = channel_for(team, "D")
    event_id = "Ev" + team
    first = direct_message(slack, workspace, channel, "who needs attention?", event_id=event_id)
    ts = first.request["event"]["ts"]
    event = {**first.request["event"], "ts": ts}
    retried = slack.send_event(event, team=workspace, event_id=event_id, retry_num=1)
    assert retried.status == 200 and retried.elapsed < 3
    reply_in(standin, channel)
    direct_message(slack, workspace, channel, "show Globex")  # a different event: answered
    assert "Pricing" in said(reply_in(standin, channel, count=2))
    standin.assert_no_call(
        "chat.postMessage", where=lambda c: c.args.get("channel") == channel, beyond=2, within=0.3
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"subtype": "message_changed", "message": {"text": "who needs attention?"}},
        {"subtype": "channel_join"},
        {"bot_id": "BOTHER", "user": "UOTHERBOT"},
        {"channel_type": "channel"},  # a message in a channel without a mention
    ],
    ids=["edited", "join", "another-bot", "channel-message"],
)
def test_edits_bots_and_channel_chatter_are_ignored(
    slack: SlackClient, standin: HttpStandIn, workspace: str, team: str, extra: dict[str, Any]
) -> None:
    channel = channel_for(team, "D")
    direct_message(slack, workspace, channel, "who needs attention?", **extra)
    # A question sent after it is answered; by then the one before was handled (and ignored).
    direct_message(slack, workspace, channel, "show Acme")
    answer = reply_in(standin, channel)
    assert "Kickoff" in said(answer)
    standin.assert_no_call(
        "chat.postMessage", where=lambda c: c.args.get("channel") == channel, beyond=1, within=0.3
    )
