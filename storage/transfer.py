"""CSV import and export of a workspace's partners and interactions (and, later, feedback).

Each file type is declared once in ``FILE_TYPES``: its columns and a row converter. One loop reads,
checks and writes every type, inside one transaction, so a bad row leaves nothing behind::

    with open("partners.csv", newline="", encoding="utf-8") as source:
        result = import_csv(database, "partners", source, team_id="T0123")
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TextIO

from rapidfuzz import process
from sqlalchemy import Select, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.kinds import parse_kind
from storage.models import Interaction, InteractionKind, Partner, PartnerStatus, name_key, utc_now

# Rows checked and then written per statement; every chunk goes into the same transaction.
CHUNK_SIZE = 20_000

# A spreadsheet runs a cell that starts with one of these as a formula. Export puts a ``'`` in
# front (which spreadsheets hide) and import takes exactly one away. ``'`` itself is in the set so
# that a value that really starts with ``'=`` or ``''`` also comes back unchanged.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")

_KIND_NAMES = ", ".join(kind.value for kind in InteractionKind)
_USER_ID = re.compile(r"<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>|@?([UW][A-Z0-9]{2,30})")
_AMOUNT = re.compile(r"\d+(?:\.\d*)?|\.\d+")
# SQLite keeps NUMERIC as a double: 15 significant digits are the most that come back exactly.
_AMOUNT_LIMIT = Decimal("10000000000000")
_CENT = Decimal("0.01")


class TransferError(Exception):
    """An import or export that cannot be done; ``str()`` is the message for the person."""


class ImportFailed(TransferError):
    """A CSV file was refused and nothing was written.

    ``line`` is the physical line in the file where the offending row starts (the header is line
    1), or ``None`` when the problem is not one row's.
    """

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(line, reason)
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        return self.reason if self.line is None else f"line {self.line}: {self.reason}"


class FileTypeUnavailable(TransferError, NotImplementedError):
    """The file type is part of the CSV contract but its data is not stored yet."""


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: ``rows`` rows of file type ``kind``."""

    kind: str
    rows: int


class _RowError(ValueError):
    """A cell's value is wrong; the import loop adds the line number."""


@dataclass
class _ImportContext:
    """What row converters need besides the row: the workspace, its partners, the file so far."""

    session: Session
    team_id: str
    now: datetime
    partner_ids: dict[str, int]  # name_key → id, for this workspace
    first_line: dict[str, int] = field(default_factory=dict)  # any per-file key → line seen first

    def unknown_partner(self, name: str) -> str:
        """The message for a partner name that matches none in the workspace."""
        names = self.session.scalars(select(Partner.name).where(Partner.team_id == self.team_id)).all()
        match = process.extractOne(name, names, processor=name_key, score_cutoff=80)
        hint = f" — did you mean {match[0]!r}?" if match else ""
        return f"no partner named {name!r} in this workspace{hint}"


RowConverter = Callable[[dict[str, str], int, _ImportContext], dict[str, Any]]


def _write_plain(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Column:
    """One CSV column: its header, whether every row must fill it, and how export writes it.

    ``text`` marks free text a spreadsheet could take for a formula: it is escaped on export and
    unescaped on import.
    """

    name: str
    required: bool = False
    text: bool = False
    write: Callable[[Any], str] = _write_plain

    def cell(self, value: Any) -> str:
        """The CSV cell export writes for a stored value."""
        written = self.write(value)
        return _escape_formula(written) if self.text else written


@dataclass(frozen=True)
class FileType:
    """A kind of CSV file: its columns in export order, and where its rows come from and go to.

    A type without ``table`` is declared (its columns are the contract) but not available yet.
    """

    name: str
    columns: tuple[Column, ...]
    table: Table | None = None
    convert: RowConverter | None = None  # checked CSV cells → the table's values
    # (team_id, dialect name) → the workspace's rows, one value per column in column order
    export_query: Callable[[str, str], Select[Any]] | None = None

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


# --- Cells ---------------------------------------------------------------------------------------


def _escape_formula(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _unescape_formula(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_STARTS:
        return value[1:]
    return value


def _length_limit(table: Table, column: str) -> int:
    length = table.c[column].type.length  # type: ignore[attr-defined]
    assert isinstance(length, int)
    return length


def _text(cells: dict[str, str], column: str, *, limit: int | None = None) -> str | None:
    """An optional short text: surrounding spaces dropped, empty as ``None``."""
    value = cells.get(column, "").strip()
    if not value:
        return None
    if limit is not None and len(value) > limit:
        raise _RowError(f"{column} is longer than {limit} characters")
    return value


def _required_text(cells: dict[str, str], column: str, *, limit: int | None = None) -> str:
    value = _text(cells, column, limit=limit)
    if value is None:
        raise _RowError(f"{column} is required but empty")
    return value


def _user_id(cells: dict[str, str], column: str) -> str | None:
    """A Slack user ID written as ``U123``, ``@U123`` or ``<@U123>``; stored as ``U123``."""
    raw = cells.get(column, "").strip()
    if not raw:
        return None
    match = _USER_ID.fullmatch(raw)
    if match is None:
        raise _RowError(f"{column} must be a Slack user ID like U0123ABCD or <@U0123ABCD>, got {raw!r}")
    return match.group(1) or match.group(2)


def _amount(cells: dict[str, str], column: str) -> Decimal | None:
    """An amount of money ≥ 0 with at most two decimals, like ``1234.5``."""
    raw = cells.get(column, "").strip()
    if not raw:
        return None
    if _AMOUNT.fullmatch(raw) is None:
        raise _RowError(f"{column} must be an amount of 0 or more like 1234.50, got {raw!r}")
    value = Decimal(raw)
    if value.normalize().as_tuple().exponent < -2:  # type: ignore[operator]
        raise _RowError(f"{column} can have at most 2 decimals, got {raw!r}")
    if value >= _AMOUNT_LIMIT:
        raise _RowError(f"{column} must be less than {_AMOUNT_LIMIT}, got {raw!r}")
    return value.quantize(_CENT)


def _timestamp(cells: dict[str, str], column: str) -> datetime:
    """A required ISO 8601 date or date-time; without a zone it is UTC. Returned as aware UTC."""
    raw = cells.get(column, "").strip()
    if not raw:
        raise _RowError(f"{column} is required but empty")
    try:
        value = datetime.fromisoformat(raw)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _RowError(
            f"{column} must be an ISO 8601 date or time like 2024-05-01T10:00:00Z, got {raw!r}"
        ) from None


def _date(cells: dict[str, str], column: str) -> date | None:
    raw = cells.get(column, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _RowError(f"{column} must be a date like 2024-05-01, got {raw!r}") from None


def _write_amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _write_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def _write_date(value: date | None) -> str:
    return "" if value is None else value.isoformat()


# --- Partners ------------------------------------------------------------------------------------

_PARTNERS = Partner.__table__
_NAME_LIMIT = _length_limit(_PARTNERS, "name")


def _partner_row(cells: dict[str, str], line: int, context: _ImportContext) -> dict[str, Any]:
    name = _required_text(cells, "name", limit=_NAME_LIMIT)
    key = name_key(name)
    if len(key) > _NAME_LIMIT:
        raise _RowError(f"name is longer than {_NAME_LIMIT} characters")
    if key in context.partner_ids:
        raise _RowError(f"a partner named {name!r} already exists in this workspace")
    first = context.first_line.setdefault(key, line)
    if first != line:
        raise _RowError(f"partner {name!r} is already on line {first} of this file")
    status_text = cells.get("status", "").strip()
    try:
        status = PartnerStatus(status_text.casefold() or PartnerStatus.ACTIVE)
    except ValueError:
        raise _RowError(f"status must be active or archived, got {status_text!r}") from None
    return {
        "team_id": context.team_id,
        "name": name,
        "name_key": key,
        "tier": _text(cells, "tier", limit=_length_limit(_PARTNERS, "tier")),
        "region": _text(cells, "region", limit=_length_limit(_PARTNERS, "region")),
        "category": _text(cells, "category", limit=_length_limit(_PARTNERS, "category")),
        "owner": _user_id(cells, "owner"),
        "revenue": _amount(cells, "revenue"),
        "cost": _amount(cells, "cost"),
        "status": status.value,
        "created_at": context.now,
        "updated_at": context.now,
    }


def _partner_export(team_id: str, dialect: str) -> Select[Any]:
    # Code point order on both databases (PostgreSQL's default collation depends on the server's
    # locale), so an export is the same file whichever database it comes from.
    order = Partner.name_key.collate("C") if dialect == "postgresql" else Partner.name_key
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
        .order_by(order, Partner.id)
    )


# --- Interactions --------------------------------------------------------------------------------


def _interaction_row(cells: dict[str, str], line: int, context: _ImportContext) -> dict[str, Any]:
    partner = _required_text(cells, "partner")
    partner_id = context.partner_ids.get(name_key(partner))
    if partner_id is None:
        raise _RowError(context.unknown_partner(partner))
    kind_text = _required_text(cells, "kind")
    kind = parse_kind(kind_text)
    if kind is None:
        raise _RowError(f"kind must be one of {_KIND_NAMES}, got {kind_text!r}")
    return {
        "team_id": context.team_id,
        "partner_id": partner_id,
        "kind": kind.value,
        "occurred_at": _timestamp(cells, "occurred_at"),
        "notes": cells.get("notes", ""),  # whole, spaces and all
        "user_id": _user_id(cells, "user"),
        "follow_up_on": _date(cells, "follow_up_on"),
        "created_at": context.now,
    }


def _interaction_export(team_id: str, dialect: str) -> Select[Any]:
    return (
        select(
            Partner.name,
            Interaction.kind,
            Interaction.occurred_at,
            Interaction.notes,
            Interaction.user_id,
            Interaction.follow_up_on,
        )
        .join(Partner, Interaction.partner_id == Partner.id)
        .where(Interaction.team_id == team_id, Partner.team_id == team_id)
        .order_by(Interaction.occurred_at, Interaction.id)
    )


# --- The file types ------------------------------------------------------------------------------

FILE_TYPES: dict[str, FileType] = {
    "partners": FileType(
        name="partners",
        columns=(
            Column("name", required=True, text=True),
            Column("tier", text=True),
            Column("region", text=True),
            Column("category", text=True),
            Column("owner"),
            Column("revenue", write=_write_amount),
            Column("cost", write=_write_amount),
            Column("status"),
        ),
        table=_PARTNERS,
        convert=_partner_row,
        export_query=_partner_export,
    ),
    "interactions": FileType(
        name="interactions",
        columns=(
            Column("partner", required=True, text=True),
            Column("kind", required=True),
            Column("occurred_at", required=True, write=_write_timestamp),
            Column("notes", text=True),
            Column("user"),
            Column("follow_up_on", write=_write_date),
        ),
        table=Interaction.__table__,
        convert=_interaction_row,
        export_query=_interaction_export,
    ),
    # Satisfaction feedback is not stored yet. When its model exists, give this entry the table,
    # a row converter and an export query, as above; the loops below need no change.
    "feedback": FileType(
        name="feedback",
        columns=(
            Column("partner", required=True, text=True),
            Column("csat", required=True),
            Column("nps"),
            Column("comment", text=True),
            Column("respondent"),
            Column("submitted_at", required=True, write=_write_timestamp),
        ),
    ),
}


def _file_type(kind: str) -> FileType:
    try:
        file_type = FILE_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown file type {kind!r}; expected one of {', '.join(FILE_TYPES)}") from None
    if file_type.table is None or file_type.convert is None or file_type.export_query is None:
        raise FileTypeUnavailable(f"{kind} files cannot be imported or exported yet in this version")
    return file_type


# --- Import --------------------------------------------------------------------------------------


def _next_row(reader: Any) -> list[str] | None:
    """The next CSV record, or ``None`` at the end; unreadable input becomes ImportFailed."""
    start = reader.line_num + 1
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise ImportFailed(start, f"this row is not valid CSV ({exc}); check its quotes") from None
    except UnicodeDecodeError:
        raise ImportFailed(reader.line_num + 1, "the file is not UTF-8 text") from None


def _read_header(reader: Any, file_type: FileType) -> list[str]:
    """The file's column names (trimmed, lower-case), checked against the file type."""
    expected = ", ".join(file_type.column_names)
    header = _next_row(reader)
    if header is None:
        raise ImportFailed(None, f"the file is empty; its first line must name the columns: {expected}")
    if not any(cell.strip() for cell in header):
        raise ImportFailed(1, f"the first line is blank; it must name the columns: {expected}")
    names = [cell.strip().casefold() for cell in header]
    for position, column in enumerate(names, start=1):
        if not column:
            raise ImportFailed(1, f"column {position} of the header has no name")
        if names.index(column) + 1 != position:
            raise ImportFailed(1, f"column {column!r} appears twice in the header")
    unknown = [column for column in names if column not in file_type.column_names]
    if unknown:
        listed = ", ".join(repr(column) for column in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise ImportFailed(1, f"unknown column{plural} {listed}; {file_type.name} files have: {expected}")
    missing = [column.name for column in file_type.columns if column.required and column.name not in names]
    if missing:
        listed = ", ".join(repr(column) for column in missing)
        plural = "s" if len(missing) > 1 else ""
        raise ImportFailed(1, f"missing required column{plural} {listed}")
    return names


def _records(reader: Any, names: list[str], file_type: FileType) -> Iterator[tuple[int, dict[str, str]]]:
    """Each non-blank row after the header as (line where it starts, cells by column name)."""
    text_columns = {column.name for column in file_type.columns if column.text}
    text_positions = [i for i, column in enumerate(names) if column in text_columns]
    width = len(names)
    while True:
        line = reader.line_num + 1
        row = _next_row(reader)
        if row is None:
            return
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            raise ImportFailed(line, f"this row has {len(row)} values but the header names {width} columns")
        for i in text_positions:
            row[i] = _unescape_formula(row[i])
        yield line, dict(zip(names, row, strict=True))


def _without_bom(source: TextIO) -> Iterator[str]:
    lines = iter(source)
    first = next(lines, None)
    return iter(()) if first is None else itertools.chain([first.removeprefix("\ufeff")], lines)


def _insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert checked rows in the session's transaction: COPY on PostgreSQL, executemany elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        _copy_rows(session, table, rows)
        return
    try:
        session.execute(insert(table), rows)
    except IntegrityError as exc:
        raise _refused(exc.orig or exc) from exc


def _copy_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    import psycopg  # only PostgreSQL databases get here

    quote = session.get_bind().dialect.identifier_preparer.quote
    columns = list(rows[0])
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    # The session's own connection, so COPY is part of the same transaction as everything else.
    driver_connection = session.connection().connection.driver_connection
    assert driver_connection is not None
    try:
        with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                # Timestamps are aware UTC datetimes, which psycopg sends with their offset.
                copy.write_row([row[column] for column in columns])
    except psycopg.IntegrityError as exc:
        raise _refused(exc) from exc


def _refused(error: BaseException) -> ImportFailed:
    # Rows were checked first, so this means someone changed the workspace during the import.
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return ImportFailed(None, f"the database refused the rows ({detail}); nothing was imported, try again")


def import_csv(database: Database, kind: str, source: TextIO, *, team_id: str) -> ImportResult:
    """Load a CSV file of ``kind`` ("partners", "interactions", "feedback") into workspace ``team_id``.

    All or nothing: every row is checked and written in one transaction, and the first bad row
    raises ImportFailed with its line number and reason. Open files with ``newline=""`` so that
    line breaks inside quoted notes are kept exactly. A UTF-8 byte order mark is accepted.

    >>> import_csv(database, "partners", io.StringIO("name,tier\\nAcme,gold\\n"), team_id="T1")
    ImportResult(kind='partners', rows=1)
    """
    file_type = _file_type(kind)
    assert file_type.table is not None and file_type.convert is not None
    convert = file_type.convert
    reader = csv.reader(_without_bom(source), strict=True)
    names = _read_header(reader, file_type)
    written = 0
    with database.transaction() as session:
        rows = session.execute(select(Partner.name_key, Partner.id).where(Partner.team_id == team_id))
        partner_ids = {key: partner_id for key, partner_id in rows}
        context = _ImportContext(session=session, team_id=team_id, now=utc_now(), partner_ids=partner_ids)
        chunk: list[dict[str, Any]] = []
        for line, cells in _records(reader, names, file_type):
            try:
                chunk.append(convert(cells, line, context))
            except _RowError as exc:
                raise ImportFailed(line, str(exc)) from None
            if len(chunk) >= CHUNK_SIZE:
                _insert_rows(session, file_type.table, chunk)
                written += len(chunk)
                chunk = []
        if chunk:
            _insert_rows(session, file_type.table, chunk)
            written += len(chunk)
    return ImportResult(kind=kind, rows=written)


# --- Export --------------------------------------------------------------------------------------


def export_csv(database: Database, kind: str, target: TextIO, *, team_id: str) -> int:
    """Write workspace ``team_id``'s rows of ``kind`` to ``target`` as CSV; returns the rows written.

    The columns are the import columns in their documented order, so ``import_csv`` reads the
    output back unchanged. Text that a spreadsheet would run as a formula is prefixed with ``'``.

    >>> export_csv(database, "partners", sys.stdout, team_id="T1")
    name,tier,region,category,owner,revenue,cost,status
    Acme,gold,,,,,,active
    1
    """
    file_type = _file_type(kind)
    assert file_type.export_query is not None
    columns = file_type.columns
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(file_type.column_names)
    written = 0
    with database.read() as session:
        query = file_type.export_query(team_id, database.dialect)
        result = session.execute(query.execution_options(yield_per=CHUNK_SIZE))
        for row in result:
            writer.writerow([column.cell(value) for column, value in zip(columns, row, strict=True)])
            written += 1
    return written
