"""Telling a person something after their modal closed: through the command's response_url if
we have one (shows where they typed it), else as a direct message from the app."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from handlers.replies import Reply

log = logging.getLogger(__name__)


def tell(client: WebClient, *, user_id: str, reply: Reply, response_url: str | None = None) -> bool:
    """Deliver ``reply`` privately; True when Slack accepted it."""
    if response_url:
        try:
            result = WebhookClient(response_url, timeout=5).send(
                text=reply.text, blocks=reply.blocks or None, response_type="ephemeral"
            )
            if result.status_code == 200:
                return True
            log.warning("response_url answered %s; sending a direct message instead", result.status_code)
        except OSError as exc:
            log.warning("response_url failed (%s); sending a direct message instead", exc)
    try:
        client.chat_postMessage(channel=user_id, **reply.as_message())
        return True
    except SlackApiError as exc:
        log.warning("could not message %s: %s", user_id, exc.response.get("error"))
        return False
