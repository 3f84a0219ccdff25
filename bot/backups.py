"""Nightly backups in ``serve`` (PARTNERBOT_BACKUP_DIR): the first check after 00:00 UTC takes the
day's backup, claimed once in the database (``storage.nightly_backups``), so several schedulers
sharing one PostgreSQL write one file a day; then the folder keeps the newest PARTNERBOT_BACKUP_KEEP.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from storage import nightly_backups
from storage.audit import SCHEDULER
from storage.backup import find_pg_dump, take_backup
from storage.db import Database

log = logging.getLogger(__name__)

# Longer than any backup should take: past it, a claim whose process died is taken over.
LEASE = timedelta(hours=2)
_NAME = re.compile(r"^partnerbot-(\d{4}-\d{2}-\d{2})\.backup$")


def file_name(day: date) -> str:
    """``partnerbot-2026-03-01.backup``: sorts by day, and is the only kind of file pruned."""
    return f"partnerbot-{day.isoformat()}.backup"


@dataclass(frozen=True)
class NightlyOutcome:
    day: date
    what: str  # "taken", "not ours" (another process has or had the day), "failed"
    path: Path | None = None
    removed: tuple[Path, ...] = ()


class NightlyBackups:
    def __init__(self, database: Database, folder: Path, *, keep: int) -> None:
        self.database = database
        self.folder = folder
        self.keep = keep

    def run_once(self) -> NightlyOutcome:
        """Take today's (UTC) backup unless it is taken or being taken, then prune the folder."""
        now = datetime.now(UTC)
        day = now.date()
        with self.database.transaction(actor=SCHEDULER) as session:
            claimed_at = nightly_backups.claim(session, day, now=now, lease=LEASE)
        if claimed_at is None:
            return NightlyOutcome(day, "not ours")
        path = self.folder / file_name(day)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            pg_dump = find_pg_dump(self.database)[0] if self.database.dialect == "postgresql" else None
            take_backup(self.database, path, pg_dump=pg_dump)
        except Exception:
            log.exception("the nightly backup of %s failed; the next check tries again", day)
            with self.database.transaction(actor=SCHEDULER) as session:
                nightly_backups.release(session, day, claimed_at=claimed_at)
            return NightlyOutcome(day, "failed")
        with self.database.transaction(actor=SCHEDULER) as session:
            nightly_backups.finish(session, day, claimed_at=claimed_at, now=datetime.now(UTC))
        removed = self.prune()
        log.info("nightly backup written to %s (%d old ones removed)", path, len(removed))
        return NightlyOutcome(day, "taken", path, removed)

    def prune(self) -> tuple[Path, ...]:
        """Remove the nightly backups beyond the newest ``keep`` (other files are left alone)."""
        nightly = sorted(
            (p for p in self.folder.iterdir() if p.is_file() and _NAME.match(p.name)),
            key=lambda p: p.name,
            reverse=True,
        )
        removed = tuple(nightly[self.keep :])
        for old in removed:
            old.unlink(missing_ok=True)
        return removed
