"""Slack requests for the benchmarks: slash commands and option requests, signed and built by
``bot.standin.signed`` (the same bodies the console and the tests send), and sent over HTTP."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests

from bot.standin.signed import SignedRequest, signed_command, signed_interaction, slash_command

COMMAND = "/partner"
APP_ID = "ABENCH"
Prepared = SignedRequest  # a request ready to send: its body and signed headers


def command(
    secret: str,
    text: str,
    *,
    team: str,
    user: str = "UBENCH1",
    response_url: str,
    trigger_id: str,
    channel: str = "CBENCH",
) -> Prepared:
    form = slash_command(
        command=COMMAND,
        text=text,
        team_id=team,
        user_id=user,
        channel_id=channel,
        response_url=response_url,
        trigger_id=trigger_id,
        app_id=APP_ID,
    )
    return signed_command(secret, form)


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
    return signed_interaction(secret, payload, label=value)


@dataclass
class Answer:
    status: int  # 0: no HTTP answer (connection error or timeout)
    elapsed: float  # seconds from just before sending to the whole answer read
    sent: float  # time.monotonic() just before sending: the stand-in's clock (Call.time)
    text: str
    error: str | None = None

    def json(self) -> Any:
        try:
            return json.loads(self.text) if self.text else None
        except ValueError:
            return None


def send(session: requests.Session, url: str, prepared: Prepared, *, timeout: float = 30.0) -> Answer:
    sent, started = time.monotonic(), time.perf_counter()
    try:
        response = session.post(url, data=prepared.body.encode(), headers=prepared.headers, timeout=timeout)
        text = response.text
        return Answer(response.status_code, time.perf_counter() - started, sent, text)
    except requests.RequestException as exc:
        return Answer(
            0, time.perf_counter() - started, sent, "", error=type(exc).__name__ + ": " + str(exc)[:200]
        )
