"""How a follow-up looks wherever it is shown — a reminder, the Home tab, ``/partner show``, a log
confirmation, ``/partner followups`` — so it reads the same everywhere, and its Done button."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import ButtonElement

from handlers.shared.blocks import button
from handlers.shared.ids import FollowUpIds
from handlers.shared.text import literal, mention, shorten
from storage.models import FollowUp


def day_text(day: date, *, today: date) -> str:
    """``today``, ``tomorrow``, ``yesterday``, else ``Fri 4 Dec`` (with the year when not this one).

    >>> today = date(2026, 11, 30)
    >>> day_text(date(2026, 12, 4), today=today), day_text(date(2027, 1, 8), today=today)
    ('Fri 4 Dec', 'Fri 8 Jan 2027')
    """
    offset = (day - today).days
    if offset in (-1, 0, 1):
        return {-1: "yesterday", 0: "today", 1: "tomorrow"}[offset]
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def due_text(follow_up: FollowUp, *, today: date) -> str:
    """``due Fri 4 Dec``, ``due today``, or ``*overdue* since Mon 23 Nov``."""
    if follow_up.due_on < today:
        return f"*overdue* since {day_text(follow_up.due_on, today=today)}"
    return f"due {day_text(follow_up.due_on, today=today)}"


def follow_up_line(
    follow_up: FollowUp, *, today: date, with_partner: bool = True, with_owner: bool = False
) -> str:
    """``*#7* *Acme*: Send the pricing deck · due Fri 4 Dec · <@U1>``; the what escaped."""
    head = f"*#{follow_up.id}*"
    if with_partner:
        head += f" *{literal(shorten(follow_up.partner.name, 60))}*:"
    parts = [f"{head} {literal(shorten(follow_up.what, 150))}", due_text(follow_up, today=today)]
    if with_owner:
        parts.append(mention(follow_up.owner) if follow_up.owner else "no owner")
    return " · ".join(parts)


def done_button(follow_up: FollowUp, *, label: str | None = None) -> ButtonElement:
    return button(label or f"Done #{follow_up.id}", FollowUpIds.DONE_BUTTON.value, str(follow_up.id))
