"""Running the app for real: check Slack accepts the token, then serve over HTTP or Socket Mode."""

from __future__ import annotations

import logging
import signal
import threading

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import build_app, build_deps, slack_client
from bot.scheduler import Scheduler, digest_client
from bot.server import serve_http, wsgi_app
from bot.settings import ConfigurationError, Settings
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)


def check_token(client: WebClient, settings: Settings) -> None:
    """Ask Slack (auth.test) whether it accepts the bot token; say in one line what to fix if not."""
    try:
        client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        raise ConfigurationError(
            f"Slack refused SLACK_BOT_TOKEN ({error}) — set it to the app's Bot User OAuth Token (xoxb-…)"
        ) from None
    except OSError as exc:
        raise ConfigurationError(
            f"cannot reach Slack at {settings.slack_api_url} ({exc}) — check SLACK_API_URL and the network"
        ) from None


def run_server(settings: Settings, database: Database, *, host: str, scheduler: bool) -> int:
    """Check Slack accepts the token, bring the schema up to date, then serve until SIGTERM."""
    client = slack_client(settings)
    check_token(client, settings)
    deps = build_deps(settings, database)
    app = build_app(settings, database, client=client, deps=deps)
    upgrade(database)  # after the token check, so a bad token fails before anything changes
    digests = None
    if scheduler:
        digests = Scheduler(deps, digest_client(settings))
        digests.start()
    else:
        log.info("digest scheduler off in this process (--no-scheduler)")
    try:
        _serve(settings, database, app, host=host)
    finally:
        if digests is not None:
            digests.stop()
    database.dispose()
    return 0


def run_scheduler(settings: Settings, database: Database) -> int:
    """Only the digest scheduler, no HTTP (``partnerbot scheduler``); stops on SIGTERM or SIGINT."""
    client = slack_client(settings)
    check_token(client, settings)
    upgrade(database)
    digests = Scheduler(build_deps(settings, database), digest_client(settings))
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    digests.start()
    try:
        stopping.wait()
    finally:
        digests.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    database.dispose()
    return 0


def _serve(settings: Settings, database: Database, app: App, *, host: str) -> None:
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(app, settings.slack_app_token)
        handler.connect()
        log.info("connected to Slack in Socket Mode; /healthz still served on port %s", settings.port)
        try:
            serve_http(wsgi_app(None, database), host=host, port=settings.port)
        finally:
            handler.close()
    else:
        serve_http(
            wsgi_app(app, database, signing_secret=settings.slack_signing_secret),
            host=host,
            port=settings.port,
        )
