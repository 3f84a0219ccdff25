"""Slack for the console: the stand-in in-process (``bot.standin.inprocess``), with what the app
sent turned into :class:`Output` for the screen, and response_urls that remember which message
they belong to (so a reply can replace it)."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

from bot.console.activity import Activity
from bot.standin.inprocess import InProcessStandIn
from bot.standin.records import RESPONSE_METHOD, Call

HOST = "console.partnerbot.invalid"  # RFC 2606: a host that cannot exist
BASE_URL = f"https://{HOST}"
API_URL = f"{BASE_URL}/api/"
BOT_TOKEN = "xoxb-console"
BOT_USER_ID = "UPARTNERBOT"
BOT_ID = "BPARTNERBOT"
APP_ID = "ACONSOLE"
CHANNEL_ID = "CCONSOLE"
CHANNEL_NAME = "console"
VIEW_KINDS = {
    "views.open": "open",
    "views.push": "push",
    "views.update": "update",
    "views.publish": "publish",
}


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


class ConsoleSlack(InProcessStandIn):
    """The stand-in as the console's Slack: everyone is a workspace admin in your own time zone,
    triggers never expire (you type a form at your own pace), nothing is validated, and what the
    app sent is kept for the screen (:meth:`drain`)."""

    def __init__(self, *, team_id: str, time_zone: str, activity: Activity | None = None) -> None:
        super().__init__(
            host=HOST,
            team_id=team_id,
            bot_user_id=BOT_USER_ID,
            bot_id=BOT_ID,
            app_id=APP_ID,
            trigger_ttl=math.inf,
            # Your own local database: everyone at the console is a workspace admin.
            user_defaults={"tz": time_zone, "is_admin": True},
            web_url=BASE_URL,
        )
        self.time_zone = time_zone
        self.activity = activity or Activity()
        self.set_channel(CHANNEL_ID, name=CHANNEL_NAME)
        self._outputs: list[Output] = []
        self._messages: dict[str, MessageRef] = {}  # response_url path → the message it answers
        self._outputs_lock = threading.Lock()
        self.observe(self._seen)

    def response_url_for(self, where: MessageRef) -> str:
        """A response_url whose posts show (and replace) the message ``where``."""
        url = self.new_response_url()
        with self._outputs_lock:
            self._messages[url[len(self.base_url) :]] = where
        return url

    def drain(self) -> list[Output]:
        """What the app sent since the last drain, in order."""
        with self._outputs_lock:
            outputs, self._outputs = self._outputs, []
        return outputs

    def _emit(self, *outputs: Output) -> None:
        with self._outputs_lock:
            self._outputs.extend(outputs)

    def _seen(self, call: Call) -> None:
        self.activity.touch()
        if call.response is None:
            return
        if call.response.get("error") == "unknown_method":
            self._emit(
                Output("note", text=f"(the app called {call.method}, which the console does not know)")
            )
        elif call.ok and call.method == RESPONSE_METHOD:
            self._emit(*self._replied(call))
        elif call.ok:
            self._emit(*self._sent(call))

    def _replied(self, call: Call) -> list[Output]:
        with self._outputs_lock:
            where = self._messages.get(call.path)
        if where is None:
            return []
        args = call.args
        output = Output(
            "message",
            args,
            channel=where.channel,
            ts=where.ts,
            ephemeral=args.get("response_type") != "in_channel",
            replaces=bool(args.get("replace_original")),
            deleted=bool(args.get("delete_original")),
            thread_ts=args.get("thread_ts"),
        )
        return [output]

    def _sent(self, call: Call) -> list[Output]:
        """What an answered Web API call shows, if anything."""
        args, answer = call.args, call.response or {}
        if call.method in VIEW_KINDS:
            user = str(args["user_id"]) if call.method == "views.publish" else None
            return [Output(VIEW_KINDS[call.method], view=answer["view"], user_id=user)]
        if call.method in ("chat.postMessage", "chat.postEphemeral"):
            return [self._posted(args, answer, ephemeral=call.method == "chat.postEphemeral")]
        if call.method == "chat.update":
            return [Output("message", args, channel=str(args["channel"]), ts=str(args["ts"]), replaces=True)]
        if call.method == "chat.delete":
            return [Output("message", {}, channel=str(args["channel"]), ts=str(args["ts"]), deleted=True)]
        if call.method == "files.completeUploadExternal":
            return self._shared(args, answer)
        return []

    def _posted(self, args: dict[str, Any], answer: dict[str, Any], *, ephemeral: bool) -> Output:
        channel = self.conversation_with(str(args["channel"]))
        direct = channel.startswith("D")
        # Who sees it: an ephemeral message's user, or the person a direct message goes to.
        recipient = args.get("user") if ephemeral else ("U" + channel[1:] if direct else None)
        return Output(
            "message",
            args,
            channel=channel,
            ts=answer.get("message_ts") if ephemeral else answer.get("ts"),
            ephemeral=ephemeral,
            direct=direct,
            thread_ts=args.get("thread_ts"),
            user_id=recipient,
        )

    def _shared(self, args: dict[str, Any], answer: dict[str, Any]) -> list[Output]:
        where = args.get("channel_id") or args.get("channels")
        outputs = []
        for shared in answer.get("files") or []:
            upload = self.files[shared["id"]]
            size = len(upload.data or b"")
            outputs.append(
                Output(
                    "file",
                    dict(args),
                    channel=str(where) if where else None,
                    thread_ts=args.get("thread_ts"),
                    text=f"file “{upload.title!s}”: {upload.filename}, {size} bytes",
                )
            )
        if args.get("initial_comment"):
            outputs.append(Output("message", {"text": args["initial_comment"]}, channel=str(where or "")))
        return outputs
