"""What a Partnerbot backup file is: a zip archive holding a small JSON manifest and the data.

The manifest makes the file recognisable (``format``), says what made it (``backend``, ``method``)
and at which schema revision (``revision``, the Alembic revision of the source), so a restore can
refuse a stranger's file or a newer Partnerbot's before it touches anything. The payload beside it
depends on the method:

- ``sqlite``: ``database.sqlite``, a copy made with SQLite's online backup API;
- ``pg_dump``: ``database.pgdump``, pg_dump's custom format of the app's tables;
- ``copy``: ``tables/<table>.copy``, each table in PostgreSQL's COPY text format, all read in one
  snapshot (when no suitable pg_dump is at hand).

Files are written next to their destination under a temporary name and renamed into place only
when complete, so a failed or interrupted backup never leaves a file that looks like a backup.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from storage.migrate import head_revision, is_known_revision

FORMAT = "partnerbot-backup"
FORMAT_VERSION = 1
MANIFEST = "partnerbot-backup.json"
SQLITE_PAYLOAD = "database.sqlite"
PG_DUMP_PAYLOAD = "database.pgdump"
COPY_PREFIX = "tables/"

# (step, done, total): what a long run reports as it goes; total None when unknown.
Progress = Callable[[str, int, int | None], None]


def no_progress(_step: str, _done: int, _total: int | None) -> None:
    """The progress report of a run nobody watches."""


class BackupError(Exception):
    """A backup could not be written; the message says why, in one line."""


class RestoreRefused(Exception):
    """A restore was refused before anything was changed; the message says why, in one line."""


@dataclass(frozen=True)
class TableContents:
    name: str
    rows: int
    columns: list[str] = field(default_factory=list)  # the COPY column order (method "copy" only)


@dataclass(frozen=True)
class Manifest:
    backend: str  # "sqlite" or "postgresql": the database the backup restores into
    method: str  # "sqlite", "pg_dump" or "copy"
    revision: str  # the source's Alembic revision
    created_at: str  # ISO 8601, UTC
    tables: list[TableContents]
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


def _manifest_from(data: Any) -> Manifest:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RestoreRefused("not a Partnerbot backup (its manifest is not one)")
    if data.get("format_version") != FORMAT_VERSION:
        raise RestoreRefused(
            f"this backup's format version {data.get('format_version')!r} is not one this Partnerbot "
            f"reads ({FORMAT_VERSION}): restore it with the Partnerbot that made it"
        )
    try:
        tables = [TableContents(**table) for table in data["tables"]]
        return Manifest(
            backend=str(data["backend"]),
            method=str(data["method"]),
            revision=str(data["revision"]),
            created_at=str(data["created_at"]),
            tables=tables,
        )
    except (KeyError, TypeError) as exc:
        raise RestoreRefused(f"not a Partnerbot backup (its manifest is incomplete: {exc})") from None


@contextlib.contextmanager
def open_backup(path: Path) -> Iterator[tuple[Manifest, zipfile.ZipFile]]:
    """The backup at ``path``, checked: a Partnerbot backup of a schema revision this code knows.

    Raises RestoreRefused otherwise (a stranger's file, a damaged one, a newer Partnerbot's)."""
    if not path.is_file():
        raise RestoreRefused(f"no such file: {path}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RestoreRefused(f"not a Partnerbot backup: {path} is not a backup archive ({exc})") from None
    with archive:
        try:
            data = json.loads(archive.read(MANIFEST))
        except KeyError:
            raise RestoreRefused(f"not a Partnerbot backup: {path} has no Partnerbot manifest") from None
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            raise RestoreRefused(f"not a Partnerbot backup: its manifest cannot be read ({exc})") from None
        manifest = _manifest_from(data)
        if not is_known_revision(manifest.revision):
            raise RestoreRefused(
                f"this backup is of a newer Partnerbot (schema revision {manifest.revision}; this one "
                f"knows up to {head_revision()}): upgrade Partnerbot first, nothing was changed"
            )
        yield manifest, archive


@contextlib.contextmanager
def new_backup_file(path: Path) -> Iterator[tuple[zipfile.ZipFile, Path]]:
    """An archive being written under a temporary name next to ``path`` (and a scratch folder
    beside it), renamed to ``path`` when the block ends without error; removed when it fails."""
    folder = path.parent
    if path.is_dir():
        raise BackupError(f"cannot write the backup to {path}: it is a folder")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
    except OSError as exc:
        raise BackupError(f"cannot write the backup to {path}: {exc.strerror or exc}") from None
    os.close(handle)
    partial = Path(temporary)
    try:
        with tempfile.TemporaryDirectory(prefix=f".{path.name}.", dir=folder) as scratch:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                yield archive, Path(scratch)
            with partial.open("rb") as written:
                os.fsync(written.fileno())  # on disk before it takes the real name
        os.replace(partial, path)
    except OSError as exc:
        raise BackupError(f"cannot write the backup to {path}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
