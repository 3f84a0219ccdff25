"""Telling whoever cares that a workspace's records changed, without knowing who they are.

A log, an edit, feedback or an import changes what rankings and the Home tab show; a new or
removed digest subscription changes what the scheduler runs. The code that makes the change calls
:meth:`Changes.data_changed` or :meth:`Changes.schedules_changed`; the ranking cache, the Home tab
and the scheduler subscribe when the app is built (``bot.app``). Subscribers run in the caller's
thread and must be quick: anything slow goes to the background.

>>> changes = Changes()
>>> seen = []
>>> changes.on_data_change(lambda team_id, user_id: seen.append((team_id, user_id)))
>>> changes.data_changed("T1", "U1")
>>> seen
[('T1', 'U1')]
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

DataListener = Callable[[str, str | None], None]  # (team_id, the user who made the change, if any)
ScheduleListener = Callable[[], None]


class Changes:
    """Subscribers to two kinds of change: a workspace's records, and digest schedules."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: list[DataListener] = []
        self._schedules: list[ScheduleListener] = []

    def on_data_change(self, listener: DataListener) -> None:
        with self._lock:
            self._data.append(listener)

    def on_schedule_change(self, listener: ScheduleListener) -> None:
        with self._lock:
            self._schedules.append(listener)

    def forget_data_listener(self, listener: DataListener) -> None:
        with self._lock:
            if listener in self._data:
                self._data.remove(listener)

    def forget_schedule_listener(self, listener: ScheduleListener) -> None:
        with self._lock:
            if listener in self._schedules:
                self._schedules.remove(listener)

    def data_changed(self, team_id: str, user_id: str | None = None) -> None:
        """A workspace's partners, communications or feedback changed (after the commit)."""
        with self._lock:
            listeners = list(self._data)
        for listener in listeners:
            self._notify(listener, team_id, user_id)

    def schedules_changed(self) -> None:
        """A digest subscription was added, changed or removed (after the commit)."""
        with self._lock:
            listeners = list(self._schedules)
        for listener in listeners:
            self._notify(listener)

    @staticmethod
    def _notify(listener: Callable[..., None], *args: object) -> None:
        # The change is committed: a subscriber's failure must not turn it into an error reply.
        try:
            listener(*args)
        except Exception:
            log.exception("a change listener failed")
