"""Running the app for real: check Slack accepts the token, then serve over HTTP or Socket Mode."""

from __future__ import annotations

import logging

from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

from bot.app import build_app
from bot.server import serve_http, wsgi_app
from bot.settings import ConfigurationError, Settings
from storage.db import Database

log = logging.getLogger(__name__)


def run_server(settings: Settings, database: Database, *, host: str, scheduler: bool) -> int:
    try:
        app = build_app(settings, database, verify_token=True)
    except (BoltError, SlackApiError) as exc:
        raise ConfigurationError(
            f"Slack refused SLACK_BOT_TOKEN or could not be reached at {settings.slack_api_url} ({exc})"
            " — check SLACK_BOT_TOKEN and SLACK_API_URL"
        ) from None
    except OSError as exc:
        raise ConfigurationError(
            f"cannot reach Slack at {settings.slack_api_url} ({exc}) — check SLACK_API_URL and the network"
        ) from None
    if not scheduler:
        log.info("digest scheduler off in this process (--no-scheduler)")
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
        serve_http(wsgi_app(app, database), host=host, port=settings.port)
    database.dispose()
    return 0
