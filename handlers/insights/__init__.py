"""Insights: ``/partner insights [tier:…] [last 90d|year]`` and "what drives satisfaction?": the
seeds' regression of satisfaction on contact, projects and needs, reported with its intervals."""

from __future__ import annotations

from slack_bolt import App

from handlers.insights import commands, questions  # noqa: F401  (declare the sub-command and questions)


def register(app: App) -> None:
    """A ``/partner`` sub-command and a plain-words question: nothing more to wire."""
