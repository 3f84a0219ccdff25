"""The communication roll-ups: per partner and UTC day, how many communications of each kind, and
each partner's last contact.

They are written in the same transaction as the communications they count — ``storage.interactions``
calls ``counted`` on every log, edit and undo, and an import tallies its rows (``ImportTally``) and
adds them once with ``add_imported`` — so a ranking reads a few rows per partner and still sees
every change the moment it is committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    Integer,
    MetaData,
    Table,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from storage import versions
from storage.bulk import insert_rows
from storage.models import ActivityDay, Interaction, InteractionKind, LastContact

# The roll-up column that counts each kind of communication.
KIND_COLUMNS: dict[InteractionKind, str] = {
    InteractionKind.CALL: "calls",
    InteractionKind.EMAIL: "emails",
    InteractionKind.MEETING: "meetings",
    InteractionKind.QBR: "qbrs",
    InteractionKind.EVENT: "events",
    InteractionKind.NOTE: "notes",
    InteractionKind.OTHER: "others",
}
COUNT_COLUMNS: tuple[str, ...] = ("communications", *KIND_COLUMNS.values())
# Where each kind's count sits in a row of COUNT_COLUMNS.
_KIND_POSITION: dict[InteractionKind, int] = {kind: 1 + i for i, kind in enumerate(KIND_COLUMNS)}
# The ranges an import's tally packs (partner, day ordinal, kind position) into one number with.
_DAYS = date.max.toordinal() + 1
_KINDS = len(COUNT_COLUMNS)
_NONE_COUNTED = dict.fromkeys(COUNT_COLUMNS, 0)


def counted(
    session: Session, team_id: str, partner_id: int, kind: InteractionKind, occurred_at: datetime, step: int
) -> None:
    """Count one communication in (``step`` = 1) or out (-1) of its partner's day."""
    versions.changed(session, team_id, partner_id)
    day = occurred_at.astimezone(UTC).date()
    column = KIND_COLUMNS[InteractionKind(kind)]
    values = {name: 0 for name in COUNT_COLUMNS} | {"communications": step, column: step}
    dialect = session.get_bind().dialect.name
    session.execute(
        _count_in(dialect, column), {"team_id": team_id, "day": day, "partner_id": partner_id, **values}
    )
    if step < 0:
        # A day with nothing left on it is no day of activity: the roll-up holds no empty rows.
        session.execute(
            delete(ActivityDay).where(
                ActivityDay.team_id == team_id,
                ActivityDay.day == day,
                ActivityDay.partner_id == partner_id,
                ActivityDay.communications <= 0,
            )
        )


def _upsert(session: Session) -> Any:  # the dialect's own INSERT … ON CONFLICT construct
    return _insert_of(session.get_bind().dialect.name)


def _insert_of(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


@cache
def _count_in(dialect: str, column: str) -> Any:
    """The upsert adding to one day's counts, built once per dialect and kind (building it is a
    good share of a log's CPU time); the values are bound when it runs."""
    table = ActivityDay.__table__
    statement = _insert_of(dialect)(table)
    # Atomic in the database: two people logging for the same partner and day both count.
    return statement.on_conflict_do_update(
        index_elements=["team_id", "day", "partner_id"],
        set_={name: table.c[name] + statement.excluded[name] for name in ("communications", column)},
    )


def newer_contact(session: Session, team_id: str, partner_id: int, occurred_at: datetime) -> None:
    """A communication was logged: it is the partner's last contact if none is later."""
    session.execute(
        _newer_contact(session.get_bind().dialect.name),
        {"team_id": team_id, "partner_id": partner_id, "occurred_at": occurred_at},
    )


@cache
def _newer_contact(dialect: str) -> Any:
    table = LastContact.__table__
    statement = _insert_of(dialect)(table)
    later = (
        func.greatest(table.c.occurred_at, statement.excluded.occurred_at)
        if dialect == "postgresql"
        else func.max(table.c.occurred_at, statement.excluded.occurred_at)
    )
    return statement.on_conflict_do_update(
        index_elements=["team_id", "partner_id"], set_={"occurred_at": later}
    )


def recount_contact(session: Session, team_id: str, partner_ids: Iterable[int]) -> None:
    """Communications were moved or removed: read these partners' last contact again.

    The partner's row is locked first (PostgreSQL; SQLite writers take the whole database), so a
    log committing meanwhile is either seen by the read that follows, or waits and then keeps
    the later of the two (``newer_contact``) — never overwritten by an older value."""
    for partner_id in sorted(set(partner_ids)):
        mine = (LastContact.team_id == team_id) & (LastContact.partner_id == partner_id)
        held = session.scalar(select(LastContact.occurred_at).where(mine).with_for_update())
        latest = session.scalar(
            select(func.max(Interaction.occurred_at)).where(
                Interaction.team_id == team_id, Interaction.partner_id == partner_id
            )
        )
        if latest is None:
            session.execute(delete(LastContact).where(mine))
        elif held is not None:
            session.execute(update(LastContact).where(mine).values(occurred_at=latest))
        else:  # no row to lock: whoever inserts first, the later moment stays
            newer_contact(session, team_id, partner_id, latest)


def utc_day(session: Session) -> ColumnElement:
    """The UTC day of a communication, as the roll-up's ``day`` column holds it."""
    if session.get_bind().dialect.name == "postgresql":
        return func.cast(func.timezone("UTC", Interaction.occurred_at), ActivityDay.__table__.c.day.type)
    return func.substr(Interaction.occurred_at, 1, 10)  # stored as 'YYYY-MM-DD HH:MM:SS' UTC


def _kind_count(kind: InteractionKind) -> ColumnElement[int]:
    return func.sum(case((Interaction.kind == kind.value, 1), else_=0))


def rebuild(session: Session, team_id: str) -> None:
    """Recount a workspace's roll-ups from its communications, in bulk (after an import)."""
    versions.changed(session, team_id)
    session.execute(delete(ActivityDay).where(ActivityDay.team_id == team_id))
    session.execute(delete(LastContact).where(LastContact.team_id == team_id))
    day = utc_day(session)
    per_day = (
        select(
            literal(team_id),
            day,
            Interaction.partner_id,
            func.count(),
            *(_kind_count(kind) for kind in KIND_COLUMNS),
        )
        .where(Interaction.team_id == team_id)
        .group_by(Interaction.partner_id, day)
    )
    session.execute(
        insert(ActivityDay).from_select(["team_id", "day", "partner_id", *COUNT_COLUMNS], per_day)
    )
    latest = (
        select(literal(team_id), Interaction.partner_id, func.max(Interaction.occurred_at))
        .where(Interaction.team_id == team_id)
        .group_by(Interaction.partner_id)
    )
    session.execute(insert(LastContact).from_select(["team_id", "partner_id", "occurred_at"], latest))


class ImportTally:
    """The roll-ups of the communications an import writes, counted as its rows go by.

    Adding only these to the stored roll-ups (``add_imported``) costs as much as the file, where a
    recount would read every communication the workspace ever had.
    """

    def __init__(self, session: Session) -> None:
        # One number per (partner, UTC day, kind) → its communications. Numbers, not tuples: a
        # million imported rows make hundreds of thousands of keys, and containers that many
        # would keep Python's garbage collector busy for seconds.
        self.counts: dict[int, int] = {}
        self.latest: dict[int, datetime] = {}  # partner → its latest communication in the file
        # SQLite has one writer at a time and the import is it, so the imported rows are exactly
        # those after today's largest ID: SQLite counts them itself, faster than Python can.
        # (PostgreSQL's IDs interleave with concurrent logs', so there Python counts, overlapped
        # with the server's COPY.)
        self.after_id: int | None = None
        if session.get_bind().dialect.name == "sqlite":
            self.after_id = session.scalar(select(func.max(Interaction.id))) or 0

    def counting(self, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """``rows`` (the interaction table's values) unchanged, each counted as it passes."""
        return rows if self.after_id is not None else self._counted(rows)

    def _counted(self, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        counts, latest, position = self.counts, self.latest, _KIND_POSITION
        for row in rows:
            partner_id, occurred_at = row["partner_id"], row["occurred_at"]
            # occurred_at is aware UTC, so its ordinal is its UTC day's
            key = (partner_id * _DAYS + occurred_at.toordinal()) * _KINDS + position[row["kind"]]
            counts[key] = counts.get(key, 0) + 1
            seen = latest.get(partner_id)
            if seen is None or occurred_at > seen:
                latest[partner_id] = occurred_at
            yield row

    def days(self) -> Iterator[dict[str, Any]]:
        """One row per partner and day: the communications of each kind."""
        # In key order a partner's day is a run of keys: each row is made and passed on whole,
        # none kept (hundreds of thousands of dicts held at once would also busy the collector).
        row: dict[str, Any] | None = None
        current = -1
        for key in sorted(self.counts):
            partner_day, kind = divmod(key, _KINDS)
            if partner_day != current:
                if row is not None:
                    yield row
                current = partner_day
                partner_id, ordinal = divmod(partner_day, _DAYS)
                row = {"day": date.fromordinal(ordinal), "partner_id": partner_id, **_NONE_COUNTED}
            count = self.counts[key]
            row["communications"] += count  # type: ignore[index]
            row[COUNT_COLUMNS[kind]] += count  # type: ignore[index]
        if row is not None:
            yield row


# Where an import's counts wait to be added to activity_day in one statement (a temporary table:
# each connection has its own, and it is gone when the import's transaction ends).
_IMPORTED_DAYS = Table(
    "imported_activity_day",
    MetaData(),
    Column("day", Date, nullable=False),
    Column("partner_id", Integer, nullable=False),
    *(Column(name, Integer, nullable=False) for name in COUNT_COLUMNS),
    prefixes=["TEMPORARY"],
)


def add_imported(session: Session, team_id: str, tally: ImportTally) -> None:
    """Add an import's communications (``tally``) to the workspace's roll-ups, in the import's transaction.

    Whatever was logged before, or is logged meanwhile, keeps its counts: the imported ones are
    added to them (atomic upserts, as ``counted`` does one at a time).
    """
    versions.changed(session, team_id)
    if tally.after_id is not None:
        _add_rows_after(session, team_id, tally.after_id)
        return
    if not tally.counts:
        return
    connection = session.connection()
    staged = _IMPORTED_DAYS
    if connection.dialect.name == "postgresql":
        # Gone at commit or rollback, so a pooled connection never finds it left over.
        connection.exec_driver_sql(
            str(CreateTable(staged).compile(dialect=connection.dialect)).rstrip() + " ON COMMIT DROP"
        )
    else:
        staged.create(connection)
    insert_rows(session, staged, tally.days())
    days = ActivityDay.__table__
    merge = _upsert(session)(days).from_select(
        ["team_id", "day", "partner_id", *COUNT_COLUMNS],
        # SQLite reads "ON CONFLICT" after a bare SELECT … FROM as a join's; a WHERE settles it.
        select(literal(team_id), staged.c.day, staged.c.partner_id, *(staged.c[n] for n in COUNT_COLUMNS))
        .where(literal_column("1") == 1)
        # In the primary key's order: the rows are added along the index instead of all over it.
        .order_by(staged.c.day, staged.c.partner_id),
    )
    session.execute(
        merge.on_conflict_do_update(
            index_elements=["team_id", "day", "partner_id"],
            set_={name: days.c[name] + merge.excluded[name] for name in COUNT_COLUMNS},
        )
    )
    if connection.dialect.name != "postgresql":
        staged.drop(connection)
    contacts = LastContact.__table__
    newer = _upsert(session)(contacts)
    later = (
        func.greatest(contacts.c.occurred_at, newer.excluded.occurred_at)
        if connection.dialect.name == "postgresql"
        else func.max(contacts.c.occurred_at, newer.excluded.occurred_at)
    )
    session.execute(
        newer.on_conflict_do_update(index_elements=["team_id", "partner_id"], set_={"occurred_at": later}),
        [
            {"team_id": team_id, "partner_id": partner_id, "occurred_at": occurred_at}
            for partner_id, occurred_at in sorted(tally.latest.items())
        ],
    )


def _add_rows_after(session: Session, team_id: str, after_id: int) -> None:
    """Add the workspace's communications with IDs after ``after_id`` to its roll-ups, counted in SQL."""
    imported = (Interaction.team_id == team_id) & (Interaction.id > after_id)
    day = utc_day(session)
    days = ActivityDay.__table__
    per_day = _upsert(session)(days).from_select(
        ["team_id", "day", "partner_id", *COUNT_COLUMNS],
        select(
            literal(team_id),
            day,
            Interaction.partner_id,
            func.count(),
            *(_kind_count(kind) for kind in KIND_COLUMNS),
        )
        .where(imported)
        .group_by(Interaction.partner_id, day),
    )
    session.execute(
        per_day.on_conflict_do_update(
            index_elements=["team_id", "day", "partner_id"],
            set_={name: days.c[name] + per_day.excluded[name] for name in COUNT_COLUMNS},
        )
    )
    contacts = LastContact.__table__
    latest = _upsert(session)(contacts).from_select(
        ["team_id", "partner_id", "occurred_at"],
        select(literal(team_id), Interaction.partner_id, func.max(Interaction.occurred_at))
        .where(imported)
        .group_by(Interaction.partner_id),
    )
    session.execute(
        latest.on_conflict_do_update(
            index_elements=["team_id", "partner_id"],
            set_={"occurred_at": func.max(contacts.c.occurred_at, latest.excluded.occurred_at)},
        )
    )
