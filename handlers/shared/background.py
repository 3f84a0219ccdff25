"""A few threads for work nobody waits for (republishing a Home tab after a change).

Work for a key already waiting to run is not queued twice; work for a key already running runs
once more after it, so it sees every change.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class BackgroundWork:
    def __init__(self, workers: int = 2) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="background")
        self._lock = threading.Lock()
        self._state: dict[Hashable, str] = {}  # key → "queued" or "running"
        self._again: set[Hashable] = set()

    def submit(self, key: Hashable, work: Callable[[], None]) -> None:
        with self._lock:
            state = self._state.get(key)
            if state == "queued":
                return
            if state == "running":
                self._again.add(key)
                return
            self._state[key] = "queued"
        self._executor.submit(self._run, key, work)

    def _run(self, key: Hashable, work: Callable[[], None]) -> None:
        with self._lock:
            self._state[key] = "running"
        try:
            work()
        except Exception:
            log.exception("background work for %s failed", key)
        finally:
            with self._lock:
                again = key in self._again
                self._again.discard(key)
                if again:
                    self._state[key] = "queued"
                else:
                    del self._state[key]
            if again:
                self._executor.submit(self._run, key, work)

    def busy(self) -> bool:
        with self._lock:
            return bool(self._state)

    def wait(self, timeout: float = 10.0) -> bool:
        """Until nothing is queued or running (tests, the console); False after ``timeout``."""
        deadline = time.monotonic() + timeout
        while self.busy():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True
