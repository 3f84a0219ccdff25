"""``/partner history``'s pages: valid Block Kit within Slack's limits, typed text shown literally,
people as mentions (a forgotten one as "a former user"), an Older button carrying the next page."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from records import NASTY

from bot.standin.blockkit import validate_message_payload
from handlers.history.views import PER_PAGE, history_reply
from handlers.shared.ids import HistoryIds
from storage.audit import Page
from storage.models import AuditEntry
from storage.slack_ids import FORMER_USER

AT = datetime(2026, 6, 15, 12, tzinfo=UTC)


def entry(number: int, *, actor: str = "U0ANN", changes: dict | None = None) -> AuditEntry:
    return AuditEntry(
        id=number,
        team_id="T1",
        at=AT,
        actor=actor,
        action="changed",
        table_name="interaction",
        record_id=str(number),
        label=f"{NASTY} · call communication",
        partner_id=7,
        changes=changes if changes is not None else {"notes": [NASTY, NASTY * 20]},
    )


def test_a_full_page_is_valid_block_kit_with_everything_typed_shown_literally() -> None:
    many_fields = {f"field{i}": ["x" * 500, "y" * 500] for i in range(30)}
    entries = [entry(i, changes=many_fields if i == 0 else None) for i in range(PER_PAGE)]
    reply = history_reply(7, NASTY, Page(entries, 2, has_older=True))
    validate_message_payload(reply.as_ack())
    assert len(reply.blocks) <= 50
    sent = json.dumps(reply.blocks, ensure_ascii=False)
    assert "<!channel>" not in sent and "&lt;!channel&gt;" in sent
    assert all(len(b["text"]["text"]) <= 3000 for b in reply.blocks if b["type"] == "section")
    assert "… and 20 more fields" in sent  # ten long fields fill the section
    (button,) = reply.blocks[-1]["elements"]
    assert (button["action_id"], button["value"]) == (HistoryIds.OLDER_BUTTON.value, "7:3")


def test_people_are_mentions_and_everyone_else_is_named_as_is() -> None:
    reply = history_reply(
        7,
        "Acme",
        Page([entry(1), entry(2, actor=FORMER_USER), entry(3, actor="cli:<ops>")], 1, has_older=False),
    )
    texts = [b["text"]["text"] for b in reply.blocks if b["type"] == "section"]
    assert "<@U0ANN>" in texts[0] and "a former user" in texts[1] and "cli:&lt;ops&gt;" in texts[2]
    assert all(b["type"] != "actions" for b in reply.blocks)  # nothing older


def test_an_empty_page_says_so() -> None:
    assert "No changes are recorded for Acme" in history_reply(7, "Acme", Page([], 1, False)).text
    assert "No older changes" in history_reply(7, "Acme", Page([], 4, False)).text
