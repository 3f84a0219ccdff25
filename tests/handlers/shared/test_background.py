"""Work nobody waits for: a key asked for again while running runs once more; failures are logged."""

from __future__ import annotations

import threading

import pytest

from handlers.shared.background import BackgroundWork


def test_background_work_runs_a_key_once_more_when_asked_while_running() -> None:
    work = BackgroundWork(workers=2)
    started = threading.Event()
    release = threading.Event()
    runs: list[int] = []

    def slow() -> None:
        runs.append(1)
        started.set()
        release.wait(5)

    work.submit("k", slow)
    assert started.wait(5)
    for _ in range(5):  # asked again while running: once more afterwards, not five times
        work.submit("k", slow)
    assert work.busy()
    release.set()
    assert work.wait(5)
    assert len(runs) == 2
    assert not work.busy()


def test_background_work_logs_failures_and_carries_on(caplog: pytest.LogCaptureFixture) -> None:
    work = BackgroundWork(workers=1)
    done: list[str] = []

    def boom() -> None:
        raise RuntimeError("publish failed")

    work.submit("a", boom)
    work.submit("b", lambda: done.append("b"))
    assert work.wait(5)
    assert done == ["b"]
    assert "background work for a failed" in caplog.text
