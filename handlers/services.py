"""What every listener needs besides the Slack payload: the database, settings and the clock.

``bot.app`` puts one Services object in each request's context; listeners fetch it with
:func:`services`. Passing the clock lets tests and the console pin "now".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from storage.db import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    db: Database
    admins: frozenset[str] = frozenset()
    clock: Callable[[], datetime] = utc_now
    extras: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()


def services(context: Any) -> Services:
    found = context.get("services")
    if not isinstance(found, Services):
        raise RuntimeError("Services missing from the request context: build the app with bot.app.build_app")
    return found
