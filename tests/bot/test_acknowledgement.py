"""An acknowledgement, once given, is what Slack gets, whatever the listener does after it."""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_bolt.context.ack import Ack

from bot.acknowledgement import StickyAck, keep_acknowledgements


def test_a_given_acknowledgement_cannot_be_erased() -> None:
    ack = StickyAck()
    assert ack.response is None
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
