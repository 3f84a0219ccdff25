"""Block Kit for follow-ups: the reminder a person gets on the day, the confirmation of a new one,
what Done and the snoozes answer with, and ``/partner followups``."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from handlers.services.reminders import Reminder
from handlers.shared.blocks import (
    SlackBlock,
    actions,
    as_dicts,
    button,
    context_block,
    section,
    section_with,
)
from handlers.shared.follow_up_parts import day_text, done_button, follow_up_line
from handlers.shared.ids import FollowUpIds
from handlers.shared.limits import MESSAGE_BLOCKS
from handlers.shared.lines import kind_label
from handlers.shared.replies import Reply, slack_date
from handlers.shared.text import first_words, literal, mention, plural, shorten
from storage.models import FollowUp

LISTED = 40  # follow-ups listed with a button each, within a message's 50 blocks
WHEN_REMINDED = "I'll remind you by direct message at 09:00 your time that day."


def _quote(what: str) -> str:
    return "\n".join(f">{line}" for line in literal(shorten(what, 600)).splitlines() or [""])


@functools.cache
def _reminder_buttons() -> dict[str, Any]:
    """The reminder's buttons, built once through slack_sdk's models: thousands of reminders go out
    at 09:00, and only the follow-up's number in each button's value differs between them."""
    (block,) = as_dicts(
        [
            actions(
                button("Done", FollowUpIds.DONE_BUTTON.value, "0", style="primary"),
                button("Snooze 1 day", FollowUpIds.SNOOZE_DAY_BUTTON.value, "0"),
                button("Snooze 1 week", FollowUpIds.SNOOZE_WEEK_BUTTON.value, "0"),
                button("Log communication", FollowUpIds.LOG_BUTTON.value, "0"),
            )
        ]
    )
    return block


def reminder_buttons(follow_up_id: int) -> dict[str, Any]:
    template = _reminder_buttons()
    return {**template, "elements": [{**e, "value": str(follow_up_id)} for e in template["elements"]]}


def reminder_message(reminder: Reminder, *, today: date) -> Reply:
    """The direct message on the day: partner, what to do, when it was promised, the last
    communication, and Done / Snooze 1 day / Snooze 1 week / Log communication."""
    partner = literal(shorten(reminder.partner_name, 100))
    if reminder.due_on < today:
        when = f"was due {day_text(reminder.due_on, today=today)}"
    else:
        when = f"is due {day_text(reminder.due_on, today=today)}"
    small = [f"Promised {slack_date(reminder.promised_at)}"]
    if reminder.snoozes:
        small.append(f"snoozed {plural(reminder.snoozes, 'time')}")
    last = reminder.last_contact
    if last is None:
        small.append("no communication logged with them yet")
    else:
        words = first_words(last.notes, 80)
        said = f": “{literal(words)}”" if words else ""
        kind = kind_label(last.kind).lower()
        small.append(f"last communication: {kind} {slack_date(last.occurred_at)}{said}")
    blocks: list[SlackBlock | dict[str, Any]] = [
        section(
            f"Reminder: *Follow-up #{reminder.follow_up_id}* with *{partner}* {when}\n{_quote(reminder.what)}"
        ),
        context_block(" · ".join(small)),
        reminder_buttons(reminder.follow_up_id),
    ]
    text = f"Reminder: follow up with {shorten(reminder.partner_name, 100)} — {shorten(reminder.what, 150)}"
    return Reply(text, blocks)


def created_reply(follow_up: FollowUp, *, today: date, owner_is_you: bool = True) -> Reply:
    partner = literal(shorten(follow_up.partner.name, 100))
    due = follow_up.due_on
    text = (
        f"Follow-up #{follow_up.id} with *{partner}*: {literal(shorten(follow_up.what, 300))} — due "
        f"*{day_text(due, today=today)}* ({due.isoformat()})."
    )
    owner = mention(follow_up.owner or "")
    note = WHEN_REMINDED if owner_is_you else f"{owner} will be reminded at 09:00 their time."
    blocks: list[SlackBlock] = [
        section(text),
        context_block(note),
        actions(done_button(follow_up, label="Done")),
    ]
    return Reply(f"Follow-up #{follow_up.id} with {shorten(follow_up.partner.name, 100)}", blocks)


def done_reply(follow_up: FollowUp) -> Reply:
    partner = literal(shorten(follow_up.partner.name, 100))
    text = f"Done: Follow-up #{follow_up.id} with *{partner}* — {literal(shorten(follow_up.what, 300))}."
    return Reply(f"Follow-up #{follow_up.id} done", [section(text)])


def already_done(follow_up: FollowUp) -> str:
    """Who closed it and when (the buttons of an old reminder were used)."""
    by = f" by {mention(follow_up.done_by)}" if follow_up.done_by else ""
    on = f" on {follow_up.done_on.isoformat()}" if follow_up.done_on else ""
    partner = literal(shorten(follow_up.partner.name, 100))
    return f"Follow-up #{follow_up.id} with *{partner}* was already done{on}{by}."


def snoozed_reply(follow_up: FollowUp, *, today: date) -> Reply:
    partner = literal(shorten(follow_up.partner.name, 100))
    due = follow_up.due_on
    text = (
        f"Snoozed *Follow-up #{follow_up.id}* with *{partner}* to *{day_text(due, today=today)}* "
        f"({due.isoformat()}): {literal(shorten(follow_up.what, 300))}"
    )
    blocks: list[SlackBlock] = [
        section(text),
        context_block(WHEN_REMINDED),
        actions(done_button(follow_up, label="Done")),
    ]
    return Reply(f"Follow-up #{follow_up.id} snoozed to {due.isoformat()}", blocks)


def list_reply(
    title: str, found: list[FollowUp], total: int, *, today: date, with_owner: bool, empty: str
) -> Reply:
    """A list of open follow-ups, each with its Done button, within one message."""
    if not found:
        return Reply(empty)
    shown = found[: min(LISTED, MESSAGE_BLOCKS - 2)]
    overdue = sum(1 for f in found if f.due_on < today)
    # Earliest first: every overdue one is in ``found`` unless all of ``found`` is overdue.
    counted = f"{overdue}+" if overdue == len(found) < total else str(overdue)
    head = f"*{title}* ({total})" + (f" · {counted} overdue" if overdue else "")
    blocks: list[SlackBlock] = [section(head)]
    blocks += [
        section_with(follow_up_line(f, today=today, with_owner=with_owner), done_button(f, label="Done"))
        for f in shown
    ]
    if total > len(shown):
        blocks.append(context_block(f"… and {total - len(shown)} more, due later."))
    return Reply(f"{title}: {total}", blocks)
