"""Events API deliveries answered once: Slack delivers an event again when it thinks the first
delivery failed, with the same ``event_id``."""

from __future__ import annotations

import threading
from collections import OrderedDict


class SeenEvents:
    """Event IDs already answered, so a retried delivery is not answered twice."""

    def __init__(self, size: int = 5000) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen[event_id] = None
            if len(self._seen) > self._size:
                self._seen.popitem(last=False)
            return True
