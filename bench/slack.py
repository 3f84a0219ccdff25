"""Building and sending signed Slack requests (slash commands, option requests) over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

COMMAND = "/partner"
APP_ID = "ABENCH"
_trigger_ids = itertools.count(1)


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers: ``v0=`` + HMAC-SHA256(secret, ``v0:{ts}:{body}``)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def new_trigger_id() -> str:
    return f"{next(_trigger_ids)}.{secrets.randbelow(10**12)}.{secrets.token_hex(8)}"


@dataclass(frozen=True)
class Prepared:
    """A request ready to send: its body and headers (signed)."""

    body: str
    headers: dict[str, str]
    label: str = ""


def command(
    secret: str, text: str, *, team: str, user: str = "UBENCH1", response_url: str, channel: str = "CBENCH"
) -> Prepared:
    form = {
        "token": "legacy-verification-token",
        "team_id": team,
        "team_domain": team.lower(),
        "channel_id": channel,
        "channel_name": "partners",
        "user_id": user,
        "user_name": user.lower(),
        "command": COMMAND,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": new_trigger_id(),
    }
    body = urlencode(form)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(secret, body)}
    return Prepared(body, headers, text)


def options(secret: str, value: str, *, team: str, user: str = "UBENCH1") -> Prepared:
    """A block_suggestion for the log modal's partner type-ahead, as Slack sends it."""
    payload = {
        "type": "block_suggestion",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "container": {"type": "view", "view_id": "VBENCH"},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "action_id": "partner_select",
        "block_id": "partner",
        "value": value,
        "team": {"id": team, "domain": team.lower()},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": {"id": "VBENCH", "type": "modal", "callback_id": "log_interaction"},
    }
    body = urlencode({"payload": json.dumps(payload)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(secret, body)}
    return Prepared(body, headers, value)


@dataclass
class Answer:
    status: int  # 0: no HTTP answer (connection error or timeout)
    elapsed: float  # seconds from just before sending to the whole answer read
    sent: float  # perf_counter just before sending
    text: str
    error: str | None = None

    def json(self) -> Any:
        try:
            return json.loads(self.text) if self.text else None
        except ValueError:
            return None


def send(session: requests.Session, url: str, prepared: Prepared, *, timeout: float = 30.0) -> Answer:
    sent = time.perf_counter()
    try:
        response = session.post(url, data=prepared.body.encode(), headers=prepared.headers, timeout=timeout)
        text = response.text
        return Answer(response.status_code, time.perf_counter() - sent, sent, text)
    except requests.RequestException as exc:
        return Answer(
            0, time.perf_counter() - sent, sent, "", error=type(exc).__name__ + ": " + str(exc)[:200]
        )


def texts(payload: Any) -> list[str]:
    """Every string under a message payload's ``text`` keys (fallback text and blocks)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return found
