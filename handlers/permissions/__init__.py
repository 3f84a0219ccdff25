"""Who may do what: ``/partner permissions`` shows each action's role and lets an admin change it.
The table and the check every listener makes live in ``handlers/shared/permissions.py``."""

from __future__ import annotations

from slack_bolt import App

from handlers.permissions import commands  # noqa: F401  (declares the sub-command)


def register(app: App) -> None:
    """Nothing to wire besides the sub-command."""
