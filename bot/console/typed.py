"""What Slack does to what a person types before the app sees it: a slash command's ``#channel``
and ``@user`` become escaped references (the command has should_escape, manifest.yml)."""

from __future__ import annotations

import re

from bot.console.slack import CHANNEL_ID, CHANNEL_NAME
from storage import slack_ids

USER_ID = re.compile(rf"^{slack_ids.USER_ID}$")
_TYPED_CHANNEL = re.compile(r"(?<![^\s:(])#([a-z][a-z0-9_-]{0,79})\b")
_TYPED_USER = re.compile(rf"(?<![^\s:(])@({slack_ids.USER_ID})\b")


def channel_id(name: str) -> str:
    """The console's made-up channel ID for a channel name (#console is the one you type in)."""
    if name == CHANNEL_NAME:
        return CHANNEL_ID
    return "C" + (re.sub(r"[^A-Z0-9]", "", name.upper()) or "X")[:20]


def escape_typed(text: str, channels: dict[str, str] | None = None) -> str:
    """``#general`` → ``<#CGENERAL|general>``, ``@U123`` → ``<@U123|u123>``, as Slack sends a
    slash command's text when it escapes channels and users. ``channels`` learns the names."""

    def channel(match: re.Match[str]) -> str:
        name = match.group(1)
        if channels is not None:
            channels[channel_id(name)] = name
        return f"<#{channel_id(name)}|{name}>"

    text = _TYPED_CHANNEL.sub(channel, text)
    return _TYPED_USER.sub(lambda m: f"<@{m.group(1)}|{m.group(1).lower()}>", text)
