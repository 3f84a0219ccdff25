"""Helpers for the CSV import and export tests: a file's text in, a file's text out."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Interaction, Partner, Project, Resource
from storage.transfer import ImportResult, export_csv, import_csv

SEED_PARTNERS = "name,tier\nAcme Corp,gold\nGlobex,silver\n"


def load(database: Database, kind: str, csv_text: str, team_id: str) -> ImportResult:
    return import_csv(database, kind, io.StringIO(csv_text, newline=""), team_id=team_id)


def dump(database: Database, kind: str, team_id: str) -> str:
    target = io.StringIO(newline="")
    export_csv(database, kind, target, team_id=team_id)
    return target.getvalue()


def copied(database: Database, kind: str, team_id: str, other_team_id: str) -> tuple[str, str]:
    """``kind``'s export of ``team_id``, and the same export of ``other_team_id`` after importing the
    first workspace's partners and that file there (a round trip between workspaces)."""
    exported = dump(database, kind, team_id)
    load(database, "partners", dump(database, "partners", team_id), other_team_id)
    load(database, kind, exported, other_team_id)
    return exported, dump(database, kind, other_team_id)


def count(
    database: Database,
    model: type[Partner] | type[Interaction] | type[Project] | type[Resource],
    team_id: str,
) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(model.team_id == team_id)) or 0
