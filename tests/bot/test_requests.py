"""The word "payload" in a slash command must not turn it into an empty request."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from bot.requests import SlackRequest, parse_slack_body

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("text", ["log Acme note payload sizes", "payload", "show payload=1"])
def test_command_text_with_the_word_payload(text: str) -> None:
    body = urlencode({"command": "/partner", "text": text, "team_id": "T1", "user_id": "U1"})
    request = SlackRequest(body=body, headers=FORM)
    assert request.body["text"] == text
    assert request.context.team_id == "T1"
    assert request.raw_body == body  # what the signature is checked against is untouched


def test_interactivity_payload_is_still_read() -> None:
    payload = {"type": "block_actions", "team": {"id": "T9"}, "user": {"id": "U1"}}
    request = SlackRequest(body=urlencode({"payload": json.dumps(payload)}), headers=FORM)
    assert request.body["type"] == "block_actions"
    assert request.context.team_id == "T9"


def test_json_bodies() -> None:
    assert parse_slack_body('{"type": "event_callback"}', "application/json") == {"type": "event_callback"}
    assert parse_slack_body("", None) == {}
