"""The App Home tab: a dashboard published when a user opens it (``app_home_opened``) and again
after they log something (:func:`republish_home`), and the three buttons on it — "Log
communication", "Add partner" and "Give feedback" — which open the same modals as the slash
commands.

Scores come from the ranking cache (``handlers.rankings.ranking_cache``), so opening the Home tab
never ranks a whole workspace on the spot more than once a minute.

``handlers.log`` may import :func:`republish_home` at the top: this module imports ``handlers.log``
(and ``top``/``mentions``, which import it) only inside the functions that need them.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from handlers.feedback_views import FeedbackMetadata, feedback_modal
from handlers.form import Form
from handlers.home_views import (
    RECENT_COUNT,
    Dashboard,
    HomeIds,
    RecentLog,
    add_partner_modal,
    feedback_partner_modal,
    home_view,
)
from handlers.ids import Action, Block
from handlers.log_views import LogDraft, LogMetadata
from handlers.modals import open_modal
from handlers.notify import tell
from handlers.partner_views import profile_line
from handlers.partners import read_profile
from handlers.rankings import Ranking, changed, ranking_cache
from handlers.replies import Reply
from handlers.services import Services, services
from handlers.text import escape, literal, shorten
from scoring import needs_attention
from storage import partners as partner_store
from storage.models import Interaction, PartnerStatus

log = logging.getLogger(__name__)
# After a change, how long publishing waits for the ranking cache to catch up before it shows
# what it has (the scores then catch up the next time the tab is opened).
FRESH_WAIT_SECONDS = 5.0  # well inside the 10 s a stopping server gets (SIGTERM)
HOME_VIEWERS_KEY = "home_viewers"  # (team, user) pairs that opened the Home tab in this process
_registered: weakref.WeakSet[App] = weakref.WeakSet()


# --- work after the acknowledgement --------------------------------------------------------


class BackgroundWork:
    """A few threads for work nobody waits for. Work for a key already waiting to run is not
    queued twice; work for a key already running runs once more after it, so it sees every change.
    """

    def __init__(self, workers: int = 2) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="home")
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


background = BackgroundWork()


# --- the dashboard ----------------------------------------------------------------------------


def recent_logs(
    session: Session, team_id: str, user_id: str, *, limit: int = RECENT_COUNT
) -> list[RecentLog]:
    """The communications ``user_id`` logged most recently (ix_interaction_team_user_time)."""
    rows = session.scalars(
        select(Interaction)
        .options(joinedload(Interaction.partner))
        .where(Interaction.team_id == team_id, Interaction.user_id == user_id)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return [RecentLog(i.partner.name, i.kind, i.occurred_at, i.notes or "", i.follow_up_on) for i in rows]


def load_dashboard(svc: Services, team_id: str, user_id: str, ranking: Ranking) -> Dashboard:
    from handlers.mentions import UNSATISFIED_BELOW
    from handlers.top import DEFAULT_STALE_DAYS

    attention = needs_attention(
        ranking.scored, svc.now(), stale_days=DEFAULT_STALE_DAYS, floor=UNSATISFIED_BELOW
    )
    with svc.db.read() as session:
        recent = recent_logs(session, team_id, user_id)
    return Dashboard(
        user_id=user_id,
        scored=ranking.scored,
        has_data=ranking.has_data,
        window_days=ranking.settings.window_days,
        attention=attention,
        recent=recent,
        stale_days=DEFAULT_STALE_DAYS,
        floor=UNSATISFIED_BELOW,
    )


def _ranking(svc: Services, team_id: str, *, fresh_since: datetime | None) -> Ranking:
    """The cached ranking; with ``fresh_since``, one computed after that moment (waiting a little
    for the cache's background refresh), so a change just made shows in the scores."""
    cache = ranking_cache(svc)
    if fresh_since is None:
        return cache.get(svc, team_id)
    cache.invalidate(team_id)
    ranking = cache.get(svc, team_id)
    deadline = time.monotonic() + FRESH_WAIT_SECONDS
    while ranking.settings.now < fresh_since and time.monotonic() < deadline:
        time.sleep(0.05)
        latest = cache.get(svc, team_id)
        if latest is not ranking and latest.settings.now < fresh_since:
            cache.invalidate(team_id)  # that refresh began before the change: once more
        ranking = latest
    return ranking


def publish_home(
    client: WebClient, svc: Services, team_id: str, user_id: str, *, fresh_since: datetime | None = None
) -> None:
    """Build the user's dashboard and publish it (views.publish)."""
    ranking = _ranking(svc, team_id, fresh_since=fresh_since)
    view = home_view(load_dashboard(svc, team_id, user_id, ranking))
    client.views_publish(user_id=user_id, view=view)
    _home_viewers(svc).add((team_id, user_id))


def _home_viewers(svc: Services) -> set[tuple[str, str]]:
    return svc.extras.setdefault(HOME_VIEWERS_KEY, set())


def republish_home(client: WebClient, svc: Services, team_id: str, user_id: str) -> None:
    """Publish the user's Home tab again, in the background (call it after the acknowledgement,
    once the change is committed). Returns at once; failures are logged, never raised.

    Only for people whose Home tab this process has published: for everyone else
    it would recompute the workspace's ranking after every log for a tab nobody is looking at
    (opening the tab publishes it fresh anyway)."""
    if (team_id, user_id) not in _home_viewers(svc):
        return

    def work() -> None:
        publish_home(client, svc, team_id, user_id, fresh_since=svc.now())

    background.submit(("home", team_id, user_id), work)


# --- listeners --------------------------------------------------------------------------------


def _team_id(body: dict[str, Any], context: BoltContext) -> str:
    return str(
        context.team_id or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""
    )


def on_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab
    publish_home(client, services(context), _team_id(body, context), event["user"])


def _open(client: WebClient, user_id: str, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal; if Slack's trigger window closed, say so in a direct message (the Home tab
    has no response_url)."""
    reply = open_modal(client, trigger_id, view)
    if reply is not None:
        tell(client, user_id=user_id, reply=reply)


def on_log_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    from handlers.log import open_log_modal, user_zone

    ack()
    svc = services(context)
    user_id = body["user"]["id"]
    zone = user_zone(svc, client, _team_id(body, context), user_id)
    draft = LogDraft(today=svc.now().astimezone(zone).date())
    # No response_url on the Home tab: the confirmation comes as a direct message.
    reply = open_log_modal(client, body["trigger_id"], draft, LogMetadata())
    if reply is not None:
        tell(client, user_id=user_id, reply=reply)


def on_add_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    user_id = body["user"]["id"]
    _open(client, user_id, body["trigger_id"], add_partner_modal(owner=user_id))


def on_feedback_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    _open(client, body["user"]["id"], body["trigger_id"], feedback_partner_modal())


def on_add_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """ "Add partner": the checks and the answers of ``/partner add`` (handlers.partners.add)."""
    svc = services(context)
    team_id = _team_id(body, context)
    user_id = body["user"]["id"]
    form = Form(view)
    fields = read_profile(form)
    if form.errors:
        ack(response_action="errors", errors=form.errors)
        return
    name = fields.pop("name")
    with svc.db.transaction() as session:
        try:
            partner = partner_store.add_partner(session, team_id, name, **fields)
        except partner_store.PartnerExists as exists:
            name = shorten(exists.name, 100)
            message = (
                f"{name} is already a partner, so I changed nothing. Use `/partner edit {name}` to change it."
            )
            ack(response_action="errors", errors={Block.NAME.value: message})
            return
        text = (
            f"Added *{literal(partner.name)}* ({profile_line(partner)}). "
            f"Log a communication with `/partner log {escape(partner.name)} call …`."
        )
    # Saved and committed: only now may the modal close.
    ack()
    changed(svc, team_id)
    tell(client, user_id=user_id, reply=Reply(text))
    republish_home(client, svc, team_id, user_id)


def on_feedback_partner_chosen(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext
) -> None:
    """ "Give feedback", step two: the partner is chosen, so the modal becomes the feedback form
    (whose submission ``handlers.feedback`` handles, as for ``/partner feedback``)."""
    team_id = _team_id(body, context)
    form = Form(view)
    partner_id = form.record(Block.PARTNER, Action.PARTNER_SELECT, missing="Choose a partner from the list.")
    if form.errors or partner_id is None:
        ack(response_action="errors", errors=form.errors)
        return
    with services(context).db.read() as session:
        partner = partner_store.get_partner(session, team_id, partner_id)
        if partner is None or partner.status != PartnerStatus.ACTIVE.value:
            ack(
                response_action="errors",
                errors={Block.PARTNER.value: "That partner is archived or gone: choose another."},
            )
            return
        form_view = feedback_modal(partner.name, FeedbackMetadata(team_id=team_id, partner_id=partner.id))
    ack(response_action="update", view=form_view)


def register(app: App) -> None:
    app.event("app_home_opened")(on_home_opened)
    app.action(HomeIds.LOG_BUTTON.value)(on_log_clicked)
    app.action(HomeIds.ADD_BUTTON.value)(on_add_clicked)
    app.action(HomeIds.FEEDBACK_BUTTON.value)(on_feedback_clicked)
    app.view(HomeIds.ADD_MODAL.value)(on_add_submitted)
    app.view(HomeIds.FEEDBACK_PICK_MODAL.value)(on_feedback_partner_chosen)
    _registered.add(app)


def is_registered(app: App) -> bool:
    """Whether :func:`register` ran for ``app`` (the console adds the Home tab if not)."""
    return app in _registered
