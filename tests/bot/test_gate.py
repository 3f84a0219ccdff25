"""The front door: the signature is checked on the raw bytes before anything is parsed."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest

from bot.gate import MAX_BODY_BYTES, Refusal, admit, check_signature

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_700_000_000


def signed(body: bytes, *, timestamp: str = str(NOW), secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": timestamp, "x-slack-signature": f"v0={digest}"}


COMMAND = urlencode({"command": "/partner", "text": "help", "team_id": "T1", "user_id": "U1"}).encode()


def test_slacks_own_example_signature_is_accepted() -> None:
    # The worked example of https://api.slack.com/authentication/verifying-requests-from-slack
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = {
        "x-slack-request-timestamp": "1531420618",
        "x-slack-signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }
    assert check_signature(SECRET, body, headers, now=1531420618) is None


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "unsigned"),
        ({"x-slack-request-timestamp": str(NOW)}, "unsigned"),
        ({"x-slack-request-timestamp": "abc", "x-slack-signature": "v0=1"}, "not a number"),
        ({"x-slack-request-timestamp": "1e10", "x-slack-signature": "v0=1"}, "not a number"),
        ({"x-slack-request-timestamp": "-1", "x-slack-signature": "v0=1"}, "not a number"),
        ({"x-slack-request-timestamp": "１７", "x-slack-signature": "v0=1"}, "not a number"),
        ({"x-slack-request-timestamp": "9" * 40, "x-slack-signature": "v0=1"}, "not a number"),
        (signed(COMMAND, timestamp=str(NOW - 301)), "five minutes"),
        (signed(COMMAND, timestamp=str(NOW + 301)), "five minutes"),
        (signed(COMMAND, secret="another secret"), "bad Slack signature"),
        (signed(COMMAND + b"&x=1"), "bad Slack signature"),
        ({**signed(COMMAND), "x-slack-signature": "v0=é"}, "bad Slack signature"),
    ],
)
def test_anything_not_signed_by_slack_just_now_is_a_401(headers: dict[str, str], reason: str) -> None:
    refused = check_signature(SECRET, COMMAND, headers, now=NOW)
    assert isinstance(refused, Refusal) and refused.status == 401 and reason in refused.reason


def test_headers_given_as_lists_are_read() -> None:
    headers = {key: [value] for key, value in signed(COMMAND).items()}
    assert check_signature(SECRET, COMMAND, headers, now=NOW) is None


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"\xff\xfe", "application/x-www-form-urlencoded", "not UTF-8"),
        (b"[]", "application/json", "JSON list"),
        (b"{", "application/json", "not JSON"),
        (b"\xef\xbb\xbf{}", "application/json", "not JSON"),
        (("[" * 50_000 + "]" * 50_000).encode(), "application/json", "nested too deeply"),
        (b'{"type":"event_callback","event":null}', "application/json", "'event' is not an object"),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded", "JSON list"),
        (b"", "application/x-www-form-urlencoded", "empty body"),
    ],
)
def test_signed_but_malformed_bodies_are_a_400(body: bytes, content_type: str, reason: str) -> None:
    refused = admit(SECRET, body, {**signed(body), "content-type": content_type}, now=NOW)
    assert isinstance(refused, Refusal) and refused.status == 400, refused
    assert reason in refused.reason


def test_an_unsigned_malformed_body_is_a_401_not_a_400() -> None:
    refused = admit(SECRET, b"\xff{", {"content-type": "application/json"}, now=NOW)
    assert isinstance(refused, Refusal) and refused.status == 401


def test_a_body_larger_than_slack_sends_is_refused_unread() -> None:
    body = b"x" * (MAX_BODY_BYTES + 1)
    refused = admit(SECRET, body, signed(body), now=NOW)
    assert isinstance(refused, Refusal) and refused.status == 413


def test_a_good_request_comes_through_parsed() -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "actions": [{"action_id": "a"}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    admitted = admit(
        SECRET, body, {**signed(body), "content-type": "application/x-www-form-urlencoded"}, now=NOW
    )
    assert not isinstance(admitted, Refusal)
    text, parsed = admitted
    assert text == body.decode() and parsed == payload
