"""The console's command-line options, kept apart from ``bot.console.app`` so that ``partnerbot --help``
can list them without importing the app (Bolt, pandas, the handlers)."""

from __future__ import annotations

import argparse

DEFAULT_USER = "UCONSOLE"
DEFAULT_TEAM = "T-CONSOLE"

HELP = "try Partnerbot in the terminal, without Slack"
DESCRIPTION = (
    "Run the Partnerbot app in the terminal, with no Slack and no network: type /partner commands "
    "or questions to the bot, fill in forms field by field, press buttons by number. Uses the "
    "same database as serve (DATABASE_URL, default partnerbot.db). Works with input piped in."
)


def add_console_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="user",
        default=DEFAULT_USER,
        metavar="USER_ID",
        help=f"the Slack user ID you act as (default {DEFAULT_USER}; :as USER_ID switches later)",
    )
    parser.add_argument(
        "--team",
        default=DEFAULT_TEAM,
        metavar="TEAM_ID",
        help=f"the workspace (team) ID records are kept under (default {DEFAULT_TEAM})",
    )
    parser.add_argument(
        "--tz",
        default=None,
        metavar="ZONE",
        help="your time zone as Slack would report it, e.g. Europe/Paris (default: this machine's)",
    )


def build_console_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="partnerbot console", description=DESCRIPTION)
    add_console_arguments(parser)
    return parser
