"""A workspace's changes to who may do what, on SQLite and PostgreSQL: set, changed again, undone
one at a time or all at once, and never seen by another workspace."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import permissions
from storage.db import Database

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


def test_changes_are_kept_per_workspace_and_reset(
    database: Database, team_id: str, other_team_id: str
) -> None:
    with database.transaction() as session:
        permissions.set_role(session, team_id, "archive-partner", "admins", changed_by="U0A", now=NOW)
        permissions.set_role(session, team_id, "export", "members", changed_by="U0A", now=NOW)
        permissions.set_role(session, other_team_id, "log", "owners", changed_by="U0B", now=NOW)
    with database.transaction() as session:  # changed again: one row, the latest author
        permissions.set_role(session, team_id, "export", "admins", changed_by="U0C", now=NOW)
    with database.read() as session:
        assert permissions.changed_roles(session, team_id) == {
            "archive-partner": "admins",
            "export": "admins",
        }
        rows = permissions.changes(session, team_id)
        assert [(r.action, r.updated_by, r.updated_at) for r in rows] == [
            ("archive-partner", "U0A", NOW),
            ("export", "U0C", NOW),
        ]
    with database.transaction() as session:
        permissions.forget_role(session, team_id, "export")
    with database.read() as session:
        assert permissions.changed_roles(session, team_id) == {"archive-partner": "admins"}
    with database.transaction() as session:
        assert permissions.reset(session, team_id) == 1
    with database.read() as session:
        assert permissions.changed_roles(session, team_id) == {}
        assert permissions.changed_roles(session, other_team_id) == {"log": "owners"}
