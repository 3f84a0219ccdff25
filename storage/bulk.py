"""Writing many rows into one table fast, inside the caller's transaction.

PostgreSQL gets one binary COPY; SQLite one prepared statement per chunk; both drop the secondary
indexes and build them again after a large load (PostgreSQL only into a nearly empty table: see
``_copy_rows``); any other database Core inserts per chunk. Rows may
be produced while they are written, so an error raised midway leaves the transaction to undo all.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Index, Table, insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.types import UTCDateTime

# Rows per INSERT statement on SQLite (PostgreSQL streams one COPY); all in the one transaction.
CHUNK_SIZE = 20_000
# Negative: KiB, as SQLite's PRAGMA cache_size reads it (256 MB, for the load's duration only).
LOAD_CACHE_KIB = -262_144
# PostgreSQL: a large load drops the secondary indexes only while the table holds fewer rows than
# this (its planner estimate), because dropping them locks the table against every reader and
# writer until the load commits: worth it for a first load, not for a busy table.
REBUILD_BELOW_ROWS = 200_000
# PostgreSQL's memory for building an index again after a load, for the load's transaction only.
LOAD_MAINTENANCE_MEMORY = "256MB"

_UNSET: Any = object()


class RowsRefused(Exception):
    """The database refused the rows (a constraint); ``detail`` is its first line of explanation."""

    def __init__(self, error: BaseException) -> None:
        message = str(error).strip()
        self.detail = message.splitlines()[0] if message else type(error).__name__
        super().__init__(self.detail)


def insert_rows(
    session: Session, table: Table, rows: Iterator[dict[str, Any]], *, rebuild_indexes: bool = True
) -> int:
    """Insert rows (all with the same keys, values as the columns' types take them); returns how many.

    Raises RowsRefused when the database refuses them; whatever ``rows`` raises passes through.
    ``rebuild_indexes=False`` keeps SQLite's secondary indexes up to date row by row instead of
    rebuilding them after a large load: for a table much larger than what is added (score history
    written in batches), where a rebuild would read the whole table each time.
    """
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    rows = itertools.chain([first], rows)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _copy_rows(session, table, columns, rows, rebuild_indexes=rebuild_indexes)
    if dialect == "sqlite":
        return _executemany_rows(session, table, columns, rows, rebuild_indexes=rebuild_indexes)
    written = 0
    while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
        try:
            session.execute(insert(table), chunk)
        except IntegrityError as exc:
            raise RowsRefused(exc.orig or exc) from exc
        written += len(chunk)
    return written


def _row_values(columns: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function from a row to its values in ``columns`` order, as a tuple."""
    if len(columns) == 1:
        (column,) = columns
        return lambda row: (row[column],)
    return operator.itemgetter(*columns)


def _executemany_rows(
    session: Session,
    table: Table,
    columns: list[str],
    rows: Iterator[dict[str, Any]],
    *,
    rebuild_indexes: bool = True,
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
    # SQLite's default 2 MB page cache makes every index insert of a large load a disk read;
    # a bigger cache for this load only keeps the indexes in memory.
    default_cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size={LOAD_CACHE_KIB}")
    try:
        return _insert_chunks(connection, table, statement, converters, values, rows, rebuild_indexes)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(default_cache)}")


def _insert_chunks(
    connection: Any,
    table: Table,
    statement: str,
    converters: list[tuple[str, Callable[[Any], Any]]],
    values: Callable[[dict[str, Any]], tuple[Any, ...]],
    rows: Iterator[dict[str, Any]],
    rebuild_indexes: bool = True,
) -> int:
    written = 0
    dropped: list[Index] = []
    while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
        if written == CHUNK_SIZE and not dropped and rebuild_indexes:
            # A large load: building the secondary indexes once at the end is several times faster
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
            raise RowsRefused(exc.orig or exc) from exc
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


def _copy_rows(
    session: Session,
    table: Table,
    columns: list[str],
    rows: Iterator[dict[str, Any]],
    *,
    rebuild_indexes: bool = True,
) -> int:
    """Insert on PostgreSQL with one binary COPY, on the session's connection and in its transaction.

    A large load (more than CHUNK_SIZE rows) into a nearly empty table drops the secondary indexes
    and builds them once at the end, several times faster than keeping them up to date row by
    row. DDL is transactional, so a refusal or a bad row rolls the drop back with the rows; but the
    table is locked until the load commits, hence only while it is nearly empty (REBUILD_BELOW_ROWS).
    """
    import psycopg  # only PostgreSQL databases get here; SQLite-only installs need not load it

    # Binary COPY needs each column's type; the catalogue says exactly what the server has.
    catalogue = session.execute(
        text("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = CAST(:table AS regclass)"),
        {"table": table.name},
    )
    type_ids = {name: int(type_id) for name, type_id in catalogue}
    dropped: list[Index] = []
    if rebuild_indexes and any(not index.unique for index in table.indexes):
        # The first chunk is held back until it is known whether more rows follow it.
        first = list(itertools.islice(rows, CHUNK_SIZE))
        following = next(rows, _UNSET)
        if following is not _UNSET:
            rows = itertools.chain(first, [following], rows)
            if _estimated_rows(session, table) < REBUILD_BELOW_ROWS:
                dropped = [index for index in table.indexes if not index.unique]
        else:
            rows = iter(first)
    connection = session.connection()
    for index in dropped:
        index.drop(connection)
    quote = session.get_bind().dialect.identifier_preparer.quote
    statement = (
        f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
    )
    values = _row_values(columns)
    driver_connection = connection.connection.driver_connection
    assert driver_connection is not None
    written = 0
    try:
        with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types([type_ids[column] for column in columns])
            write_row = copy.write_row
            for row in rows:
                # Timestamps are aware UTC datetimes, so timestamptz gets the right instant.
                write_row(values(row))
                written += 1
    except psycopg.IntegrityError as exc:
        raise RowsRefused(exc) from exc
    if dropped:
        connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{LOAD_MAINTENANCE_MEMORY}'")
        for index in dropped:
            index.create(connection)
    return written


def _estimated_rows(session: Session, table: Table) -> float:
    """The planner's estimate of the rows in ``table``, without a scan (none before its first ANALYZE)."""
    estimate = session.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = CAST(:table AS regclass)"), {"table": table.name}
    ).scalar()
    return max(float(estimate or 0), 0.0)
