"""The Socket Mode stand-in (bot/standin/socket_mode.py) behaves like Slack where the Socket Mode
e2e tests rely on it: only an app-level token in the Authorization header gets a URL, each URL
opens one connection, the app is greeted with hello and its acks are matched to their envelopes.
Driven with slack_sdk's WebClient and the websockets library's client."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from bot.standin.http import HttpStandIn
from bot.standin.socket_mode import SocketModeStandIn

pytestmark = pytest.mark.e2e

APP_TOKEN = "xapp-1-A1-1-abc"


@pytest.fixture
def slack() -> Iterator[tuple[HttpStandIn, SocketModeStandIn]]:
    with HttpStandIn() as web, SocketModeStandIn(web, app_tokens={APP_TOKEN}) as socket:
        yield web, socket


def open_url(web: HttpStandIn, token: str) -> str:
    return str(WebClient(base_url=web.api_url).apps_connections_open(app_token=token)["url"])


@pytest.mark.parametrize(
    ("token", "error"),
    [("xoxb-bot", "not_allowed_token_type"), ("xapp-1-A1-1-other", "invalid_auth")],
)
def test_apps_connections_open_wants_this_apps_app_level_token(
    slack: tuple[HttpStandIn, SocketModeStandIn], token: str, error: str
) -> None:
    web, _ = slack
    with pytest.raises(SlackApiError) as refused:
        open_url(web, token)
    assert refused.value.response["error"] == error


def test_the_token_as_a_form_field_is_refused_as_slack_does(
    slack: tuple[HttpStandIn, SocketModeStandIn],
) -> None:
    web, _ = slack
    answer = requests.post(web.api_url + "apps.connections.open", data={"token": APP_TOKEN}, timeout=5)
    assert answer.json() == {"ok": False, "error": "not_authed"}


def test_a_url_says_hello_once_and_acks_are_matched_to_their_envelopes(
    slack: tuple[HttpStandIn, SocketModeStandIn],
) -> None:
    web, socket = slack
    url = open_url(web, APP_TOKEN)
    assert url.startswith(f"ws://127.0.0.1:{socket.port}/link/?ticket=")
    with connect(url) as app:
        hello = json.loads(app.recv(timeout=5))
        assert hello["type"] == "hello" and hello["connection_info"]["app_id"] == web.app_id
        socket.wait_connected()
        sent = socket.send_command({"command": "/partner", "text": "help"})
        envelope = json.loads(app.recv(timeout=5))
        assert envelope["envelope_id"] == sent.id and envelope["type"] == "slash_commands"
        assert envelope["accepts_response_payload"] is True and envelope["payload"]["text"] == "help"
        app.send(json.dumps({"envelope_id": "not-sent", "payload": {}}))
        app.send(json.dumps({"envelope_id": sent.id, "payload": {"text": "Here to help"}}))
        acked = socket.wait_ack(sent)
        assert acked.response_payload == {"text": "Here to help"}
        assert socket.unknown_messages == [json.dumps({"envelope_id": "not-sent", "payload": {}})]
    with pytest.raises(InvalidStatus) as used:
        connect(url)  # a URL is good for one connection
    assert used.value.response.status_code == 401


def test_an_envelope_never_acked_fails_the_wait(slack: tuple[HttpStandIn, SocketModeStandIn]) -> None:
    web, socket = slack
    with connect(open_url(web, APP_TOKEN)) as app:
        app.recv(timeout=5)  # hello
        socket.wait_connected()
        sent = socket.send_event({"type": "event_callback", "event": {"type": "app_home_opened"}})
        assert json.loads(app.recv(timeout=5))["accepts_response_payload"] is False
        with pytest.raises(AssertionError, match=sent.id):
            socket.wait_ack(sent, timeout=0.2)
