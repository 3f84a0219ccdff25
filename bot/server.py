"""The HTTP side: every Slack request URL at ``POST /slack/events``, ``GET /healthz``, served by
waitress (multi-threaded, production-grade), stopping cleanly on SIGTERM."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.response import BoltResponse

from bot.requests import SlackRequest
from storage.db import Database, DatabaseUnavailable

log = logging.getLogger(__name__)
SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Enough threads that slow Slack round-trips in one request never hold up the acks of others.
HTTP_THREADS = 16

StartResponse = Callable[..., Any]


class SlackEvents(SlackRequestHandler):
    """Bolt's WSGI adapter, reading bodies with our form parsing (see bot.requests)."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        return self.app.dispatch(
            SlackRequest(body=request.get_body(), query=request.query_string, headers=request.get_headers())
        )


def wsgi_app(
    app: App | None, database: Database
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application. With ``app=None`` only the health check is served (Socket Mode)."""
    slack = SlackEvents(app, path=SLACK_PATH) if app is not None else None

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            try:
                database.check()
                status, body = "200 OK", b"ok\n"
            except DatabaseUnavailable:
                status, body = "503 Service Unavailable", b"database unreachable\n"
            start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        if slack is not None and path == SLACK_PATH:
            return slack(environ, start_response)
        body = b"Not Found\n"
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return application


def _stop(signum: int, _frame: FrameType | None) -> None:
    # waitress's loop catches SystemExit and lets in-flight requests finish before returning.
    log.info("received %s: finishing in-flight requests and stopping", signal.Signals(signum).name)
    raise SystemExit(0)


def serve_http(
    application: Callable[..., Iterable[bytes]],
    *,
    host: str,
    port: int,
    on_ready: Callable[[int], None] | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT."""
    server = waitress.create_server(
        application,
        host=host,
        port=port,
        threads=HTTP_THREADS,
        ident="partnerbot",
        clear_untrusted_proxy_headers=True,
    )
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        bound_port = server.effective_port  # type: ignore[union-attr]
        log.info("Partnerbot listening on http://%s:%s%s", host, bound_port, SLACK_PATH)
        if on_ready:
            on_ready(int(bound_port))
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.close()
