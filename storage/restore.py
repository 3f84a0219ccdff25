"""Restoring a backup (``storage.backup_file``) into the database at DATABASE_URL.

Every check is made before anything is written: the file must be a Partnerbot backup of a schema
revision this code knows, of the same kind of database (a SQLite backup restores into SQLite, a
PostgreSQL one into PostgreSQL), and the target must hold no records unless the caller forces it.
Then the backup replaces the app's tables, and the schema is brought up to date.

Stop the app while restoring: a running server would keep answering from what it had cached.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from storage.backup import ALEMBIC_TABLE, app_tables, count_rows, libpq_environment
from storage.backup_file import (
    COPY_PREFIX,
    PG_DUMP_PAYLOAD,
    SQLITE_PAYLOAD,
    Manifest,
    Progress,
    RestoreRefused,
    no_progress,
    open_backup,
)
from storage.db import Database
from storage.migrate import upgrade, upgrade_connection

SQLITE_PAGES_PER_STEP = 4096
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    replaced: dict[str, int]  # the target's rows per table before the restore (empty: it had none)


def records_in(database: Database) -> dict[str, int]:
    """How many rows each of the app's tables holds, for the tables that have any."""
    with database.engine.connect() as connection:
        counts = {
            name: count_rows(connection, name) for name in app_tables(connection) if name != ALEMBIC_TABLE
        }
    return {name: rows for name, rows in counts.items() if rows}


def restore_backup(
    database: Database, path: Path, *, force: bool = False, progress: Progress = no_progress
) -> RestoreResult:
    """Replace ``database``'s contents with the backup at ``path``, then migrate to the current schema.

    Raises RestoreRefused (nothing changed) for a file that is not a Partnerbot backup, one of a
    newer schema or of the other kind of database, or a target with records and no ``force``."""
    with open_backup(path) as (manifest, archive):
        if manifest.backend != database.dialect:
            raise RestoreRefused(
                f"this is a backup of a {manifest.backend} database and DATABASE_URL is {database.dialect}: "
                f"a backup restores into the same kind of database; nothing was changed"
            )
        existing = records_in(database)
        if existing and not force:
            raise RestoreRefused(
                f"the database at DATABASE_URL is not empty ({_describe(existing)}): "
                "restore into an empty one, or add --force to replace them; nothing was changed"
            )
        if manifest.method == "sqlite":
            _restore_sqlite(database, archive, progress)
        elif manifest.method == "pg_dump":
            _restore_pg_dump(database, manifest, archive, progress)
        elif manifest.method == "copy":
            _restore_copy(database, manifest, archive, progress)
        else:
            raise RestoreRefused(
                f"this backup was made by an unknown method {manifest.method!r}; nothing was changed"
            )
    progress("bringing the schema up to date", 0, None)
    upgrade(database)
    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            reset_sequences(connection)
    return RestoreResult(manifest, existing)


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{rows} {table} rows" for table, rows in sorted(counts.items()))


@contextlib.contextmanager
def _extracted(archive: zipfile.ZipFile, member: str) -> Iterator[Path]:
    """A payload of the archive as a file of its own, removed afterwards."""
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise RestoreRefused(f"this backup is damaged: it has no {member}; nothing was changed") from None
    with tempfile.TemporaryDirectory(prefix="partnerbot-restore-") as folder:
        yield Path(archive.extract(info, folder))


# --- SQLite -----------------------------------------------------------------------------------------


def _restore_sqlite(database: Database, archive: zipfile.ZipFile, progress: Progress) -> None:
    with _extracted(archive, SQLITE_PAYLOAD) as copy:
        source = sqlite3.connect(copy)
        try:
            try:
                source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.DatabaseError as exc:
                raise RestoreRefused(f"this backup is damaged ({exc}); nothing was changed") from None
            # Nothing else may hold the target open: the backup API replaces it page by page, in
            # one write transaction of its own that other connections would block.
            database.dispose()
            target = database.engine.raw_connection()
            try:

                def report(_status: int, remaining: int, total: int) -> None:
                    progress("restoring pages", total - remaining, total)

                source.backup(target.driver_connection, pages=SQLITE_PAGES_PER_STEP, progress=report)  # type: ignore[arg-type]
            finally:
                target.close()
        finally:
            source.close()
    database.dispose()  # connections opened before carry the old schema's cached statements


# --- PostgreSQL -------------------------------------------------------------------------------------


def _drop_app_tables(connection: Connection, keep: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    quote = connection.dialect.identifier_preparer.quote
    doomed = [name for name in app_tables(connection) if name not in keep]
    if doomed:
        connection.execute(text(f"DROP TABLE {', '.join(quote(name) for name in doomed)} CASCADE"))


def reset_sequences(connection: Connection) -> None:
    """Point every id sequence of the app's tables past the largest id, so the next row inserted
    after rows restored with explicit ids gets a new one."""
    rows = connection.execute(
        text(
            "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
            "FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')"
        )
    ).all()
    ours = set(app_tables(connection))
    quote = connection.dialect.identifier_preparer.quote
    for table, column, sequence in rows:
        if table not in ours or sequence is None:
            continue
        largest = f"MAX({quote(column)})"
        connection.execute(
            text(
                f"SELECT setval(:sequence, COALESCE({largest}, 1), {largest} IS NOT NULL) FROM {quote(table)}"
            ),
            {"sequence": sequence},
        )


def _restore_pg_dump(
    database: Database, manifest: Manifest, archive: zipfile.ZipFile, progress: Progress
) -> None:
    program = shutil.which("pg_restore")
    if program is None:
        raise RestoreRefused(
            "this backup was made with pg_dump and restoring it needs pg_restore (PostgreSQL's client "
            "programs) on PATH; nothing was changed"
        )
    with _extracted(archive, PG_DUMP_PAYLOAD) as dump:
        # Tables the backup does not have (a newer target) go first; pg_restore --clean replaces the
        # others in its single transaction.
        with database.engine.begin() as connection:
            _drop_app_tables(connection, keep={table.name for table in manifest.tables})
        conninfo, environment = libpq_environment(database.url)
        progress("pg_restore", 0, None)
        command = [program, "--clean", "--if-exists", "--single-transaction", "--exit-on-error"]
        command += ["--no-owner", "--no-privileges", "--dbname", conninfo, str(dump)]
        answer = subprocess.run(command, capture_output=True, text=True, env=environment)
        if answer.returncode != 0:
            first = (answer.stderr.strip().splitlines() or ["no message"])[0]
            raise RestoreRefused(f"pg_restore failed, its transaction was rolled back: {first}")


def _restore_copy(
    database: Database, manifest: Manifest, archive: zipfile.ZipFile, progress: Progress
) -> None:
    """One transaction: drop the app's tables, build the backup's schema, COPY the rows in."""
    missing = [t.name for t in manifest.tables if f"{COPY_PREFIX}{t.name}.copy" not in archive.namelist()]
    if missing:
        raise RestoreRefused(f"this backup is damaged: it lacks {', '.join(missing)}; nothing was changed")
    with database.engine.begin() as connection:
        _drop_app_tables(connection)
        upgrade_connection(connection, manifest.revision)
        quote = connection.dialect.identifier_preparer.quote
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor:
            # Alembic's revision row is already there, written by the upgrade above.
            for table in (t for t in manifest.tables if t.name != ALEMBIC_TABLE):
                columns = ", ".join(quote(c) for c in table.columns)
                progress(table.name, 0, table.rows)
                done = 0
                statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
                with (
                    cursor.copy(statement) as copy,
                    archive.open(f"{COPY_PREFIX}{table.name}.copy") as source,
                ):
                    while chunk := source.read(_COPY_CHUNK):
                        copy.write(chunk)
                        done += chunk.count(b"\n")
                        progress(table.name, done, table.rows)
        reset_sequences(connection)
