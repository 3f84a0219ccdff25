"""Note retention: communication notes older than ``PARTNERBOT_NOTE_RETENTION_MONTHS`` are blanked,
workspace by workspace, daily by the scheduler and on demand by ``partnerbot retention``.

No claim is needed for "once a day": blanking is idempotent (a second run finds nothing left to
blank), so two schedulers on one PostgreSQL running it the same day change nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage import erasure
from storage.db import Database


def blank_old_notes(
    database: Database,
    *,
    months: int,
    now: datetime,
    actor: str,
    team_ids: Sequence[str] | None = None,
) -> dict[str, int]:
    """Blank the notes older than ``months`` in every workspace (or ``team_ids``); how many
    communications each workspace had blanked (workspaces with none left out). One short
    transaction per workspace, so a large installation never holds the write lock for long."""
    if team_ids is None:
        with database.read() as session:
            team_ids = erasure.workspaces_with_notes(session)
    blanked: dict[str, int] = {}
    for team_id in team_ids:
        with database.transaction(actor=actor) as session:
            count = erasure.blank_old_notes(session, team_id, actor, months=months, now=now)
        if count:
            blanked[team_id] = count
    return blanked
