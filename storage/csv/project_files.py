"""The CSV file types of joint projects and the resources committed to partnerships.

Declared like those in ``storage.csv.files`` (README, "CSV files"). A resource's ``project`` is
exported as the project's id in its workspace; import also takes the project's name
(``storage.csv.project_refs``), which is how a file moves to another workspace, where ids differ.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select

from storage.csv import cells
from storage.csv.columns import CsvColumn, FileType, ImportContext, code_point_order, partner_rows
from storage.csv.errors import CellError
from storage.models import Partner, Project, ProjectStatus, Resource, ResourceKind
from storage.money import BadAmount, parse_amount

# --- Projects ------------------------------------------------------------------------------------

_PROJECTS = Project.__table__
_NAME_LIMIT = cells.length_limit(_PROJECTS, "name")


def _project_status(raw: str, column: str) -> ProjectStatus:
    return cells.member(raw, column, ProjectStatus, default=ProjectStatus.PLANNED)


def _check_dates(
    status: ProjectStatus, started_on: date | None, due_on: date | None, closed_on: date | None
) -> None:
    """A project's dates must agree with each other and with its status (closed ones have closed_on)."""
    if status.closed and closed_on is None:
        raise CellError(f"closed_on is required when the status is {status}")
    if not status.closed and closed_on is not None:
        raise CellError(
            f"closed_on must be empty when the status is {status} (only won, lost and cancelled "
            "projects are closed)"
        )
    if started_on is not None:
        for column, day in (("due_on", due_on), ("closed_on", closed_on)):
            if day is not None and day < started_on:
                raise CellError(f"{column} {day} is before started_on {started_on}")


def _project_row(row: dict[str, str], line: int, context: ImportContext) -> dict[str, Any]:
    partner_id = context.parse_once("partner", row["partner"], context.partner_id)
    name = " ".join(cells.required_text(row["name"], "name").split())  # as /partner project add keeps it
    if len(name) > _NAME_LIMIT:
        raise CellError(f"name is longer than {_NAME_LIMIT} characters")
    status = context.parse_once("status", row.get("status", ""), _project_status)
    started_on = cells.day(row.get("started_on", ""), "started_on")
    due_on = cells.day(row.get("due_on", ""), "due_on")
    closed_on = cells.day(row.get("closed_on", ""), "closed_on")
    _check_dates(status, started_on, due_on, closed_on)
    progress = cells.rating(row.get("progress", ""), "progress", 0, 100, required=False)
    if progress is None:
        progress = 100 if status is ProjectStatus.WON else 0  # as closing a project as won sets it
    return {
        "team_id": context.team_id,
        "partner_id": partner_id,
        "name": name,
        "goal": row.get("goal", ""),  # whole, line breaks and spaces too, so it comes back as it was
        "plan": "",
        "status": status,
        "progress": progress,
        "started_on": started_on,
        "due_on": due_on,
        "closed_on": closed_on,
        "value": cells.amount(row.get("value", ""), "value"),
        "result": row.get("result", ""),
        # Nobody in Slack created, changed or closed it: an import has no author.
        "created_by": None,
        "updated_by": None,
        "closed_by": None,
        "request_key": None,
        "created_at": context.now,
        "updated_at": context.now,
    }


def _project_export(team_id: str, dialect: str) -> Select[Any]:
    # By partner, then in the order the projects were added: an import into another workspace adds
    # them in file order, so its export lists them in the same order.
    return partner_rows(
        Project,
        team_id,
        Project.name,
        Project.status,
        Project.goal,
        Project.started_on,
        Project.due_on,
        Project.closed_on,
        Project.value,
        Project.progress,
        Project.result,
    ).order_by(code_point_order(Partner.name_key, dialect), Project.id)


# --- Resources -----------------------------------------------------------------------------------

_UNIT_LIMIT = cells.length_limit(Resource.__table__, "unit")


def _resource_kind(raw: str, column: str) -> ResourceKind:
    return cells.member(raw, column, ResourceKind)


def _positive_amount(raw: str, column: str) -> Decimal:
    """A required amount of money above 0 (storage.money's rules otherwise)."""
    cell = raw.strip()
    if not cell:
        raise CellError(f"{column} is required but empty")
    value: Decimal | None = None
    try:
        value = parse_amount(cell)
    except BadAmount as bad:
        if bad.problem != "negative":
            raise CellError(f"{column} {bad}") from None
    if not value:  # zero, or negative
        raise CellError(f"{column} must be more than 0, got {cell!r}")
    return value


def _resource_row(row: dict[str, str], line: int, context: ImportContext) -> dict[str, Any]:
    partner_id = context.parse_once("partner", row["partner"], context.partner_id)
    project_id = context.projects.project_id(
        row.get("project", ""), partner_id=partner_id, partner=row["partner"].strip()
    )
    return {
        "team_id": context.team_id,
        "partner_id": partner_id,
        "project_id": project_id,
        "kind": context.parse_once("kind", row["kind"], _resource_kind),
        "amount": _positive_amount(row["amount"], "amount"),
        "unit": cells.text(row.get("unit", ""), "unit", limit=_UNIT_LIMIT),
        # The day of the import (UTC) when the file does not say, as /partner resource records today.
        "committed_on": cells.day(row.get("committed_on", ""), "committed_on") or context.now.date(),
        "notes": row.get("notes", ""),
        "created_by": None,
        "request_key": None,
        "created_at": context.now,
    }


def _resource_export(team_id: str, dialect: str) -> Select[Any]:
    return partner_rows(
        Resource,
        team_id,
        Resource.project_id,
        Resource.kind,
        Resource.amount,
        Resource.unit,
        Resource.committed_on,
        Resource.notes,
    ).order_by(Resource.committed_on, Resource.id)


# --- The file types ------------------------------------------------------------------------------

PROJECT_FILE_TYPES: dict[str, FileType] = {
    "projects": FileType(
        name="projects",
        columns=(
            CsvColumn("partner", required=True, text=True),
            CsvColumn("name", required=True, text=True),
            CsvColumn("status"),
            CsvColumn("goal", text=True),
            CsvColumn("started_on", write=cells.write_date),
            CsvColumn("due_on", write=cells.write_date),
            CsvColumn("closed_on", write=cells.write_date),
            CsvColumn("value", write=cells.write_amount),
            CsvColumn("progress"),
            CsvColumn("result", text=True),
        ),
        table=_PROJECTS,
        convert=_project_row,
        export_query=_project_export,
    ),
    "resources": FileType(
        name="resources",
        columns=(
            CsvColumn("partner", required=True, text=True),
            # An id on export, but a name typed for import may look like a formula.
            CsvColumn("project", text=True),
            CsvColumn("kind", required=True),
            CsvColumn("amount", required=True, write=cells.write_amount),
            CsvColumn("unit", text=True),
            CsvColumn("committed_on", write=cells.write_date),
            CsvColumn("notes", text=True),
        ),
        table=Resource.__table__,
        convert=_resource_row,
        export_query=_resource_export,
        names_projects=True,
    ),
}
