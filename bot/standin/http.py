"""The stand-in on loopback HTTP, for the app in another process (the tests' ``partnerbot serve``,
the benchmarks): ``127.0.0.1`` on a random port; start/stop or use ``with``::

    with HttpStandIn() as slack:
        env = {"SLACK_API_URL": slack.api_url, ...}
        ...
        call = slack.wait_for("views.open", timeout=5)

Block Kit validation is on unless ``validate=False``; it needs jsonschema (the ``standin`` extra).
"""

from __future__ import annotations

import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from bot.standin.blockkit import BlockKit
from bot.standin.core import SlackStandIn
from bot.standin.wire import Reply

# Many app threads may connect at once (a digest fan-out); the default backlog of 5 would make
# some of them wait for a retransmission.
BACKLOG = 256


class HttpStandIn(SlackStandIn):
    """The stand-in served at ``http://127.0.0.1:<port>``: ``/api/<method>`` (any HTTP verb, as
    Slack allows), ``/response/<id>`` and ``/upload/<id>``."""

    def __init__(self, *, validate: bool = True, **options: Any) -> None:
        """``options``: those of :class:`~bot.standin.core.SlackStandIn` (but its validator)."""
        super().__init__(validator=BlockKit() if validate else None, **options)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> HttpStandIn:
        standin = self

        class Handler(_Handler):
            owner = standin

        server_class = type("Server", (ThreadingHTTPServer,), {"request_queue_size": BACKLOG})
        self._server = server_class(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> HttpStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stand-in is not running")
        return int(self._server.server_address[1])


def _hung_up(sock: socket.socket) -> bool:
    """True once the client has closed its end (a killed process): readable, with nothing to read."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class _Handler(BaseHTTPRequestHandler):
    owner: HttpStandIn
    server_version = "SlackStandIn/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        url = urlsplit(self.path)
        sock = self.connection
        reply = self.owner.serve(url.path, url.query, headers, raw, hung_up=lambda: _hung_up(sock))
        if not reply.abandoned:
            self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(reply.body)

    do_POST = _handle
    do_GET = _handle
