"""Builds the Bolt App: the Slack client, the services every listener gets, and the listeners."""

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
from bot.settings import Settings
from handlers import register_all
from handlers.errors import handle_error
from handlers.services import Services, utc_now
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


def build_app(
    settings: Settings,
    database: Database,
    *,
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utc_now,
    services: Services | None = None,
) -> App:
    """The whole Partnerbot app (``bot.run.check_token`` checks the token before serving)."""
    app = App(
        client=client or slack_client(settings),
        signing_secret=settings.slack_signing_secret,
        token_verification_enabled=False,
        # Unmatched requests go to the error handler (a 200 and one log line), not Bolt's 404.
        raise_error_for_unhandled_request=True,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )
    svc = services or Services(db=database, admins=settings.admins, clock=clock)

    app.middleware(keep_acknowledgements)

    @app.middleware
    def provide_services(context: BoltContext, next: Callable[[], None]) -> None:
        context["services"] = svc
        next()

    app.error(handle_error)
    register_all(app)
    return app
