"""What we need to know about the people using the app: their time zone and whether they are admins.

Looked up with ``users.info`` and remembered for a while, because modals must open within
Slack's 3-second trigger window and a second lookup would eat into it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.services.schedules import UTC_ZONE, zone_named

log = logging.getLogger(__name__)
_TTL_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Person:
    user_id: str
    zone: ZoneInfo
    is_admin: bool  # a workspace admin or owner
    known: bool  # False when Slack could not tell us (we then assume UTC and no admin rights)


class People:
    """A small thread-safe cache of ``users.info`` answers."""

    def __init__(self, *, ttl_seconds: float = _TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[float, Person]] = {}

    def lookup(self, client: WebClient, team_id: str, user_id: str, *, timeout: float = 1.5) -> Person:
        key = (team_id, user_id)
        with self._lock:
            hit = self._cache.get(key)
        if hit and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        person = self._fetch(client, user_id, timeout)
        if person.known:
            with self._lock:
                self._cache[key] = (time.monotonic(), person)
        return person

    @staticmethod
    def _fetch(client: WebClient, user_id: str, timeout: float) -> Person:
        # A client of our own with a short timeout: the shared one is used by other threads.
        quick = WebClient(token=client.token, base_url=client.base_url, timeout=max(int(timeout), 1))
        try:
            user = quick.users_info(user=user_id)["user"]
        except (SlackApiError, OSError, KeyError, TypeError) as exc:
            log.warning("users.info failed for %s: %s", user_id, exc)
            return Person(user_id, UTC_ZONE, is_admin=False, known=False)
        return Person(
            user_id,
            zone_named(user.get("tz")),
            is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
            known=True,
        )
