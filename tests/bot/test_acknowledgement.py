"""An acknowledgement, once given, is what Slack gets, whatever the listener does after it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_bolt import BoltContext
from slack_bolt.context.ack import Ack

import bot.acknowledgement as acknowledgement
from bot.acknowledgement import StickyAck, keep_acknowledgements


def read_elsewhere(ack: StickyAck) -> object:
    """``ack.response`` as a listener's thread sees it: never waited for."""
    with ThreadPoolExecutor(1) as other:
        return other.submit(lambda: ack.response).result(timeout=1)


def test_a_given_acknowledgement_cannot_be_erased() -> None:
    ack = StickyAck()
    assert read_elsewhere(ack) is None
    given = ack(text="Saved")
    ack.response = None  # what slack_bolt 1.30's thread runner does when the listener then raises
    assert ack.response is given and ack.response.status == 200


def test_the_middleware_replaces_the_plain_ack_bolt_made_before_it_ran() -> None:
    context = BoltContext()
    plain = context.ack  # Bolt builds middleware keyword arguments up front, creating this
    assert isinstance(plain, Ack) and not isinstance(plain, StickyAck)
    called = []
    keep_acknowledgements(context, lambda: called.append(True))
    assert called == [True]
    assert isinstance(context.ack, StickyAck)
    keep_acknowledgements(context, lambda: None)  # idempotent
    assert isinstance(context.ack, StickyAck)


def test_the_request_thread_gets_the_acknowledgement_the_moment_a_listener_gives_it() -> None:
    """Bolt's runner polls ``ack.response`` every 10 ms from the request's thread; reading a
    StickyAck there waits for the listener's ``ack()`` instead of returning None before it."""
    ack = StickyAck()  # made in the request's thread, as the middleware does
    reading = threading.Event()

    def listener() -> None:
        reading.wait(timeout=5)
        ack(text="Logged")

    with ThreadPoolExecutor(1) as listeners:
        listeners.submit(listener)
        reading.set()
        # A plain Ack would answer None here (the listener may not have acknowledged yet).
        assert ack.response is not None and ack.response.body == "Logged"


def test_nothing_acknowledged_is_none_once_slacks_three_seconds_are_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(acknowledgement, "ACK_SECONDS", 0.0)
    assert StickyAck().response is None  # the runner then logs that the listener never acknowledged
