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

The same runner waits for the acknowledgement by polling ``ack.response`` every 10 ms
(``time.sleep(0.01)``): every acknowledgement waited for the next tick, 5 ms on average and 10 ms at
worst, on top of the work. A StickyAck read by the thread that is waiting for it (the one that
made it, in the middleware) blocks until the acknowledgement is given or Slack's 3 seconds are
up, so the answer leaves the moment ``ack()`` is called.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from slack_bolt import BoltContext
from slack_bolt.context.ack import Ack
from slack_bolt.response import BoltResponse

# Slack's deadline for an acknowledgement; Bolt's runner stops waiting then too.
ACK_SECONDS = 3.0


class StickyAck(Ack):
    """An ``Ack`` whose response, once set, cannot be reset to ``None``, and which the request's
    own thread can wait on without polling."""

    def __init__(self) -> None:
        self._response: BoltResponse | None = None
        self._given = threading.Event()
        self._waiter = threading.get_ident()  # the request's thread: the middleware makes it there
        self._deadline = time.monotonic() + ACK_SECONDS

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        if self._response is None and threading.get_ident() == self._waiter:
            # Bolt's runner asking whether the listener (in another thread) has acknowledged yet.
            self._given.wait(max(0.0, self._deadline - time.monotonic()))
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and self._response is not None:
            return  # Bolt's runner erasing a given acknowledgement: keep it (see the module docstring)
        self._response = value
        if value is not None:
            self._given.set()


def keep_acknowledgements(context: BoltContext, next: Callable[[], None]) -> None:
    """Global middleware: every request's ``ack`` is a StickyAck.

    Replaced even when present: Bolt builds every middleware's keyword arguments up front, which
    creates a plain ``Ack`` in the context before this runs (nothing has acknowledged yet)."""
    current = context.get("ack")
    if not isinstance(current, StickyAck):
        sticky = StickyAck()
        given = getattr(current, "response", None)
        if given is not None:
            sticky.response = given
        context["ack"] = sticky
    next()
