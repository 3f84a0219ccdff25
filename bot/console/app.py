"""Starting ``partnerbot console``: the real Bolt app on the configured database, its Slack the
in-process stand-in, and a session reading the terminal (or a piped script)."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.app import build_app, build_deps
from bot.console.activity import Activity
from bot.console.args import DEFAULT_USER, build_console_parser
from bot.console.dispatch import Dispatcher
from bot.console.forms import Terminal
from bot.console.render import Style
from bot.console.screen import QUIET_SECONDS, WAIT_TIMEOUT
from bot.console.session import Console
from bot.console.slack import API_URL, BOT_TOKEN, ConsoleSlack
from bot.console.typed import USER_ID
from bot.settings import ConfigurationError, Settings
from storage.db import Database, DatabaseUnavailable
from storage.migrate import upgrade


def local_time_zone() -> str:
    """This machine's IANA time zone name (what Slack would report as the user's tz), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text(encoding="utf-8", errors="replace").strip())
    for name in candidates:
        if name and _valid_zone(name):
            return name
    return "UTC"


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _quiet_logging() -> None:
    """The transcript is the output: only warnings and errors reach stderr, and Bolt's advice
    about requests nothing handles (the console says so itself) is left out."""
    root = logging.getLogger()
    root.setLevel(max(root.level, logging.WARNING))
    for name in ("alembic", "slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.ERROR)


def run_console(
    args: argparse.Namespace,
    settings: Settings,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Start the app against ``settings.database_url`` and talk to it until ``:quit`` or end of input."""
    _quiet_logging()
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    user_id = str(args.user or DEFAULT_USER).upper().lstrip("@")
    if not USER_ID.match(user_id):
        raise ConfigurationError(f"--as needs a Slack user ID like U0123ABCD, got {args.user!r}")
    time_zone = args.tz or local_time_zone()
    if not _valid_zone(time_zone):
        raise ConfigurationError(f"--tz needs a time zone name like Europe/Paris, got {time_zone!r}")
    interactive = stdin.isatty()
    color = stdout.isatty() and not os.environ.get("NO_COLOR")
    terminal = Terminal(stdin, stdout, style=Style(color=color), interactive=interactive)

    database = Database(settings.database_url)
    database.check()
    upgrade(database)
    signing_secret = secrets.token_hex(16)  # made up for this session: requests are still verified
    console_settings = replace(
        settings,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=signing_secret,
        slack_app_token=None,
        slack_api_url=API_URL,
    )
    activity = Activity()
    slack = ConsoleSlack(team_id=args.team, time_zone=time_zone, activity=activity)
    try:
        with slack.intercepted():
            deps = build_deps(console_settings, database)
            app = build_app(console_settings, database, deps=deps)
            activity.track(app.listener_runner.listener_executor)
            activity.also_busy_when(deps.background.busy)
            send = Dispatcher(app, signing_secret=signing_secret, team_id=args.team, activity=activity)
            console = Console(
                send, slack, user_id=user_id, team_id=args.team, terminal=terminal, activity=activity
            )
            where = database.url.render_as_string()
            terminal.say(
                terminal.style.dim(
                    f"Partnerbot console — workspace {args.team}, you are {user_id} ({time_zone}), "
                    f"database {where}. Nothing goes to Slack. :help for help, :quit to leave."
                )
            )
            code = console.run()
            activity.wait_quiet(quiet=QUIET_SECONDS, timeout=WAIT_TIMEOUT)
            return code
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.console [--as U123] [--team T123] [--tz Europe/Paris]``."""
    logging.basicConfig(level=logging.WARNING, format="partnerbot: %(levelname)s %(name)s: %(message)s")
    with_errors_replaced(sys.stdout)
    args = build_console_parser().parse_args(argv)
    try:
        return run_console(args, Settings.from_env())
    except (ConfigurationError, DatabaseUnavailable) as error:
        print(f"partnerbot: {error}", file=sys.stderr)
        return 2


def with_errors_replaced(stream: TextIO) -> None:
    """A terminal that cannot show a character gets ``?`` instead of a crash."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
