"""The communication roll-ups: per partner and UTC day, how many communications of each kind, and
each partner's last contact.

They are written in the same transaction as the communications they count — ``storage.interactions``
calls ``counted`` on every log, edit and undo, and an import calls ``rebuild`` once — so a ranking
reads a few rows per partner and still sees every change the moment it is committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage import versions
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


@cache
def _count_in(dialect: str, column: str) -> Any:
    """The upsert adding to one day's counts, built once per dialect and kind (building it is a
    good share of a log's CPU time); the values are bound when it runs."""
    table = ActivityDay.__table__
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
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
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
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
