"""Opening a modal within Slack's 3-second trigger window, or saying why it could not open."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.shared.limits import TRIGGER_SECONDS
from handlers.shared.replies import Reply

TRIGGER_EXPIRED = (
    f"Slack closed the window for opening the form before I could (it allows {TRIGGER_SECONDS:g} seconds). "
    "Please run the command again."
)


# Slack's answers when a trigger cannot open a modal: too late, used already, or not a trigger at all.
UNUSABLE_TRIGGER = {"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id", "trigger_exchanged"}


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> Reply | None:
    """Open ``view``; when the trigger has expired, return the message to show instead."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        if exc.response.get("error") in UNUSABLE_TRIGGER:
            return Reply(TRIGGER_EXPIRED)
        raise
    return None
