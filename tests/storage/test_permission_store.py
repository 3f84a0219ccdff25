"""A workspace's changes to who may do what, on SQLite and PostgreSQL: set, changed again, undone
one at a time or all at once, and never seen by another workspace."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from transfers import copied, dump, load

from storage import permissions
from storage.db import Database
from storage.transfer import ImportFailed

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


def test_permissions_export_and_import_round_trip_between_workspaces(
    database: Database, team_id: str, other_team_id: str
) -> None:
    assert dump(database, "permissions", team_id) == "action,role\n"  # nothing changed: the header only
    with database.transaction() as session:
        permissions.set_role(session, team_id, "export", "members", changed_by="U0A", now=NOW)
        permissions.set_role(session, team_id, "archive-partner", "admins", changed_by="U0A", now=NOW)
    exported, theirs = copied(database, "permissions", team_id, other_team_id)
    assert exported == "action,role\narchive-partner,admins\nexport,members\n"
    assert theirs == exported
    with database.read() as session:  # imported rows name nobody as their author
        assert {r.updated_by for r in permissions.changes(session, other_team_id)} == {None}


@pytest.mark.parametrize(
    ("csv_text", "reason"),
    [
        ("action,role\nrule-everything,admins\n", "action 'rule-everything' is not one of add-partner"),
        ("action,role\nlog,bosses\n", "role 'bosses' is not one of admins, owners, members"),
        ("action,role\nweights,owners\n", "weights concerns no partner or record"),
        ("action,role\nlog,owners\nLog,admins\n", "line 4: log is already on line 3 of this file"),
        ("action,role\nexport,members\n", "line 3: export is already changed in this workspace"),
    ],
    ids=["unknown-action", "unknown-role", "owners-of-nothing", "twice", "already-changed"],
)
def test_a_bad_permissions_file_is_refused_by_line_and_nothing_is_written(
    database: Database, team_id: str, csv_text: str, reason: str
) -> None:
    with database.transaction() as session:
        permissions.set_role(session, team_id, "export", "members", changed_by="U0A", now=NOW)
    with pytest.raises(ImportFailed, match=re.escape(reason)):
        load(database, "permissions", "action,role\nalerts,members\n" + csv_text.split("\n", 1)[1], team_id)
    with database.read() as session:
        assert permissions.changed_roles(session, team_id) == {"export": "members"}
