"""The needs feature's Block Kit: valid for Slack, within its limits however many needs and tiers,
and every typed text shown literally."""

from __future__ import annotations

import json
from datetime import date, timedelta

from records import NASTY, partner, sent

from bot.standin.blockkit import assert_valid_modal, validate_message_payload
from handlers.needs.views import (
    LIST_LIMIT,
    NeedMetadata,
    already_closed,
    need_reply,
    needs_reply,
    new_need_modal,
)
from handlers.services.needs import NeedsSummary, TierTop
from handlers.shared.limits import MESSAGE_BLOCKS, TEXT_LIMIT
from storage.models import Need, NeedDifficulty, NeedPriority, NeedStatus, NeedType

TODAY = date(2026, 6, 15)


def need(
    number: int = 3, *, description: str = "Volume discount", partner_name: str = "Acme", **fields: object
) -> Need:
    values: dict[str, object] = {
        "type": NeedType.PRICING,
        "priority": NeedPriority.HIGH,
        "difficulty": NeedDifficulty.EASY,
        "status": NeedStatus.OPEN,
        "raised_on": TODAY - timedelta(days=12),
        "close_notes": "",
    } | fields
    found = Need(id=number, team_id="T1", partner_id=7, description=description, **values)
    found.partner = partner(partner_name, owner="U9")
    return found


def texts(reply: object) -> str:
    return json.dumps(reply.blocks, ensure_ascii=False)  # type: ignore[attr-defined]


def test_the_form_is_a_valid_modal_with_medium_defaults() -> None:
    view = new_need_modal(NeedMetadata(response_url="https://hooks.slack.com/x"))
    assert_valid_modal(view)
    inputs = {block["block_id"]: block["element"] for block in view["blocks"]}
    assert [o["value"] for o in inputs["need_type"]["options"]] == [t.value for t in NeedType]
    assert inputs["need_priority"]["initial_option"]["value"] == "medium"
    assert inputs["need_difficulty"]["initial_option"]["value"] == "medium"
    assert inputs["partner"]["type"] == "external_select"


def test_a_recorded_need_names_its_number_and_offers_met_and_declined() -> None:
    reply = need_reply(need(), "Recorded", today=TODAY)
    validate_message_payload(reply.as_ack())
    assert reply.text == "Recorded Need #3 for Acme"
    shown = texts(reply)
    assert "Recorded Need #3 for *Acme*" in shown and "priority *high*" in shown and "12 days old" in shown
    assert "owner <@U9>" in shown and "“Volume discount”" in shown
    buttons = [e["action_id"] for b in reply.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["need_met", "need_declined"]


def test_a_closed_need_has_no_buttons_and_says_how_when_and_by_whom() -> None:
    closed = need(status=NeedStatus.DECLINED, closed_on=TODAY, closed_by="U2", close_notes="<!here> no")
    reply = need_reply(closed, "Closed", today=TODAY)
    validate_message_payload(reply.as_ack())
    assert "as *declined*" in texts(reply) and "*declined* 2026-06-15 by <@U2>" in texts(reply)
    assert not [b for b in reply.blocks if b["type"] == "actions"]
    assert "<!here>" not in sent(reply) and "&lt;!here&gt;" in texts(reply)
    assert already_closed(closed) == (
        "Need #3 was already closed as *declined* on 2026-06-15 by <@U2> (“&lt;!here&gt; no”); "
        "nothing changed."
    )


def test_nasty_names_and_descriptions_are_shown_literally() -> None:
    reply = need_reply(need(description=NASTY * 5, partner_name=NASTY), "Recorded", today=TODAY)
    validate_message_payload(reply.as_ack())
    assert "<!channel>" not in sent(reply) and "&lt;!channel&gt;" in texts(reply)
    assert "*bold*" not in texts(reply)  # formatting neutralised, as everywhere else


def full_summary(tiers: int) -> NeedsSummary:
    return NeedsSummary(
        open_by_type=[(kind, 100 - i) for i, kind in enumerate(NeedType)],
        top_per_tier=[TierTop(f"{NASTY} {i}", NeedType.SUPPORT, 3) for i in range(tiers)]
        + [TierTop(None, NeedType.OTHER, 1)],
        met=4,
        declined=2,
        met_share=66.666,
        median_days_to_meet=4.5,
    )


def test_a_long_workspace_list_stays_within_slacks_limits_and_says_how_many_more() -> None:
    many = [need(i, description=NASTY * 10, partner_name=NASTY) for i in range(1, LIST_LIMIT + 1)]
    reply = needs_reply(many, 500, whose="all partners", today=TODAY, summary=full_summary(40))
    validate_message_payload(reply.as_ack())
    assert len(reply.blocks) <= MESSAGE_BLOCKS
    for block in reply.blocks:
        assert len(block.get("text", {}).get("text", "")) <= TEXT_LIMIT
    shown = texts(reply)
    assert "500 open needs: all partners" in shown and f"…and {500 - LIST_LIMIT} more." in shown
    assert "*Open needs by type:* pricing 100 · technical 99" in shown
    assert "and 31 more tiers" in shown and "67% (4 of 6 closed; 2 declined)" in shown
    assert "4.5 days" in shown and "<!channel>" not in sent(reply)


def test_an_empty_summary_says_dash_and_a_partners_list_has_none() -> None:
    empty = NeedsSummary([], [], 0, 0, None, None)
    reply = needs_reply([], 0, whose="all partners", today=TODAY, summary=empty)
    validate_message_payload(reply.as_ack())
    shown = texts(reply)
    assert "0 open needs" in shown and "*Met in the last 90 days:* —" in shown and "per tier:* —" in shown
    one = needs_reply([need()], 1, whose="Acme", today=TODAY, include_closed=True)
    assert "1 need, open and closed: Acme" in texts(one) and "Open needs by type" not in texts(one)
    assert "• *#3* · pricing" in texts(one)  # one partner's list does not repeat its name
