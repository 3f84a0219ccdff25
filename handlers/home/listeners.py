"""The App Home tab: a dashboard published when a person opens it (``app_home_opened``), and again,
in the background, after they change something (subscribed to the app's data changes in
``bot.app``). Its buttons belong to the features whose forms they open (log, partners, feedback).

Scores come from the ranking cache, so opening the Home tab ranks a whole workspace on the spot only
when its data changed since the last ranking.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers.home.views import home_view
from handlers.services.dashboard import load_dashboard
from handlers.services.rankings import Ranking
from handlers.shared.clients import SlackClients, clients_of
from handlers.shared.deps import Deps, deps_of, user_zone, workspace


def _ranking(deps: Deps, team_id: str, *, fresh_since: datetime | None) -> Ranking:
    """The cached ranking; with ``fresh_since`` (after a change), one that includes every change
    committed so far (the cache compares the workspace's data version)."""
    return deps.rankings.get(team_id, fresh=fresh_since is not None)


def publish_home(
    client: WebClient, deps: Deps, team_id: str, user_id: str, *, fresh_since: datetime | None = None
) -> None:
    """Build the person's dashboard and publish it (views.publish)."""
    ranking = _ranking(deps, team_id, fresh_since=fresh_since)
    now = deps.now()
    today = now.astimezone(user_zone(deps, client, team_id, user_id)).date()
    view = home_view(load_dashboard(deps.db, team_id, user_id, ranking, now=now, today=today))
    client.views_publish(user_id=user_id, view=view)
    deps.home_viewers.add((team_id, user_id))


def republish_home(clients: SlackClients | WebClient, deps: Deps, team_id: str, user_id: str | None) -> None:
    """Publish the person's Home tab again, in the background, after a committed change. Returns
    at once; failures are logged, never raised.

    Only for people whose Home tab this process has published: for everyone else it would
    recompute the workspace's ranking after every log for a tab nobody is looking at (opening
    the tab publishes it fresh anyway)."""
    if user_id is None or (team_id, user_id) not in deps.home_viewers:
        return

    speakers = clients_of(clients)

    def work() -> None:
        client = speakers.for_team(team_id)
        if client is None:  # uninstalled meanwhile
            return
        # "now" when it runs: a change made while it waited is in the ranking it waits for.
        publish_home(client, deps, team_id, user_id, fresh_since=deps.now())

    deps.background.submit(("home", team_id, user_id), work)


def on_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab
    publish_home(client, deps_of(context), workspace(context), event["user"])


def register(app: App) -> None:
    app.event("app_home_opened")(on_home_opened)
