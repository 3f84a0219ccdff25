"""CSV import and export of a workspace's records: partners, interactions, feedback, projects, resources,
needs and follow-ups.

The file types are declared in ``storage.csv.files``; this module runs them. An import reads,
checks and writes a whole file in one transaction, so a bad row leaves nothing behind::

    with open("partners.csv", newline="", encoding="utf-8") as source:
        result = import_csv(database, "partners", source, team_id="T0123")
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import select

from storage import audit, rollups, versions
from storage import permissions as permission_store
from storage.backup_file import Progress, no_progress
from storage.bulk import CHUNK_SIZE, RowsRefused, insert_rows
from storage.csv.cells import length_limit
from storage.csv.columns import ImportContext
from storage.csv.errors import ImportFailed, TransferError
from storage.csv.files import find_file_type
from storage.csv.project_refs import ProjectRefs
from storage.csv.reader import converted_rows, read_header, records
from storage.db import Database
from storage.feedback import respondent_secret
from storage.models import Interaction, Partner, utc_now

__all__ = ["ImportFailed", "ImportResult", "TransferError", "export_csv", "import_csv"]

_TEAM_LIMIT = length_limit(Partner.__table__, "team_id")
# Rows between an export's progress reports (a terminal's progress bar).
_PROGRESS_EVERY = 1_000


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: ``rows`` rows of file type ``kind``."""

    kind: str
    rows: int


def _team_problem(team_id: str) -> str | None:
    """Why ``team_id`` cannot name a workspace, or ``None`` when it can."""
    if not team_id.strip():
        return "the team ID is empty; give the Slack workspace ID, like T0123ABCD"
    if len(team_id) > _TEAM_LIMIT:
        return f"the team ID is longer than {_TEAM_LIMIT} characters: {team_id!r}"
    return None


def import_csv(
    database: Database,
    kind: str,
    source: TextIO,
    *,
    team_id: str,
    actor: str | None = None,
    file_name: str | None = None,
) -> ImportResult:
    """Load a CSV file of ``kind`` ("partners", "projects", …: storage.csv.files) into workspace ``team_id``.

    All or nothing: every row is checked and written in one transaction, and the first bad row
    raises ImportFailed with its line number and reason. Open files with ``newline=""`` so that
    line breaks inside quoted notes are kept exactly. A UTF-8 byte order mark is accepted.
    The audit trail gets one row for the import (by ``actor``: the rows added, ``file_name``), not
    one per row.

    >>> import_csv(database, "partners", io.StringIO("name,tier\\nAcme,gold\\n"), team_id="T1")
    ImportResult(kind='partners', rows=1)
    """
    file_type = find_file_type(kind)
    if not file_type.importable:
        raise ImportFailed(None, f"{kind} is exported only: it is computed from the other records")
    if problem := _team_problem(team_id):
        raise ImportFailed(None, problem)
    reader = records(source)
    names = read_header(reader, file_type)
    with database.transaction(actor=actor) as session:
        known = session.execute(
            select(Partner.name_key, Partner.name, Partner.id, Partner.owner).where(
                Partner.team_id == team_id
            )
        ).all()
        context = ImportContext(
            team_id=team_id,
            now=utc_now(),
            partner_names={key: name for key, name, _, _ in known},
            partner_ids={key: partner_id for key, _, partner_id, _ in known},
            partner_owners={partner_id: owner for _, _, partner_id, owner in known},
            respondent_secret=respondent_secret(session) if kind == "feedback" else b"",
            projects=ProjectRefs.load(session, team_id) if file_type.names_projects else ProjectRefs(),
            changed_permissions=permission_store.changed_actions(session, team_id)
            if kind == "permissions"
            else set(),
        )
        rows = converted_rows(reader, names, file_type, context)
        tally = rollups.ImportTally(session) if file_type.table is Interaction.__table__ else None
        if tally is not None:
            rows = tally.counting(rows)
        try:
            written = insert_rows(session, file_type.table, rows)
        except RowsRefused as refused:
            # Rows were checked first, so this means someone changed the workspace during the import.
            raise ImportFailed(
                None, f"the database refused the rows ({refused.detail}); nothing was imported, try again"
            ) from refused
        # Bulk rows bypass the unit of work: the imported rows are added to the roll-ups and the
        # version moved here, in the import's own transaction.
        if tally is not None:
            rollups.add_imported(session, team_id, tally)
        versions.changed(session, team_id)
        audit.record(
            session,
            team_id,
            table=file_type.table.name,
            record_id="*",
            action="imported",
            label=file_name or f"{kind} import",
            changes={"rows": [None, written]},
        )
    # Fresh statistics after a bulk load, so the planners keep choosing the right indexes.
    analysed = [file_type.table.name]
    if file_type.table is Interaction.__table__:
        analysed += ["activity_day", "last_contact"]
    with database.engine.begin() as connection:
        for table in analysed:
            connection.exec_driver_sql(f"ANALYZE {table}")
    return ImportResult(kind=kind, rows=written)


def export_csv(
    database: Database, kind: str, target: TextIO, *, team_id: str, progress: Progress = no_progress
) -> int:
    """Write workspace ``team_id``'s rows of ``kind`` to ``target`` as CSV; returns the rows written.

    The columns are the import columns in their documented order, so ``import_csv`` reads the
    output back unchanged. Text that a spreadsheet would run as a formula is prefixed with ``'``.
    ``progress`` hears the rows written so far as they go.

    >>> export_csv(database, "partners", sys.stdout, team_id="T1")
    name,tier,region,category,owner,revenue,cost,status
    Acme,gold,,,,,,active
    1
    """
    file_type = find_file_type(kind)
    if problem := _team_problem(team_id):
        raise TransferError(problem)
    columns = file_type.columns
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(file_type.column_names)
    written = 0
    with database.read() as session:
        query = file_type.export_query(team_id, database.dialect)
        # Streamed in batches: an export of a million interactions never holds them all in memory.
        result = session.execute(query.execution_options(yield_per=CHUNK_SIZE))
        for row in result:
            writer.writerow([column.cell(value) for column, value in zip(columns, row, strict=True)])
            written += 1
            if written % _PROGRESS_EVERY == 0:
                progress(kind, written, None)
    progress(kind, written, None)
    return written
