"""Reading request bodies: the word "payload" in a command is text, and strict parsing (the front
door) refuses what Slack never sends."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from bot.requests import MalformedRequest, SlackRequest, parse_slack_body

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


# --- strict parsing at the front door -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ('{"type": "event_callback"}', "application/json", "without an event"),
        ('{"type": "event_callback", "event": {"type": "x", "channel": 5}}', "application/json", "channel"),
        ('{"type": "block_actions", "user": {"id": "U1"}}', "application/json", "without actions"),
        ('{"type": "block_actions", "user": {"id": "U1"}, "actions": [1]}', "application/json", "actions"),
        ('{"type": "view_submission", "user": {"id": "U1"}, "view": []}', "application/json", "view"),
        ('{"type": "shortcut", "user": {"id": ""}}', "application/json", "without a user"),
        ('{"type": "shortcut", "user": {"id": "U1"}, "team": "T1"}', "application/json", "'team'"),
        ('{"team": 5}', "application/json", "'team' is a int"),
        ('{"authorizations": {}}', "application/json", "authorizations"),
        ("command=%2Fpartner&text=x", "application/x-www-form-urlencoded", "without a user"),
        ("hello=world", "application/x-www-form-urlencoded", "neither a command nor a payload"),
    ],
)
def test_strict_parsing_refuses_what_slack_never_sends(body: str, content_type: str, reason: str) -> None:
    with pytest.raises(MalformedRequest, match=reason):
        parse_slack_body(body, content_type, strict=True)


def test_strict_parsing_accepts_slacks_own_shapes() -> None:
    command = urlencode({"command": "/partner", "text": "x", "team_id": "T1", "user_id": "U1"})
    assert (
        parse_slack_body(command, "application/x-www-form-urlencoded", strict=True)["command"] == "/partner"
    )
    event = {"type": "event_callback", "event": {"type": "app_mention", "user": "U1"}, "team_id": "T1"}
    assert parse_slack_body(json.dumps(event), "application/json", strict=True) == event
    assert parse_slack_body("ssl_check=1&token=x", "application/x-www-form-urlencoded", strict=True)


def test_a_function_executed_event_must_carry_its_function_and_inputs() -> None:
    """Bolt routes a Workflow Builder step by ``function.callback_id`` and reads ``inputs`` as an object."""
    event = {"type": "function_executed", "function": {"callback_id": "get_partner_score"}}
    good = {**event, "function_execution_id": "Fx1", "inputs": {"partner": "Acme"}}
    envelope = {"type": "event_callback", "team_id": "T1"}
    assert parse_slack_body(json.dumps({**envelope, "event": good}), "application/json", strict=True)
    for bad, reason in (
        ({**good, "function": "get_partner_score"}, "without its function"),
        ({**good, "function_execution_id": None}, "without its function or execution"),
        ({**good, "inputs": ["Acme"]}, "'inputs' is not an object"),
    ):
        with pytest.raises(MalformedRequest, match=reason):
            parse_slack_body(json.dumps({**envelope, "event": bad}), "application/json", strict=True)
