"""The CSV file types: partners, interactions and feedback here; projects and resources in
``storage.csv.project_files``, needs in ``storage.csv.need_files``, follow-ups in
``storage.csv.follow_up_files``, permissions in ``storage.csv.permission_files``.

Each declares its columns once (README, "CSV files"), how a row's cells become the table's values,
and the query its export reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, select

from storage.csv import cells
from storage.csv.columns import CsvColumn, FileType, ImportContext, code_point_order, partner_rows
from storage.csv.errors import CellError
from storage.csv.follow_up_files import FOLLOW_UP_FILE_TYPES
from storage.csv.history_files import HISTORY_FILE_TYPES
from storage.csv.need_files import NEED_FILE_TYPES
from storage.csv.permission_files import PERMISSION_FILE_TYPES
from storage.csv.project_files import PROJECT_FILE_TYPES
from storage.feedback import hash_respondent
from storage.models import Feedback, Interaction, Partner, PartnerStatus
from storage.names import name_key, normalise_name

# --- Partners ------------------------------------------------------------------------------------

_PARTNERS = Partner.__table__
_NAME_LIMIT = cells.length_limit(_PARTNERS, "name")
_TIER_LIMIT = cells.length_limit(_PARTNERS, "tier")
_REGION_LIMIT = cells.length_limit(_PARTNERS, "region")
_CATEGORY_LIMIT = cells.length_limit(_PARTNERS, "category")


def _partner_row(row: dict[str, str], line: int, context: ImportContext) -> dict[str, Any]:
    typed = cells.required_text(row["name"], "name")
    name = normalise_name(typed)
    if not name:
        raise CellError("name has no visible characters")
    if len(name) > _NAME_LIMIT:
        raise CellError(f"name is longer than {_NAME_LIMIT} characters")
    key = name_key(name)
    if len(key) > _NAME_LIMIT:
        raise CellError(f"name is longer than {_NAME_LIMIT} characters")
    if key in context.partner_ids:
        raise CellError(f"a partner named {typed!r} already exists in this workspace")
    first = context.first_line.setdefault(key, line)
    if first != line:
        raise CellError(f"partner {typed!r} is already on line {first} of this file")
    status_text = row.get("status", "").strip()
    try:
        status = PartnerStatus(status_text.casefold() or PartnerStatus.ACTIVE)
    except ValueError:
        raise CellError(f"status must be active or archived, got {status_text!r}") from None
    return {
        "team_id": context.team_id,
        "name": name,
        "name_key": key,
        "tier": cells.text(row.get("tier", ""), "tier", limit=_TIER_LIMIT),
        "region": cells.text(row.get("region", ""), "region", limit=_REGION_LIMIT),
        "category": cells.text(row.get("category", ""), "category", limit=_CATEGORY_LIMIT),
        "owner": cells.user_id(row.get("owner", ""), "owner"),
        "revenue": cells.amount(row.get("revenue", ""), "revenue"),
        "cost": cells.amount(row.get("cost", ""), "cost"),
        "status": status,
        "created_at": context.now,
        "updated_at": context.now,
    }


def _partner_export(team_id: str, dialect: str) -> Select[Any]:
    return (
        select(
            Partner.name,
            Partner.tier,
            Partner.region,
            Partner.category,
            Partner.owner,
            Partner.revenue,
            Partner.cost,
            Partner.status,
        )
        .where(Partner.team_id == team_id)
        .order_by(code_point_order(Partner.name_key, dialect), Partner.id)
    )


# --- Interactions --------------------------------------------------------------------------------


def _interaction_row(row: dict[str, str], line: int, context: ImportContext) -> dict[str, Any]:
    # The hot loop of a large import: columns with few distinct values are parsed once per value.
    parse_once = context.parse_once
    return {
        "team_id": context.team_id,
        "partner_id": parse_once("partner", row["partner"], context.partner_id),
        "kind": parse_once("kind", row["kind"], cells.kind),
        "occurred_at": cells.timestamp(row["occurred_at"], "occurred_at"),
        "notes": row.get("notes", ""),  # whole, spaces and all
        "user_id": parse_once("user", row.get("user", ""), cells.user_id),
        "follow_up_on": parse_once("follow_up_on", row.get("follow_up_on", ""), cells.day),
        "created_at": context.now,
    }


def _interaction_export(team_id: str, dialect: str) -> Select[Any]:
    return partner_rows(
        Interaction,
        team_id,
        Interaction.kind,
        Interaction.occurred_at,
        Interaction.notes,
        Interaction.user_id,
        Interaction.follow_up_on,
    ).order_by(Interaction.occurred_at, Interaction.id)


# --- Feedback ------------------------------------------------------------------------------------


def _feedback_row(row: dict[str, str], line: int, context: ImportContext) -> dict[str, Any]:
    respondent = context.parse_once("respondent", row.get("respondent", ""), cells.user_id)
    return {
        "team_id": context.team_id,
        "partner_id": context.parse_once("partner", row["partner"], context.partner_id),
        "survey_id": None,
        "csat": cells.rating(row["csat"], "csat", 1, 5, required=True),
        "nps": cells.rating(row.get("nps", ""), "nps", 0, 10, required=False),
        "comment": row.get("comment", ""),
        "respondent": respondent,
        "respondent_key": (
            hash_respondent(context.respondent_secret, context.team_id, respondent) if respondent else None
        ),
        # With no respondent named, nobody can be shown: the answer counts as anonymous.
        "anonymous": respondent is None,
        "external": False,
        "submitted_at": cells.timestamp(row["submitted_at"], "submitted_at"),
    }


def _feedback_export(team_id: str, dialect: str) -> Select[Any]:
    # Anonymous answers never name the respondent, here as anywhere else.
    respondent = case((Feedback.anonymous.is_(True), None), else_=Feedback.respondent)
    return partner_rows(
        Feedback, team_id, Feedback.csat, Feedback.nps, Feedback.comment, respondent, Feedback.submitted_at
    ).order_by(Feedback.submitted_at, Feedback.id)


# --- The file types ------------------------------------------------------------------------------

FILE_TYPES: dict[str, FileType] = {
    "partners": FileType(
        name="partners",
        columns=(
            CsvColumn("name", required=True, text=True),
            CsvColumn("tier", text=True),
            CsvColumn("region", text=True),
            CsvColumn("category", text=True),
            CsvColumn("owner"),
            CsvColumn("revenue", write=cells.write_amount),
            CsvColumn("cost", write=cells.write_amount),
            CsvColumn("status"),
        ),
        table=_PARTNERS,
        convert=_partner_row,
        export_query=_partner_export,
    ),
    "interactions": FileType(
        name="interactions",
        columns=(
            CsvColumn("partner", required=True, text=True),
            CsvColumn("kind", required=True),
            CsvColumn("occurred_at", required=True, write=cells.write_timestamp),
            CsvColumn("notes", text=True),
            CsvColumn("user"),
            CsvColumn("follow_up_on", write=cells.write_date),
        ),
        table=Interaction.__table__,
        convert=_interaction_row,
        export_query=_interaction_export,
    ),
    "feedback": FileType(
        name="feedback",
        columns=(
            CsvColumn("partner", required=True, text=True),
            CsvColumn("csat", required=True),
            CsvColumn("nps"),
            CsvColumn("comment", text=True),
            CsvColumn("respondent"),
            CsvColumn("submitted_at", required=True, write=cells.write_timestamp),
        ),
        table=Feedback.__table__,
        convert=_feedback_row,
        export_query=_feedback_export,
    ),
    **PROJECT_FILE_TYPES,
    **NEED_FILE_TYPES,
    **FOLLOW_UP_FILE_TYPES,
    **HISTORY_FILE_TYPES,
    **PERMISSION_FILE_TYPES,
}


def find_file_type(kind: str) -> FileType:
    """The file type called ``kind``; an unknown one is a programming error (the CLI offers only these)."""
    try:
        return FILE_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown file type {kind!r}; expected one of {', '.join(FILE_TYPES)}") from None
