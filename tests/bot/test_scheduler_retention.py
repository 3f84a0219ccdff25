"""The scheduler blanks old communication notes daily at 03:00 UTC and at its start, with
PARTNERBOT_NOTE_RETENTION_MONTHS set (the blanking itself: tests/storage/test_erasure_store.py)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.scheduler import RETENTION_HOUR, Scheduler
from handlers.services import retention
from handlers.shared.deps import Deps
from storage.db import Database

NOW = datetime(2026, 6, 15, 3, tzinfo=UTC)


def _scheduler(database: Database, monkeypatch: pytest.MonkeyPatch, months: int | None) -> Scheduler:
    scheduler = Scheduler(
        Deps(db=database, clock=lambda: NOW), WebClient(token="xoxb-test"), note_retention_months=months
    )
    # Only the retention wiring is checked: a real round of the other jobs would touch every
    # workspace of the shared test database.
    monkeypatch.setattr(scheduler.runner, "catch_up", lambda **_: [])
    monkeypatch.setattr(scheduler, "_remind", lambda: None)
    monkeypatch.setattr(scheduler, "_snapshot", lambda: None)
    return scheduler


def test_old_notes_are_blanked_daily_and_at_start(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    blanked = threading.Event()

    def record(_database: Database, **kwargs: Any) -> dict[str, int]:
        calls.append(kwargs)
        blanked.set()
        return {}

    monkeypatch.setattr(retention, "blank_old_notes", record)
    scheduler = _scheduler(database, monkeypatch, 18)
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job("note-retention")
        assert job is not None and str(job.trigger) == f"cron[hour='{RETENTION_HOUR}']"
        assert blanked.wait(10), "no blanking right after the start"
    finally:
        scheduler.stop()
    assert calls[0] == {"months": 18, "now": NOW, "actor": "scheduler"}


def test_without_the_setting_notes_are_kept(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        retention, "blank_old_notes", lambda *_a, **_k: pytest.fail("blanked without a setting")
    )
    scheduler = _scheduler(database, monkeypatch, None)
    scheduler.start()
    try:
        assert scheduler.scheduler.get_job("note-retention") is None
        scheduler.blank_old_notes()
    finally:
        scheduler.stop()
