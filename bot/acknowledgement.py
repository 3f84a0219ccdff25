"""Keeping an acknowledgement once it is given, whatever the listener does afterwards.

slack_bolt 1.30's thread runner (``slack_bolt/listener/thread_runner.py``, the ``except`` branch of
``run_ack_function_asynchronously``) handles a listener that raises *after* calling ``ack()`` by
setting ``ack.response = None``. The HTTP thread, polling ``ack.response`` for up to three seconds,
then never sees the acknowledgement: the request hangs for 3 s and Slack gets 404 "unhandled
request", while the log claims the listener never called ``ack()``.

Rather than fork Bolt, each request gets a :class:`StickyAck` (a middleware puts it in the
context before any listener runs; Bolt hands listeners and the runner ``context.ack``). Its
response can be set once and is never taken back, so the HTTP answer is the acknowledgement the
listener gave; the failure itself still goes to the app's error handler.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext
from slack_bolt.context.ack import Ack
from slack_bolt.response import BoltResponse


class StickyAck(Ack):
    """An ``Ack`` whose response, once set, cannot be reset to ``None``."""

    def __init__(self) -> None:
        self._response: BoltResponse | None = None

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and self._response is not None:
            return  # Bolt's runner erasing a given acknowledgement: keep it (see the module docstring)
        self._response = value


def keep_acknowledgements(context: BoltContext, next: Callable[[], None]) -> None:
    """Global middleware: every request's ``ack`` is a StickyAck.

    Replaced even when present: Bolt builds every middleware's keyword arguments up front, which
    creates a plain ``Ack`` in the context before this runs (nothing has acknowledged yet)."""
    current = context.get("ack")
    if not isinstance(current, StickyAck):
        sticky = StickyAck()
        sticky.response = getattr(current, "response", None)
        context["ack"] = sticky
    next()
