"""Each workspace's data version: one more with every committed change that can move a ranking.

A process keeps a ranking in memory with the version it was computed at and compares it with the
database's before serving it again (one primary-key read), so a change made by a colleague, by
another replica or by the CLI is seen at once, and a question repeated with nothing changed is
still answered from memory.

The version moves in the transaction of the change itself: a write session notes the workspaces
of the records it flushes (``watch``), and bumps their versions just before it commits. Writes that
bypass the ORM's unit of work (bulk imports, ``DELETE`` statements) call ``changed`` themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from storage.models import (
    ActivityDay,
    DataVersion,
    Feedback,
    Interaction,
    LastContact,
    Partner,
    Project,
    ScoringWeights,
)

# The records a ranking is computed from: a change to any of them changes the workspace's version.
RANKED: tuple[type, ...] = (Partner, Interaction, Feedback, Project, ScoringWeights, ActivityDay, LastContact)
_CHANGED = "partnerbot_changed_teams"


def changed(session: Session, team_id: str) -> None:
    """Note that this transaction changes ``team_id``'s ranked data (bumped once, at commit)."""
    session.info.setdefault(_CHANGED, set()).add(team_id)


def current(session: Session, team_id: str) -> int:
    """The workspace's data version (0 before its first change)."""
    return session.scalar(select(DataVersion.version).where(DataVersion.team_id == team_id)) or 0


def _noted_from_flush(session: Session, _context: Any) -> None:
    for record in (*session.new, *session.dirty, *session.deleted):
        if isinstance(record, RANKED) and getattr(record, "team_id", None):
            changed(session, record.team_id)


def _bump_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction itself has not committed yet
    session.flush()  # the last records' workspaces are noted by the flush
    teams = sorted(session.info.pop(_CHANGED, ()))
    if not teams:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = DataVersion.__table__
    for team_id in teams:  # in order, so two transactions never wait on each other's rows
        statement = insert(table).values(team_id=team_id, version=1)
        session.execute(
            statement.on_conflict_do_update(index_elements=["team_id"], set_={"version": table.c.version + 1})
        )


def _forget_at_the_end(session: Session, transaction: SessionTransaction) -> None:
    # Only when the whole transaction ends: a savepoint rolled back (a replayed request) leaves the
    # transaction's earlier changes to be counted. One version too many costs a recomputation;
    # one too few would serve a stale ranking.
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


def watch(sessions: sessionmaker[Session]) -> None:
    """Keep data versions for every write transaction made by ``sessions``."""
    event.listen(sessions, "after_flush", _noted_from_flush)
    event.listen(sessions, "before_commit", _bump_before_commit)
    event.listen(sessions, "after_transaction_end", _forget_at_the_end)
