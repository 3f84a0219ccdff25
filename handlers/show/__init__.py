"""``/partner show``: a partner's profile, score explained, feedback and recent communications."""

from __future__ import annotations

from slack_bolt import App

from handlers.show import command  # noqa: F401  (declares the sub-command and the question)


def register(app: App) -> None:
    """A ``/partner`` sub-command and a plain-words question: nothing more to wire."""
