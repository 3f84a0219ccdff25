"""The CSV file type of follow-ups, declared like those in ``storage.csv.files`` (README, "CSV
files").

An import never sends a burst of old reminders: an open follow-up due before the day of the import
(UTC) counts as reminded already, as migration 0011 counts the follow-up dates it found. One with no
owner is given the partner's owner; with neither, it is listed but reminded to nobody.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select

from storage.csv import cells
from storage.csv.columns import CsvColumn, FileType, ImportContext, code_point_order, partner_rows
from storage.csv.errors import CellError
from storage.models import FollowUp, FollowUpStatus, Partner


def _status(raw: str, column: str) -> FollowUpStatus:
    return cells.member(raw, column, FollowUpStatus, default=FollowUpStatus.OPEN)


def _check_done_on(status: FollowUpStatus, done_on: date | None) -> None:
    if status is FollowUpStatus.DONE and done_on is None:
        raise CellError("done_on is required when the status is done")
    if status is FollowUpStatus.OPEN and done_on is not None:
        raise CellError("done_on must be empty when the status is open (only done follow-ups have it)")


def _follow_up_row(row: dict[str, str], line: int, context: ImportContext) -> dict[str, Any]:
    parse_once = context.parse_once
    partner_id = parse_once("partner", row["partner"], context.partner_id)
    due_on = cells.day(row["due_on"], "due_on")
    if due_on is None:
        raise CellError("due_on is required but empty")
    if not row["what"].strip():
        raise CellError("what is required but empty")
    status = parse_once("status", row.get("status", ""), _status)
    done_on = cells.day(row.get("done_on", ""), "done_on")
    _check_done_on(status, done_on)
    owner = parse_once("owner", row.get("owner", ""), cells.user_id)
    overdue = status is FollowUpStatus.OPEN and due_on < context.now.date()
    return {
        "team_id": context.team_id,
        "partner_id": partner_id,
        "owner": owner if owner is not None else context.partner_owners.get(partner_id),
        "what": row["what"],  # whole, line breaks and spaces too, so it comes back as it was
        "due_on": due_on,
        "status": status,
        "done_on": done_on,
        "done_by": None,
        "snoozes": 0,
        "interaction_id": None,
        # Counted as reminded for its date: an import must not remind of every old promise at once.
        "reminded_for": due_on if overdue else None,
        "reminder_claimed_at": None,
        "reminder_channel": None,
        "reminder_ts": None,
        "created_by": None,  # nobody in Slack made it
        "request_key": None,
        "created_at": context.now,
        "updated_at": context.now,
    }


def _follow_up_export(team_id: str, dialect: str) -> Select[Any]:
    return partner_rows(
        FollowUp,
        team_id,
        FollowUp.owner,
        FollowUp.due_on,
        FollowUp.what,
        FollowUp.status,
        FollowUp.done_on,
    ).order_by(code_point_order(Partner.name_key, dialect), FollowUp.due_on, FollowUp.id)


FOLLOW_UP_FILE_TYPES: dict[str, FileType] = {
    "followups": FileType(
        name="followups",
        columns=(
            CsvColumn("partner", required=True, text=True),
            CsvColumn("owner"),
            CsvColumn("due_on", required=True, write=cells.write_date),
            CsvColumn("what", required=True, text=True),
            CsvColumn("status"),
            CsvColumn("done_on", write=cells.write_date),
        ),
        table=FollowUp.__table__,
        convert=_follow_up_row,
        export_query=_follow_up_export,
    ),
}
