"""Ranking digests: ``/partner digest add|list|remove|now``, and posting them (the scheduler in
``bot.scheduler`` runs :class:`handlers.digests.runner.DigestRunner` on each schedule)."""

from __future__ import annotations

from slack_bolt import App

from handlers.digests import commands  # noqa: F401  (declares the sub-command)


def register(app: App) -> None:
    """A ``/partner`` sub-command: nothing more to wire."""
