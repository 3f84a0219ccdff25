"""Each workspace's data version, and which partners each version changed.

The version is one more with every committed change that can move a ranking, and the change log
says which partners that change touched (or "everything": an import, new weights). A process keeps
a ranking in memory with the version it was computed at and asks the database what changed since
(one indexed read): nothing, and the ranking is served again; a few partners, and only their rows
are read again; so a change made by a colleague, by another replica or by the CLI is seen at once.

The version moves in the transaction of the change itself: a write session notes the workspaces
and partners of the records it flushes (``watch``) and bumps the versions just before it commits.
Writes that bypass the ORM's unit of work (bulk imports, ``DELETE`` statements, the roll-ups'
upserts) call ``changed`` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from storage.models import (
    DataChange,
    DataVersion,
    Feedback,
    Interaction,
    Partner,
    Project,
    ScoringWeights,
)

# Rows a partner's change is recorded by (the records that name one partner).
_PARTNER_OF: dict[type, str] = {
    Partner: "id",
    Interaction: "partner_id",
    Feedback: "partner_id",
    Project: "partner_id",
}
# Records that change every partner's score at once.
_EVERYTHING: tuple[type, ...] = (ScoringWeights,)
# How many versions of change log a workspace keeps: a process further behind recomputes in full.
KEPT_VERSIONS = 2_000
_CHANGED = "partnerbot_changed"
EVERYTHING = None  # "every partner may have changed"


def changed(session: Session, team_id: str, partner_id: int | None = EVERYTHING) -> None:
    """Note that this transaction changes ``team_id``'s ranked data: one partner's, or with no
    partner everything (recorded once per transaction, at commit)."""
    noted: dict[str, set[int | None]] = session.info.setdefault(_CHANGED, {})
    noted.setdefault(team_id, set()).add(partner_id)


def current(session: Session, team_id: str) -> int:
    """The workspace's data version (0 before its first change)."""
    return session.scalar(select(DataVersion.version).where(DataVersion.team_id == team_id)) or 0


def every_version(session: Session) -> dict[str, int]:
    """Every workspace's data version (a few bytes per workspace: read once a minute by the
    drop-alert check, to find what any process changed)."""
    return {
        team_id: version
        for team_id, version in session.execute(select(DataVersion.team_id, DataVersion.version))
    }


@dataclass(frozen=True)
class Changes:
    version: int  # the workspace's version now
    partners: frozenset[int] | None  # the partners changed since; None: possibly everything


def changes_since(session: Session, team_id: str, version: int) -> Changes:
    """What changed in the workspace after ``version``."""
    now = current(session, team_id)
    if now == version:
        return Changes(now, frozenset())
    if now < version:
        return Changes(now, None)  # the workspace was forgotten (forget-team) and started again
    rows = session.execute(
        select(DataChange.version, DataChange.partner_id).where(
            DataChange.team_id == team_id, DataChange.version > version
        )
    ).all()
    seen_versions = {row_version for row_version, _ in rows}
    if len(seen_versions) < now - version or any(partner_id is None for _, partner_id in rows):
        return Changes(now, None)  # pruned from the log, or a change to everything
    return Changes(now, frozenset(int(partner_id) for _, partner_id in rows))


def _noted_from_flush(session: Session, _context: Any) -> None:
    for record in (*session.new, *session.dirty, *session.deleted):
        team_id = getattr(record, "team_id", None)
        if not team_id:
            continue
        if isinstance(record, _EVERYTHING):
            changed(session, team_id)
            continue
        attribute = _PARTNER_OF.get(type(record))
        if attribute is None:
            continue
        changed(session, team_id, getattr(record, attribute))
        # A communication or a project moved to another partner changed the one it left, too.
        for earlier in inspect(record).attrs[attribute].history.deleted:
            if earlier is not None:
                changed(session, team_id, earlier)


def _upsert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _bump_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction itself has not committed yet
    session.flush()  # the last records' workspaces are noted by the flush
    noted: dict[str, set[int | None]] = session.info.pop(_CHANGED, {})
    table = DataVersion.__table__
    for team_id in sorted(noted):  # in order, so two transactions never wait on each other's rows
        statement = _upsert(session)(table).values(team_id=team_id, version=1)
        version = session.execute(
            statement.on_conflict_do_update(
                index_elements=["team_id"], set_={"version": table.c.version + 1}
            ).returning(table.c.version)
        ).scalar_one()
        partners = noted[team_id]
        rows = [{"team_id": team_id, "version": version, "partner_id": p} for p in partners]
        if None in partners:
            rows = [{"team_id": team_id, "version": version, "partner_id": None}]
        session.execute(insert(DataChange), rows)
        if version % 100 == 0:  # now and then, the log older than what anyone still needs goes
            session.execute(
                delete(DataChange).where(
                    DataChange.team_id == team_id, DataChange.version <= version - KEPT_VERSIONS
                )
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
