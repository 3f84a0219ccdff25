"""CSV import and export of a workspace's partners, interactions and feedback.

Each file type is declared once in ``FILE_TYPES``: its columns and a row converter. One loop reads,
checks and writes every type, inside one transaction, so a bad row leaves nothing behind::

    with open("partners.csv", newline="", encoding="utf-8") as source:
        result = import_csv(database, "partners", source, team_id="T0123")
"""

from __future__ import annotations

import csv
import itertools
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TextIO

from rapidfuzz import process
from sqlalchemy import Index, Select, Table, case, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import Database
from storage.feedback import hash_respondent, respondent_secret
from storage.kinds import parse_kind
from storage.models import Feedback, Interaction, InteractionKind, Partner, PartnerStatus, utc_now
from storage.money import BadAmount, parse_amount
from storage.names import name_key, normalise_name
from storage.types import UTCDateTime

# Rows per INSERT statement on SQLite (PostgreSQL streams one COPY); all in the one transaction.
CHUNK_SIZE = 20_000
# Negative: KiB, as SQLite's PRAGMA cache_size reads it (256 MB, for the import's duration only).
IMPORT_CACHE_KIB = -262_144

# A spreadsheet runs a cell that starts with one of these as a formula. Export puts a ``'`` in
# front (which spreadsheets hide) and import takes exactly one away. ``'`` itself is in the set so
# that a value that really starts with ``'=`` or ``''`` also comes back unchanged.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")

_KIND_NAMES = ", ".join(kind.value for kind in InteractionKind)
_USER_ID = re.compile(r"<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>|@?([UW][A-Z0-9]{2,30})")
_UNSET: Any = object()


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


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: ``rows`` rows of file type ``kind``."""

    kind: str
    rows: int


class _RowError(ValueError):
    """A cell's value is wrong; the import loop adds the line number."""


@dataclass
class _ImportContext:
    """What row converters need besides the row: the workspace, its partners, the file so far.

    Converters must not query the database: on PostgreSQL rows are converted while the connection
    is busy with COPY. Whatever they need is loaded here first.
    """

    team_id: str
    now: datetime
    partner_names: dict[str, str]  # name_key → name, for this workspace
    partner_ids: dict[str, int]  # name_key → id, for this workspace
    respondent_secret: bytes = b""  # keys the hash that stands for a feedback respondent
    first_line: dict[str, int] = field(default_factory=dict)  # any per-file key → line seen first
    _parsed: dict[tuple[str, str], Any] = field(default_factory=dict)

    def parse_once(self, column: str, raw: str, parse: Callable[[str, str], Any]) -> Any:
        """``parse(raw, column)``, worked out once per distinct cell text of the column.

        For columns with few distinct values (partner, kind, user): most rows then cost one lookup.
        """
        key = (column, raw)
        try:
            return self._parsed[key]
        except KeyError:
            value = self._parsed[key] = parse(raw, column)
            return value

    def partner_id(self, raw: str, column: str) -> int:
        """The ID of the workspace's partner named ``raw`` (case-insensitively)."""
        name = _required_text(raw, column)
        partner_id = self.partner_ids.get(name_key(name))
        if partner_id is None:
            match = process.extractOne(name, self.partner_names.values(), processor=name_key, score_cutoff=80)
            hint = f" — did you mean {match[0]!r}?" if match else ""
            raise _RowError(f"no partner named {name!r} in this workspace{hint}")
        return partner_id


RowConverter = Callable[[dict[str, str], int, _ImportContext], dict[str, Any]]


def _write_plain(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class CsvColumn:
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
    """A kind of CSV file: its columns in export order, and where its rows come from and go to."""

    name: str
    columns: tuple[CsvColumn, ...]
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


def _text(raw: str, column: str, *, limit: int | None = None) -> str | None:
    """An optional short text: surrounding spaces dropped, empty as ``None``."""
    value = raw.strip()
    if not value:
        return None
    if limit is not None and len(value) > limit:
        raise _RowError(f"{column} is longer than {limit} characters")
    return value


def _required_text(raw: str, column: str, *, limit: int | None = None) -> str:
    value = _text(raw, column, limit=limit)
    if value is None:
        raise _RowError(f"{column} is required but empty")
    return value


def _user_id(raw: str, column: str) -> str | None:
    """A Slack user ID written as ``U123``, ``@U123`` or ``<@U123>``; stored as ``U123``."""
    cell = raw.strip()
    if not cell:
        return None
    match = _USER_ID.fullmatch(cell)
    if match is None:
        raise _RowError(f"{column} must be a Slack user ID like U0123ABCD or <@U0123ABCD>, got {cell!r}")
    return match.group(1) or match.group(2)


def _kind(raw: str, column: str) -> str:
    cell = _required_text(raw, column)
    kind = parse_kind(cell)
    if kind is None:
        raise _RowError(f"{column} must be one of {_KIND_NAMES}, got {cell!r}")
    return kind.value


def _amount(raw: str, column: str) -> Decimal | None:
    """An amount of money (storage.money), or None when the cell is empty."""
    if not raw.strip():
        return None
    try:
        return parse_amount(raw)
    except BadAmount as bad:
        raise _RowError(f"{column} {bad}") from None


def _timestamp(raw: str, column: str) -> datetime:
    """A required ISO 8601 date or date-time; without a zone it is UTC. Returned as aware UTC."""
    cell = raw.strip()
    if not cell:
        raise _RowError(f"{column} is required but empty")
    try:
        value = datetime.fromisoformat(cell)
        zone = value.tzinfo
        if zone is None:
            return value.replace(tzinfo=UTC)
        return value if zone is UTC else value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _RowError(
            f"{column} must be an ISO 8601 date or time like 2024-05-01T10:00:00Z, got {cell!r}"
        ) from None


def _date(raw: str, column: str) -> date | None:
    cell = raw.strip()
    if not cell:
        return None
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise _RowError(f"{column} must be a date like 2024-05-01, got {cell!r}") from None


def _write_amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _write_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def _write_date(value: date | None) -> str:
    return "" if value is None else value.isoformat()


# --- Partners ------------------------------------------------------------------------------------

_PARTNERS = Partner.__table__
_NAME_LIMIT = _length_limit(_PARTNERS, "name")
_TIER_LIMIT = _length_limit(_PARTNERS, "tier")
_REGION_LIMIT = _length_limit(_PARTNERS, "region")
_CATEGORY_LIMIT = _length_limit(_PARTNERS, "category")


def _partner_row(cells: dict[str, str], line: int, context: _ImportContext) -> dict[str, Any]:
    typed = _required_text(cells["name"], "name")
    name = normalise_name(typed)
    if not name:
        raise _RowError("name has no visible characters")
    if len(name) > _NAME_LIMIT:
        raise _RowError(f"name is longer than {_NAME_LIMIT} characters")
    key = name_key(name)
    if len(key) > _NAME_LIMIT:
        raise _RowError(f"name is longer than {_NAME_LIMIT} characters")
    if key in context.partner_ids:
        raise _RowError(f"a partner named {typed!r} already exists in this workspace")
    first = context.first_line.setdefault(key, line)
    if first != line:
        raise _RowError(f"partner {typed!r} is already on line {first} of this file")
    status_text = cells.get("status", "").strip()
    try:
        status = PartnerStatus(status_text.casefold() or PartnerStatus.ACTIVE)
    except ValueError:
        raise _RowError(f"status must be active or archived, got {status_text!r}") from None
    return {
        "team_id": context.team_id,
        "name": name,
        "name_key": key,
        "tier": _text(cells.get("tier", ""), "tier", limit=_TIER_LIMIT),
        "region": _text(cells.get("region", ""), "region", limit=_REGION_LIMIT),
        "category": _text(cells.get("category", ""), "category", limit=_CATEGORY_LIMIT),
        "owner": _user_id(cells.get("owner", ""), "owner"),
        "revenue": _amount(cells.get("revenue", ""), "revenue"),
        "cost": _amount(cells.get("cost", ""), "cost"),
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
    # The hot loop of a large import: columns with few distinct values are parsed once per value.
    parse_once = context.parse_once
    return {
        "team_id": context.team_id,
        "partner_id": parse_once("partner", cells["partner"], context.partner_id),
        "kind": parse_once("kind", cells["kind"], _kind),
        "occurred_at": _timestamp(cells["occurred_at"], "occurred_at"),
        "notes": cells.get("notes", ""),  # whole, spaces and all
        "user_id": parse_once("user", cells.get("user", ""), _user_id),
        "follow_up_on": parse_once("follow_up_on", cells.get("follow_up_on", ""), _date),
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


# --- Feedback ------------------------------------------------------------------------------------


def _rating(raw: str, column: str, low: int, high: int, *, required: bool) -> int | None:
    cell = raw.strip()
    if not cell:
        if required:
            raise _RowError(f"{column} is required but empty")
        return None
    if not cell.isdigit() or not low <= int(cell) <= high:
        raise _RowError(f"{column} must be a whole number from {low} to {high}, got {cell!r}")
    return int(cell)


def _feedback_row(cells: dict[str, str], line: int, context: _ImportContext) -> dict[str, Any]:
    respondent = context.parse_once("respondent", cells.get("respondent", ""), _user_id)
    return {
        "team_id": context.team_id,
        "partner_id": context.parse_once("partner", cells["partner"], context.partner_id),
        "survey_id": None,
        "csat": _rating(cells["csat"], "csat", 1, 5, required=True),
        "nps": _rating(cells.get("nps", ""), "nps", 0, 10, required=False),
        "comment": cells.get("comment", ""),
        "respondent": respondent,
        "respondent_key": (
            hash_respondent(context.respondent_secret, context.team_id, respondent) if respondent else None
        ),
        # With no respondent named, nobody can be shown: the answer counts as anonymous.
        "anonymous": respondent is None,
        "external": False,
        "submitted_at": _timestamp(cells["submitted_at"], "submitted_at"),
    }


def _feedback_export(team_id: str, dialect: str) -> Select[Any]:
    # Anonymous answers never name the respondent, here as anywhere else.
    respondent = case((Feedback.anonymous.is_(True), None), else_=Feedback.respondent)
    return (
        select(
            Partner.name,
            Feedback.csat,
            Feedback.nps,
            Feedback.comment,
            respondent,
            Feedback.submitted_at,
        )
        .join(Partner, Feedback.partner_id == Partner.id)
        .where(Feedback.team_id == team_id, Partner.team_id == team_id)
        .order_by(Feedback.submitted_at, Feedback.id)
    )


# --- The file types ------------------------------------------------------------------------------

FILE_TYPES: dict[str, FileType] = {
    "partners": FileType(
        name="partners",
        columns=(
            CsvColumn("name", required=True, text=True),
            CsvColumn("tier", text=True),
            CsvColumn("region", text=True),
            CsvColumn("category", text=True),
            CsvColumn("owner"),
            CsvColumn("revenue", write=_write_amount),
            CsvColumn("cost", write=_write_amount),
            CsvColumn("status"),
        ),
        table=_PARTNERS,
        convert=_partner_row,
        export_query=_partner_export,
    ),
    "interactions": FileType(
        name="interactions",
        columns=(
            CsvColumn("partner", required=True, text=True),
            CsvColumn("kind", required=True),
            CsvColumn("occurred_at", required=True, write=_write_timestamp),
            CsvColumn("notes", text=True),
            CsvColumn("user"),
            CsvColumn("follow_up_on", write=_write_date),
        ),
        table=Interaction.__table__,
        convert=_interaction_row,
        export_query=_interaction_export,
    ),
    "feedback": FileType(
        name="feedback",
        columns=(
            CsvColumn("partner", required=True, text=True),
            CsvColumn("csat", required=True),
            CsvColumn("nps"),
            CsvColumn("comment", text=True),
            CsvColumn("respondent"),
            CsvColumn("submitted_at", required=True, write=_write_timestamp),
        ),
        table=Feedback.__table__,
        convert=_feedback_row,
        export_query=_feedback_export,
    ),
}


_TEAM_LIMIT = _length_limit(_PARTNERS, "team_id")


def _team_problem(team_id: str) -> str | None:
    """Why ``team_id`` cannot name a workspace, or ``None`` when it can."""
    if not team_id.strip():
        return "the team ID is empty; give the Slack workspace ID, like T0123ABCD"
    if len(team_id) > _TEAM_LIMIT:
        return f"the team ID is longer than {_TEAM_LIMIT} characters: {team_id!r}"
    return None


def _file_type(kind: str) -> FileType:
    try:
        file_type = FILE_TYPES[kind]
    except KeyError:
        raise ValueError(f"unknown file type {kind!r}; expected one of {', '.join(FILE_TYPES)}") from None
    assert (
        file_type.table is not None and file_type.convert is not None and file_type.export_query is not None
    )
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
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from None


def _not_utf8(error: UnicodeDecodeError) -> ImportFailed:
    # Text is decoded in blocks ahead of the CSV reader, so the line number would be a guess.
    return ImportFailed(None, f"the file is not UTF-8 text ({error.reason}); save it as UTF-8 and try again")


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


def _converted_rows(
    reader: Any, names: list[str], file_type: FileType, context: _ImportContext
) -> Iterator[dict[str, Any]]:
    """The table's values for each non-blank row after the header, converted as they are read.

    The first bad row raises ImportFailed with the line where it starts. (One generator for reading
    and converting: this loop runs once per row of files with hundreds of thousands of rows.)
    """
    assert file_type.convert is not None
    convert = file_type.convert
    text_columns = {column.name for column in file_type.columns if column.text}
    text_positions = [i for i, column in enumerate(names) if column in text_columns]
    width = len(names)
    start = reader.line_num + 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if len(row) != width or not any(row):
                if not "".join(row).strip():
                    continue  # blank line, or only separators
                raise ImportFailed(
                    line, f"this row has {len(row)} values but the header names {width} columns"
                )
            for i in text_positions:
                if row[i][:1] == "'":
                    row[i] = _unescape_formula(row[i])
            try:
                values = convert(dict(zip(names, row, strict=True)), line, context)
            except _RowError as exc:
                raise ImportFailed(line, str(exc)) from None
            yield values
    except csv.Error as exc:
        raise ImportFailed(start, f"this row is not valid CSV ({exc}); check its quotes") from None
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from None


def _without_bom(source: TextIO) -> Iterator[str]:
    lines = iter(source)
    try:
        first = next(lines, None)
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from None
    return iter(()) if first is None else itertools.chain([first.removeprefix("\ufeff")], lines)


def _insert_rows(session: Session, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    """Insert rows (all with the same keys) in the session's transaction; returns how many.

    Rows are converted while they are written, so a bad row raises midway and the transaction
    undoes everything. PostgreSQL gets one COPY, SQLite the driver's executemany in chunks of
    CHUNK_SIZE, any other database a Core insert per chunk.
    """
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    rows = itertools.chain([first], rows)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _copy_rows(session, table, columns, rows)
    if dialect == "sqlite":
        return _executemany_rows(session, table, columns, rows)
    written = 0
    while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
        try:
            session.execute(insert(table), chunk)
        except IntegrityError as exc:
            raise _refused(exc.orig or exc) from exc
        written += len(chunk)
    return written


def _row_values(columns: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function from a row to its values in ``columns`` order, as a tuple."""
    if len(columns) == 1:
        (column,) = columns
        return lambda row: (row[column],)
    return operator.itemgetter(*columns)


def _executemany_rows(
    session: Session, table: Table, columns: list[str], rows: Iterator[dict[str, Any]]
) -> int:
    """Insert on SQLite with one prepared statement per chunk, each value bound as its column type would.

    Core's insert handles parameters row by row in Python, which costs more than reading and checking
    the whole file; here the statement is built once and only the few typed columns are converted.
    """
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)})"
        f" VALUES ({', '.join('?' for _ in columns)})"
    )
    converters: list[tuple[str, Callable[[Any], Any]]] = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, UTCDateTime):
            converters.append((name, _sqlite_timestamp))  # what UTCDateTime stores, in one C call
        elif (convert := column_type.dialect_impl(dialect).bind_processor(dialect)) is not None:
            converters.append((name, convert))
    values = _row_values(columns)
    connection = session.connection()
    # SQLite's default 2 MB page cache makes every index insert of a large import a disk read;
    # a bigger cache for this import only keeps the indexes in memory.
    default_cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size={IMPORT_CACHE_KIB}")
    try:
        return _insert_chunks(connection, table, statement, converters, values, rows)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(default_cache)}")


def _insert_chunks(
    connection: Any,
    table: Table,
    statement: str,
    converters: list[tuple[str, Callable[[Any], Any]]],
    values: Callable[[dict[str, Any]], tuple[Any, ...]],
    rows: Iterator[dict[str, Any]],
) -> int:
    written = 0
    dropped: list[Index] = []
    while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
        if written == CHUNK_SIZE and not dropped:
            # A large file: building the secondary indexes once at the end is several times faster
            # than keeping them up to date row by row. DDL is transactional in SQLite, so a bad row
            # later on rolls this back with everything else.
            dropped = [index for index in table.indexes if not index.unique]
            for index in dropped:
                index.drop(connection)
        for name, convert in converters:
            last: Any = _UNSET
            converted: Any = None
            for row in chunk:
                value = row[name]
                if value is not last:  # created_at, and values parsed once, repeat the same object
                    last, converted = value, convert(value)
                row[name] = converted
        try:
            connection.exec_driver_sql(statement, [values(row) for row in chunk])
        except IntegrityError as exc:
            raise _refused(exc.orig or exc) from exc
        written += len(chunk)
    for index in dropped:
        index.create(connection)
    return written


def _sqlite_timestamp(value: datetime | None) -> str | None:
    """The text UTCDateTime stores on SQLite: UTC, no offset, microseconds (2024-05-01 10:00:00.000000)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must carry a time zone")
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def _copy_rows(session: Session, table: Table, columns: list[str], rows: Iterator[dict[str, Any]]) -> int:
    """Insert on PostgreSQL with one binary COPY, on the session's connection and in its transaction."""
    import psycopg  # only PostgreSQL databases get here

    # Binary COPY needs each column's type; the catalogue says exactly what the server has.
    catalogue = session.execute(
        text("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = CAST(:table AS regclass)"),
        {"table": table.name},
    )
    type_ids = {name: int(type_id) for name, type_id in catalogue}
    quote = session.get_bind().dialect.identifier_preparer.quote
    statement = (
        f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
    )
    values = _row_values(columns)
    driver_connection = session.connection().connection.driver_connection
    assert driver_connection is not None
    written = 0
    try:
        with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types([type_ids[column] for column in columns])
            for row in rows:
                # Timestamps are aware UTC datetimes, so timestamptz gets the right instant.
                copy.write_row(values(row))
                written += 1
    except psycopg.IntegrityError as exc:
        raise _refused(exc) from exc
    return written


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
    if problem := _team_problem(team_id):
        raise ImportFailed(None, problem)
    reader = csv.reader(_without_bom(source), strict=True)
    names = _read_header(reader, file_type)
    with database.transaction() as session:
        known = session.execute(
            select(Partner.name_key, Partner.name, Partner.id).where(Partner.team_id == team_id)
        ).all()
        context = _ImportContext(
            team_id=team_id,
            now=utc_now(),
            partner_names={key: name for key, name, _ in known},
            partner_ids={key: partner_id for key, _, partner_id in known},
            respondent_secret=respondent_secret(session) if kind == "feedback" else b"",
        )
        rows = _converted_rows(reader, names, file_type, context)
        written = _insert_rows(session, file_type.table, rows)
    # Fresh statistics after a bulk load, so the planners keep choosing the right indexes.
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"ANALYZE {file_type.table.name}")
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
    if problem := _team_problem(team_id):
        raise TransferError(problem)
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
