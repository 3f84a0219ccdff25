"""Importing by upload: an admin uploads a CSV file to their direct messages with the app, with
the message ``import partners`` (or another table).

The ``file_share`` message event is acknowledged by Bolt at once; the checks that need no download
(the words, one file, who is asking) answer straight away, and the rest runs in the background:
``files.info`` (size and type, before downloading), the download streamed to a temporary file with
the size limit, the UTF-8 check, then ``storage.transfer.import_csv``, all or nothing, exactly as
``partnerbot import`` runs it. The reply in the conversation gives the rows imported or the
line-numbered reason nothing was.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from handlers.files.checks import MAX_IMPORT_BYTES, TOO_LARGE, file_problem, text_problem
from handlers.files.slack_files import DownloadRefused, TooLarge, download
from handlers.files.tables import IMPORT_TABLES, import_table, listed
from handlers.shared.deps import Deps, deps_of, is_admin, workspace
from handlers.shared.errors import UserError, apology_for
from handlers.shared.events import SeenEvents
from handlers.shared.permissions import ADMINS_ARE, Act, Person, require
from handlers.shared.replies import Reply
from handlers.shared.text import escape, plural, shorten
from storage.slack_ids import USER_MENTION
from storage.transfer import TransferError, import_csv

log = logging.getLogger(__name__)

HOW_TO_IMPORT = (
    "To import a CSV file, upload it here with the message `import partners` (or another table: "
    f"{listed(IMPORT_TABLES)}). The columns are the ones `/partner export` writes."
)
_seen = SeenEvents()


def requested_table(text: str) -> str:
    """The table the message sent with an upload asks to import into (``import partners``)."""
    words = USER_MENTION.sub(" ", text).split()
    if not words or words[0].casefold() != "import":
        raise UserError(HOW_TO_IMPORT)
    if len(words) != 2:
        raise UserError(
            f"Which table? Send the file with the message `import <table>`: {listed(IMPORT_TABLES)}."
        )
    return import_table(words[1])


def _from_a_person(event: dict[str, Any], context: BoltContext) -> bool:
    """A person's upload in their direct messages with the app: not the app's own files (an
    export it sends lands there too) and not files shared in channels."""
    if event.get("channel_type") != "im" or event.get("bot_id"):
        return False
    user = event.get("user")
    return isinstance(user, str) and bool(user) and user != context.bot_user_id


def on_file_shared(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    if not _from_a_person(event, context) or not _seen.first_time(body.get("event_id")):
        return
    deps, team_id, user_id, channel = deps_of(context), workspace(context), event["user"], event["channel"]
    files = [f for f in event.get("files") or [] if isinstance(f, dict) and f.get("id")]
    try:
        table = requested_table(str(event.get("text") or ""))
        if len(files) != 1:
            raise UserError("Upload one CSV file at a time, with the message `import <table>`.")
        who = Person(team_id, user_id, client, deps)
        require(who, Act.IMPORT)
        if table == "permissions" and not is_admin(deps, client, team_id, user_id):
            # Whoever may import may not give themselves more rights: permissions are admins' only.
            raise UserError(f"Only {ADMINS_ARE} can import permissions.")
    except UserError as error:
        _say(client, channel, error.message)
        return
    file_id = str(files[0]["id"])
    name = escape(shorten(str(files[0].get("name") or "the file"), 80))
    _say(client, channel, f"Importing *{name}* into {table}… I'll tell you here when it is done.")
    deps.background.submit(
        ("import", team_id, file_id, body.get("event_id")),
        lambda: _say(client, channel, _import_reply(deps, client, team_id, user_id, file_id, table)),
    )


def _import_reply(deps: Deps, client: WebClient, team_id: str, user_id: str, file_id: str, table: str) -> str:
    try:
        return import_upload(deps, client, team_id, user_id, file_id, table)
    except Exception as error:  # the person waits for an answer: always give one
        log.exception("import of %s into %s failed", file_id, table)
        return f"Nothing was imported. {apology_for(error)}"


def import_upload(deps: Deps, client: WebClient, team_id: str, user_id: str, file_id: str, table: str) -> str:
    """Check, download and import one uploaded file; the reply for the person."""
    info = client.files_info(file=file_id)["file"]
    name = escape(shorten(str(info.get("name") or "the file"), 80))
    refused = f"Nothing was imported from *{name}*:"
    if problem := file_problem(info):
        return f"{refused} {problem}"
    with tempfile.TemporaryDirectory(prefix="partnerbot-import-") as folder:
        path = Path(folder) / "upload.csv"
        try:
            with path.open("wb") as target:
                download(client, str(info.get("url_private_download") or ""), target, limit=MAX_IMPORT_BYTES)
        except TooLarge:
            return f"{refused} {TOO_LARGE}"
        except DownloadRefused as reason:
            return f"{refused} {reason}"
        if problem := text_problem(path):
            return f"{refused} {problem}"
        # As `partnerbot import` opens its file: a byte-order mark is fine, quoted line breaks kept.
        with path.open(encoding="utf-8-sig", newline="") as source:
            try:
                result = import_csv(
                    deps.db,
                    table,
                    source,
                    team_id=team_id,
                    actor=user_id,
                    file_name=str(info.get("name") or "") or None,
                )
            except TransferError as failure:
                return f"{refused} {escape(str(failure))}. Fix it and upload the file again."
    deps.changes.data_changed(team_id, user_id)
    return f"Imported {plural(result.rows, 'row')} into {table} from *{name}*."


def _say(client: WebClient, channel: str, text: str) -> None:
    client.chat_postMessage(channel=channel, **Reply(text).as_message())
