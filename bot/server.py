"""The HTTP side: every Slack request URL at ``POST /slack/events``, ``GET /healthz``, served by
waitress (multi-threaded, production-grade), stopping cleanly on SIGTERM."""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

from bot.gate import MAX_BODY_BYTES, Refusal, admit
from bot.installs import InstalledWorkspaces
from bot.requests import SlackRequest
from storage.db import Database, DatabaseUnavailable

log = logging.getLogger(__name__)
SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Enough threads that slow Slack round-trips in one request never hold up the acks of others.
HTTP_THREADS = 16

StartResponse = Callable[..., Any]


def _refusal(refused: Refusal) -> WsgiHttpResponse:
    log.warning("refused a request to %s with %s: %s", SLACK_PATH, refused.status, refused.reason)
    return WsgiHttpResponse(
        status=refused.status, headers={"content-type": ["text/plain;charset=utf-8"]}, body=refused.reason
    )


class SlackEvents(SlackRequestHandler):
    """Bolt's WSGI adapter behind our front door: the signature is checked on the raw bytes and the
    body parsed by us (bot.gate, bot.requests) before Bolt sees anything."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        path: str = SLACK_PATH,
        installed: InstalledWorkspaces | None = None,
    ) -> None:
        """``installed(enterprise_id, team_id)``: installed in many workspaces, whether a request's
        workspace is one of them (bot.installs.InstalledWorkspaces)."""
        super().__init__(app, path=path)
        self.signing_secret = signing_secret
        self.installed = installed

    def _get_http_response(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        if request.method != "POST" or request.path != self.path:
            return super()._get_http_response(request)
        headers = request.get_headers()
        try:
            length = int(request.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refusal(Refusal(400, "Content-Length is not a number"))
        body = request.environ["wsgi.input"].read(min(max(length, 0), MAX_BODY_BYTES + 1))
        admitted = admit(self.signing_secret, body, headers)
        if isinstance(admitted, Refusal):
            return _refusal(admitted)
        text, parsed = admitted
        try:
            bolt_request = SlackRequest(body=text, query=request.query_string, headers=headers, parsed=parsed)
        except (TypeError, AttributeError, KeyError, ValueError) as error:
            # A signed payload of a shape Bolt cannot read (beyond those checked): a 400, not a crash.
            return _refusal(Refusal(400, f"malformed signed request: {type(error).__name__}"))
        if self.installed is not None:
            context = bolt_request.context
            if _says_uninstalled(bolt_request):
                self.installed.forget(context.enterprise_id, context.team_id)
            elif not _is_url_check(bolt_request) and not self.installed(
                context.enterprise_id, context.team_id
            ):
                return WsgiHttpResponse(
                    status=401,
                    headers={"content-type": ["text/plain;charset=utf-8"]},
                    body="Partnerbot is not installed in this workspace",
                )
        response = self.app.dispatch(bolt_request)
        return WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)


def _is_url_check(request: SlackRequest) -> bool:
    """Slack checking the request URL: no workspace to be installed in."""
    return request.body.get("type") == "url_verification" or bool(request.body.get("ssl_check"))


def _says_uninstalled(request: SlackRequest) -> bool:
    """The events that say an install is gone: they come after its tokens are, and Bolt's listeners
    delete what is stored."""
    event = request.body.get("event")
    return isinstance(event, dict) and event.get("type") in ("app_uninstalled", "tokens_revoked")


def wsgi_app(
    app: App | None,
    database: Database,
    *,
    signing_secret: str | None = None,
    events: bool = True,
    installed: InstalledWorkspaces | None = None,
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application. With ``app=None`` only the health check is served; with ``events=False``
    (Socket Mode: Slack's requests come over the socket) the health check and, when installing in
    many workspaces, the install pages."""
    slack = None
    if app is not None:
        if events and not signing_secret:
            raise ValueError("serving Slack requests needs the signing secret")
        # Without events only the install pages (GET) reach it: nothing to verify a signature on.
        slack = SlackEvents(app, signing_secret=signing_secret or "", installed=installed)
    slack_paths = {SLACK_PATH} if events else set()
    if app is not None and app.oauth_flow is not None:
        # GET only (Bolt's adapter answers anything else on them with a 404).
        slack_paths |= {app.oauth_flow.install_path, app.oauth_flow.redirect_uri_path}

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
        if slack is not None and path in slack_paths:
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
    listening: socket.socket | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT. ``listening``: a socket bound already (by the parent of
    several workers, bot.prefork); otherwise ``host`` and ``port`` are bound here."""
    where: dict[str, Any] = (
        {"sockets": [listening]} if listening is not None else {"host": host, "port": port}
    )
    server = waitress.create_server(
        application,
        **where,
        threads=HTTP_THREADS,
        ident="partnerbot",
        clear_untrusted_proxy_headers=True,
        # Slack's payloads are far smaller; a bigger body is refused before it is read (bot.gate).
        max_request_body_size=MAX_BODY_BYTES + 1,
    )
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        port_of = listening.getsockname() if listening is not None else None
        bound_port = port_of[1] if port_of else server.effective_port  # type: ignore[union-attr]
        log.info("Partnerbot listening on http://%s:%s%s", host, bound_port, SLACK_PATH)
        if on_ready:
            on_ready(int(bound_port))
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.close()
