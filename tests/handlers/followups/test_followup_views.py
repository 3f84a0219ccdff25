"""A reminder, the confirmation of a new follow-up and the lists are valid Block Kit within
Slack's limits, and show what people typed literally."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from records import NASTY, partner, sent

from bot.standin.blockkit import validate_message_payload
from handlers.followups.views import created_reply, list_reply, reminder_message, snoozed_reply
from handlers.services.reminders import LastContact, Reminder
from storage.models import FollowUp, FollowUpStatus

TODAY = date(2026, 6, 15)


def follow_up(
    number: int = 7, what: str = "Send the deck", due_on: date = TODAY, name: str = "Acme"
) -> FollowUp:
    found = FollowUp(
        id=number,
        team_id="T1",
        partner_id=7,
        owner="U1",
        what=what,
        due_on=due_on,
        status=FollowUpStatus.OPEN,
        snoozes=0,
    )
    found.partner = partner(name)
    return found


@pytest.mark.parametrize("text", ["Send the deck", NASTY, "line one\nline two " + "x" * 3000])
def test_a_reminder_is_valid_and_shows_what_was_typed_literally(text: str) -> None:
    reminder = Reminder(
        follow_up_id=7,
        team_id="T1",
        owner="U1",
        partner_id=7,
        partner_name=text,
        what=text,
        due_on=TODAY,
        promised_at=datetime(2026, 6, 1, 12, tzinfo=UTC),
        snoozes=2,
        zone=ZoneInfo("Europe/Berlin"),
        last_contact=LastContact("qbr", datetime(2026, 6, 10, 9, tzinfo=UTC), text),
        claimed_at=datetime(2026, 6, 15, 7, tzinfo=UTC),
    )
    reply = reminder_message(reminder, today=TODAY)
    validate_message_payload(reply.as_message())
    assert "<!channel>" not in sent(reply) and "snoozed 2 times" in sent(reply)


def test_confirmations_and_a_long_list_stay_within_a_message() -> None:
    nasty = follow_up(what=NASTY, name=NASTY)
    for reply in (created_reply(nasty, today=TODAY), snoozed_reply(nasty, today=TODAY)):
        validate_message_payload(reply.as_ack())
        assert "<!channel>" not in sent(reply)
    many = [follow_up(i, what=NASTY, due_on=date(2026, 6, 1 + i % 28)) for i in range(1, 120)]
    reply = list_reply("Open follow-ups", many, 500, today=TODAY, with_owner=True, empty="none")
    validate_message_payload(reply.as_ack())
    assert len(reply.blocks) <= 50 and "and 460 more" in sent(reply)
    assert reply.blocks[0]["text"]["text"] == "*Open follow-ups* (500) · 63 overdue"
    late = [follow_up(i, due_on=date(2026, 6, 1)) for i in range(1, 30)]
    head = list_reply("All", late, 40, today=TODAY, with_owner=False, empty="").blocks[0]["text"]["text"]
    assert head == "*All* (40) · 29+ overdue"  # all shown are overdue: more may be
    assert list_reply("Open follow-ups", [], 0, today=TODAY, with_owner=True, empty="none").text == "none"
