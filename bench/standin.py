"""A small Slack Web API stand-in for the benchmarks, on loopback.

``POST /api/<method>`` answers ``ok: true`` like Slack would for the methods the app calls
(auth.test, users.info, chat.postMessage, chat.postEphemeral, views.open, …). ``POST
/response/<id>`` is a ``response_url``: its body (JSON) is recorded with its arrival time
(``time.perf_counter()`` once the whole body is read, the same clock the benchmark uses), so a
benchmark can tell when an answer became visible. Nothing is validated: this is for timing, the
tests' ``tests/slack_standin.py`` is for correctness.

Memory stays bounded: only the latest ``KEEP`` response_url posts are kept.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

KEEP = 5000
TEAM_ID = "TBENCH"
BOT_USER_ID = "UBENCHBOT"


@dataclass(frozen=True)
class Post:
    """One POST to a response_url."""

    rid: str
    arrived: float  # time.perf_counter() when the body had been read
    body: dict[str, Any]


class StandIn:
    def __init__(self) -> None:
        self._posts: deque[Post] = deque(maxlen=KEEP)
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self.api_calls: dict[str, int] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> StandIn:
        owner = self

        class Handler(_Handler):
            standin = owner

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="standin"
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

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "stand-in not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    # --- response_url ------------------------------------------------------------------------

    def new_response_url(self) -> tuple[str, str]:
        rid = f"R{next(self._ids):07d}"
        return rid, f"{self.url}/response/{rid}"

    def record(self, rid: str, body: dict[str, Any]) -> None:
        post = Post(rid, time.perf_counter(), body)
        with self._changed:
            self._posts.append(post)
            self._changed.notify_all()

    def posts(self, rid: str) -> list[Post]:
        with self._changed:
            return [p for p in self._posts if p.rid == rid]

    def wait_for(self, rid: str, accept, deadline: float) -> Post | None:
        """The first post to ``rid`` that ``accept(body)`` takes, waiting until ``deadline``
        (perf_counter); None if none came in time."""
        seen = 0
        with self._changed:
            while True:
                mine = [p for p in self._posts if p.rid == rid]
                for post in mine[seen:]:
                    if accept(post.body):
                        return post
                seen = len(mine)
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self._changed.wait(min(left, 0.5))

    # --- Web API -----------------------------------------------------------------------------

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            self.api_calls[method] = self.api_calls.get(method, 0) + 1
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://bench.slack.com/",
                "team": "Bench",
                "user": "partnerbot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": "BBENCH",
                "is_enterprise_install": False,
            }
        if method == "users.info":
            user = str(args.get("user") or "U0")
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "team_id": TEAM_ID,
                    "name": user.lower(),
                    "real_name": user,
                    "tz": "Europe/Berlin",
                    "tz_offset": 3600,
                    "is_admin": False,
                    "is_owner": False,
                    "is_bot": False,
                    "deleted": False,
                    "profile": {"real_name": user, "display_name": user},
                },
            }
        if method in ("views.open", "views.push", "views.update", "views.publish"):
            return {"ok": True, "view": {"id": "VBENCH", "hash": "1.bench", "state": {"values": {}}}}
        if method.startswith("chat."):
            return {
                "ok": True,
                "channel": args.get("channel", "CBENCH"),
                "ts": f"{time.time():.6f}",
                "permalink": "https://bench.slack.com/archives/C1/p1",
            }
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "DBENCH"}}
        return {"ok": True}


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        raw = self._body()
        path = self.path.split("?", 1)[0]
        if path.startswith("/response/"):
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_unparsed": raw.decode("utf-8", "replace")}
            self.standin.record(path.rsplit("/", 1)[1], body)
            self._json(200, {"ok": True})
            return
        if path.startswith("/api/"):
            method = path[len("/api/") :]
            content_type = self.headers.get("Content-Type", "")
            text = raw.decode("utf-8", "replace")
            try:
                args = json.loads(text) if "json" in content_type and text else dict(parse_qsl(text))
            except ValueError:
                args = {}
            self._json(200, self.standin.answer(method, args))
            return
        self._json(404, {"ok": False, "error": "unknown_method"})

    do_GET = do_POST
