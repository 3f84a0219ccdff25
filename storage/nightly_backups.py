"""The claim on a day's nightly backup, so several schedulers sharing one database take it once.

It rides on score history's day claims (``snapshot_run``: one row per workspace and UTC day,
inserted before the work, taken over after a lease when its process died) under a workspace ID
no Slack workspace can have. A table of its own would need a schema migration for one row a day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from storage import history

# Not a Slack team ID (those start with T or E and are upper-case letters and digits).
BACKUPS = "~nightly-backup"


def claim(session: Session, day: date, *, now: datetime, lease: timedelta) -> datetime | None:
    """Claim ``day``'s backup: the claim's moment, or None when another process has it or it is done."""
    return history.claim_day(session, BACKUPS, day, now=now, lease=lease)


def finish(session: Session, day: date, *, claimed_at: datetime, now: datetime) -> bool:
    """Mark ``day``'s backup taken (False: the claim was taken over meanwhile)."""
    return history.finish_day(
        session, BACKUPS, day, claimed_at=claimed_at, now=now, days=1, rows=0, first_day=day
    )


def release(session: Session, day: date, *, claimed_at: datetime) -> None:
    """Give the claim back after a failure, so the next check tries again."""
    history.release_day(session, BACKUPS, day, claimed_at=claimed_at)
