"""``partnerbot serve`` as Slack sees it: request URLs, signatures, replies, configuration errors.

The module's server runs as a subprocess on SQLite and on PostgreSQL (see conftest.py); each test
works in its own workspace (``team``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest
import requests

from bot.standin.http import HttpStandIn
from bot.standin.signed import function_executed, sign
from bot.standin.texts import iter_texts
from handlers.shared.ids import WorkflowStep

from .conftest import REPO, ServerProcess, serve_env, server_env
from .slack_client import SlackClient

pytestmark = pytest.mark.e2e

# A `<…>` Slack reads as a control sequence: mentions, special mentions, dates, links.
CONTROL_SEQUENCE = re.compile(
    r"<(?:[@#][A-Z0-9]+(?:\|[^<>]*)?|!(?:here|channel|everyone)|!(?:subteam|date)\^[^<>]+"
    r"|(?:https?|mailto):[^<>\s]+(?:\|[^<>]*)?)>"
)


def stray_angle_brackets(payload: object) -> list[tuple[str, str]]:
    """Every ``<`` or ``>`` in mrkdwn text that is not part of a Slack control sequence."""
    stray = []
    for path, kind, text in iter_texts(payload):
        if kind == "mrkdwn":
            rest = CONTROL_SEQUENCE.sub("", text)
            if "<" in rest or ">" in rest:
                stray.append((path, text))
    return stray


def partners_known(slack: SlackClient, team: str, name: str) -> bool:
    reply = slack.command_ok(f'show "{name}"', team=team)
    return "I don't know a partner" not in reply.json["text"]


# --- the HTTP surface ------------------------------------------------------------------------


def test_healthz_answers_200_and_unknown_paths_404(server: ServerProcess) -> None:
    health = requests.get(server.url + "/healthz", timeout=5)
    assert health.status_code == 200
    assert requests.get(server.url + "/no/such/path", timeout=5).status_code == 404
    assert requests.post(server.url + "/slack/other", data="x", timeout=5).status_code == 404


def test_requests_that_slack_did_not_sign_are_refused_and_change_nothing(
    slack: SlackClient, team: str
) -> None:
    unsigned = slack.send_command('add "Unsigned Co"', team=team, signed=False)
    forged = slack.send_command('add "Forged Co"', team=team, secret="not-the-signing-secret")
    assert unsigned.status == 401, unsigned.text
    assert forged.status == 401, forged.text
    # The signature covers the body: the right signature on a different body is refused too.
    body = "command=%2Fpartner&text=add+Tampered+Co&team_id=" + team + "&user_id=U1&trigger_id=1.2.3"
    headers = sign(slack.secret, "something else")
    tampered = requests.post(
        slack.events_url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        timeout=5,
    )
    assert tampered.status_code == 401
    for name in ("Unsigned Co", "Forged Co", "Tampered Co"):
        assert not partners_known(slack, team, name), f"{name} was stored from an unsigned request"


def test_a_request_signed_ten_minutes_ago_is_refused_as_a_replay(slack: SlackClient, team: str) -> None:
    stale = slack.send_command('add "Replayed Co"', team=team, timestamp=int(time.time()) - 600)
    assert stale.status == 401, stale.text
    assert not partners_known(slack, team, "Replayed Co")


# --- replies ---------------------------------------------------------------------------------


# Every sub-command product.md describes; the app may not answer all of them yet.
PRODUCT_SUBCOMMANDS = [
    "help",
    "add",
    "edit",
    "archive",
    "log",
    "show",
    "feedback",
    "survey",
    "top",
    "stale",
    "digest",
    "weights",
    "export",
]


def answered_subcommands(slack: SlackClient, team: str) -> list[str]:
    """The sub-commands of product.md the running app answers (rather than "I don't know …")."""
    answered = []
    for word in PRODUCT_SUBCOMMANDS:
        reply = slack.send_command(f"{word} Zzprobe Nonexistent", team=team)
        assert reply.status == 200, (word, reply.text)
        if f"I don't know `{word}`" not in json.dumps((reply.json or {}).get("text", "")):
            answered.append(word)
    return answered


def test_help_lists_every_subcommand_with_an_example(slack: SlackClient, team: str) -> None:
    for text in ("help", "", "HELP"):
        reply = slack.command_ok(text, team=team)
        shown = reply.blocks_text
        for sub in ("add", "edit", "archive", "log", "show"):
            assert f"`/partner {sub}" in shown, f"help does not mention /partner {sub}"
        for example in (
            "/partner add Acme",
            "/partner log Acme call",
            "`/partner log`",
            "/partner show Acme",
        ):
            assert example in shown, f"help has no example {example}"
        assert reply.elapsed < 3


def test_help_lists_every_subcommand_the_app_answers(slack: SlackClient, team: str) -> None:
    answered = answered_subcommands(slack, team)
    assert {"help", "add", "edit", "archive", "log", "show"} <= set(answered), answered
    shown = slack.command_ok("help", team=team).blocks_text
    missing = [sub for sub in answered if sub != "help" and f"/partner {sub}" not in shown]
    assert missing == [], f"answered but not in /partner help: {missing}"


def test_help_text_has_no_stray_angle_brackets(slack: SlackClient, team: str) -> None:
    reply = slack.command_ok("help", team=team)
    assert stray_angle_brackets(reply.json) == []


def test_an_unknown_subcommand_points_to_help(slack: SlackClient, team: str) -> None:
    reply = slack.command_ok("frobnicate Acme", team=team)
    assert "frobnicate" in reply.json["text"] and "/partner help" in reply.json["text"]


def test_add_then_show_and_adding_the_same_name_again_changes_nothing(slack: SlackClient, team: str) -> None:
    added = slack.command_ok(
        'add "Acme Corp" tier:gold region:EMEA category:reseller owner:<@U42|ana>', team=team
    )
    assert "Added *Acme Corp*" in added.json["text"]

    again = slack.command_ok("add ACME corp tier:silver", team=team)
    assert "already" in again.json["text"] and "changed nothing" in again.json["text"]
    assert "Acme Corp" in again.json["text"]

    shown = slack.command_ok("show acme CORP", team=team)
    assert shown.json["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Acme Corp", "emoji": False},
    }
    profile = shown.blocks_text
    assert "gold" in profile and "silver" not in profile
    assert "EMEA" in profile and "reseller" in profile and "<@U42>" in profile
    assert "Nothing logged yet" in profile
    assert stray_angle_brackets(shown.json) == []


def test_workspaces_never_see_each_others_partners(slack: SlackClient, team: str) -> None:
    other = team + "X"
    slack.add_partner("Globex Secret", team=team)
    from_other = slack.command_ok('show "Globex Secret"', team=other)
    assert "I don't know a partner called" in from_other.json["text"]
    assert "Did you mean" not in from_other.json["text"], "suggested another workspace's partner"
    log_other = slack.command_ok("log Globex Secret call hello", team=other)
    assert "I don't know a partner" in log_other.json["text"]
    # the same name is free in the other workspace, and stays separate
    slack.add_partner("Globex Secret", team=other)
    slack.command_ok("log Globex Secret call only in the other workspace", team=other)
    mine = slack.command_ok('show "Globex Secret"', team=team)
    assert "Nothing logged yet" in mine.blocks_text


def test_a_partner_named_like_a_mention_is_shown_literally_everywhere(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    name = "<!channel> *bold*"
    first_call = len(standin.calls)
    replies = [slack.command_ok(f'add "{name}"', team=team)]
    replies.append(slack.command_ok(f'add "{name}"', team=team))  # "already a partner"
    replies.append(slack.command_ok(f'log "{name}" call we met <!here>', team=team))
    replies.append(slack.command_ok(f'show "{name}"', team=team))
    replies.append(slack.command_ok('log "<!channel> *bolt*" call typo', team=team))  # did you mean …?
    replies.append(slack.command_ok(f'archive "{name}"', team=team))
    replies.append(slack.command_ok(f'log "{name}" call archived', team=team))
    for reply in replies:
        shown = [text for _, kind, text in iter_texts(reply.json) if kind == "mrkdwn"]
        assert any("&lt;!channel&gt;" in t for t in shown), reply.json
    # Nothing the app sent, in its acknowledgements or to Slack's Web API, carries the raw mention.
    sent = json.dumps([r.json for r in replies] + [c.args for c in standin.calls[first_call:]])
    assert "<!channel>" not in sent and "<!here>" not in sent
    # Shown literally: *bold* must not turn bold where the name is shown in mrkdwn.
    confirmation = replies[2].json["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt;" in confirmation and "*bold*" not in confirmation


# --- events ----------------------------------------------------------------------------------


def manifest_bot_events() -> list[str]:
    import yaml

    manifest = yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))
    return list(manifest["settings"]["event_subscriptions"]["bot_events"])


EVENT_SAMPLES = {
    "app_mention": {"type": "app_mention", "user": "U1", "text": "<@UBOT> show Acme"},
    "message.im": {"type": "message", "channel_type": "im", "user": "U1", "text": "show Acme"},
    "app_home_opened": {"type": "app_home_opened", "user": "U1", "tab": "home"},
    # A step run for a partner nobody added: acknowledged at once, the run failed with a message.
    "function_executed": function_executed(
        callback_id=WorkflowStep.PARTNER_SCORE.value,
        inputs={"partner": "Nobody Inc"},
        function_execution_id="Fx0SAMPLE",
        bot_access_token="xwfp-sample",
        app_id="AAPP",
    ),
}


@pytest.mark.parametrize("name", manifest_bot_events())
def test_every_subscribed_event_is_acknowledged_within_3_seconds(
    slack: SlackClient, team: str, name: str
) -> None:
    """Slack retries an event that is not answered 2xx within 3 s, and turns the subscription off
    when most deliveries fail: every event manifest.yml subscribes to needs a listener."""
    channel = ("D" if name != "app_mention" else "C") + team[1:]
    sample = EVENT_SAMPLES.get(name, {"type": name.split(".")[0], "user": "U1"})
    event = {**sample, "channel": channel, "ts": f"{time.time():.6f}"}
    answer = slack.send_event({**event, "event_ts": event["ts"]}, team=team)
    assert answer.status == 200, answer.text
    assert answer.elapsed < 3


def test_a_retried_event_is_answered_once(slack: SlackClient, standin: HttpStandIn, team: str) -> None:
    slack.add_partner("Acme", team=team)
    channel = "C" + team[1:]
    ts = f"{time.time():.6f}"
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> show Acme", "channel": channel, "ts": ts}
    first = slack.send_event(event, team=team, event_id="Ev" + team)
    retried = slack.send_event(event, team=team, event_id="Ev" + team, retry_num=1)
    assert (first.status, retried.status) == (200, 200)
    answer = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == channel)
    assert answer.args.get("thread_ts") == ts, "a mention is answered in its thread"
    assert "Acme" in json.dumps(answer.args)
    standin.assert_no_call(
        "chat.postMessage", where=lambda c: c.args.get("channel") == channel, beyond=1, within=0.5
    )


# --- configuration errors --------------------------------------------------------------------


def run_serve(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{stderr}"
    return lines[0]


def test_serve_without_a_bot_token_says_so_in_one_line(tmp_path) -> None:
    env = server_env(SLACK_SIGNING_SECRET="s", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", PORT="1")
    done = run_serve(env, tmp_path)
    assert done.returncode != 0
    assert "SLACK_BOT_TOKEN" in one_line(done.stderr)


def test_serve_with_an_unreachable_database_says_so_in_one_line(tmp_path) -> None:
    env = server_env(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="s",
        DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/partnerbot",
        PORT="1",
    )
    done = run_serve(env, tmp_path)
    assert done.returncode != 0
    assert "DATABASE_URL" in one_line(done.stderr)


@pytest.fixture(scope="module")
def refused_token_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, int]:
    """``partnerbot serve`` against a stand-in whose auth.test answers invalid_auth."""
    tmp = tmp_path_factory.mktemp("refused")
    with HttpStandIn() as refusing:
        refusing.fail_next("auth.test", error="invalid_auth", times=None)
        done = run_serve(serve_env(refusing, f"sqlite:///{tmp / 'x.db'}"), tmp)
        return done, len(refusing.calls_to("auth.test"))


def test_serve_with_a_token_slack_refuses_exits_with_the_reason(refused_token_run) -> None:
    done, auth_tests = refused_token_run
    assert auth_tests >= 1, "serve did not check the token with auth.test"
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("partnerbot:") and "SLACK_BOT_TOKEN" in last and "invalid_auth" in last


def test_serve_with_a_token_slack_refuses_says_so_in_one_line(refused_token_run) -> None:
    done, _ = refused_token_run
    assert done.returncode != 0
    line = one_line(done.stderr)
    assert "SLACK_BOT_TOKEN" in line and "invalid_auth" in line


def test_the_events_url_passes_slacks_url_verification(server: ServerProcess) -> None:
    """Slack checks the Event Subscriptions request URL with a signed challenge before using it."""
    body = json.dumps({"token": "t", "challenge": "c-123", "type": "url_verification"})
    answer = requests.post(
        server.url + "/slack/events",
        data=body,
        headers={"Content-Type": "application/json", **sign(server.secret, body)},
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.json() == {"challenge": "c-123"}
