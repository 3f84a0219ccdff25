"""Slack surfaces: one module per feature, each with a ``register(app)`` and the Block Kit it renders."""

from __future__ import annotations

from slack_bolt import App


def register_all(app: App) -> None:
    """Wire every listener. Importing a sub-command module declares its ``/partner`` sub-commands."""
    from handlers import (  # noqa: F401 (importing a module declares its sub-commands)
        command,
        digest,
        feedback,
        help,
        home,
        log,
        mentions,
        partners,
        show,
        survey,
        top,
    )

    command.register(app)
    partners.register(app)
    log.register(app)
    feedback.register(app)
    mentions.register(app)
    home.register(app)
