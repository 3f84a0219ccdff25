"""The Slack side of the Socket Mode end-to-end tests: :class:`SocketSlackClient` is
:class:`slack_client.SlackClient` with the transport swapped. Commands, interactions and events go
to the app as envelopes over the Socket Mode stand-in's WebSocket instead of signed HTTP requests,
and the answer is the app's acknowledgement of that envelope, so every helper (``add_partner``,
``submit_view``, ``open_log_modal``, ``click`` …) works unchanged over Socket Mode."""

from __future__ import annotations

import json
from typing import Any

from bot.standin.http import HttpStandIn
from bot.standin.signed import event_envelope, slash_command
from bot.standin.socket_mode import ACK_DEADLINE, Envelope, SocketModeStandIn

from .slack_client import SlackClient, SlackResult


def acknowledged(envelope: Envelope) -> SlackResult:
    """The acknowledgement as the HTTP answer it stands for: 200 with the response payload, if any."""
    payload = envelope.response_payload
    result = SlackResult(
        status=200,
        text=json.dumps(payload) if payload is not None else "",
        headers={},
        elapsed=envelope.elapsed or 0.0,
        json=payload,
        request=envelope.payload,
    )
    result.envelope = envelope  # type: ignore[attr-defined]
    return result


class SocketSlackClient(SlackClient):
    """Sends what Slack would over Socket Mode; each answer is the acknowledgement of its envelope,
    which must come within Slack's 3 seconds (AssertionError otherwise)."""

    def __init__(self, server_url: str, standin: HttpStandIn, socket: SocketModeStandIn) -> None:
        super().__init__(server_url, "", standin)
        self.socket = socket

    def _acked(self, envelope: Envelope, kind: str) -> SlackResult:
        result = acknowledged(self.socket.wait_ack(envelope, timeout=ACK_DEADLINE))
        return self._check_ack(result, kind)

    def send_command(
        self,
        text: str,
        user: str = "U1",
        team: str = "T1",
        trigger_id: str | None = None,
        *,
        channel: str = "C1",
        response_url: str | None = None,
        command: str = "/partner",
        **_http_only: Any,  # signed, timestamp, secret: Socket Mode has no signature
    ) -> SlackResult:
        trigger_id = trigger_id or self.standin.new_trigger_id()
        response_url = response_url or self.standin.new_response_url()
        form = slash_command(
            command=command,
            text=text,
            team_id=team,
            user_id=user,
            channel_id=channel,
            response_url=response_url,
            trigger_id=trigger_id,
            app_id=self.standin.app_id,
        )
        result = self._acked(self.socket.send_command(form), "command")
        result.response_url, result.trigger_id = response_url, trigger_id
        return result

    def send_interaction(self, payload: dict[str, Any], **_http_only: Any) -> SlackResult:
        result = self._acked(self.socket.send_interaction(payload), str(payload.get("type")))
        result.response_url = payload.get("response_url")
        result.trigger_id = payload.get("trigger_id")
        return result

    def send_event(
        self, event: dict[str, Any], *, event_id: str | None = None, team: str = "T1", retry_num: int = 0
    ) -> SlackResult:
        envelope = event_envelope(
            event,
            team_id=team,
            app_id=self.standin.app_id,
            bot_user_id=self.standin.bot_user_id,
            event_id=event_id,
        )
        return self._acked(self.socket.send_event(envelope), "event")
