"""Slack, in-process, for the console: the Web API, response_urls and file uploads, answered without
any network, recording what the app sent.

The app keeps its ordinary slack_sdk clients (``WebClient`` for the Web API, ``WebhookClient`` for
response_urls, Bolt's ``respond()``); they are pointed at a host that cannot exist
(``console.partnerbot.invalid``, RFC 2606) and a urllib handler installed in the console process
answers requests for that host only — every other URL goes on to the network as before. Requests
the app makes for the console's host therefore never leave the process, whichever client (or a
fresh ``WebClient`` built from ``client.base_url``, as ``handlers.people`` does) makes them.
"""

from __future__ import annotations

import contextlib
import email.message
import io
import itertools
import json
import os
import secrets
import threading
import time
import urllib.request
import urllib.response
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, urlsplit

HOST = "console.partnerbot.invalid"
BASE_URL = f"https://{HOST}"
API_URL = f"{BASE_URL}/api/"
BOT_TOKEN = "xoxb-console"
BOT_USER_ID = "UPARTNERBOT"
BOT_ID = "BPARTNERBOT"
APP_ID = "ACONSOLE"
CHANNEL_ID = "CCONSOLE"
CHANNEL_NAME = "console"
JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


# --- what the app sent ------------------------------------------------------------------


@dataclass
class Output:
    """Something the app did that the person would see.

    ``kind``: ``message`` (chat.*, a response_url), ``open``/``push``/``update`` (a modal),
    ``publish`` (a Home tab), ``file`` (an upload) or ``note`` (anything else worth a line).
    """

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    channel: str | None = None
    ts: str | None = None
    ephemeral: bool = False
    direct: bool = False  # a direct message from the app
    thread_ts: str | None = None
    replaces: bool = False  # replaces an earlier message (replace_original, chat.update)
    deleted: bool = False
    view: dict[str, Any] | None = None
    user_id: str | None = None
    text: str = ""


@dataclass(frozen=True)
class MessageRef:
    """Where a message is, so that a response_url issued for it can replace it."""

    channel: str
    ts: str | None
    ephemeral: bool


# --- waiting until the app is quiet -------------------------------------------------------


class Activity:
    """Counts the app's work in progress (listener tasks) and remembers when it last did anything,
    so the console can wait until the app is quiet before reading the next line."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._last = time.monotonic()
        self._checks: list[Callable[[], bool]] = []

    def touch(self) -> None:
        with self._lock:
            self._last = time.monotonic()

    def also_busy_when(self, check: Callable[[], bool]) -> None:
        """Another source of background work (e.g. Home tab publishing) to wait for."""
        self._checks.append(check)

    def track(self, executor: Executor) -> None:
        """Count every task submitted to ``executor`` (Bolt's listener executor) until it is done."""
        original = executor.submit

        def submit(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            with self._lock:
                self._running += 1
                self._last = time.monotonic()
            try:
                future = original(fn, *args, **kwargs)
            except BaseException:
                self._finished()
                raise
            future.add_done_callback(lambda _f: self._finished())
            return future

        executor.submit = submit  # type: ignore[method-assign]

    def _finished(self) -> None:
        with self._lock:
            self._running -= 1
            self._last = time.monotonic()

    def busy(self) -> bool:
        with self._lock:
            running = self._running
        return running > 0 or any(check() for check in self._checks)

    def wait_quiet(self, *, quiet: float = 0.1, timeout: float = 30.0) -> bool:
        """Until nothing runs and nothing happened for ``quiet`` seconds; False after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                idle_for = time.monotonic() - self._last
            if not self.busy() and idle_for >= quiet:
                return True
            time.sleep(0.01)
        return False


# --- reading requests ----------------------------------------------------------------------


def _decode_json_args(args: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def parse_request(url: str, data: bytes | None, content_type: str) -> dict[str, Any]:
    """Arguments from a query string and a JSON, form or multipart body, the way Slack reads them."""
    args: dict[str, Any] = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    raw = data or b""
    media = content_type.split(";")[0].strip().lower()
    if not raw:
        return _decode_json_args(args)
    if media == "application/json":
        body = json.loads(raw.decode("utf-8"))
        if isinstance(body, dict):
            args.update(body)
    elif media == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
        )
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True) or b""
            args[name] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    elif media == "application/x-www-form-urlencoded" or b"=" in raw[:200]:
        args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    else:
        args["_body"] = raw
    return _decode_json_args(args)


def _response(url: str, status: int, body: bytes, content_type: str) -> urllib.response.addinfourl:
    headers = email.message.Message()
    headers["Content-Type"] = content_type
    headers["Content-Length"] = str(len(body))
    response = urllib.response.addinfourl(io.BytesIO(body), headers, url, status)
    response.msg = "OK" if status < 400 else "Error"  # type: ignore[attr-defined]
    return response


class _ConsoleHandler(urllib.request.BaseHandler):
    """Answers requests for the console's host; returns None for any other, so they go on as usual."""

    handler_order = 50  # before the proxy and HTTP(S) handlers

    def __init__(self, slack: ConsoleSlack) -> None:
        self.slack = slack

    def https_open(self, req: urllib.request.Request) -> urllib.response.addinfourl | None:
        if urlsplit(req.full_url).hostname != HOST:
            return None
        content_type = req.get_header("Content-type") or req.get_header("Content-Type") or ""
        data = req.data if isinstance(req.data, bytes) else None
        status, body, kind = self.slack.answer(req.get_method(), req.full_url, data, content_type)
        return _response(req.full_url, status, body, kind)

    http_open = https_open


@contextlib.contextmanager
def intercepted(slack: ConsoleSlack) -> Iterator[None]:
    """Within the block, this process's urllib answers the console's host from ``slack``.

    slack_sdk opens URLs with ``urlopen`` (the installed opener) unless a proxy is configured, so
    proxy variables are cleared for the duration: the console never uses the network.
    """
    previous_opener = urllib.request._opener  # type: ignore[attr-defined]
    saved = {name: os.environ.pop(name) for name in PROXY_VARIABLES if name in os.environ}
    urllib.request.install_opener(urllib.request.build_opener(_ConsoleHandler(slack)))
    try:
        yield
    finally:
        urllib.request._opener = previous_opener  # type: ignore[attr-defined]
        os.environ.update(saved)


# --- Slack ---------------------------------------------------------------------------------


class ConsoleSlack:
    """The Web API methods the app uses, answered the way Slack answers them, and a record of
    what the app sent (:meth:`drain`)."""

    def __init__(self, *, team_id: str, time_zone: str, activity: Activity | None = None) -> None:
        self.team_id = team_id
        self.time_zone = time_zone
        self.activity = activity or Activity()
        self.calls: list[tuple[str, dict[str, Any]]] = []  # (method, arguments), every call
        self.views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self._outputs: list[Output] = []
        self._response_urls: dict[str, MessageRef] = {}
        self._triggers: set[str] = set()
        self._used_triggers: set[str] = set()
        self._counter = itertools.count(1)
        self._lock = threading.RLock()

    # --- ids the console hands out --------------------------------------------------------

    def _next(self, prefix: str) -> str:
        # Unique across sessions, as Slack's are: the app keys idempotency on them (``view:<id>``),
        # and the database outlives the console.
        return f"{prefix}{next(self._counter):04d}{secrets.token_hex(4).upper()}"

    def new_trigger_id(self) -> str:
        trigger = f"{next(self._counter)}.{secrets.randbelow(10**12)}.{secrets.token_hex(8)}"
        with self._lock:
            self._triggers.add(trigger)
        return trigger

    def new_response_url(self, where: MessageRef) -> str:
        rid = self._next("R")
        with self._lock:
            self._response_urls[rid] = where
        return f"{BASE_URL}/response/{rid}"

    def new_ts(self) -> str:
        return f"{time.time():.6f}"

    # --- what the console reads -----------------------------------------------------------

    def drain(self) -> list[Output]:
        with self._lock:
            outputs, self._outputs = self._outputs, []
        return outputs

    def _emit(self, output: Output) -> None:
        with self._lock:
            self._outputs.append(output)

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self.views.get(view_id)

    def store_view(self, view: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        """The view as Slack keeps it: with an id, a hash, empty state and a block_id on every block."""
        view_id = view_id or self._next("V")
        with self._lock:
            previous = self.views.get(view_id, {})
        blocks = [dict(b) for b in view.get("blocks") or [] if isinstance(b, dict)]
        for i, block in enumerate(blocks):
            block.setdefault("block_id", f"{view_id}-b{i}")
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "root_view_id": previous.get("root_view_id", view_id),
            "previous_view_id": None,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            **view,
            "blocks": blocks,
        }
        with self._lock:
            self.views[view_id] = stored
        return stored

    # --- serving --------------------------------------------------------------------------

    def answer(
        self, http_method: str, url: str, data: bytes | None, content_type: str
    ) -> tuple[int, bytes, str]:
        """(status, body, content type) for one request to the console's host."""
        self.activity.touch()
        path = urlsplit(url).path
        if path.startswith("/upload/"):  # a file's bytes, whatever the content type says
            return self._upload(path[len("/upload/") :], data or b"")
        try:
            args = parse_request(url, data, content_type)
        except ValueError:
            return self._json(400, {"ok": False, "error": "invalid_arguments"})
        if path.startswith("/api/"):
            method = path[len("/api/") :]
            with self._lock:
                self.calls.append((method, args))
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            if handler is None:
                self._emit(Output("note", text=f"(the app called {method}, which the console does not know)"))
                return self._json(200, {"ok": False, "error": "unknown_method", "req_method": method})
            return self._json(200, handler(args))
        if path.startswith("/response/"):
            return self._response_url(path[len("/response/") :], args)
        return self._json(404, {"ok": False, "error": "not_found"})

    @staticmethod
    def _json(status: int, body: dict[str, Any]) -> tuple[int, bytes, str]:
        return status, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8"

    def _response_url(self, rid: str, args: dict[str, Any]) -> tuple[int, bytes, str]:
        with self._lock:
            where = self._response_urls.get(rid)
        if where is None:
            return self._json(404, {"ok": False, "error": "expired_url"})
        self._emit(
            Output(
                "message",
                args,
                channel=where.channel,
                ts=where.ts,
                ephemeral=args.get("response_type") != "in_channel",
                replaces=bool(args.get("replace_original")),
                deleted=bool(args.get("delete_original")),
                thread_ts=args.get("thread_ts"),
            )
        )
        return self._json(200, {"ok": True})

    def _upload(self, file_id: str, data: bytes) -> tuple[int, bytes, str]:
        with self._lock:
            entry = self.files.get(file_id)
            if entry is None:
                return 404, b"not found", "text/plain"
            entry["size"] = len(data)
        return 200, f"OK - {len(data)}".encode(), "text/plain"

    # --- Web API methods ------------------------------------------------------------------

    def _api_api_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": {k: v for k, v in args.items() if k != "token"}}

    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{HOST}/",
            "team": "Partnerbot console",
            "user": "partnerbot",
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user") or "")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": user_id,
                "team_id": self.team_id,
                "name": user_id.lower(),
                "real_name": user_id,
                "deleted": False,
                "tz": self.time_zone,
                "tz_label": self.time_zone,
                "tz_offset": 0,
                # Your own local database: everyone at the console is a workspace admin.
                "is_admin": True,
                "is_owner": False,
                "is_primary_owner": False,
                "is_bot": user_id == BOT_USER_ID,
                "profile": {"real_name": user_id, "display_name": user_id.lower()},
            },
        }

    def _trigger_error(self, trigger: Any) -> str | None:
        with self._lock:
            if trigger not in self._triggers:
                return "expired_trigger_id"
            if trigger in self._used_triggers:
                return "exchanged_trigger_id"
            self._used_triggers.add(trigger)
        return None

    @staticmethod
    def _view_arg(args: dict[str, Any]) -> dict[str, Any] | None:
        view = args.get("view")
        return view if isinstance(view, dict) else None

    def _open(self, args: dict[str, Any], kind: str) -> dict[str, Any]:
        view = self._view_arg(args)
        if view is None:
            return {"ok": False, "error": "invalid_arguments"}
        error = self._trigger_error(args.get("trigger_id"))
        if error:
            return {"ok": False, "error": error}
        stored = self.store_view(view)
        self._emit(Output(kind, view=stored))
        return {"ok": True, "view": stored}

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._open(args, "open")

    def _api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._open(args, "push")

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._view_arg(args)
        if view is None:
            return {"ok": False, "error": "invalid_arguments"}
        view_id = args.get("view_id")
        with self._lock:
            if not view_id and args.get("external_id"):
                view_id = next(
                    (v["id"] for v in self.views.values() if v.get("external_id") == args["external_id"]),
                    None,
                )
            current = self.views.get(view_id or "")
        if current is None:
            return {"ok": False, "error": "not_found"}
        if args.get("hash") and args["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        stored = self.store_view(view, view_id=current["id"])
        self._emit(Output("update", view=stored))
        return {"ok": True, "view": stored}

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._view_arg(args)
        user_id = args.get("user_id")
        if view is None or not user_id:
            return {"ok": False, "error": "invalid_arguments"}
        stored = self.store_view(view, view_id=f"VHOME-{user_id}")
        self._emit(Output("publish", view=stored, user_id=str(user_id)))
        return {"ok": True, "view": stored}

    @staticmethod
    def _channel_for(channel: str) -> str:
        # Posting to a user ID posts in the app's direct-message conversation with them.
        return "D" + channel[1:] if channel[:1] in ("U", "W") else channel

    def _message_refused(self, args: dict[str, Any]) -> dict[str, Any] | None:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not any(args.get(k) for k in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        return None

    def _post(self, args: dict[str, Any], *, ephemeral: bool) -> dict[str, Any]:
        refused = self._message_refused(args)
        if refused:
            return refused
        channel = self._channel_for(str(args["channel"]))
        ts = self.new_ts()
        direct = channel.startswith("D")
        # Who sees it: an ephemeral message's user, or the person a direct message goes to.
        recipient = args.get("user") if ephemeral else ("U" + channel[1:] if direct else None)
        self._emit(
            Output(
                "message",
                args,
                channel=channel,
                ts=ts,
                ephemeral=ephemeral,
                direct=direct,
                thread_ts=args.get("thread_ts"),
                user_id=recipient,
            )
        )
        message = {
            "type": "message",
            "bot_id": BOT_ID,
            "user": BOT_USER_ID,
            "ts": ts,
            "text": args.get("text", ""),
        }
        if args.get("blocks"):
            message["blocks"] = args["blocks"]
        if ephemeral:
            return {"ok": True, "message_ts": ts}
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._post(args, ephemeral=False)

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user"):
            return {"ok": False, "error": "user_not_found"}
        return self._post(args, ephemeral=True)

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        refused = self._message_refused(args)
        if refused:
            return refused
        self._emit(Output("message", args, channel=str(args["channel"]), ts=str(args["ts"]), replaces=True))
        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": args.get("text")}

    def _api_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel") or not args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        self._emit(Output("message", {}, channel=str(args["channel"]), ts=str(args["ts"]), deleted=True))
        return {"ok": True, "channel": args["channel"], "ts": args["ts"]}

    def _api_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = args.get("channel"), args.get("message_ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://{HOST}/archives/{channel}/p{str(ts).replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        channel = self._channel_for(users[0]) if len(users) == 1 else "G" + secrets.token_hex(4).upper()
        return {"ok": True, "channel": {"id": channel}, "no_op": False, "already_open": False}

    def _api_conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel, "name": str(channel).lower(), "is_channel": True}}

    def _api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        name = CHANNEL_NAME if channel == CHANNEL_ID else channel.lower()
        return {
            "ok": True,
            "channel": {"id": channel, "name": name, "is_channel": True, "is_member": True, "is_im": False},
        }

    # files_upload_v2 in three steps: an upload URL, the bytes posted to it, then completion.

    def _api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not args.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next("F")
        with self._lock:
            self.files[file_id] = {"id": file_id, "name": args["filename"], "size": None}
        return {"ok": True, "upload_url": f"{BASE_URL}/upload/{file_id}", "file_id": file_id}

    def _api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        listed = args.get("files")
        if not isinstance(listed, list) or not listed:
            return {"ok": False, "error": "invalid_arguments"}
        done = []
        for item in listed:
            with self._lock:
                entry = self.files.get(str(item.get("id")))
            if entry is None or entry.get("size") is None:
                return {"ok": False, "error": "file_not_found"}
            entry["title"] = item.get("title") or entry["name"]
            done.append(entry)
        where = args.get("channel_id") or args.get("channels")
        for entry in done:
            self._emit(
                Output(
                    "file",
                    dict(args),
                    channel=str(where) if where else None,
                    thread_ts=args.get("thread_ts"),
                    text=f"file “{entry['title']!s}”: {entry['name']}, {entry['size']} bytes",
                )
            )
        if args.get("initial_comment"):
            self._emit(Output("message", {"text": args["initial_comment"]}, channel=str(where or "")))
        return {"ok": True, "files": [{"id": e["id"], "name": e["name"], "title": e["title"]} for e in done]}
