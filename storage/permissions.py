"""A workspace's changes to who may do what (the ``permission`` table). Only the changes are kept:
an action without a row has its default role (``handlers/shared/permissions.py`` knows them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import PermissionSetting

ROLES = ("admins", "owners", "members")
# The actions a role can be set for, as ``/partner permissions`` names them (handlers/shared/
# permissions.py's ``Act``; tests/handlers/shared/test_permission_rules.py keeps the two equal).
ACTIONS = (
    "add-partner",
    "edit-partner",
    "archive-partner",
    "change-owner",
    "log",
    "change-communication",
    "feedback",
    "add-project",
    "change-project",
    "add-need",
    "close-need",
    "add-follow-up",
    "change-follow-up",
    "weights",
    "alerts",
    "subscribe-digest",
    "remove-digest",
    "import",
    "export",
)
# About no partner and no record: "owners" would mean nobody in particular.
WITHOUT_OWNER = frozenset({"add-partner", "weights", "alerts", "subscribe-digest", "import", "export"})


def changed_actions(session: Session, team_id: str) -> set[str]:
    """The actions this workspace changed (an import refuses to change them again)."""
    return set(changed_roles(session, team_id))


def changed_roles(session: Session, team_id: str) -> dict[str, str]:
    """Action → the role an admin set for it, for the actions changed in this workspace."""
    rows = session.execute(
        select(PermissionSetting.action, PermissionSetting.role).where(PermissionSetting.team_id == team_id)
    )
    return {action: role for action, role in rows}


def changes(session: Session, team_id: str) -> list[PermissionSetting]:
    """The workspace's changed actions with who changed them and when, by action."""
    return list(
        session.scalars(
            select(PermissionSetting)
            .where(PermissionSetting.team_id == team_id)
            .order_by(PermissionSetting.action)
        )
    )


def set_role(
    session: Session, team_id: str, action: str, role: str, *, changed_by: str, now: datetime
) -> None:
    """Who may do ``action`` from now on in this workspace."""
    row = session.get(PermissionSetting, (team_id, action))
    if row is None:
        row = PermissionSetting(team_id=team_id, action=action)
        session.add(row)
    row.role = role
    row.updated_by = changed_by
    row.updated_at = now
    session.flush()


def forget_role(session: Session, team_id: str, action: str) -> None:
    """Back to the default for one action."""
    row = session.get(PermissionSetting, (team_id, action))
    if row is not None:
        session.delete(row)  # through the ORM: the audit trail records what was undone
        session.flush()


def reset(session: Session, team_id: str) -> int:
    """Back to the defaults for every action; how many changes were undone."""
    rows = changes(session, team_id)
    for row in rows:
        session.delete(row)  # through the ORM: the audit trail records each one undone
    session.flush()
    return len(rows)
