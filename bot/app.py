"""Builds the Bolt App: the Slack client, the typed dependencies every listener gets (built once
here), the workspace each request is for, and the listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.acknowledgement import keep_acknowledgements
from bot.installs import InstalledClients, oauth_settings
from bot.settings import Settings
from handlers import register_all
from handlers.home import republish_home
from handlers.shared.clients import OneClient, SlackClients
from handlers.shared.deps import DEPS_KEY, WORKSPACE_KEY, Deps, utc_now
from handlers.shared.errors import handle_error
from storage.db import Database

log = logging.getLogger(__name__)
# Listener threads: each holds at most one database connection for a few milliseconds.
LISTENER_THREADS = 16


def slack_client(settings: Settings, *, patient: bool = False) -> WebClient:
    """A Web API client that goes through SLACK_API_URL and retries rate limits (after Retry-After)
    and dropped connections. ``patient`` (scheduled posting, where nobody waits on the answer)
    also retries Slack's 5xx errors, with backoff, and waits longer."""
    retries = 5 if patient else 2
    handlers: list[RetryHandler] = [
        ConnectionErrorRetryHandler(max_retry_count=retries),
        RateLimitErrorRetryHandler(max_retry_count=retries),
    ]
    if patient:
        handlers.append(ServerErrorRetryHandler(max_retry_count=3))
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=30 if patient else 10,
        retry_handlers=handlers,
    )


def slack_clients(settings: Settings, database: Database, *, patient: bool = False) -> SlackClients:
    """The client for each workspace when no request brought one: the one bot token's, or, installed
    in many workspaces, each installation's (``bot.installs``)."""
    template = slack_client(settings, patient=patient)
    if settings.installs_anywhere:
        return InstalledClients(settings, database, template)
    return OneClient(template)


def build_deps(settings: Settings, database: Database, *, clock: Callable[[], datetime] = utc_now) -> Deps:
    """Everything listeners share, built once per process (the app, the scheduler, the console)."""
    return Deps(db=database, admins=settings.admins, clock=clock)


def workspace_of_request(context: BoltContext) -> str:
    """The workspace a request's records belong to, worked out once per request.

    Bolt resolves it from the installation the request was sent to: the command's ``team_id``,
    ``view.app_installed_team_id`` for a form opened in a Slack Connect channel, the event's
    authorization. Never the clicking person's own ``user.team_id``: in a channel shared with
    another organisation that is *their* workspace, not the one that installed Partnerbot.
    """
    authorized = context.authorize_result
    return context.team_id or (authorized.team_id if authorized is not None else None) or ""


def build_app(
    settings: Settings,
    database: Database,
    *,
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utc_now,
    deps: Deps | None = None,
    clients: SlackClients | None = None,
) -> App:
    """The whole Partnerbot app (``bot.run.check_token`` checks the token before serving).

    With one ``SLACK_BOT_TOKEN`` every request uses it; installed in many workspaces, Bolt's OAuth
    flow stores each workspace's token and authorizes each request with its own workspace's."""
    client = client or slack_client(settings)
    installs = settings.installs_anywhere
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        oauth_settings=oauth_settings(settings, database, client) if installs else None,
        installation_store_bot_only=True if installs else None,
        token_verification_enabled=False,
        # Unmatched requests go to the error handler (a 200 and one log line), not Bolt's 404.
        raise_error_for_unhandled_request=True,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )
    shared = deps or build_deps(settings, database, clock=clock)
    clients = clients or (InstalledClients(settings, database, client) if installs else OneClient(client))
    # After a committed change, the Home tab of whoever made it is republished (if they look at it).
    shared.changes.on_data_change(lambda team_id, user_id: republish_home(clients, shared, team_id, user_id))
    if installs:
        # app_uninstalled and tokens_revoked delete the workspace's tokens (its records stay:
        # `partnerbot forget-team` erases those on request).
        app.enable_token_revocation_listeners()

    app.middleware(keep_acknowledgements)

    @app.middleware
    def provide_deps(context: BoltContext, next: Callable[[], None]) -> None:
        context[DEPS_KEY] = shared
        context[WORKSPACE_KEY] = workspace_of_request(context)
        next()

    app.error(handle_error)
    register_all(app)
    return app
