"""``/partner help``: every sub-command with a one-line example."""

from __future__ import annotations

from slack_bolt import App

from handlers.help.views import help_reply
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.replies import Reply, with_ignored


@subcommand("help", "?", "h", internal=False)  # what the app can do: nothing internal
def show_help(request: CommandRequest, rest: str) -> Reply:
    return with_ignored(help_reply(), rest)


def register(app: App) -> None:
    """A ``/partner`` sub-command: nothing more to wire."""
