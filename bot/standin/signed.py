"""The signed requests Slack sends an app: slash command forms, interactivity payloads and event
envelopes (a Workflow Builder step's ``function_executed`` among the events), with Slack's v0
signature (slack_sdk's ``SignatureVerifier``), for whoever plays Slack towards the app: the console,
the end-to-end tests and the benchmarks."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
VERIFICATION_TOKEN = "legacy-verification-token"  # Slack still sends one; apps must not trust it


def sign(secret: str, body: str | bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers for ``body`` (text, or raw bytes that may not be UTF-8)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    try:
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    except UnicodeDecodeError:
        # generate_signature decodes bytes as UTF-8 first; Slack signs the raw bytes, and a hostile
        # test sends bytes that are not UTF-8, so those are signed here as they are.
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
        signature = f"v0={digest}"
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": str(signature)}


@dataclass(frozen=True)
class SignedRequest:
    """A request body ready for ``POST /slack/events`` and its headers (content type, signature)."""

    body: str
    headers: dict[str, str]
    label: str = ""  # what it is, for reports


def signed(secret: str, body: str, content_type: str, *, label: str = "") -> SignedRequest:
    return SignedRequest(body, {"Content-Type": content_type, **sign(secret, body)}, label)


def slash_command(
    *,
    command: str,
    text: str,
    team_id: str,
    user_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str,
    app_id: str,
    channel_name: str = "partners",
    team_domain: str | None = None,
    token: str = VERIFICATION_TOKEN,
    ext_shared: bool | None = False,
) -> dict[str, str]:
    """A slash command's form fields, as Slack posts them. ``ext_shared``: the channel is shared
    with another organisation (``is_ext_shared_channel``); None leaves the field out."""
    form = {
        "token": token,
        "team_id": team_id,
        "team_domain": team_domain or team_id.lower(),
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    if ext_shared is not None:
        form["is_ext_shared_channel"] = "true" if ext_shared else "false"
    return form


def event_envelope(
    event: dict[str, Any],
    *,
    team_id: str,
    app_id: str,
    bot_user_id: str,
    event_id: str | None = None,
    token: str = VERIFICATION_TOKEN,
    ext_shared: bool = False,
) -> dict[str, Any]:
    """The Events API envelope around ``event``, as Slack posts it (``ext_shared``: the event's
    channel is shared with another organisation)."""
    return {
        "token": token,
        "team_id": team_id,
        "api_app_id": app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team_id, "user_id": bot_user_id, "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": ext_shared,
    }


def function_executed(
    *,
    callback_id: str,
    inputs: dict[str, Any],
    function_execution_id: str,
    bot_access_token: str,
    app_id: str,
    title: str = "",
    workflow_execution_id: str | None = None,
) -> dict[str, Any]:
    """A ``function_executed`` event: Workflow Builder running one of the app's steps. Bolt routes
    it by ``function.callback_id``, completes it by ``function_execution_id`` and calls the Web API
    with ``bot_access_token`` (the run's own token) instead of the installation's. Wrap it with
    :func:`event_envelope` (the envelope's ``team_id`` is the workspace the workflow runs in)."""
    return {
        "type": "function_executed",
        "function": {
            "id": f"Fn{secrets.token_hex(5).upper()}",
            "callback_id": callback_id,
            "title": title or callback_id,
            "description": "",
            "type": "app",
            "input_parameters": [],
            "output_parameters": [],
            "app_id": app_id,
            "date_created": int(time.time()),
            "date_updated": int(time.time()),
            "date_deleted": 0,
        },
        "inputs": inputs,
        "function_execution_id": function_execution_id,
        "workflow_execution_id": workflow_execution_id or f"Wx{secrets.token_hex(5).upper()}",
        "event_ts": f"{time.time():.6f}",
        "bot_access_token": bot_access_token,
    }


def command_body(form: dict[str, str]) -> str:
    return urlencode(form)


def interaction_body(payload: dict[str, Any]) -> str:
    """An interactivity payload (button, modal, shortcut, options request) as Slack posts it."""
    return urlencode({"payload": json.dumps(payload)})


def event_body(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope)


def signed_command(secret: str, form: dict[str, str]) -> SignedRequest:
    return signed(secret, command_body(form), FORM, label=form.get("text", ""))


def signed_interaction(secret: str, payload: dict[str, Any], *, label: str = "") -> SignedRequest:
    return signed(secret, interaction_body(payload), FORM, label=label)


def signed_event(secret: str, envelope: dict[str, Any]) -> SignedRequest:
    return signed(secret, event_body(envelope), JSON)
