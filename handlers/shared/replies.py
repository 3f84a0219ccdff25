"""What a listener answers with: fallback text plus optional Block Kit, and how to send it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block

from handlers.shared.blocks import as_dicts, context_block, section
from handlers.shared.text import escaped_shortened

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
    """A message for the person who asked. ``text`` is the notification fallback and must be set.

    ``blocks`` may be given as slack_sdk blocks (handlers.shared.blocks) or as their dicts; the reply
    keeps the dicts, which is what Slack is sent and what callers and tests read."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    in_channel: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", as_dicts(self.blocks))

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
        blocks: list[Block | dict[str, Any]] = [*self.blocks] or [section(self.text)]
        return Reply(self.text, [*blocks, context_block(note)], self.in_channel)

    def as_message(self) -> dict[str, Any]:
        """Keyword arguments for ``chat.postMessage``/``chat.postEphemeral``."""
        payload: dict[str, Any] = {"text": self.text}
        if self.blocks:
            payload["blocks"] = self.blocks
        return defused(payload)


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
