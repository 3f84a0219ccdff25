"""The front door of ``POST /slack/events``: nothing is parsed before Slack's signature is checked.

Bolt verifies signatures too, but only after it has decoded and parsed the body, so a request
from anyone who can reach the port could make it raise (invalid UTF-8, a timestamp that is not a
number, a body that is not JSON) and fill the log with tracebacks. Here, in order:

1. the timestamp must be a whole number of seconds within five minutes of now, and the v0
   signature must match the raw bytes; otherwise **401**, with one log line;
2. the body must be UTF-8 and parse into what Slack sends (a form, or a JSON object of the
   right shape for its type); otherwise **400**, with one log line;

and only then does Bolt get the request, already parsed (see :mod:`bot.requests`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.requests import MalformedRequest, parse_slack_body

log = logging.getLogger(__name__)
# Slack refuses requests older than five minutes itself; so do we (replays).
MAX_AGE_SECONDS = 5 * 60
# Slack's biggest payloads (a 100-block view with its state) are far below this.
MAX_BODY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Refusal:
    """Why a request is turned away: the HTTP status and the one line logged (never the body)."""

    status: int
    reason: str


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    value = headers.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def check_signature(
    secret: str, body: bytes, headers: Mapping[str, Any], *, now: float | None = None
) -> Refusal | None:
    """None when Slack signed ``body`` within the last five minutes; else a 401 refusal.

    Compares Slack's v0 signature over the raw bytes (slack_sdk's SignatureVerifier wants text and
    an integer timestamp, and raises on anything else: this must not raise on any input).
    """
    timestamp = _header(headers, "x-slack-request-timestamp")
    signature = _header(headers, "x-slack-signature")
    if not timestamp or not signature:
        return Refusal(401, "unsigned request (no Slack signature headers)")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return Refusal(401, "request timestamp is not a number of seconds")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_AGE_SECONDS:
        return Refusal(401, "request timestamp is more than five minutes away (a replay?)")
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        return Refusal(401, "bad Slack signature")
    return None


def check_body(body: bytes, content_type: str | None) -> tuple[str, dict[str, Any]] | Refusal:
    """The body as text and as Slack's payload, or a 400 refusal saying what is wrong with it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "signed request body is not UTF-8")
    try:
        return text, parse_slack_body(text, content_type, strict=True)
    except MalformedRequest as malformed:
        return Refusal(400, f"malformed signed request: {malformed}")


def admit(
    secret: str, body: bytes, headers: Mapping[str, Any], *, now: float | None = None
) -> tuple[str, dict[str, Any]] | Refusal:
    """Signature first, then the body: what Bolt may see, or why the request is refused."""
    if len(body) > MAX_BODY_BYTES:
        # Checked on the bytes already read; waitress bounds what it reads (bot.server).
        return Refusal(413, f"request body over {MAX_BODY_BYTES} bytes")
    refused = check_signature(secret, body, headers, now=now)
    if refused is not None:
        return refused
    return check_body(body, _header(headers, "content-type"))
