"""Waiting until the app is quiet: the console reads the next line only once the app has finished
answering the last one, so a script piped in always prints the same transcript."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any


class Activity:
    """Counts the app's work in progress (listener tasks) and remembers when it last did anything,
    so the console can wait until the app is quiet before reading the next line."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._last = time.monotonic()
        self._checks: list[Callable[[], bool]] = []

    def touch(self) -> None:
        with self._lock:
            self._last = time.monotonic()

    def also_busy_when(self, check: Callable[[], bool]) -> None:
        """Another source of background work (e.g. Home tab publishing) to wait for."""
        self._checks.append(check)

    def track(self, executor: Executor) -> None:
        """Count every task submitted to ``executor`` (Bolt's listener executor) until it is done."""
        original = executor.submit

        def submit(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            with self._lock:
                self._running += 1
                self._last = time.monotonic()
            try:
                future = original(fn, *args, **kwargs)
            except BaseException:
                self._finished()
                raise
            future.add_done_callback(lambda _f: self._finished())
            return future

        executor.submit = submit  # type: ignore[method-assign]

    def _finished(self) -> None:
        with self._lock:
            self._running -= 1
            self._last = time.monotonic()

    def busy(self) -> bool:
        with self._lock:
            running = self._running
        return running > 0 or any(check() for check in self._checks)

    def wait_quiet(self, *, quiet: float = 0.1, timeout: float = 30.0) -> bool:
        """Until nothing runs and nothing happened for ``quiet`` seconds; False after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                idle_for = time.monotonic() - self._last
            if not self.busy() and idle_for >= quiet:
                return True
            time.sleep(0.01)
        return False
