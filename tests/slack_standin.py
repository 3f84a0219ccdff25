"""A Slack Web API stand-in on loopback, for tests that run the real app against "Slack".

It answers ``POST /api/<method>`` (form, JSON, multipart or query-string arguments; any HTTP verb,
as Slack does) the way Slack would for the methods Partnerbot uses, and serves ``response_url``
endpoints at ``/response/<id>``. Every request is recorded, so a test can wait for a call and
look at what the app sent::

    with SlackStandIn() as slack:
        env = {"SLACK_API_URL": slack.api_url, ...}
        trigger = slack.new_trigger_id()
        ...
        call = slack.wait_for("views.open", timeout=5)
        assert call.args["trigger_id"] == trigger

Realism that tests rely on:

- trigger IDs are issued by the stand-in (:meth:`SlackStandIn.new_trigger_id`); ``views.open`` and
  ``views.push`` refuse an unknown trigger or one older than ``trigger_ttl`` seconds (Slack: 3) with
  ``expired_trigger_id``, and a trigger used once already with ``exchanged_trigger_id``;
- every view (``views.*``), every ``blocks`` sent to ``chat.*`` and every ``response_url`` post is
  checked with ``tests/blockkit.py``; a failure answers ``invalid_blocks`` and the reason is kept
  on the call (:attr:`Call.invalid`) and in :attr:`SlackStandIn.invalid`;
- failures can be scripted per method (:meth:`SlackStandIn.fail_next`: a Slack error, HTTP 429 with
  ``Retry-After``, HTTP 500) and answers slowed down (:meth:`SlackStandIn.delay`); a delayed call
  whose client hangs up (a killed process) before the answer is marked :attr:`Call.abandoned` and
  takes no effect, as if Slack never got it;
- channels can be described (:meth:`SlackStandIn.set_channel`): one the bot is not a member of
  refuses ``chat.postMessage`` with ``not_in_channel`` until ``conversations.join`` (refused for
  private channels), an archived one answers ``is_archived``, a deleted one ``channel_not_found``.
  Channels never described behave as public channels the bot is in;
- ``files_upload_v2`` works: ``files.getUploadURLExternal`` hands out an upload URL on the stand-in,
  the bytes POSTed there are kept, ``files.completeUploadExternal`` shares them
  (:attr:`SlackStandIn.files`, :meth:`SlackStandIn.shared_files`). Uploads are recorded as calls
  of the method ``"file_upload"``.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import secrets
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from blockkit import validate_message_payload, validate_view

DEFAULT_TZ = "America/New_York"
TRIGGER_TTL = 3.0  # seconds Slack lets a trigger_id open a modal
RESPONSE_URL_USES = 5  # Slack accepts at most five posts to one response_url
# Arguments Slack accepts as JSON text inside form-encoded bodies.
JSON_ARGS = ("blocks", "attachments", "view", "metadata")
RESPONSE_METHOD = "response_url"  # the method name calls to a response_url are recorded under
UPLOAD_METHOD = "file_upload"  # the method name POSTs to a files_upload_v2 upload URL are recorded under


@dataclass
class Call:
    """One request the app made: to a Web API method, or to a response_url (method ``response_url``)."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    time: float  # time.monotonic() when it arrived
    path: str
    response: dict[str, Any] | None = None  # what the stand-in answered (JSON), once answered
    status: int = 200
    invalid: str | None = None  # the Block Kit validator's message when the payload was refused
    abandoned: bool = False  # the client hung up while the answer was delayed: it took no effect
    connection: socket.socket | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[len("Bearer ") :] if auth.startswith("Bearer ") else self.args.get("token")


@dataclass
class Failure:
    """A scripted answer for the next ``times`` calls of a method (``times=None``: until cleared)."""

    error: str | None = None
    status: int = 200
    retry_after: int | None = None
    times: int | None = 1
    body: dict[str, Any] | None = None
    where: Callable[[Call], bool] | None = None  # only calls this accepts get the failure


@dataclass
class Channel:
    """How a channel looks to the bot (see :meth:`SlackStandIn.set_channel`)."""

    id: str
    member: bool = True  # is the bot in it?
    private: bool = False  # private channels cannot be joined, only invited to
    archived: bool = False
    exists: bool = True  # False: deleted, or never visible to the bot


@dataclass
class UploadedFile:
    """A file sent with files_upload_v2: announced, uploaded, then shared (completed)."""

    id: str
    filename: str
    length: int
    data: bytes | None = field(default=None, repr=False)  # what was POSTed to the upload URL
    title: str | None = None
    channel: str | None = None  # where completeUploadExternal shared it
    thread_ts: str | None = None
    completed: bool = False


@dataclass
class User:
    id: str
    tz: str | None = DEFAULT_TZ
    is_admin: bool = False
    is_owner: bool = False
    name: str = ""
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class SlackStandIn:
    """A Slack Web API stand-in on ``127.0.0.1`` with a random port; start/stop or use ``with``."""

    def __init__(
        self,
        *,
        team_id: str = "T1",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "AAPP",
        trigger_ttl: float = TRIGGER_TTL,
        validate: bool = True,
        accepted_tokens: set[str] | None = None,
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.trigger_ttl = trigger_ttl
        self.validate = validate
        # None: any xoxb-/xoxp- token is fine; otherwise only these.
        self.accepted_tokens = accepted_tokens
        self.calls: list[Call] = []
        self.invalid: list[tuple[str, str]] = []  # (method, validator message)
        self.views: dict[str, dict[str, Any]] = {}  # view id → the view as Slack keeps it
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.files: dict[str, UploadedFile] = {}  # file id → the upload
        self._triggers: dict[str, float] = {}  # trigger id → monotonic time issued
        self._used_triggers: set[str] = set()
        self._response_urls: dict[str, int] = {}  # id → posts so far
        self._failures: dict[str, list[Failure]] = {}
        self._delays: dict[str, tuple[float, Callable[[Call], bool] | None]] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        standin = self

        class Handler(_Handler):
            owner = standin

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
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

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the stand-in is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What to put in SLACK_API_URL."""
        return f"{self.url}/api/"

    # --- what tests script ----------------------------------------------------------------

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):06d}{secrets.token_hex(3).upper()}"

    def new_trigger_id(self, *, issued_ago: float = 0.0) -> str:
        """A trigger ID as Slack puts in a command or interaction; ``issued_ago`` backdates it."""
        trigger = f"{next(self._counter)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        with self._lock:
            self._triggers[trigger] = time.monotonic() - issued_ago
        return trigger

    def new_response_url(self) -> str:
        rid = self._next_id("R")
        with self._lock:
            self._response_urls[rid] = 0
        return f"{self.url}/response/{rid}"

    def set_user(self, user_id: str, **fields: Any) -> User:
        """Describe a user for users.info (tz, is_admin, is_owner, name, deleted; others go in extra)."""
        known = {f for f in User.__dataclass_fields__ if f not in ("id", "extra")}
        user = User(user_id, **{k: v for k, v in fields.items() if k in known})
        user.extra = {k: v for k, v in fields.items() if k not in known}
        with self._lock:
            self.users[user_id] = user
        return user

    def set_channel(self, channel_id: str, **fields: Any) -> Channel:
        """Describe a channel: ``member``, ``private``, ``archived``, ``exists`` (see :class:`Channel`)."""
        channel = Channel(channel_id, **fields)
        with self._lock:
            self.channels[channel_id] = channel
        return channel

    def channel(self, channel_id: str) -> Channel | None:
        with self._lock:
            found = self.channels.get(channel_id)
            return copy.copy(found) if found is not None else None

    def shared_files(self, channel: str | None = None) -> list[UploadedFile]:
        """Files completed (shared) by files.completeUploadExternal, optionally in one channel."""
        with self._lock:
            return [
                copy.copy(f)
                for f in self.files.values()
                if f.completed and (channel is None or f.channel == channel)
            ]

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int | None = 1,
        body: dict[str, Any] | None = None,
        where: Callable[[Call], bool] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with a failure (``times=None``: every call).

        ``error`` alone: HTTP 200 ``{"ok": false, "error": error}``. ``status=429``: rate limited,
        with ``Retry-After: retry_after`` (default 1). ``status=500``: a server error. ``where``
        limits the failure to matching calls (e.g. one response_url, one channel). Calls to
        response_urls are scripted under the method name ``"response_url"``.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if error is None:
            error = {429: "ratelimited", 500: "internal_error"}.get(status, "fatal_error")
        with self._lock:
            self._failures.setdefault(method, []).append(
                Failure(error, status, retry_after, times, body, where)
            )

    def clear_failures(self, method: str | None = None) -> None:
        with self._lock:
            if method is None:
                self._failures.clear()
            else:
                self._failures.pop(method, None)

    def delay(self, method: str, seconds: float, *, where: Callable[[Call], bool] | None = None) -> None:
        """Answer ``method`` (the calls ``where`` accepts) only after ``seconds``; 0 removes the delay."""
        with self._lock:
            if seconds:
                self._delays[method] = (seconds, where)
            else:
                self._delays.pop(method, None)

    # --- what tests read ------------------------------------------------------------------

    def calls_to(self, method: str, where: Callable[[Call], bool] | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (where is None or where(c))]

    def responses_to(self, response_url: str) -> list[Call]:
        """What the app posted to one response_url, in order."""
        return self.calls_to(RESPONSE_METHOD, lambda c: c.path == urlsplit(response_url).path)

    def wait_for(
        self,
        method: str,
        *,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
        count: int = 1,
        answered: bool = True,
    ) -> Call:
        """The ``count``-th call of ``method`` matching ``where``, waiting up to ``timeout`` seconds.

        With ``answered`` (the default) it also waits until the stand-in has answered it.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) >= count and (not answered or found[count - 1].response is not None):
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({c.method for c in self.calls})
                    raise AssertionError(
                        f"no {method} call (#{count}) within {timeout}s; methods called so far: {seen}"
                    )
                self._changed.wait(remaining)

    def wait_for_response(self, response_url: str, *, timeout: float = 5.0, count: int = 1) -> Call:
        path = urlsplit(response_url).path
        return self.wait_for(RESPONSE_METHOD, timeout=timeout, where=lambda c: c.path == path, count=count)

    def view(self, view_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self.views[view_id])

    # --- serving --------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _answered(self, call: Call, status: int, response: dict[str, Any]) -> None:
        with self._changed:
            call.status = status
            call.response = response
            if call.invalid:
                self.invalid.append((call.method, call.invalid))
            self._changed.notify_all()

    def _scripted(self, call: Call) -> Failure | None:
        with self._lock:
            queue = self._failures.get(call.method) or []
            for failure in queue:
                if failure.where is not None and not failure.where(call):
                    continue
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        queue.remove(failure)
                return failure
            return None

    def _delay_for(self, call: Call) -> float:
        with self._lock:
            seconds, where = self._delays.get(call.method, (0.0, None))
        return seconds if where is None or where(call) else 0.0

    def _wait(self, call: Call, seconds: float) -> None:
        """Sleep ``seconds`` before answering; mark the call abandoned if its client hangs up."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            sock = call.connection
            if sock is None:
                time.sleep(left)
                return
            try:
                readable, _, _ = select.select([sock], [], [], min(left, 0.05))
                if readable and sock.recv(1, socket.MSG_PEEK) == b"":
                    call.abandoned = True
                    return
            except OSError:
                call.abandoned = True
                return

    def handle_api(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Answer one Web API call: (HTTP status, JSON body, extra headers)."""
        pause = self._delay_for(call)
        if pause:
            self._wait(call, pause)
            if call.abandoned:  # nobody is listening: like a request Slack never received
                return 499, {"ok": False, "error": "client_closed_request"}, {}
        failure = self._scripted(call)
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            body = failure.body if failure.body is not None else {"ok": False, "error": failure.error}
            return failure.status, body, headers
        token = call.token
        if call.method != "api.test":
            if not token:
                return 200, {"ok": False, "error": "not_authed"}, {}
            allowed = (
                token in self.accepted_tokens
                if self.accepted_tokens is not None
                else token.startswith(("xoxb-", "xoxp-"))
            )
            if not allowed:
                return 200, {"ok": False, "error": "invalid_auth"}, {}
        method = getattr(self, "api_" + call.method.replace(".", "_"), None)
        if method is None:
            return 404, {"ok": False, "error": "unknown_method", "req_method": call.method}, {}
        body = method(call)
        if not body.get("ok") and "error" not in body:
            body["error"] = "invalid_arguments"
        return 200, body, {}

    def handle_response_url(self, call: Call, rid: str) -> tuple[int, dict[str, Any]]:
        pause = self._delay_for(call)
        if pause:
            time.sleep(pause)
        failure = self._scripted(call)
        if failure is not None:
            return failure.status, failure.body or {"ok": False, "error": failure.error}
        with self._lock:
            uses = self._response_urls.get(rid)
            if uses is None:
                return 404, {"ok": False, "error": "expired_url"}
            if uses >= RESPONSE_URL_USES:
                return 404, {"ok": False, "error": "used_url"}
            self._response_urls[rid] = uses + 1
        if self._invalid(call, validate_message_payload, call.args):
            return 400, {"ok": False, "error": "invalid_blocks"}
        return 200, {"ok": True}

    def _invalid(self, call: Call, check: Callable[[Any], None], payload: Any) -> bool:
        if not self.validate:
            return False
        try:
            check(payload)
        except AssertionError as exc:
            call.invalid = str(exc)
            return True
        return False

    def _invalid_answer(self, call: Call) -> dict[str, Any]:
        return {"ok": False, "error": "invalid_blocks", "response_metadata": {"messages": [call.invalid]}}

    # --- Web API methods ------------------------------------------------------------------

    def api_api_test(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "args": call.args}

    def api_auth_test(self, call: Call) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://standin.slack.com/",
            "team": "Stand-in Workspace",
            "user": "partnerbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def api_users_info(self, call: Call) -> dict[str, Any]:
        user_id = call.args.get("user")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        with self._lock:
            user = self.users.get(user_id) or User(user_id)
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": self.team_id,
                "name": user.name or user.id.lower(),
                "real_name": user.name or user.id,
                "deleted": user.deleted,
                "tz": user.tz,
                "tz_label": user.tz or "",
                "tz_offset": 0,
                "is_admin": user.is_admin,
                "is_owner": user.is_owner,
                "is_primary_owner": False,
                "is_bot": False,
                "profile": {"real_name": user.name or user.id, "display_name": user.name},
                **user.extra,
            },
        }

    def _check_trigger(self, trigger: str | None) -> str | None:
        """The Slack error for this trigger_id, or None when it may open a view."""
        with self._lock:
            issued = self._triggers.get(trigger or "")
            if issued is None or time.monotonic() - issued > self.trigger_ttl:
                return "expired_trigger_id"
            if trigger in self._used_triggers:
                return "exchanged_trigger_id"
            self._used_triggers.add(trigger)  # type: ignore[arg-type]
        return None

    def _store_view(self, view: dict[str, Any], *, view_id: str | None = None, root: str | None = None):
        view_id = view_id or self._next_id("V")
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "root_view_id": root or view_id,
            "previous_view_id": None,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            **copy.deepcopy(view),
        }
        with self._lock:
            self.views[view_id] = stored
        return copy.deepcopy(stored)

    def _view_arg(self, call: Call) -> dict[str, Any] | None:
        view = call.args.get("view")
        return view if isinstance(view, dict) else None

    def api_views_open(self, call: Call) -> dict[str, Any]:
        view = self._view_arg(call)
        if view is None:
            return {"ok": False, "error": "invalid_arguments"}
        if self._invalid(call, validate_view, view):
            return self._invalid_answer(call)
        error = self._check_trigger(call.args.get("trigger_id"))
        if error:
            return {"ok": False, "error": error}
        return {"ok": True, "view": self._store_view(view)}

    def api_views_push(self, call: Call) -> dict[str, Any]:
        return self.api_views_open(call)

    def api_views_update(self, call: Call) -> dict[str, Any]:
        view = self._view_arg(call)
        if view is None:
            return {"ok": False, "error": "invalid_arguments"}
        view_id = call.args.get("view_id")
        if not view_id and call.args.get("external_id"):
            with self._lock:
                view_id = next(
                    (
                        v["id"]
                        for v in self.views.values()
                        if v.get("external_id") == call.args["external_id"]
                    ),
                    None,
                )
        with self._lock:
            current = self.views.get(view_id or "")
        if current is None:
            return {"ok": False, "error": "not_found"}
        if call.args.get("hash") and call.args["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        if self._invalid(call, validate_view, view):
            return self._invalid_answer(call)
        return {"ok": True, "view": self._store_view(view, view_id=view_id, root=current["root_view_id"])}

    def api_views_publish(self, call: Call) -> dict[str, Any]:
        view = self._view_arg(call)
        if view is None or not call.args.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        if self._invalid(call, validate_view, view):
            return self._invalid_answer(call)
        return {"ok": True, "view": self._store_view(view)}

    def _message_check(self, call: Call) -> dict[str, Any] | None:
        if not call.args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not any(call.args.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        if self._invalid(call, validate_message_payload, call.args):
            return self._invalid_answer(call)
        return None

    def _channel_for(self, channel: str) -> str:
        # Posting to a user ID posts in the app's DM with them.
        return "D" + channel[1:] if channel[:1] in ("U", "W") else channel

    def _ts(self) -> str:
        return f"{time.time():.6f}"

    def _channel_refusal(self, channel_id: str) -> dict[str, Any] | None:
        """Slack's error for posting to a described channel, or None when the bot may post there."""
        with self._lock:
            channel = self.channels.get(channel_id)
        if channel is None:
            return None
        if not channel.exists:
            return {"ok": False, "error": "channel_not_found"}
        if channel.archived:
            return {"ok": False, "error": "is_archived"}
        if not channel.member:
            return {"ok": False, "error": "not_in_channel"}
        return None

    def api_chat_postMessage(self, call: Call) -> dict[str, Any]:
        refused = self._message_check(call) or self._channel_refusal(call.args["channel"])
        if refused:
            return refused
        channel = self._channel_for(call.args["channel"])
        ts = self._ts()
        message = {
            "type": "message",
            "bot_id": self.bot_id,
            "user": self.bot_user_id,
            "ts": ts,
            "text": call.args.get("text", ""),
        }
        if call.args.get("blocks"):
            message["blocks"] = call.args["blocks"]
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def api_chat_postEphemeral(self, call: Call) -> dict[str, Any]:
        refused = self._message_check(call)
        if refused:
            return refused
        if not call.args.get("user"):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "message_ts": self._ts()}

    def api_chat_update(self, call: Call) -> dict[str, Any]:
        if not call.args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        refused = self._message_check(call)
        if refused:
            return refused
        return {
            "ok": True,
            "channel": call.args["channel"],
            "ts": call.args["ts"],
            "text": call.args.get("text"),
        }

    def api_chat_getPermalink(self, call: Call) -> dict[str, Any]:
        channel, ts = call.args.get("channel"), call.args.get("message_ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://standin.slack.com/archives/{channel}/p{str(ts).replace('.', '')}",
        }

    def api_conversations_open(self, call: Call) -> dict[str, Any]:
        users = str(call.args.get("users") or "")
        if call.args.get("channel"):
            return {"ok": True, "channel": {"id": call.args["channel"]}}
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        first = users.split(",")[0].strip()
        channel = self._channel_for(first) if "," not in users else "G" + secrets.token_hex(4).upper()
        return {"ok": True, "channel": {"id": channel}, "no_op": False, "already_open": False}

    def api_conversations_join(self, call: Call) -> dict[str, Any]:
        channel = call.args.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        answer: dict[str, Any] = {
            "ok": True,
            "channel": {"id": channel, "name": channel.lower(), "is_channel": True},
        }
        with self._lock:
            known = self.channels.get(channel)
            if known is not None:
                if not known.exists:
                    return {"ok": False, "error": "channel_not_found"}
                if known.archived:
                    return {"ok": False, "error": "is_archived"}
                if known.private:
                    return {"ok": False, "error": "method_not_supported_for_channel_type"}
                if known.member:
                    answer["warning"] = "already_in_channel"
                known.member = True
        return answer

    # --- files_upload_v2: getUploadURLExternal → POST the bytes → completeUploadExternal ----------

    def api_files_getUploadURLExternal(self, call: Call) -> dict[str, Any]:
        filename, length = call.args.get("filename"), str(call.args.get("length") or "")
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        with self._lock:
            self.files[file_id] = UploadedFile(file_id, str(filename), int(length))
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def handle_upload(self, call: Call, file_id: str, data: bytes) -> tuple[int, str]:
        """The POST of a file's bytes to its upload URL: (HTTP status, plain-text body)."""
        with self._lock:
            upload = self.files.get(file_id)
            if upload is None:
                return 404, "not found"
            upload.data = data
        return 200, f"OK - {len(data)}"

    def api_files_completeUploadExternal(self, call: Call) -> dict[str, Any]:
        try:
            listed = json.loads(call.args.get("files") or "")
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(listed, list) or not listed:
            return {"ok": False, "error": "invalid_arguments"}
        channel = call.args.get("channel_id") or None
        if channel:
            refused = self._channel_refusal(channel)
            if refused:
                return refused
        shared = []
        with self._lock:
            uploads = [self.files.get(str(item.get("id"))) for item in listed]
            if any(u is None or u.data is None or len(u.data) != u.length for u in uploads):
                return {"ok": False, "error": "file_not_found"}
            for item, upload in zip(listed, uploads, strict=True):
                assert upload is not None
                upload.title = item.get("title") or upload.filename
                upload.channel = channel
                upload.thread_ts = call.args.get("thread_ts") or None
                upload.completed = True
                shared.append({"id": upload.id, "title": upload.title, "name": upload.filename})
        return {"ok": True, "files": shared}


def _decode_json_args(args: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # left as text, the validator refuses it
                args[key] = json.loads(value)
    return args


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """Arguments from a request body the way Slack reads them: JSON, form or multipart."""
    if not raw:
        return {}
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json":
        body = json.loads(raw.decode("utf-8"))
        return body if isinstance(body, dict) else {"_body": body}
    if media == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
        )
        args: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            args[str(name)] = payload if part.get_filename() else payload.decode("utf-8", "replace")
        return args
    return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))


class _Handler(BaseHTTPRequestHandler):
    owner: SlackStandIn
    server_version = "SlackStandIn/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _read(self) -> tuple[dict[str, Any], dict[str, str]]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        try:
            args = {**query, **parse_body(raw, headers.get("content-type", ""))}
        except ValueError:
            args = {**query, "_unparsed": raw.decode("utf-8", "replace")}
        return _decode_json_args(args), headers

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle_upload(self, path: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        file_id = path[len("/upload/") :]
        call = Call(UPLOAD_METHOD, {"file_id": file_id, "size": len(data)}, headers, time.monotonic(), path)
        self.owner._record(call)
        status, text = self.owner.handle_upload(call, file_id, data)
        self.owner._answered(call, status, {"ok": status == 200})
        raw = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/upload/"):  # raw bytes, not Web API arguments
            self._handle_upload(path)
            return
        args, headers = self._read()
        if path.startswith("/api/") and len(path) > len("/api/"):
            call = Call(path[len("/api/") :], args, headers, time.monotonic(), path)
            call.connection = self.connection
            self.owner._record(call)
            status, body, extra = self.owner.handle_api(call)
        elif path.startswith("/response/"):
            call = Call(RESPONSE_METHOD, args, headers, time.monotonic(), path)
            self.owner._record(call)
            status, body = self.owner.handle_response_url(call, path[len("/response/") :])
            extra = {}
        else:
            self._send(404, {"ok": False, "error": "not_found"})
            return
        self.owner._answered(call, status, body)
        if call.abandoned:
            return  # the client is gone: nobody to answer
        self._send(status, body, extra)

    do_POST = _handle
    do_GET = _handle


def iter_texts(payload: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """Every string Slack would show from a payload: (path, kind, text), kind ``mrkdwn`` or ``plain``.

    A message's top-level ``text`` and ``mrkdwn`` text objects are read as mrkdwn (Slack parses
    ``<!channel>``, ``<@U…>``, ``*bold*`` in them); ``plain_text`` objects are shown as typed.
    """
    if isinstance(payload, dict):
        kind = payload.get("type")
        if kind in ("mrkdwn", "plain_text") and isinstance(payload.get("text"), str):
            yield path, "mrkdwn" if kind == "mrkdwn" else "plain", payload["text"]
        for key, value in payload.items():
            sub = f"{path}.{key}" if path else key
            if key == "text" and isinstance(value, str) and kind not in ("mrkdwn", "plain_text"):
                yield sub, "mrkdwn", value
            elif isinstance(value, dict | list):
                yield from iter_texts(value, sub)
    elif isinstance(payload, list):
        for i, item in enumerate(payload):
            yield from iter_texts(item, f"{path}[{i}]")
