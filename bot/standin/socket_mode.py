"""Slack's Socket Mode side on loopback, for an app in another process that was given an app-level
token (``SLACK_APP_TOKEN``)::

    with HttpStandIn() as slack, SocketModeStandIn(slack) as socket:
        env = {"SLACK_API_URL": slack.api_url, "SLACK_APP_TOKEN": "xapp-1-test", ...}
        socket.wait_connected()
        envelope = socket.send_command(form)
        ack = socket.wait_ack(envelope)

What it does the way Slack does it (docs.slack.dev, "Using Socket Mode"; slack_sdk's
``socket_mode`` client is what it was checked against):

- ``apps.connections.open`` on the Web API stand-in, with an ``xapp-`` token in the Authorization
  header, answers a ``ws://127.0.0.1:<port>/link/?ticket=…`` URL; each ticket opens one connection;
- on connect the server says ``hello``; then it sends envelopes (``envelope_id``, ``type``:
  ``slash_commands``, ``interactive`` or ``events_api``, ``payload``, ``accepts_response_payload``)
  and records the app's acknowledgement of each (``{"envelope_id": …, "payload": …}``) with the
  time it took;
- it can ask the app to reconnect (a ``disconnect`` message: ``refresh_requested``, ``warning``) or
  drop the connection without a word, as Slack's servers do when they restart.

The WebSocket protocol itself is the ``websockets`` library's (the ``standin`` extra).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.standin.core import SlackStandIn

LINK_PATH = "/link/"
# Slack's deadline for an acknowledgement; after it the person sees an error (and events are retried).
ACK_DEADLINE = 3.0


@dataclass
class Envelope:
    """One envelope sent to the app, and its acknowledgement once it came."""

    id: str
    type: str
    payload: dict[str, Any]
    sent_at: float  # time.monotonic()
    acked_at: float | None = None
    ack: dict[str, Any] | None = None  # the app's whole acknowledgement message

    @property
    def elapsed(self) -> float | None:
        """Seconds from sending the envelope to receiving its acknowledgement (None: not yet)."""
        return None if self.acked_at is None else self.acked_at - self.sent_at

    @property
    def response_payload(self) -> dict[str, Any] | None:
        """What the app answered in the acknowledgement (what the person sees for a command)."""
        payload = (self.ack or {}).get("payload")
        return payload if isinstance(payload, dict) else None


@dataclass
class _Link:
    """One live WebSocket connection from the app."""

    ticket: str
    connection: ServerConnection
    opened_at: float = field(default_factory=time.monotonic)


class SocketModeStandIn:
    """The Socket Mode server of one app, tied to a Web API stand-in for ``apps.connections.open``."""

    def __init__(self, slack: SlackStandIn, *, app_tokens: set[str] | None = None) -> None:
        """``app_tokens``: the app-level tokens accepted (None: any ``xapp-`` token)."""
        self.slack = slack
        self.app_tokens = app_tokens
        self.envelopes: dict[str, Envelope] = {}
        self.connections = 0  # connections opened so far (each one greeted with hello)
        self.unknown_messages: list[str] = []  # anything the app sent that is not an ack
        self._tickets: set[str] = set()  # issued and not used yet
        self._links: list[_Link] = []
        self._changed = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> SocketModeStandIn:
        self._server = serve(self._session, "127.0.0.1", 0, process_request=self._admit)
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True)
        self._thread.start()
        self.slack.socket_mode = self
        return self

    def stop(self) -> None:
        self.slack.socket_mode = None
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> SocketModeStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the Socket Mode stand-in is not running")
        return int(self._server.socket.getsockname()[1])

    # --- what apps.connections.open uses ------------------------------------------------------

    def accepts(self, token: str) -> bool:
        return token in self.app_tokens if self.app_tokens is not None else token.startswith("xapp-")

    def issue_url(self) -> str:
        """A fresh WebSocket URL with a ticket good for one connection."""
        ticket = secrets.token_hex(8)
        with self._changed:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}{LINK_PATH}?ticket={ticket}&app_id={self.slack.app_id}"

    # --- what drivers do --------------------------------------------------------------------------

    def send(self, type: str, payload: dict[str, Any], *, accepts_response_payload: bool) -> Envelope:
        """Send an envelope on the newest live connection (waiting up to 10 s for one)."""
        link = self._newest_link(timeout=10)
        envelope = Envelope(f"{secrets.token_hex(4)}-{secrets.token_hex(6)}", type, payload, 0.0)
        message: dict[str, Any] = {
            "envelope_id": envelope.id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            message.update(retry_attempt=0, retry_reason="")
        with self._changed:
            self.envelopes[envelope.id] = envelope
        envelope.sent_at = time.monotonic()
        link.connection.send(json.dumps(message))
        return envelope

    def send_command(self, form: dict[str, str]) -> Envelope:
        """A slash command (the form fields Slack would post, as JSON)."""
        return self.send("slash_commands", form, accepts_response_payload=True)

    def send_interaction(self, payload: dict[str, Any]) -> Envelope:
        """A button, a form submission, an options request …; Slack lets only the ones whose HTTP
        answer matters (view submissions, options) answer in the acknowledgement."""
        kind = payload.get("type")
        accepts = kind in ("view_submission", "block_suggestion")
        return self.send("interactive", payload, accepts_response_payload=accepts)

    def send_event(self, envelope: dict[str, Any]) -> Envelope:
        """An Events API ``event_callback`` envelope."""
        return self.send("events_api", envelope, accepts_response_payload=False)

    def wait_ack(self, envelope: Envelope, timeout: float = ACK_DEADLINE) -> Envelope:
        """The envelope once acknowledged; AssertionError when no ack came within ``timeout``."""
        deadline = envelope.sent_at + timeout
        with self._changed:
            while envelope.acked_at is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no acknowledgement of {envelope.type} envelope {envelope.id} within {timeout}s"
                    )
                self._changed.wait(remaining)
        return envelope

    def ask_to_reconnect(self, reason: str = "refresh_requested") -> None:
        """Send ``disconnect`` on every live connection; Slack closes them shortly after (here:
        once the app has opened a new one, or after 10 s)."""
        with self._changed:
            links = list(self._links)
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "standin"}})
        for link in links:
            link.connection.send(message)
        threading.Thread(target=self._close_when_replaced, args=(links,), daemon=True).start()

    def drop(self) -> None:
        """Cut every live connection at the TCP level, with no WebSocket close handshake."""
        with self._changed:
            links = list(self._links)
        for link in links:
            with contextlib.suppress(OSError):  # already gone
                link.connection.socket.shutdown(socket.SHUT_RDWR)

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until ``count`` connections have been opened in all and one is live."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.connections < count or not self._links:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"{self.connections} Socket Mode connection(s) opened, {len(self._links)} live; "
                        f"expected {count} within {timeout}s"
                    )
                self._changed.wait(remaining)

    def wait_disconnected(self, timeout: float = 10.0) -> None:
        """Wait until no connection is live (the app closed its socket)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._links:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self._links)} Socket Mode connection(s) still open")
                self._changed.wait(remaining)

    @property
    def live(self) -> int:
        with self._changed:
            return len(self._links)

    # --- serving ------------------------------------------------------------------------------

    def _admit(self, connection: ServerConnection, request: Request) -> Response | None:
        """Refuse a handshake without a ticket issued by apps.connections.open, or one used already."""
        url = urlsplit(request.path)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self._changed:
            if url.path != LINK_PATH or ticket not in self._tickets:
                return connection.respond(HTTPStatus.UNAUTHORIZED, "unknown or used ticket\n")
            self._tickets.discard(ticket)
        connection.request_ticket = ticket  # type: ignore[attr-defined]
        return None

    def _session(self, connection: ServerConnection) -> None:
        link = _Link(getattr(connection, "request_ticket", ""), connection)
        hello = {
            "type": "hello",
            "num_connections": len(self._links) + 1,
            "debug_info": {"host": "standin", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.slack.app_id},
        }
        connection.send(json.dumps(hello))
        with self._changed:
            self._links.append(link)
            self.connections += 1
            self._changed.notify_all()
        try:
            for raw in connection:
                self._received(raw if isinstance(raw, str) else raw.decode("utf-8", "replace"))
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                self._links.remove(link)
                self._changed.notify_all()

    def _received(self, raw: str) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        with self._changed:
            envelope = self.envelopes.get(envelope_id) if isinstance(envelope_id, str) else None
            if envelope is None or envelope.acked_at is not None:
                self.unknown_messages.append(raw)
            else:
                envelope.acked_at = time.monotonic()
                envelope.ack = message
            self._changed.notify_all()

    def _newest_link(self, timeout: float) -> _Link:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self._links:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no live Socket Mode connection within {timeout}s")
                self._changed.wait(remaining)
            return self._links[-1]

    def _close_when_replaced(self, links: list[_Link]) -> None:
        deadline = time.monotonic() + 10
        with self._changed:
            while time.monotonic() < deadline and not any(link not in links for link in self._links):
                self._changed.wait(max(deadline - time.monotonic(), 0))
        for link in links:
            link.connection.close()
