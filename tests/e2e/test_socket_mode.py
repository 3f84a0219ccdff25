"""Socket Mode end to end: ``partnerbot serve`` with ``SLACK_APP_TOKEN`` connects to the Socket Mode
stand-in (``bot/standin/socket_mode.py``) through ``apps.connections.open`` and is sent commands,
form submissions and events as envelopes over the WebSocket, as Slack does.

Each envelope must be acknowledged (an ack carrying its envelope_id) within Slack's 3 seconds, and
what it did must show: rows exported, calls made to the Web API stand-in. The app must come back
when Slack drops the connection or asks it to reconnect, keep answering /healthz on PORT, and on
SIGTERM exit 0 having closed its socket.

Runs against the real server on SQLite and PostgreSQL; each test has its own workspace.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from bot.standin.http import HttpStandIn
from bot.standin.socket_mode import SocketModeStandIn

from .conftest import ServerProcess, export_rows, serve_env
from .slack_client import partner_option, today_in
from .socket_client import SocketSlackClient

pytestmark = pytest.mark.e2e

APP_TOKEN = "xapp-1-A0APP-1-0123456789abcdef"


@pytest.fixture(scope="module")
def socket_mode(standin: HttpStandIn) -> Iterator[SocketModeStandIn]:
    with SocketModeStandIn(standin, app_tokens={APP_TOKEN}) as running:
        yield running


@pytest.fixture(scope="module")
def socket_server(
    standin: HttpStandIn,
    socket_mode: SocketModeStandIn,
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServerProcess]:
    """The module's server in Socket Mode; on SIGTERM at the end it must exit 0 and hang up."""
    # No signing secret: nothing Slack sends in Socket Mode is signed, so none is needed.
    env = serve_env(standin, database_url, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET=None)
    process = ServerProcess(env, tmp_path_factory.mktemp("cwd")).start()
    try:
        process.wait_ready()
        socket_mode.wait_connected()
        yield process
    except BaseException:
        process.kill()
        raise
    process.assert_stops_cleanly()
    socket_mode.wait_disconnected()


@pytest.fixture(scope="module")
def slack(
    socket_server: ServerProcess, standin: HttpStandIn, socket_mode: SocketModeStandIn
) -> SocketSlackClient:
    return SocketSlackClient(socket_server.url, standin, socket_mode)


def interactions(database_url: str, team: str) -> list[tuple[str, str, str]]:
    return [(r["partner"], r["kind"], r["notes"]) for r in export_rows(database_url, "interactions", team)]


# --- connecting ------------------------------------------------------------------------------


def test_it_connects_with_the_app_token_and_health_is_still_served_on_port(
    slack: SocketSlackClient, standin: HttpStandIn, socket_server: ServerProcess
) -> None:
    opened = standin.calls_to("apps.connections.open")
    assert opened and opened[0].ok, [c.response for c in opened]
    assert {c.headers.get("authorization") for c in opened} == {f"Bearer {APP_TOKEN}"}
    assert requests.get(socket_server.url + "/healthz", timeout=5).status_code == 200
    # Slack reaches a Socket Mode app only through its socket: there is no request URL to forge.
    assert requests.post(socket_server.url + "/slack/events", data="{}", timeout=5).status_code == 404


def test_the_stand_in_refuses_a_bot_token_for_a_socket(standin: HttpStandIn) -> None:
    """The check the app's token passed is a real one: Slack wants the app-level token."""
    answer = requests.post(
        standin.api_url + "apps.connections.open", headers={"Authorization": "Bearer xoxb-test"}, timeout=5
    ).json()
    assert answer == {"ok": False, "error": "not_allowed_token_type"}


# --- commands, forms and events over the socket ------------------------------------------------


def test_a_log_command_is_answered_in_its_acknowledgement_and_stored(
    slack: SocketSlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    added = slack.add_partner("Acme Corp", team=team)
    assert "Acme Corp" in added.json["text"] + added.blocks_text
    logged = slack.command_ok("log Acme Corp call Renewal talk, they want a Q3 pilot", team=team)
    # What the person sees is the ack's payload: the confirmation, only to them.
    assert logged.json["response_type"] == "ephemeral"
    assert "Logged a *call* with *Acme Corp*" in logged.json["blocks"][0]["text"]["text"]
    assert interactions(database_url, team) == [("Acme Corp", "call", "Renewal talk, they want a Q3 pilot")]
    assert standin.responses_to(logged.response_url) == [], "answered in the ack, not via response_url"


def test_a_bad_command_is_explained_in_the_acknowledgement_and_nothing_is_stored(
    slack: SocketSlackClient, team: str, database_url: str
) -> None:
    slack.add_partner("Acme Corp", team=team)
    reply = slack.command_ok("log Acme Crop call x", team=team)
    assert "Did you mean *Acme Corp*?" in reply.json["text"]
    assert interactions(database_url, team) == []


def test_the_log_form_is_opened_checked_and_stored_through_the_socket(
    slack: SocketSlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    slack.add_partner("Initech", team=team)
    ack, view = slack.open_log_modal(team=team)
    assert ack.text == "", "the form opens; nothing is said in the channel"
    option = partner_option(slack, team, "Initech", view)  # the type-ahead, answered in its ack

    future = (today_in("America/New_York") + timedelta(days=2)).isoformat()
    refused = slack.submit_view(view, {"partner": option, "kind": "call", "date": future}, team=team)
    assert refused.json["response_action"] == "errors" and "date" in refused.json["errors"], refused.json
    assert interactions(database_url, team) == []

    day = (today_in("America/New_York") - timedelta(days=1)).isoformat()
    changes = {"partner": option, "kind": "meeting", "date": day, "notes": "Kick-off <b>"}
    submitted = slack.submit_view(view, changes, team=team)
    assert submitted.text == "", "an empty acknowledgement closes the form"
    confirmation = standin.wait_for_response(ack.response_url).args
    assert "Logged a *meeting* with *Initech*" in confirmation["blocks"][0]["text"]["text"]
    assert interactions(database_url, team) == [("Initech", "meeting", "Kick-off <b>")]


def test_opening_the_home_tab_is_acknowledged_and_publishes_it(
    slack: SocketSlackClient, standin: HttpStandIn, team: str
) -> None:
    user = "U" + team[1:]
    slack.add_partner("Hooli", team=team, user=user)
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D" + user[1:],
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }
    acked = slack.send_event(event, team=team)
    assert acked.json is None, "events are acknowledged with no payload"
    published = standin.wait_for("views.publish", where=lambda c: c.args.get("user_id") == user, timeout=10)
    assert published.ok, (published.response, published.invalid)
    assert published.args["view"]["type"] == "home"


# --- losing the connection ---------------------------------------------------------------------


def test_after_a_dropped_connection_it_reconnects_and_the_next_command_goes_through(
    slack: SocketSlackClient, socket_mode: SocketModeStandIn, standin: HttpStandIn, team: str
) -> None:
    before = socket_mode.connections
    opened = len(standin.calls_to("apps.connections.open"))
    socket_mode.drop()
    socket_mode.wait_connected(count=before + 1, timeout=30)
    assert len(standin.calls_to("apps.connections.open")) > opened, "a new URL for every connection"
    assert "Added" in slack.add_partner("After Drop Ltd", team=team).json["text"]


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
def test_asked_to_reconnect_it_opens_a_new_connection_and_the_next_command_goes_through(
    slack: SocketSlackClient, socket_mode: SocketModeStandIn, team: str, reason: str
) -> None:
    before = socket_mode.connections
    socket_mode.ask_to_reconnect(reason)
    socket_mode.wait_connected(count=before + 1, timeout=30)
    assert "Added" in slack.add_partner(f"After {reason}", team=team).json["text"]


# --- starting and stopping -----------------------------------------------------------------------


def test_an_app_token_slack_refuses_stops_serve_with_the_reason_before_the_schema_is_touched(
    standin: HttpStandIn, socket_mode: SocketModeStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "untouched.db"
    env = serve_env(standin, f"sqlite:///{database}", SLACK_APP_TOKEN="xapp-1-A0APP-1-revoked")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SLACK_APP_TOKEN" in lines[0] and "invalid_auth" in lines[0], done.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [], "no migration ran"
