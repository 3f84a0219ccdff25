"""``/partner export [table]``: the table as CSV in the person's direct messages with the app.

Acknowledged at once; the file is then written in the background by ``storage.transfer.export_csv``
(the code ``partnerbot export`` runs, so the bytes are the same) to a temporary file, and uploaded
from there: neither step holds the whole file in memory.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from handlers.files.slack_files import send_file_to_dm
from handlers.files.tables import export_table
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.deps import Deps
from handlers.shared.errors import apology_for
from handlers.shared.permissions import Act, require
from handlers.shared.replies import Reply
from handlers.shared.text import escape, plural
from storage.transfer import TransferError, export_csv

log = logging.getLogger(__name__)


def may_export(request: CommandRequest, table: str) -> None:
    """Refuse unless this person may export whole tables (``Act.EXPORT``: admins by default)."""
    require(request, Act.EXPORT)


def export_name(table: str, deps: Deps) -> str:
    """``partners-2026-05-01.csv``: the table and the day (UTC), so downloads don't overwrite."""
    return f"{table}-{deps.now().date().isoformat()}.csv"


def export_comment(table: str, rows: int) -> str:
    """The one line that comes with the file."""
    return f"Export of {table}: {plural(rows, 'row')} (the columns `partnerbot import {table}` reads)."


@subcommand("export")
def export(request: CommandRequest, rest: str) -> Reply | None:
    table = export_table(rest)
    deps, team_id, user_id = request.deps, request.team_id, request.user_id
    may_export(request, table)
    request.ack(
        Reply(f"Preparing the {table} export… it will arrive in your direct messages with me in a moment.")
    )
    deps.background.submit(("export", team_id, user_id, table), lambda: _send_export(request, table))
    return None


def _send_export(request: CommandRequest, table: str) -> None:
    """Write the CSV to a temporary file and upload it; on failure, say so where they asked."""
    deps = request.deps
    try:
        with tempfile.TemporaryDirectory(prefix="partnerbot-export-") as folder:
            path = Path(folder) / export_name(table, deps)
            # As `partnerbot export -o FILE` opens its file: the same bytes.
            with path.open("w", encoding="utf-8", newline="") as target:
                rows = export_csv(deps.db, table, target, team_id=request.team_id)
            send_file_to_dm(
                request.client, request.user_id, path, filename=path.name, comment=export_comment(table, rows)
            )
    except TransferError as failure:
        request.send(Reply(f"The {table} export failed: {escape(str(failure))}"))
    except Exception as error:  # the person was promised a file: tell them it is not coming
        log.exception("export of %s for %s failed", table, request.user_id)
        request.send(Reply(f"The {table} export did not arrive. {apology_for(error)}"))
