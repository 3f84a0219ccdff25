"""What Slack keeps for one workspace between calls: users, channels, views, files, trigger IDs and
response_urls, and the Block Kit check every payload passes before Slack takes it."""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
import time
from typing import Any, Protocol
from urllib.parse import quote

from bot.standin.installs import Installs
from bot.standin.records import RESPONSE_URL_USES, Call, Channel, FunctionExecution, UploadedFile, User


class Validator(Protocol):
    """Slack's Block Kit rules (``bot.standin.blockkit.BlockKit``): each check raises AssertionError."""

    def view(self, view: Any) -> None: ...

    def message(self, payload: Any) -> None: ...


class SocketModeServer(Protocol):
    """The Socket Mode side (``bot.standin.socket_mode.SocketModeStandIn``) apps.connections.open uses."""

    def accepts(self, token: str) -> bool: ...

    def issue_url(self) -> str: ...


class Workspace:
    """Slack's side of one workspace; every method is safe to call from any thread."""

    def __init__(
        self,
        *,
        team_id: str,
        bot_user_id: str,
        bot_id: str,
        app_id: str,
        trigger_ttl: float,
        validator: Validator | None,
        user_defaults: dict[str, Any] | None,
        web_url: str,
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.trigger_ttl = trigger_ttl
        self.validator = validator
        self.base_url = ""  # set by the transport: where response_urls and upload URLs point
        self.web_url = web_url  # the workspace's own address, in permalinks
        self.socket_mode: SocketModeServer | None = None  # set by a running Socket Mode stand-in
        self.user_defaults = dict(user_defaults or {})
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, dict[str, Any]] = {}  # view id → the view as Slack keeps it
        self.files: dict[str, UploadedFile] = {}  # file id → the upload
        self.installs = Installs()  # installing in many workspaces: codes, tokens, revocations
        self._home_views: dict[str, str] = {}  # user id → their Home tab's view id
        self._triggers: dict[str, float] = {}  # trigger id → monotonic time issued
        self._used_triggers: set[str] = set()
        self._response_urls: dict[str, int] = {}  # id → posts so far
        self.executions: dict[str, FunctionExecution] = {}  # function_execution_id → the run
        self._counter = itertools.count(1)
        self.lock = threading.RLock()

    def next_id(self, prefix: str) -> str:
        # Unique across runs, as Slack's are: the app keys idempotency on them (``view:<id>``), and
        # a console's database outlives the console.
        return f"{prefix}{next(self._counter):06d}{secrets.token_hex(3).upper()}"

    @staticmethod
    def new_ts() -> str:
        return f"{time.time():.6f}"

    # --- trigger IDs and response_urls ----------------------------------------------------------

    def new_trigger_id(self, *, issued_ago: float = 0.0) -> str:
        """A trigger ID as Slack puts in a command or interaction; ``issued_ago`` backdates it."""
        trigger = f"{next(self._counter)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        with self.lock:
            self._triggers[trigger] = time.monotonic() - issued_ago
        return trigger

    def use_trigger(self, trigger: str | None) -> str | None:
        """The Slack error for this trigger_id, or None when it may open a view (and now has)."""
        with self.lock:
            issued = self._triggers.get(trigger or "")
            if issued is None or time.monotonic() - issued > self.trigger_ttl:
                return "expired_trigger_id"
            if trigger in self._used_triggers:
                return "exchanged_trigger_id"
            self._used_triggers.add(trigger)  # type: ignore[arg-type]
        return None

    def new_response_url(self) -> str:
        """A response_url as Slack puts in a command or interaction: it takes five posts."""
        rid = self.next_id("R")
        with self.lock:
            self._response_urls[rid] = 0
        return f"{self.base_url}/response/{rid}"

    def use_response_url(self, rid: str) -> str | None:
        """The Slack error for a post to this response_url, or None when it may take one more."""
        with self.lock:
            uses = self._response_urls.get(rid)
            if uses is None:
                return "expired_url"
            if uses >= RESPONSE_URL_USES:
                return "used_url"
            self._response_urls[rid] = uses + 1
        return None

    # --- users and channels -----------------------------------------------------------------------

    def set_user(self, user_id: str, **fields: Any) -> User:
        """Describe a user for users.info (tz, is_admin, is_owner, name, deleted; others go in extra)."""
        known = {f for f in User.__dataclass_fields__ if f not in ("id", "extra")}
        user = User(user_id, **{k: v for k, v in fields.items() if k in known})
        user.extra = {k: v for k, v in fields.items() if k not in known}
        with self.lock:
            self.users[user_id] = user
        return user

    def user(self, user_id: str) -> User:
        """A described user, or one with this workspace's defaults."""
        with self.lock:
            return self.users.get(user_id) or User(user_id, **self.user_defaults)

    def set_channel(self, channel_id: str, **fields: Any) -> Channel:
        """Describe a channel: ``member``, ``private``, ``archived``, ``exists``, ``name``, and Slack
        Connect's ``ext_shared``, ``pending_ext_shared``, ``org_shared`` (see
        :class:`~bot.standin.records.Channel`)."""
        channel = Channel(channel_id, **fields)
        with self.lock:
            self.channels[channel_id] = channel
        return channel

    def channel(self, channel_id: str) -> Channel | None:
        with self.lock:
            found = self.channels.get(channel_id)
            return copy.copy(found) if found is not None else None

    def refusal(self, channel_id: str) -> dict[str, Any] | None:
        """Slack's error for posting to a described channel, or None when the bot may post there."""
        channel = self.channel(channel_id)
        if channel is None:
            return None
        if not channel.exists:
            return {"ok": False, "error": "channel_not_found"}
        if channel.archived:
            return {"ok": False, "error": "is_archived"}
        if not channel.member:
            return {"ok": False, "error": "not_in_channel"}
        return None

    def join(self, channel_id: str) -> dict[str, Any]:
        """conversations.join: the bot becomes a member of a public channel."""
        answer: dict[str, Any] = {
            "ok": True,
            "channel": {"id": channel_id, "name": channel_id.lower(), "is_channel": True},
        }
        with self.lock:
            known = self.channels.get(channel_id)
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

    @staticmethod
    def conversation_with(user_or_channel: str) -> str:
        # Posting to a user ID posts in the app's direct-message conversation with them.
        return "D" + user_or_channel[1:] if user_or_channel[:1] in ("U", "W") else user_or_channel

    # --- views ------------------------------------------------------------------------------------

    def store_view(self, view: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
        """The view as Slack keeps it: an id, a hash, empty state, and a block_id on every block
        (Slack makes one up where the app gave none)."""
        view_id = view_id or self.next_id("V")
        with self.lock:
            previous = self.views.get(view_id, {})
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "root_view_id": previous.get("root_view_id", view_id),
            "previous_view_id": None,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            **copy.deepcopy(view),
        }
        if isinstance(stored.get("blocks"), list):
            for i, block in enumerate(stored["blocks"]):
                if isinstance(block, dict):
                    block.setdefault("block_id", f"{view_id}-b{i}")
        with self.lock:
            self.views[view_id] = stored
        return copy.deepcopy(stored)

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self.lock:
            found = self.views.get(view_id)
            return copy.deepcopy(found) if found is not None else None

    def view_id_for(self, *, view_id: str | None, external_id: str | None) -> str | None:
        """The stored view a views.update names, by view_id or else by external_id."""
        with self.lock:
            if not view_id and external_id:
                view_id = next(
                    (v["id"] for v in self.views.values() if v.get("external_id") == external_id), None
                )
            return view_id if view_id in self.views else None

    def home_view_id(self, user_id: str) -> str:
        """One Home tab per user: each views.publish replaces it."""
        with self.lock:
            return self._home_views.setdefault(user_id, self.next_id("V"))

    # --- files_upload_v2 --------------------------------------------------------------------------

    def announce_upload(self, filename: str, length: int) -> UploadedFile:
        upload = UploadedFile(self.next_id("F"), filename, length)
        with self.lock:
            self.files[upload.id] = upload
        return upload

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        with self.lock:
            upload = self.files.get(file_id)
            if upload is None:
                return False
            upload.data = data
        return True

    def share_uploads(
        self, listed: list[dict[str, Any]], *, channel: str | None, thread_ts: str | None
    ) -> list[UploadedFile] | None:
        """Share the uploads ``listed`` names; None when one of them was never (wholly) uploaded."""
        with self.lock:
            uploads = [self.files.get(str(item.get("id"))) for item in listed]
            if any(u is None or u.data is None or len(u.data) != u.length for u in uploads):
                return None
            for item, upload in zip(listed, uploads, strict=True):
                assert upload is not None
                upload.title = item.get("title") or upload.filename
                upload.channel = channel
                upload.thread_ts = thread_ts
                upload.completed = True
            return [copy.copy(u) for u in uploads if u is not None]

    def add_file(
        self,
        name: str,
        data: bytes,
        *,
        user: str,
        channel: str,
        filetype: str = "csv",
        mimetype: str = "text/csv",
        size: int | None = None,
    ) -> dict[str, Any]:
        """A file a person uploads to ``channel``: kept for files.info and its download URL; returns
        the file object Slack puts in the ``file_share`` message event. ``size`` makes Slack state a
        size other than the real one (a file growing as it is read)."""
        upload = UploadedFile(
            self.next_id("F"),
            name,
            len(data),
            data=data,
            title=name,
            channel=channel,
            completed=True,
            filetype=filetype,
            mimetype=mimetype,
            user=user,
            size=size,
        )
        with self.lock:
            self.files[upload.id] = upload
        return self.file_object(upload)

    def file_object(self, upload: UploadedFile) -> dict[str, Any]:
        """A file as files.info and message events describe it."""
        download = f"{self.base_url}/download/{upload.id}/{quote(upload.filename)}"
        return {
            "id": upload.id,
            "name": upload.filename,
            "title": upload.title or upload.filename,
            "filetype": upload.filetype,
            "mimetype": upload.mimetype,
            "size": upload.length if upload.size is None else upload.size,
            "user": upload.user,
            "url_private": download.replace("/download/", "/private/", 1),
            "url_private_download": download,
            "channels": [upload.channel] if upload.channel else [],
        }

    def file(self, file_id: str) -> UploadedFile | None:
        with self.lock:
            found = self.files.get(file_id)
            return copy.copy(found) if found is not None else None

    def shared_files(self, channel: str | None = None) -> list[UploadedFile]:
        """Files completed (shared) by files.completeUploadExternal, optionally in one channel."""
        with self.lock:
            return [
                copy.copy(f)
                for f in self.files.values()
                if f.completed and (channel is None or f.channel == channel)
            ]

    # --- Workflow Builder steps (custom functions) ---------------------------------------------

    def start_function(self, callback_id: str, inputs: dict[str, Any]) -> FunctionExecution:
        """A new run of the step ``callback_id``, with its own token, as Slack starts one before
        sending ``function_executed`` (``bot.standin.signed.function_executed``)."""
        execution = FunctionExecution(
            id=self.next_id("Fx"),
            callback_id=callback_id,
            inputs=copy.deepcopy(inputs),
            token=f"xwfp-{secrets.token_hex(8)}-{secrets.token_hex(12)}",
        )
        with self.lock:
            self.executions[execution.id] = execution
        return execution

    def execution(self, execution_id: str) -> FunctionExecution | None:
        with self.lock:
            return self.executions.get(execution_id)

    def running_function_token(self, token: str) -> bool:
        """Whether ``token`` is the token of a run still going (Slack's run tokens end with the run)."""
        with self.lock:
            return any(e.token == token and e.running for e in self.executions.values())

    def finish_function(
        self, execution_id: str, *, outputs: dict[str, Any] | None = None, error: str | None = None
    ) -> str | None:
        """End a run with its outputs or its error; the Slack error when it cannot be ended."""
        with self.lock:
            execution = self.executions.get(execution_id)
            if execution is None:
                return "function_execution_not_found"
            if not execution.running:
                return "execution_not_in_running_state"
            if error is not None:
                execution.error = error
            else:
                execution.outputs = copy.deepcopy(outputs or {})
        return None

    # --- Slack's rules ----------------------------------------------------------------------------

    def refuses(self, call: Call, kind: str, payload: Any) -> bool:
        """Whether Block Kit validation (when on) refuses ``payload`` (``kind``: view or message);
        the reason is kept on the call."""
        if self.validator is None:
            return False
        check = self.validator.view if kind == "view" else self.validator.message
        try:
            check(payload)
        except AssertionError as exc:
            call.invalid = str(exc)
            return True
        return False
