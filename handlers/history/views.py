"""Block Kit for ``/partner history``: one section per change (what, by whom, when, each field's
before → after), then an "Older" button while there is more."""

from __future__ import annotations

import json
from typing import Any

from handlers.shared.blocks import SlackBlock, actions, button, context_block, header, section
from handlers.shared.ids import HistoryIds
from handlers.shared.limits import MESSAGE_BLOCKS, TEXT_LIMIT
from handlers.shared.replies import Reply, slack_date
from handlers.shared.text import escaped_shortened, literal, mention, shorten
from storage.audit import Page
from storage.models import AuditEntry
from storage.slack_ids import parse_user_id

PER_PAGE = 10  # changes a page shows: with the header, context and button, far below 50 blocks
FIELDS_SHOWN = 12  # fields listed per change; the rest are counted
VALUE_LIMIT = 120  # characters of one before or after

TABLE_WORDS = {
    "partner": "partner",
    "interaction": "communication",
    "feedback": "feedback",
    "survey": "survey",
    "project": "project",
    "resource": "resource",
    "need": "need",
    "follow_up": "follow-up",
}


def who(actor: str) -> str:
    """A person as a mention ("a former user" once forgotten); anything else (cli:…, scheduler,
    workflow:…, anonymous) as literal text."""
    return mention(actor) if parse_user_id(actor) == actor else f"_{literal(shorten(actor, 60))}_"


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return escaped_shortened(" ".join(text.split()), VALUE_LIMIT)


def change_text(entry: AuditEntry) -> str:
    what = TABLE_WORDS.get(entry.table_name, entry.table_name.replace("_", " "))
    head = (
        f"*{literal(entry.action)}* {literal(what)} · {escaped_shortened(entry.label, 200)}\n"
        f"{who(entry.actor)} · {slack_date(entry.at, fmt='{date_short_pretty} {time}')}"
    )
    fields = sorted((entry.changes or {}).items())
    lines = [head]
    room = TEXT_LIMIT - len(head) - 40  # kept for the "… and N more fields" line
    for shown_count, (name, (before, after)) in enumerate(fields):
        line = f"• {literal(shorten(name, 40))}: {_shown(before)} → {_shown(after)}"
        if shown_count == FIELDS_SHOWN or len(line) + 1 > room:
            lines.append(f"… and {len(fields) - shown_count} more fields")
            break
        lines.append(line)
        room -= len(line) + 1
    return "\n".join(lines)


def history_reply(partner_id: int, name: str, page: Page) -> Reply:
    shown = shorten(name, 100)
    if not page.entries:
        text = (
            f"No changes are recorded for {literal(shown)} yet."
            if page.page == 1
            else f"No older changes for {literal(shown)}."
        )
        return Reply(text)
    blocks: list[SlackBlock] = [header(f"History of {shown}")]
    blocks += [section(change_text(entry)) for entry in page.entries]
    blocks.append(context_block(f"Page {page.page} · newest first · {len(page.entries)} changes"))
    if page.has_older:
        value = f"{partner_id}:{page.page + 1}"
        blocks.append(actions(button("Older", HistoryIds.OLDER_BUTTON.value, value)))
    assert len(blocks) <= MESSAGE_BLOCKS
    return Reply(f"History of {shown}: page {page.page}", blocks)
