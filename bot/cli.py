"""The ``partnerbot`` command: serve, migrate, import, export, backup, restore, forget-team,
forget-user, forget-partner, retention (see README, "Operating it")."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.console.args import DESCRIPTION as CONSOLE_DESCRIPTION
from bot.console.args import HELP as CONSOLE_HELP
from bot.console.args import add_console_arguments
from bot.progress import CountingLines, progress_bars
from bot.settings import ConfigurationError, Settings
from storage.db import Database, DatabaseUnavailable

log = logging.getLogger("partnerbot")
TABLES = (
    "partners",
    "interactions",
    "feedback",
    "projects",
    "resources",
    "needs",
    "followups",
    "permissions",
)
# Score history is computed from the records: exported, never imported.
EXPORT_TABLES = (*TABLES, "history")


class CommandFailed(Exception):
    """Stops the command with a one-line reason and a non-zero exit status."""


# Requests must answer within Slack's 3 seconds, so a request waits at most this long for a lock.
SERVER_LOCK_TIMEOUT = 2.0


def open_database(settings: Settings, *, migrate: bool = True, lock_timeout: float = 30.0) -> Database:
    database = Database(settings.database_url, lock_timeout=lock_timeout)
    database.check()
    if migrate:
        from storage.migrate import upgrade

        upgrade(database)
    return database


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    database = open_database(settings)
    print(f"database schema is up to date ({database.url.render_as_string()})")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.run import run_server

    settings.require_slack()
    if args.workers > 1 and settings.slack_app_token:
        raise ConfigurationError(
            "--workers (or WEB_CONCURRENCY) shares Slack's HTTP requests between processes; in Socket "
            "Mode (SLACK_APP_TOKEN set) run one worker"
        )
    database = open_database(settings, migrate=False, lock_timeout=SERVER_LOCK_TIMEOUT)
    return run_server(
        settings, database, host=args.host, scheduler=not args.no_scheduler, workers=args.workers
    )


def _worker_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"workers must be a whole number, got {text!r}") from None
    if not 1 <= count <= 64:
        raise argparse.ArgumentTypeError(f"workers must be between 1 and 64, got {count}")
    return count


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console.app import run_console

    return run_console(args, settings)


def cmd_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from bot.run import run_scheduler

    if not settings.slack_bot_token:
        raise ConfigurationError(
            "SLACK_BOT_TOKEN is not set: the scheduler posts digests with the bot token (xoxb-…)"
        )
    database = open_database(settings, migrate=False, lock_timeout=SERVER_LOCK_TIMEOUT)
    return run_scheduler(settings, database)


def _open_input(path: str) -> TextIO:
    if path == "-":
        sys.stdin.reconfigure(encoding="utf-8-sig", newline="")  # type: ignore[attr-defined]
        return sys.stdin
    file = Path(path)
    if not file.is_file():
        raise CommandFailed(f"no such file: {path}")
    return file.open(encoding="utf-8-sig", newline="")


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from storage.transfer import TransferError, import_csv

    database = open_database(settings)
    source = _open_input(args.file)
    try:
        with progress_bars() as progress:
            lines: Any = source
            if progress.enabled and source is not sys.stdin:
                lines = CountingLines(source, progress, Path(args.file).stat().st_size)
            result = import_csv(
                database,
                args.table,
                lines,
                team_id=args.team,
                actor=_actor(),
                file_name=None if source is sys.stdin else Path(args.file).name,
            )
    except TransferError as failure:
        raise CommandFailed(f"import failed, nothing was written: {failure}") from None
    except UnicodeDecodeError as exc:
        raise CommandFailed(
            f"import failed, nothing was written: the file is not UTF-8 ({exc.reason})"
        ) from None
    finally:
        if source is not sys.stdin:
            source.close()
    print(f"imported {result.rows} {args.table} into team {args.team}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from storage.transfer import TransferError, export_csv

    database = open_database(settings)
    try:
        with progress_bars() as progress:
            if args.output in (None, "-"):
                sys.stdout.reconfigure(newline="")  # type: ignore[attr-defined]
                rows = export_csv(database, args.table, sys.stdout, team_id=args.team, progress=progress)
            else:
                with Path(args.output).open("w", encoding="utf-8", newline="") as target:
                    rows = export_csv(database, args.table, target, team_id=args.team, progress=progress)
    except TransferError as failure:
        raise CommandFailed(f"export failed: {failure}") from None
    print(f"exported {rows} {args.table} from team {args.team}", file=sys.stderr)
    return 0


# "Nothing matched": the command ran and found nothing to do, which a script may want to notice.
NOTHING_MATCHED = 1


def _since(text: str | None) -> datetime | None:
    """--since: a date (from its 00:00 UTC) or a moment in ISO 8601."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandFailed(f"--since takes a date like 2026-01-31 (got {text!r})") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from storage import audit

    since = _since(args.since)
    database = open_database(settings)
    with database.read() as session:
        if args.output in (None, "-"):
            sys.stdout.reconfigure(newline="")  # type: ignore[attr-defined]
            lines = audit.export_csv(session, args.team, sys.stdout, since=since)
        else:
            with Path(args.output).open("w", encoding="utf-8", newline="") as target:
                lines = audit.export_csv(session, args.team, target, since=since)
    print(f"exported {lines} audit lines from team {args.team}", file=sys.stderr)
    return 0


def _actor() -> str:
    """Who ran a command that changes records, for the audit trail: the operating-system login."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


def _print_rows(verb: str, rows: dict[str, int]) -> None:
    for table, count in rows.items():
        print(f"  {table}: {count:,} {verb}".rstrip())


def _confirm(question: str, *, yes: bool) -> None:
    """Ask on a terminal; without one, only ``--yes`` goes ahead (a script must say it means it)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CommandFailed(f"{question} Not on a terminal: add --yes to go ahead; nothing was changed.")
    answer = input(f"{question} Type yes to go ahead: ").strip().lower()
    if answer not in ("y", "yes"):
        raise CommandFailed("stopped; nothing was changed")


def cmd_forget_team(args: argparse.Namespace, settings: Settings) -> int:
    from storage import erasure

    team_id = args.team_id.strip()
    database = open_database(settings)
    with database.read() as session:
        found = erasure.team_footprint(session, team_id)
    if not found.total:
        print(f"nothing matched: no rows of team {team_id}", file=sys.stderr)
        return NOTHING_MATCHED
    print(f"team {team_id} has {found.total:,} rows:")
    _print_rows("", found.rows)
    _confirm(f"Erase every row of team {team_id}?", yes=args.yes)
    with database.transaction(actor=_actor()) as session:
        removed = erasure.forget_team(session, team_id, _actor())
    print(f"erased {removed.total:,} rows of team {team_id}:")
    _print_rows("removed", removed.rows)
    return 0


def cmd_forget_user(args: argparse.Namespace, settings: Settings) -> int:
    from storage import erasure
    from storage.slack_ids import FORMER_USER, parse_user_id

    user_id = parse_user_id(args.user_id)
    if user_id is None or user_id == FORMER_USER:
        raise CommandFailed(f"not a Slack user ID: {args.user_id!r} (like U0123ABCD)")
    database = open_database(settings)
    with database.transaction(actor=_actor()) as session:
        changed = erasure.forget_user(session, args.team, _actor(), user_id)
    where = f"team {args.team}" if args.team else "any team"
    if not changed.total:
        print(f"nothing matched: no record of {where} names {user_id}", file=sys.stderr)
        return NOTHING_MATCHED
    print(f"{user_id} is now “a former user” in {changed.total:,} places ({where}):")
    _print_rows("changed", changed.rows)
    return 0


def cmd_forget_partner(args: argparse.Namespace, settings: Settings) -> int:
    from storage import erasure

    database = open_database(settings)
    with database.read() as session:
        try:
            partner = erasure.find_partner(session, args.team, args.name)
        except erasure.UnknownPartnerName as unknown:
            hint = f"; did you mean {', '.join(unknown.suggestions)}?" if unknown.suggestions else ""
            print(
                f"nothing matched: no partner named {args.name!r} in team {args.team}{hint}", file=sys.stderr
            )
            return NOTHING_MATCHED
        name, partner_id = partner.name, partner.id
        found = erasure.partner_footprint(session, args.team, partner_id)
    print(f"{name} (team {args.team}) has {found.total:,} rows:")
    _print_rows("", found.rows)
    _confirm(f"Delete {name} and everything about it?", yes=args.yes)
    with database.transaction(actor=_actor()) as session:
        removed = erasure.forget_partner(session, args.team, _actor(), partner_id)
    print(f"deleted {name} of team {args.team}:")
    _print_rows("removed", removed.rows)
    return 0


def cmd_retention(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.services.retention import blank_old_notes

    months = settings.require_retention()
    database = open_database(settings)
    blanked = blank_old_notes(
        database,
        months=months,
        now=datetime.now(UTC),
        actor=_actor(),
        team_ids=[args.team] if args.team else None,
    )
    print(f"blanked {sum(blanked.values()):,} communication notes older than {months} months")
    _print_rows("blanked", blanked)
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from storage.backup import find_pg_dump, take_backup
    from storage.backup_file import BackupError

    # The schema is left as it is: a backup is of the database as the running app has it.
    database = open_database(settings, migrate=False)
    pg_dump = None
    if database.dialect == "postgresql":
        pg_dump, why = find_pg_dump(database)
        log.info("backup with %s", f"pg_dump: {why}" if pg_dump else f"COPY ({why})")
    try:
        with progress_bars() as progress:
            result = take_backup(database, Path(args.file), pg_dump=pg_dump, progress=progress)
    except BackupError as failure:
        raise CommandFailed(f"backup failed, no file was written: {failure}") from None
    manifest = result.manifest
    print(
        f"backed up {manifest.rows} rows of {len(manifest.tables)} tables ({manifest.backend}, "
        f"{manifest.method}, schema {manifest.revision}) to {args.file}",
        file=sys.stderr,
    )
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from storage.backup_file import RestoreRefused
    from storage.restore import restore_backup

    database = open_database(settings, migrate=False)
    try:
        with progress_bars() as progress:
            result = restore_backup(database, Path(args.file), force=args.force, progress=progress)
    except RestoreRefused as refusal:
        raise CommandFailed(f"restore refused: {refusal}") from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise CommandFailed(f"restore failed: {reason}") from None
    if result.replaced:
        replaced = ", ".join(f"{rows} {table}" for table, rows in sorted(result.replaced.items()))
        print(f"replaced what the database held: {replaced} rows", file=sys.stderr)
    manifest = result.manifest
    print(
        f"restored {manifest.rows} rows of {len(manifest.tables)} tables from {args.file} "
        f"(taken {manifest.created_at}, schema {manifest.revision}; now up to date)",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnerbot",
        description="Partnerbot: a Slack app for partner managers. Settings come from the environment "
        "(SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install in many workspaces; "
        "SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, SLACK_API_URL, DATABASE_URL, PORT; README lists them all).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the Slack app (HTTP on $PORT, or Socket Mode)",
        description="Run the app: every Slack request URL at POST /slack/events, "
        "GET /healthz for health checks. Brings the schema up to date first.",
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument(
        "--no-scheduler",
        action="store_true",
        help="do not run the digest scheduler in this process (for extra replicas)",
    )
    serve.add_argument(
        "--workers",
        type=_worker_count,
        default=os.environ.get("WEB_CONCURRENCY", "1"),
        help="worker processes serving the port, each with its own threads, one core each "
        "(default $WEB_CONCURRENCY or 1)",
    )
    serve.set_defaults(func=cmd_serve)

    scheduler = commands.add_parser(
        "scheduler",
        help="run only the digest scheduler (when replicas run serve --no-scheduler)",
        description="Post ranking digests on their schedules, without serving HTTP. Any number of "
        "schedulers may share one PostgreSQL database: each digest is posted once.",
    )
    scheduler.set_defaults(func=cmd_scheduler)

    console = commands.add_parser("console", help=CONSOLE_HELP, description=CONSOLE_DESCRIPTION)
    add_console_arguments(console)
    console.set_defaults(func=cmd_console)

    migrate = commands.add_parser(
        "migrate",
        help="bring the database schema up to date and exit",
        description="Apply every pending database migration and exit.",
    )
    migrate.set_defaults(func=cmd_migrate)

    imp = commands.add_parser(
        "import",
        help="load a CSV file into a workspace (all or nothing)",
        description="Load a CSV file (UTF-8, header row). A bad row aborts the "
        "import with its line number and reason; nothing is written.",
    )
    imp.add_argument(
        "table",
        choices=TABLES,
        help="what the file holds (columns: README, CSV files); a resource's project is its id in "
        "this workspace, or its name",
    )
    imp.add_argument("file", help="CSV file, or - for standard input")
    imp.add_argument("--team", required=True, help="Slack workspace (team) ID, e.g. T0123ABCD")
    imp.set_defaults(func=cmd_import)

    exp = commands.add_parser(
        "export",
        help="write a workspace's records as CSV",
        description="Write CSV with the same columns import reads. A resource's project is written as "
        "its id, which belongs to this workspace: give project names instead to import elsewhere.",
    )
    exp.add_argument("table", choices=EXPORT_TABLES, help="what to export")
    exp.add_argument("--team", required=True, help="Slack workspace (team) ID, e.g. T0123ABCD")
    exp.add_argument("-o", "--output", help="file to write (default: standard output)")
    exp.set_defaults(func=cmd_export)

    audit_trail = commands.add_parser(
        "audit",
        help="write a workspace's audit trail as CSV",
        description="Every recorded change of the workspace, oldest first, one line per changed "
        "field: at, actor, action, table, record_id, label, field, before, after.",
    )
    audit_trail.add_argument("--team", required=True, help="Slack workspace (team) ID, e.g. T0123ABCD")
    audit_trail.add_argument("--since", help="only changes from this date (YYYY-MM-DD, UTC) or moment")
    audit_trail.add_argument("-o", "--output", help="file to write (default: standard output)")
    audit_trail.set_defaults(func=cmd_audit)

    forget_team = commands.add_parser(
        "forget-team",
        help="erase every row of a workspace (all or nothing)",
        description="Erase every row of a workspace in every table, its Slack installation "
        "included, in one transaction; prints what it removed per table. Asks first on a terminal.",
    )
    forget_team.add_argument("team_id", metavar="TEAM_ID", help="Slack workspace (team) ID, e.g. T0123ABCD")
    forget_team.add_argument("--yes", action="store_true", help="do not ask (needed off a terminal)")
    forget_team.set_defaults(func=cmd_forget_team)

    forget_user = commands.add_parser(
        "forget-user",
        help="remove a person's identity; their records stay, by “a former user”",
        description="Replace a Slack user ID by “a former user” in every record that names them "
        "(communications, feedback, follow-ups, owners, projects, needs, surveys, digests, settings), "
        "in one transaction. Ratings and counts are unchanged.",
    )
    forget_user.add_argument("user_id", metavar="USER_ID", help="Slack user ID, e.g. U0123ABCD")
    forget_user.add_argument("--team", help="only in this workspace (default: every workspace)")
    forget_user.set_defaults(func=cmd_forget_user)

    forget_partner = commands.add_parser(
        "forget-partner",
        help="delete a partner and everything about it (all or nothing)",
        description="Delete a partner with its communications, feedback, surveys, projects, "
        "resources, needs, follow-ups, score history and alerts, in one transaction. Asks first on a "
        "terminal.",
    )
    forget_partner.add_argument("name", metavar="NAME", help="the partner's name (any case)")
    forget_partner.add_argument("--team", required=True, help="Slack workspace (team) ID, e.g. T0123ABCD")
    forget_partner.add_argument("--yes", action="store_true", help="do not ask (needed off a terminal)")
    forget_partner.set_defaults(func=cmd_forget_partner)

    retention = commands.add_parser(
        "retention",
        help="blank communication notes older than PARTNERBOT_NOTE_RETENTION_MONTHS now",
        description="Blank the notes of communications older than PARTNERBOT_NOTE_RETENTION_MONTHS "
        "months (the communications stay: they count for scores), as the scheduler does daily.",
    )
    retention.add_argument("--team", help="only this workspace (default: every workspace)")
    retention.set_defaults(func=cmd_retention)

    backup = commands.add_parser(
        "backup",
        help="write a backup of the whole database to FILE, while the app keeps serving",
        description="Write every workspace's records, as they were at one moment, to FILE (a Partnerbot "
        "backup: a zip with a manifest). SQLite: the online backup API; PostgreSQL: pg_dump when one "
        "able to dump the server is on PATH, otherwise the app's own COPY export in one snapshot. The "
        "file appears only when complete.",
    )
    backup.add_argument("file", help="the backup file to write (replaced if it exists)")
    backup.set_defaults(func=cmd_backup)

    restore = commands.add_parser(
        "restore",
        help="load a backup into the database at DATABASE_URL (empty, or --force)",
        description="Load a Partnerbot backup into the database at DATABASE_URL, then bring its schema "
        "up to date. Refuses a file that is not a Partnerbot backup, a newer Partnerbot's, the other "
        "kind of database's, and a database that already holds records unless --force. Stop the app "
        "first.",
    )
    restore.add_argument("file", help="the backup file")
    restore.add_argument(
        "--force", action="store_true", help="replace the records the database already holds"
    )
    restore.set_defaults(func=cmd_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Migrations and the Slack SDK only speak up when something is wrong: a configuration error
    # must stay the one line on stderr that says what to set.
    for quiet in ("alembic", "slack_sdk", "slack_bolt"):
        logging.getLogger(quiet).setLevel(logging.WARNING)
    # Bolt warns that the client's token wins over SLACK_BOT_TOKEN, which it reads itself: both are the same.
    logging.getLogger("slack_bolt.App").setLevel(logging.ERROR)
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.func(args, settings))
    except (ConfigurationError, DatabaseUnavailable, CommandFailed) as error:
        print(f"partnerbot: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
