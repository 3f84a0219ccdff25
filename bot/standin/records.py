"""What the stand-in records and keeps: calls, scripted failures, users, channels and files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TZ = "America/New_York"
TRIGGER_TTL = 3.0  # seconds Slack lets a trigger_id open a modal
RESPONSE_URL_USES = 5  # Slack accepts at most five posts to one response_url
RESPONSE_METHOD = "response_url"  # the method name calls to a response_url are recorded under
UPLOAD_METHOD = "file_upload"  # the method name POSTs to a files_upload_v2 upload URL are recorded under
DOWNLOAD_METHOD = "file_download"  # the method name GETs of a file's url_private_download are recorded under


@dataclass
class Call:
    """One request the app made: to a Web API method, or to a response_url (method ``response_url``)."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    time: float  # time.monotonic() when it arrived, its whole body read
    path: str
    response: dict[str, Any] | None = None  # what the stand-in answered (JSON), once answered
    status: int = 200
    invalid: str | None = None  # the Block Kit validator's message when the payload was refused
    abandoned: bool = False  # the client hung up while the answer was delayed: it took no effect
    # Set by a transport that can tell: True once the client has hung up.
    hung_up: Callable[[], bool] | None = field(default=None, repr=False, compare=False)

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
    name: str | None = None  # None: the ID in lower case
    # Slack Connect: shared with another organisation, or invited to be (conversations.info's
    # is_ext_shared / is_pending_ext_shared); org_shared: shared within our own Enterprise Grid only.
    ext_shared: bool = False
    pending_ext_shared: bool = False
    org_shared: bool = False


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
    # Files a person shared (``Workspace.add_file``): what files.info says of them.
    filetype: str = ""
    mimetype: str = ""
    user: str | None = None
    size: int | None = None  # what files.info and the event say; None: the real length


@dataclass
class User:
    id: str
    tz: str | None = DEFAULT_TZ
    is_admin: bool = False
    is_owner: bool = False
    name: str = ""
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FunctionExecution:
    """One run of a Workflow Builder step (a custom function), started by the driver
    (:meth:`~bot.standin.workspace.Workspace.start_function`) and ended by the app with
    ``functions.completeSuccess`` or ``functions.completeError``."""

    id: str  # function_execution_id, "Fx…"
    callback_id: str
    inputs: dict[str, Any]
    token: str  # the run's bot_access_token, "xwfp-…": good until the run ends
    outputs: dict[str, Any] | None = None  # set by functions.completeSuccess
    error: str | None = None  # set by functions.completeError

    @property
    def running(self) -> bool:
        return self.outputs is None and self.error is None
