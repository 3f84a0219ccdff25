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
from slack_standin import SlackStandIn, iter_texts

from .conftest import ServerProcess, SlackClient, serve_env, server_env, sign

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


def test_help_lists_every_subcommand_with_an_example(slack: SlackClient, team: str) -> None:
    for text in ("help", "", "HELP"):
        reply = slack.command_ok(text, team=team)
        shown = reply.blocks_text
        for sub in ("add", "edit", "archive", "log", "show"):
            assert f"/partner {sub}" in shown, f"help does not mention /partner {sub}"
        # one example per sub-command, the modal form of log included
        assert "/partner log Acme call" in shown and "`/partner log`" in shown
        assert reply.elapsed < 3


@pytest.mark.xfail(
    reason="BUG: handlers/help.py:35 puts USAGE strings such as `add <name> …`, `log <partner> <kind> "
    "<notes…>` into mrkdwn unescaped; Slack reads `<name>` as a control sequence (a link), so the "
    "placeholders vanish or turn into links — escape them (&lt;name&gt;) or use another notation",
    strict=True,
)
def test_help_text_has_no_stray_angle_brackets(slack: SlackClient, team: str) -> None:
    reply = slack.command_ok("help", team=team)
    assert stray_angle_brackets(reply.json) == []


def test_an_unknown_subcommand_points_to_help(slack: SlackClient, team: str) -> None:
    reply = slack.command_ok("frobnicate Acme", team=team)
    assert "frobnicate" in reply.json["text"] and "/partner help" in reply.json["text"]


def test_add_then_show_and_adding_the_same_name_again_changes_nothing(slack: SlackClient, team: str) -> None:
    added = slack.command_ok('add "Acme Corp" tier:gold region:EMEA category:reseller owner:<@U42|ana>', team=team)
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
    slack: SlackClient, standin: SlackStandIn, team: str
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


@pytest.mark.xfail(
    reason="BUG: manifest.yml subscribes to app_mention, message.im and app_home_opened but "
    "handlers/__init__.py:register_all registers no event listener, so Bolt answers Slack's event "
    "requests with 404 'unhandled request'; Slack retries each event 3 times and disables the "
    "subscription when most deliveries fail",
    strict=True,
)
@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_mention", "user": "U1", "text": "<@UBOT> who are our top partners?", "channel": "C1"},
        {"type": "message", "channel_type": "im", "user": "U1", "text": "show Acme", "channel": "D1"},
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"},
    ],
    ids=lambda e: e["type"] + ("." + e["channel_type"] if "channel_type" in e else ""),
)
def test_subscribed_events_are_acknowledged(slack: SlackClient, team: str, event: dict) -> None:
    event = {**event, "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}"}
    answer = slack.send_event(event, team=team)
    assert answer.status == 200, answer.text
    assert answer.elapsed < 3


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


@pytest.mark.xfail(
    reason="BUG: bot/cli.py:main calls logging.basicConfig(level=INFO) on stderr before serve starts, "
    "so storage/migrate.py's Alembic run (and slack_sdk/Bolt) log several lines to stderr before "
    "run_server's one-line reason about SLACK_BOT_TOKEN; the reason is there, but not alone",
    strict=True,
)
def test_serve_with_a_token_slack_refuses_says_so_in_one_line(tmp_path) -> None:
    with SlackStandIn() as refusing:
        refusing.fail_next("auth.test", error="invalid_auth", times=None)
        done = run_serve(serve_env(refusing, f"sqlite:///{tmp_path / 'x.db'}"), tmp_path)
        assert refusing.calls_to("auth.test"), "serve did not check the token with auth.test"
    assert done.returncode != 0
    line = one_line(done.stderr)
    assert "SLACK_BOT_TOKEN" in line and "invalid_auth" in line


def test_serve_with_a_token_slack_refuses_exits_with_the_reason(tmp_path) -> None:
    """The part of the previous test that holds today: non-zero, and the last line says why."""
    with SlackStandIn() as refusing:
        refusing.fail_next("auth.test", error="invalid_auth", times=None)
        done = run_serve(serve_env(refusing, f"sqlite:///{tmp_path / 'x.db'}"), tmp_path)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("partnerbot:") and "SLACK_BOT_TOKEN" in last and "invalid_auth" in last


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
