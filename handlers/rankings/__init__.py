"""Rankings: ``/partner top``, ``/partner stale``, ``/partner weights``, and the plain-words
questions "top partners …" and "who needs attention?"."""

from __future__ import annotations

from slack_bolt import App

from handlers.rankings import stale, top, weights  # noqa: F401  (declare sub-commands and questions)


def register(app: App) -> None:
    """Everything here is a ``/partner`` sub-command or a plain-words question: nothing more to wire."""
