"""The CSV file type of partner needs, declared like those in ``storage.csv.files`` (README, "CSV
files"). A need's type may be written as an everyday word (``discount``), as in Slack; export writes
the type itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select

from storage.csv import cells
from storage.csv.columns import CsvColumn, FileType, ImportContext, code_point_order, partner_rows
from storage.csv.errors import CellError, did_you_mean
from storage.models import Need, NeedDifficulty, NeedPriority, NeedStatus, NeedType, Partner
from storage.need_words import DEFAULT_LEVEL, LEVELS, names, parse_need_type, parse_word


def _need_type(raw: str, column: str) -> NeedType:
    cell = cells.required_text(raw, column)
    found = parse_need_type(cell)
    if found is None:
        hint = did_you_mean(cell, [kind.value for kind in NeedType])
        choices = f"{names(NeedType)} (or a word for one, like discount, api, mdf)"
        raise CellError(f"{column} must be one of {choices}, got {cell!r}{hint}")
    return found


def _level(raw: str, column: str) -> NeedPriority | NeedDifficulty:
    """A priority or difficulty (``column`` says which); an empty cell is medium, as in Slack."""
    choices = LEVELS[column]
    cell = raw.strip()
    found = parse_word(cell, choices) if cell else choices(DEFAULT_LEVEL)
    if found is None:
        raise CellError(f"{column} must be one of {names(choices)}, got {cell!r}")
    return found


def _status(raw: str, column: str) -> NeedStatus:
    return cells.member(raw, column, NeedStatus, default=NeedStatus.OPEN)


def _check_dates(status: NeedStatus, raised_on: date, closed_on: date | None) -> None:
    """A need's dates must agree with its status: met and declined needs have closed_on, open ones not."""
    if status.closed and closed_on is None:
        raise CellError(f"closed_on is required when the status is {status}")
    if not status.closed and closed_on is not None:
        raise CellError(
            "closed_on must be empty when the status is open (only met and declined needs are closed)"
        )
    if closed_on is not None and closed_on < raised_on:
        raise CellError(f"closed_on {closed_on} is before raised_on {raised_on}")


def _need_row(row: dict[str, str], line: int, context: ImportContext) -> dict[str, Any]:
    parse_once = context.parse_once
    if not row["description"].strip():
        raise CellError("description is required but empty")
    status = parse_once("status", row.get("status", ""), _status)
    # The day of the import (UTC) when the file does not say, as /partner need records today.
    raised_on = cells.day(row.get("raised_on", ""), "raised_on") or context.now.date()
    closed_on = cells.day(row.get("closed_on", ""), "closed_on")
    _check_dates(status, raised_on, closed_on)
    return {
        "team_id": context.team_id,
        "partner_id": parse_once("partner", row["partner"], context.partner_id),
        "type": parse_once("type", row["type"], _need_type),
        "priority": parse_once("priority", row.get("priority", ""), _level),
        "difficulty": parse_once("difficulty", row.get("difficulty", ""), _level),
        "description": row["description"],  # whole, line breaks and spaces too, so it comes back as it was
        "status": status,
        "raised_on": raised_on,
        "closed_on": closed_on,
        # Nobody in Slack raised or closed it: an import has no author.
        "closed_by": None,
        "close_notes": "",
        "created_by": None,
        "request_key": None,
        "created_at": context.now,
        "updated_at": context.now,
    }


def _need_export(team_id: str, dialect: str) -> Select[Any]:
    # By partner, then as they were raised: an import adds them in file order, so an export of the
    # copy lists them in the same order.
    return partner_rows(
        Need,
        team_id,
        Need.type,
        Need.priority,
        Need.difficulty,
        Need.description,
        Need.status,
        Need.raised_on,
        Need.closed_on,
    ).order_by(code_point_order(Partner.name_key, dialect), Need.raised_on, Need.id)


NEED_FILE_TYPES: dict[str, FileType] = {
    "needs": FileType(
        name="needs",
        columns=(
            CsvColumn("partner", required=True, text=True),
            CsvColumn("type", required=True),
            CsvColumn("priority"),
            CsvColumn("difficulty"),
            CsvColumn("description", required=True, text=True),
            CsvColumn("status"),
            CsvColumn("raised_on", write=cells.write_date),
            CsvColumn("closed_on", write=cells.write_date),
        ),
        table=Need.__table__,
        convert=_need_row,
        export_query=_need_export,
    ),
}
