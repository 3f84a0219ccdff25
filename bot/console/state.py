"""What a console session knows between lines: who you are, what is on screen, which forms are open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.console.forms import FormFiller
from bot.console.slack import CHANNEL_ID, CHANNEL_NAME, MessageRef


@dataclass
class Pressable:
    """A button shown on screen: in a message (``message``) or in a view (``view_id``)."""

    element: dict[str, Any]
    block_id: str
    message: MessageRef | None = None
    message_payload: dict[str, Any] | None = None
    view_id: str | None = None


@dataclass
class SessionState:
    user_id: str
    team_id: str
    buttons: list[Pressable] = field(default_factory=list)  # what a number presses
    stack: list[str] = field(default_factory=list)  # the open modal's views, the one shown last
    on_home: bool = False  # looking at the Home tab (its updates are shown in full)
    forms: dict[str, FormFiller] = field(default_factory=dict)  # answers so far, per view id
    # channel ID → name, for showing <#C…>
    channels: dict[str, str] = field(default_factory=lambda: {CHANNEL_ID: CHANNEL_NAME})

    def user(self) -> dict[str, Any]:
        """You, as Slack names the user in an interactivity payload."""
        name = self.user_id.lower()
        return {"id": self.user_id, "username": name, "name": name, "team_id": self.team_id}

    def team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": "console"}
