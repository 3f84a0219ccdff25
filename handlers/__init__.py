"""Slack surfaces: one package per feature, each with a ``register(app)``, its listeners and the
Block Kit it renders beside them; ``shared`` holds the plumbing every feature uses and
``services`` the domain services they call (no Slack there). docs/architecture.md is the map."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    alerts,
    digests,
    feedback,
    files,
    followups,
    help,
    history,
    home,
    insights,
    log,
    mentions,
    needs,
    partners,
    permissions,
    projects,
    rankings,
    show,
    trends,
    workflows,
)
from handlers.shared import command, partner_picker

FEATURES = (
    partners,
    log,
    projects,
    followups,
    needs,
    show,
    feedback,
    rankings,
    insights,
    digests,
    trends,
    history,
    alerts,
    workflows,
    home,
    permissions,
    files,  # before mentions: its file_share listener must be matched first
    mentions,
    help,
)


def register_all(app: App) -> None:
    """Wire every listener: the ``/partner`` command, the shared partner type-ahead, each feature."""
    command.register(app)
    partner_picker.register(app)
    for feature in FEATURES:
        feature.register(app)
