"""What a listener answers with: fallback text plus optional Block Kit, and how to send it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handlers.shared.text import TEXT_LIMIT, escaped_shortened, shorten

# Slack's broadcast mentions. The app never sends one on purpose: one found in a reply can only be
# text a person typed that escaped escaping, so the last step before Slack shows it literally.
_BROADCAST = re.compile(r"<(!(?:channel|here|everyone|subteam\^)[^<>]*)>")


def defused(payload: Any) -> Any:
    """``payload`` with every broadcast mention (``<!channel>``, ``<!here>``, ``<!everyone>``,
    ``<!subteam^…>``) turned into the literal text, in every string at any depth."""
    if isinstance(payload, str):
        return _BROADCAST.sub(r"&lt;\1&gt;", payload) if "<!" in payload else payload
    if isinstance(payload, dict):
        return {key: defused(value) for key, value in payload.items()}
    if isinstance(payload, list):
        return [defused(item) for item in payload]
    return payload


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
        return defused(payload)

    @property
    def response_type(self) -> str:
        return "in_channel" if self.in_channel else "ephemeral"

    def with_note(self, note: str) -> Reply:
        """The same reply with a line of small print after it (mrkdwn, already escaped)."""
        blocks = self.blocks or [section(shorten(self.text, TEXT_LIMIT))]
        return Reply(self.text, [*blocks, context_block(note)], self.in_channel)

    def as_message(self) -> dict[str, Any]:
        """Keyword arguments for ``chat.postMessage``/``chat.postEphemeral``."""
        payload: dict[str, Any] = {"text": self.text}
        if self.blocks:
            payload["blocks"] = self.blocks
        return defused(payload)


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


def with_ignored(reply: Reply, leftover: str) -> Reply:
    """``reply`` with a note of the words the command did not use, if any (nothing typed is dropped
    silently)."""
    words = " ".join(leftover.split())
    if not words:
        return reply
    return reply.with_note(f"I ignored “{escaped_shortened(words, 80)}”: this command takes no more words.")
