"""What every listener gets besides the Slack payload, built once in ``bot.app``: the database,
the admins, the clock, the caches and the change notifier (:class:`Deps`); and the workspace a
request is for (:func:`workspace`), worked out once per request by ``bot.app``'s middleware.

Listeners fetch both from Bolt's context::

    def on_something(ack, body, context):
        deps, team_id = deps_of(context), workspace(context)

Passing the clock lets tests and the console pin "now".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from handlers.services.changes import Changes
from handlers.services.history import ScoreHistory
from handlers.services.rankings import RankingCache
from handlers.shared.background import BackgroundWork
from handlers.shared.people import People
from handlers.shared.shared_channels import SharedChannels
from storage.db import Database

DEPS_KEY = "partnerbot_deps"
WORKSPACE_KEY = "partnerbot_workspace"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    db: Database
    admins: frozenset[str] = frozenset()  # PARTNERBOT_ADMINS, besides workspace admins and owners
    clock: Callable[[], datetime] = utc_now
    people: People = field(default_factory=People)
    changes: Changes = field(default_factory=Changes)
    rankings: RankingCache = field(init=False)
    history: ScoreHistory = field(init=False)
    background: BackgroundWork = field(default_factory=BackgroundWork)
    # Which channels are shared with another organisation (Slack Connect), kept for a minute.
    shared_channels: SharedChannels = field(default_factory=SharedChannels)
    # (team, user) pairs whose Home tab this process has published: only those are republished.
    home_viewers: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        # Rankings are cached per workspace; any change to a workspace's records outdates its own.
        self.rankings = RankingCache(self.db, self.now)
        self.history = ScoreHistory(self.db, self.now)

    def now(self) -> datetime:
        return self.clock()


def deps_of(context: Any) -> Deps:
    found = context.get(DEPS_KEY)
    if not isinstance(found, Deps):
        raise RuntimeError("Deps missing from the request context: build the app with bot.app.build_app")
    return found


def user_zone(deps: Deps, client: WebClient, team_id: str, user_id: str) -> ZoneInfo:
    """A person's own Slack time zone (UTC when Slack cannot tell)."""
    return deps.people.lookup(client, team_id, user_id).zone


def is_admin(deps: Deps, client: WebClient, team_id: str, user_id: str) -> bool:
    """Workspace admins and owners, and anyone listed in PARTNERBOT_ADMINS."""
    if user_id in deps.admins:
        return True
    return deps.people.lookup(client, team_id, user_id).is_admin


def workspace(context: Any) -> str:
    """The workspace of record for this request (see ``bot.app.workspace_of_request``)."""
    found = context.get(WORKSPACE_KEY)
    return found if isinstance(found, str) else ""
