"""The stand-in's core: Slack's Web API, response_urls and upload URLs answered from a
:class:`~bot.standin.workspace.Workspace`, with every call recorded for whoever drives it.

Transports (``bot.standin.http``, ``bot.standin.inprocess``) hand it requests through
:meth:`SlackStandIn.serve`. Realism the tests rely on:

- trigger IDs are issued by the stand-in (:meth:`new_trigger_id`); ``views.open`` and
  ``views.push`` refuse an unknown trigger or one older than ``trigger_ttl`` seconds (Slack: 3) with
  ``expired_trigger_id``, and a trigger used once already with ``exchanged_trigger_id``;
- with a validator (``bot.standin.blockkit.BlockKit``), every view, every ``blocks`` sent to
  ``chat.*`` and every ``response_url`` post is checked; a failure answers ``invalid_blocks`` and
  the reason is kept on the call (:attr:`Call.invalid`) and in :attr:`SlackStandIn.invalid`;
- response_urls take at most five posts; failures can be scripted per method (:meth:`fail_next`: a
  Slack error, HTTP 429 with ``Retry-After``, HTTP 500) and answers slowed down (:meth:`delay`); a
  delayed call whose client hangs up before the answer is marked :attr:`Call.abandoned` and takes no
  effect, as if Slack never got it;
- channels can be described (:meth:`set_channel`): one the bot is not a member of refuses
  ``chat.postMessage`` with ``not_in_channel`` until ``conversations.join`` (refused for private
  channels), an archived one answers ``is_archived``, a deleted one ``channel_not_found``. Channels
  never described behave as public channels the bot is in;
- ``apps.connections.open`` takes only an app-level token (``xapp-``, in the Authorization header)
  and answers a URL of the Socket Mode stand-in (:mod:`bot.standin.socket_mode`) when one runs;
- ``files_upload_v2`` works: the upload URL takes the bytes, ``files.completeUploadExternal`` shares
  them (:meth:`shared_files`); uploads are recorded as calls of the method ``"file_upload"``;
- files people share (:meth:`add_file`) are described by ``files.info`` and served at their
  ``url_private_download`` to a request with a valid token as ``Authorization: Bearer``; without
  one Slack answers its sign-in page (HTML, status 200), as Slack does. Downloads are recorded as
  calls of the method ``"file_download"``.
- Workflow Builder steps: :meth:`start_function` starts a run with its own ``xwfp-`` token, accepted
  until ``functions.completeSuccess`` / ``functions.completeError`` ends the run (recorded on it,
  :attr:`executions`); ending it twice answers ``execution_not_in_running_state``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bot.standin.methods import METHODS
from bot.standin.records import (
    DOWNLOAD_METHOD,
    RESPONSE_METHOD,
    TRIGGER_TTL,
    UPLOAD_METHOD,
    Call,
    Failure,
    FunctionExecution,
)
from bot.standin.wire import Reply, parse_args
from bot.standin.workspace import Validator, Workspace

Where = Callable[[Call], bool]
# What Slack serves a file URL asked for without a valid token: its sign-in page, not an error.
SIGN_IN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>"
APP_LEVEL_METHOD = "apps.connections.open"  # the one method called with the app-level token (xapp-)
ABANDON_POLL = 0.05  # seconds between checks that a delayed call's client is still there
# Methods not called with a bot token: oauth.v2.access authenticates with the app's credentials,
# apps.connections.open checks its app-level token itself.
TOKENLESS = ("api.test", "oauth.v2.access", APP_LEVEL_METHOD)


class SlackStandIn(Workspace):
    """Slack for one workspace and one app; a transport gives it a ``base_url`` and its requests."""

    def __init__(
        self,
        *,
        team_id: str = "T1",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        app_id: str = "AAPP",
        trigger_ttl: float = TRIGGER_TTL,
        validator: Validator | None = None,
        accepted_tokens: set[str] | None = None,
        user_defaults: dict[str, Any] | None = None,
        web_url: str = "https://standin.slack.com",
        keep: int | None = None,
    ) -> None:
        """``user_defaults``: what users.info says of users never described (``tz``, ``is_admin``, …);
        ``keep``: how many recorded calls to keep (None: all), for long benchmark runs."""
        super().__init__(
            team_id=team_id,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            trigger_ttl=trigger_ttl,
            validator=validator,
            user_defaults=user_defaults,
            web_url=web_url,
        )
        # None: any xoxb-/xoxp- token is fine; otherwise only these.
        self.accepted_tokens = accepted_tokens
        self.keep = keep
        self.calls: list[Call] = []
        self.invalid: list[tuple[str, str]] = []  # (method, validator message)
        self._failures: dict[str, list[Failure]] = {}
        self._delays: dict[str, tuple[float, Where | None]] = {}
        self._observers: list[Callable[[Call], None]] = []
        self._changed = threading.Condition()

    @property
    def url(self) -> str:
        if not self.base_url:
            raise RuntimeError("the stand-in is not served by any transport")
        return self.base_url

    @property
    def api_url(self) -> str:
        """What to put in SLACK_API_URL."""
        return f"{self.url}/api/"

    # --- what drivers script --------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int | None = 1,
        body: dict[str, Any] | None = None,
        where: Where | None = None,
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
        with self._changed:
            self._failures.setdefault(method, []).append(
                Failure(error, status, retry_after, times, body, where)
            )

    def clear_failures(self, method: str | None = None) -> None:
        with self._changed:
            if method is None:
                self._failures.clear()
            else:
                self._failures.pop(method, None)

    def delay(self, method: str, seconds: float, *, where: Where | None = None) -> None:
        """Answer ``method`` (the calls ``where`` accepts) only after ``seconds``; 0 removes the delay.
        ``method="*"`` delays every Web API method."""
        with self._changed:
            if seconds:
                self._delays[method] = (seconds, where)
            else:
                self._delays.pop(method, None)

    def observe(self, observer: Callable[[Call], None]) -> None:
        """Call ``observer`` with every call once it is answered (from the thread that answered it)."""
        self._observers.append(observer)

    def forget(self) -> None:
        """Forget every recorded call, refused payload and uploaded file (for a benchmark's next
        round); users, channels and scripted failures stay."""
        with self._changed:
            self.calls.clear()
            self.invalid.clear()
        with self.lock:
            self.files.clear()

    # --- what drivers read ----------------------------------------------------------------------

    def calls_to(self, method: str, where: Where | None = None) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method and (where is None or where(c))]

    def responses_to(self, response_url: str) -> list[Call]:
        """What the app posted to one response_url, in order."""
        path = urlsplit(response_url).path
        return self.calls_to(RESPONSE_METHOD, lambda c: c.path == path)

    def first_call(
        self,
        method: str,
        *,
        timeout: float,
        where: Where | None = None,
        count: int = 1,
        answered: bool = True,
    ) -> Call | None:
        """The ``count``-th call of ``method`` matching ``where``, waiting up to ``timeout`` seconds;
        None when there is none by then. With ``answered`` it also waits for the stand-in's answer."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) >= count and (not answered or found[count - 1].response is not None):
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)

    def wait_for(
        self,
        method: str,
        *,
        timeout: float = 5.0,
        where: Where | None = None,
        count: int = 1,
        answered: bool = True,
    ) -> Call:
        """Like :meth:`first_call`, but failing (AssertionError) when the call does not come."""
        call = self.first_call(method, timeout=timeout, where=where, count=count, answered=answered)
        if call is None:
            with self._changed:
                seen = sorted({c.method for c in self.calls})
            raise AssertionError(
                f"no {method} call (#{count}) within {timeout}s; methods called so far: {seen}"
            )
        return call

    def wait_for_function(self, execution_id: str, *, timeout: float = 5.0) -> FunctionExecution:
        """A Workflow Builder step's run once the app has ended it (``functions.completeSuccess`` or
        ``functions.completeError`` answered); AssertionError when it has not within ``timeout``."""
        ends = ("functions.completeSuccess", "functions.completeError")
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                execution = self.execution(execution_id)
                if execution is not None and not execution.running:
                    return execution
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.args for c in self.calls if c.method in ends]
                    raise AssertionError(f"run {execution_id} not ended within {timeout}s; ends seen: {seen}")
                self._changed.wait(remaining)

    def wait_for_response(self, response_url: str, *, timeout: float = 5.0, count: int = 1) -> Call:
        path = urlsplit(response_url).path
        return self.wait_for(RESPONSE_METHOD, timeout=timeout, where=lambda c: c.path == path, count=count)

    def assert_no_call(
        self, method: str, *, within: float, where: Where | None = None, beyond: int = 0
    ) -> None:
        """For tests whose point is that nothing (more) happens: fails as soon as call number
        ``beyond + 1`` of ``method`` matching ``where`` arrives, or passes after ``within`` seconds."""
        deadline = time.monotonic() + within
        with self._changed:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) > beyond:
                    raise AssertionError(
                        f"{len(found)} {method} call(s), expected {beyond}; the last: {found[-1].args}"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._changed.wait(remaining)

    # --- serving --------------------------------------------------------------------------------

    def serve(
        self,
        path: str,
        query: str,
        headers: dict[str, str],
        raw: bytes,
        *,
        hung_up: Callable[[], bool] | None = None,
    ) -> Reply:
        """Answer one request a transport received (``headers`` with lower-case names); ``hung_up``
        tells whether its client has gone away, for delayed answers."""
        if path.startswith("/upload/"):  # a file's bytes, whatever the content type says
            return self._upload(path, headers, raw)
        if path.startswith(("/download/", "/private/")):
            return self._download(path, headers)
        args = parse_args(query, raw, headers.get("content-type", ""))
        if path.startswith("/api/") and len(path) > len("/api/"):
            call = Call(path[len("/api/") :], args, headers, time.monotonic(), path, hung_up=hung_up)
            self._record(call)
            status, body, extra = self.handle_api(call)
        elif path.startswith("/response/"):
            call = Call(RESPONSE_METHOD, args, headers, time.monotonic(), path)
            self._record(call)
            status, body = self.handle_response_url(call, path[len("/response/") :])
            extra = {}
        else:
            return Reply.json(404, {"ok": False, "error": "not_found"})
        self._answered(call, status, body)
        reply = Reply.json(status, body, extra)
        reply.abandoned = call.abandoned  # the client is gone: nobody to answer
        return reply

    def _upload(self, path: str, headers: dict[str, str], data: bytes) -> Reply:
        file_id = path[len("/upload/") :]
        call = Call(UPLOAD_METHOD, {"file_id": file_id, "size": len(data)}, headers, time.monotonic(), path)
        self._record(call)
        received = self.receive_upload(file_id, data)
        self._answered(call, 200 if received else 404, {"ok": received})
        return Reply.text(200, f"OK - {len(data)}") if received else Reply.text(404, "not found")

    def _download(self, path: str, headers: dict[str, str]) -> Reply:
        """A shared file's bytes (``/download/<file id>/<name>``) for a request with a valid token."""
        file_id = path.split("/")[2] if path.count("/") >= 2 else ""
        call = Call(DOWNLOAD_METHOD, {"file_id": file_id}, headers, time.monotonic(), path)
        self._record(call)
        upload = self.file(file_id)
        if self._token_refusal(call.token) is not None:
            self._answered(call, 200, {"ok": False, "error": "sign_in_page"})
            return Reply(200, SIGN_IN_PAGE, "text/html; charset=utf-8")
        if upload is None or upload.data is None:
            self._answered(call, 404, {"ok": False, "error": "file_not_found"})
            return Reply.text(404, "not found")
        self._answered(call, 200, {"ok": True, "size": len(upload.data)})
        return Reply(200, upload.data, upload.mimetype or "application/octet-stream")

    def _token_refusal(self, token: str | None) -> str | None:
        """Slack's error for a call with this token, or None when the token is accepted."""
        if self.installs.revoked(token):
            return "token_revoked"
        if not token:
            return "not_authed"
        allowed = (
            token in self.accepted_tokens
            if self.accepted_tokens is not None
            else token.startswith(("xoxb-", "xoxp-"))
        ) or self.running_function_token(token)  # a workflow step's run token, while the run lasts
        return None if allowed else "invalid_auth"

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            if self.keep is not None and len(self.calls) > self.keep:
                del self.calls[: len(self.calls) - self.keep]
            self._changed.notify_all()

    def _answered(self, call: Call, status: int, response: dict[str, Any]) -> None:
        with self._changed:
            call.status = status
            call.response = response
            if call.invalid:
                self.invalid.append((call.method, call.invalid))
            self._changed.notify_all()
        for observer in self._observers:
            observer(call)

    def _scripted(self, call: Call) -> Failure | None:
        with self._changed:
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
        with self._changed:
            everything = self._delays.get("*") if call.method != RESPONSE_METHOD else None
            seconds, where = self._delays.get(call.method) or everything or (0.0, None)
        return seconds if where is None or where(call) else 0.0

    @staticmethod
    def _wait(call: Call, seconds: float) -> None:
        """Sleep ``seconds`` before answering; mark the call abandoned if its client hangs up."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if call.hung_up is None:
                time.sleep(left)
                return
            if call.hung_up():
                call.abandoned = True
                return
            time.sleep(min(left, ABANDON_POLL))

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
        if call.method not in TOKENLESS and (refused := self._token_refusal(call.token)):
            return 200, {"ok": False, "error": refused}, {}
        method = METHODS.get(call.method)
        if method is None:
            return 404, {"ok": False, "error": "unknown_method", "req_method": call.method}, {}
        body = method(self, call)
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
        error = self.use_response_url(rid)
        if error:
            return 404, {"ok": False, "error": error}
        if self.refuses(call, "message", call.args):
            return 400, {"ok": False, "error": "invalid_blocks"}
        return 200, {"ok": True}
