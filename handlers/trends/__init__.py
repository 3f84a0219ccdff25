"""Score history seen by people: ``/partner trend <partner> [weeks]`` — a partner's score and each
component over the last weeks, as text with ▲▼ and as a chart sent by direct message. The
history itself (snapshots, backfill) is ``handlers.services.history``."""

from __future__ import annotations

from slack_bolt import App

from handlers.trends import command  # noqa: F401  (declares the sub-command)


def register(app: App) -> None:
    """Nothing to wire besides the sub-command."""
