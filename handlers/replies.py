"""What a listener answers with: fallback text plus optional Block Kit, and how to send it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handlers.text import escaped_shortened


@dataclass(frozen=True)
class Reply:
    """A message for the person who asked. ``text`` is the notification fallback and must be set."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    in_channel: bool = False

    def as_ack(self) -> dict[str, Any]:
        """Keyword arguments for Bolt's ``ack()``/``respond()`` on a slash command."""
        payload: dict[str, Any] = {"text": self.text, "response_type": self.response_type}
        if self.blocks:
            payload["blocks"] = self.blocks
        return payload

    @property
    def response_type(self) -> str:
        return "in_channel" if self.in_channel else "ephemeral"

    def as_message(self) -> dict[str, Any]:
        """Keyword arguments for ``chat.postMessage``/``chat.postEphemeral``."""
        payload: dict[str, Any] = {"text": self.text}
        if self.blocks:
            payload["blocks"] = self.blocks
        return payload


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def context_block(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts if t][:10]}


def header(text: str) -> dict[str, Any]:
    # Slack decodes &amp; &lt; &gt; in plain_text too, so user text is escaped here as everywhere.
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": escaped_shortened(text, 150, mrkdwn=False), "emoji": False},
    }


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def slack_date(moment: Any, *, fmt: str = "{date_short_pretty}") -> str:
    """A date Slack renders in each reader's own time zone, with a UTC fallback."""
    if moment is None:
        return "never"
    if not isinstance(moment, datetime):
        return moment.isoformat()
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{fmt}|{fallback}>"
