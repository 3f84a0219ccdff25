"""Inserting a record once per Slack request: a replayed request (Slack retries, a double click)
carries the same ``request_key`` and gets the first record back instead of a second one."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

R = TypeVar("R")


def by_request(session: Session, model: type[R], team_id: str, request_key: str | None) -> R | None:
    """The workspace's record of ``model`` made by that request, if any."""
    if not request_key:
        return None
    table: Any = model
    return session.scalar(select(model).where(table.team_id == team_id, table.request_key == request_key))


def add_once(session: Session, record: R) -> tuple[R, bool]:
    """Insert ``record``; (the record, True), or (the first record of the same request, False).

    The model needs ``team_id`` and ``request_key`` columns with a unique constraint over both,
    which settles two concurrent replays too."""
    row: Any = record
    earlier = by_request(session, type(record), row.team_id, row.request_key)
    if earlier is not None:
        return earlier, False
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        earlier = by_request(session, type(record), row.team_id, row.request_key)
        if earlier is None:
            raise
        return earlier, False
    return record, True
