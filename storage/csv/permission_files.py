"""The CSV file type of a workspace's changes to who may do what (``permission``), declared like
those in ``storage.csv.files`` (README, "CSV files"): one row per changed action, ``action,role``.
An action without a row keeps its default, so an export of a workspace that changed nothing has
only the header."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from storage.csv.columns import CsvColumn, FileType, ImportContext
from storage.csv.errors import CellError
from storage.models import PermissionSetting
from storage.permissions import ACTIONS, ROLES, WITHOUT_OWNER


def _permission_row(row: dict[str, str], line: int, context: ImportContext) -> dict[str, Any]:
    action = row["action"].strip().casefold()
    role = row["role"].strip().casefold()
    if action not in ACTIONS:
        raise CellError(f"action {row['action']!r} is not one of {', '.join(ACTIONS)}")
    if role not in ROLES:
        raise CellError(f"role {row['role']!r} is not one of {', '.join(ROLES)}")
    if role == "owners" and action in WITHOUT_OWNER:
        raise CellError(f"{action} concerns no partner or record: its role is admins or members")
    if action in context.changed_permissions:
        raise CellError(f"{action} is already changed in this workspace (`/partner permissions reset` first)")
    first = context.first_line.setdefault(action, line)
    if first != line:
        raise CellError(f"{action} is already on line {first} of this file")
    return {
        "team_id": context.team_id,
        "action": action,
        "role": role,
        "updated_by": None,  # nobody in Slack made it
        "updated_at": context.now,
    }


def _permission_export(team_id: str, dialect: str) -> Select[Any]:
    return (
        select(PermissionSetting.action, PermissionSetting.role)
        .where(PermissionSetting.team_id == team_id)
        .order_by(PermissionSetting.action)
    )


PERMISSION_FILE_TYPES: dict[str, FileType] = {
    "permissions": FileType(
        name="permissions",
        columns=(CsvColumn("action", required=True), CsvColumn("role", required=True)),
        table=PermissionSetting.__table__,
        convert=_permission_row,
        export_query=_permission_export,
    ),
}
