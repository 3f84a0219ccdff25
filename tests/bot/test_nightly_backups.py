"""Nightly backups (PARTNERBOT_BACKUP_DIR): one per UTC day whoever runs the scheduler, the newest
PARTNERBOT_BACKUP_KEEP kept; the clock is moved with time-machine, never waited for."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine

from bot.backups import NightlyBackups, file_name
from storage.backup_file import open_backup
from storage.db import Database


def a_day_no_other_test_uses() -> datetime:
    # The PostgreSQL test database is shared by the session: each test claims days of its own.
    return datetime(2030, 1, 1, 0, 5, tzinfo=UTC) + timedelta(days=random.randrange(0, 1000) * 20)


def test_one_backup_a_day_however_many_schedulers_check(database: Database, tmp_path: Path) -> None:
    start = a_day_no_other_test_uses()
    first = NightlyBackups(database, tmp_path / "a", keep=7)
    second = NightlyBackups(database, tmp_path / "b", keep=7)
    with time_machine.travel(start, tick=False):
        assert first.run_once().what == "taken"
        assert second.run_once().what == "not ours"
        assert first.run_once().what == "not ours"
    with time_machine.travel(start + timedelta(hours=23, minutes=50), tick=False):
        assert second.run_once().what == "not ours"  # still the same UTC day
    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert second.run_once().what == "taken"
    assert [p.name for p in (tmp_path / "a").iterdir()] == [file_name(start.date())]
    assert [p.name for p in (tmp_path / "b").iterdir()] == [file_name((start + timedelta(days=1)).date())]
    with open_backup(tmp_path / "a" / file_name(start.date())) as (manifest, _archive):
        assert manifest.backend == database.dialect


def test_only_the_newest_are_kept_and_other_files_are_left_alone(database: Database, tmp_path: Path) -> None:
    start = a_day_no_other_test_uses()
    folder = tmp_path / "nightly"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    backups = NightlyBackups(database, folder, keep=3)
    for day in range(6):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            assert backups.run_once().what == "taken"
    kept = sorted(p.name for p in folder.iterdir())
    newest = [file_name((start + timedelta(days=d)).date()) for d in (3, 4, 5)]
    assert kept == sorted([*newest, "notes.txt"])


def test_a_failed_backup_gives_its_day_back_for_the_next_check(database: Database, tmp_path: Path) -> None:
    start = a_day_no_other_test_uses()
    in_the_way = tmp_path / "nightly"
    in_the_way.write_text("a file where the folder should be")
    with time_machine.travel(start, tick=False):
        assert NightlyBackups(database, in_the_way, keep=7).run_once().what == "failed"
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        outcome = NightlyBackups(database, tmp_path / "fixed", keep=7).run_once()
    assert outcome.what == "taken" and outcome.path == tmp_path / "fixed" / file_name(start.date())
