"""Taking a backup of the app's database while the app keeps serving.

SQLite: the online backup API copies the file in steps of pages; in WAL mode it only reads, so
writers carry on, and a write by another process between steps makes SQLite restart the copy
until one pass sees a quiet enough moment — the copy is always one consistent state.
PostgreSQL: one REPEATABLE READ, READ ONLY transaction is the snapshot. pg_dump reads in it (its
``--snapshot``) when a pg_dump able to dump this server is on PATH; otherwise the app COPYs every
table out itself in that same transaction. Either way the backup is the data as it was at one
moment, whatever is written meanwhile. The file format is ``storage.backup_file``'s.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, MetaData, inspect, text
from sqlalchemy.engine import URL

from storage.backup_file import (
    COPY_PREFIX,
    MANIFEST,
    PG_DUMP_PAYLOAD,
    SQLITE_PAYLOAD,
    BackupError,
    Manifest,
    Progress,
    TableContents,
    new_backup_file,
    no_progress,
)
from storage.db import Database
from storage.migrate import current_revision
from storage.models import Base

log = logging.getLogger(__name__)

# Pages per step of SQLite's backup (4 KiB each: 16 MiB), so progress moves and each step is short.
SQLITE_PAGES_PER_STEP = 4096
# Rows between progress reports of a COPY.
_COPY_REPORT_EVERY = 10_000
ALEMBIC_TABLE = "alembic_version"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest


def app_tables(connection: Connection) -> list[str]:
    """The app's tables present in the database, parents before children (foreign keys), and
    Alembic's revision table: never another application's tables sharing the database."""
    ours = set(Base.metadata.tables) | {ALEMBIC_TABLE}
    metadata = MetaData()
    metadata.reflect(connection, only=lambda name, _meta: name in ours)
    return [table.name for table in metadata.sorted_tables]


def count_rows(connection: Connection, table: str) -> int:
    quoted = connection.dialect.identifier_preparer.quote(table)
    return int(connection.execute(text(f"SELECT count(*) FROM {quoted}")).scalar_one())


def take_backup(
    database: Database, path: Path, *, pg_dump: str | None = None, progress: Progress = no_progress
) -> BackupResult:
    """Write a backup of ``database`` to ``path`` (replacing a file there only once it is complete).

    ``pg_dump``: the pg_dump program to use for PostgreSQL (``find_pg_dump``), None for the app's
    own COPY export. Raises BackupError with the reason when it cannot be written; nothing is left
    at ``path`` or beside it then."""
    with new_backup_file(path) as (archive, scratch):
        if database.dialect == "sqlite":
            manifest = _sqlite_backup(database, archive, scratch, progress)
        elif database.dialect == "postgresql":
            manifest = _postgres_backup(database, archive, scratch, pg_dump, progress)
        else:
            raise BackupError(f"backups of {database.dialect} databases are not supported")
        archive.writestr(MANIFEST, manifest.to_json())
    return BackupResult(path, manifest)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _revision_or_refuse(connection: Connection) -> str:
    revision = current_revision(connection)
    if revision is None:
        raise BackupError(
            "the database has no Partnerbot schema yet (run partnerbot migrate): nothing to back up"
        )
    return revision


# --- SQLite -----------------------------------------------------------------------------------------


def _sqlite_backup(
    database: Database, archive: zipfile.ZipFile, scratch: Path, progress: Progress
) -> Manifest:
    copy_path = scratch / SQLITE_PAYLOAD
    source = database.engine.raw_connection()
    try:
        target = sqlite3.connect(copy_path)
        try:

            def report(_status: int, remaining: int, total: int) -> None:
                progress("copying pages", total - remaining, total)

            source.driver_connection.backup(target, pages=SQLITE_PAGES_PER_STEP, progress=report)  # type: ignore[union-attr]
            # A self-contained file: no -wal beside it to lose when it is zipped.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"the SQLite backup failed: {exc}") from None
    finally:
        source.close()
    # Revision and counts from the copy itself: exactly what the backup holds.
    copy = Database(f"sqlite:///{copy_path}")
    try:
        with copy.engine.connect() as connection:
            revision = _revision_or_refuse(connection)
            tables = [TableContents(name, count_rows(connection, name)) for name in app_tables(connection)]
    finally:
        copy.dispose()
    progress("compressing", 0, None)
    archive.write(copy_path, SQLITE_PAYLOAD)
    return Manifest("sqlite", "sqlite", revision, _now(), tables)


# --- PostgreSQL -------------------------------------------------------------------------------------


def pg_dump_major(version_text: str) -> int | None:
    """The major version in ``pg_dump --version``'s answer ("pg_dump (PostgreSQL) 15.2 (Debian …)")."""
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text) or re.search(r"(\d+)", version_text)
    return int(found.group(1)) if found else None


def find_pg_dump(database: Database) -> tuple[str | None, str]:
    """The pg_dump to use for ``database`` and why: (path, reason) or (None, why not).

    pg_dump dumps servers of its own major version or older, so one older than the server (or
    none on PATH, or one that does not run) means the app's own COPY export instead."""
    program = shutil.which("pg_dump")
    if program is None:
        return None, "pg_dump is not on PATH"
    try:
        answer = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"{program} --version failed ({exc})"
    tool = pg_dump_major(answer.stdout)
    with database.engine.connect() as connection:
        server = int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    if tool is None or tool < server:
        return None, f"{answer.stdout.strip()} cannot dump a PostgreSQL {server} server"
    return program, f"{answer.stdout.strip()} (server {server})"


def libpq_environment(url: URL) -> tuple[str, dict[str, str]]:
    """A connection string for PostgreSQL's own programs, and their environment: the password goes
    in PGPASSWORD, never on a command line other users can read."""
    plain = url.set(drivername="postgresql", password=None)
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), environment


def _postgres_backup(
    database: Database, archive: zipfile.ZipFile, scratch: Path, pg_dump: str | None, progress: Progress
) -> Manifest:
    with database.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            # The snapshot is taken by the first query: everything below reads that one moment.
            revision = _revision_or_refuse(connection)
            names = app_tables(connection)
            tables = [TableContents(name, count_rows(connection, name)) for name in names]
            if pg_dump is not None:
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                schema = connection.execute(text("SELECT current_schema()")).scalar_one()
                if _pg_dump(database, pg_dump, snapshot, schema, names, scratch, progress):
                    archive.write(scratch / PG_DUMP_PAYLOAD, PG_DUMP_PAYLOAD)
                    return Manifest("postgresql", "pg_dump", revision, _now(), tables)
            tables = [_copy_out(connection, archive, table, progress) for table in tables]
    return Manifest("postgresql", "copy", revision, _now(), tables)


def _pg_dump(
    database: Database,
    program: str,
    snapshot: str,
    schema: str,
    tables: list[str],
    scratch: Path,
    progress: Progress,
) -> bool:
    """Run pg_dump on the exported snapshot; False (and the reason logged) when it fails."""
    conninfo, environment = libpq_environment(database.url)
    command = [program, "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges"]
    command += [f'--table="{schema}"."{table}"' for table in tables]
    command += ["--file", str(scratch / PG_DUMP_PAYLOAD), "--dbname", conninfo]
    progress("pg_dump", 0, None)
    try:
        subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        log.warning("pg_dump failed, taking the backup with COPY instead: %s", detail.strip().splitlines()[0])
        return False
    return True


def _copy_out(
    connection: Connection, archive: zipfile.ZipFile, table: TableContents, progress: Progress
) -> TableContents:
    """COPY one table (in the transaction's snapshot) into the archive, in COPY's text format."""
    columns = [column["name"] for column in inspect(connection).get_columns(table.name)]
    quote = connection.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) TO STDOUT"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    written = reported = 0
    progress(table.name, 0, table.rows)
    with cursor, cursor.copy(statement) as copy, archive.open(f"{COPY_PREFIX}{table.name}.copy", "w") as out:
        for chunk in copy:
            out.write(chunk)
            # Text format: one line per row (a newline inside a value is written as \n).
            written += bytes(chunk).count(b"\n")
            if written - reported >= _COPY_REPORT_EVERY:
                progress(table.name, written, table.rows)
                reported = written
    progress(table.name, written, table.rows)
    return TableContents(table.name, written, columns)
