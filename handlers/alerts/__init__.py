"""Drop alerts: ``/partner alerts`` (settings, admins change them) and the direct message a
partner's owner gets when its score falls (``handlers.alerts.runner``, run by the scheduler). The
alert's buttons belong to log ("Log communication") and feedback ("Send survey")."""

from __future__ import annotations

from slack_bolt import App

from handlers.alerts import command  # noqa: F401  (declares the sub-command)


def register(app: App) -> None:
    """Nothing to wire besides the sub-command: the alert's buttons are log's and feedback's."""
