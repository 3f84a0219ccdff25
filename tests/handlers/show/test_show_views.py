"""``/partner show``'s profile stays within Slack's limits however long the notes and however many needs."""

from __future__ import annotations

import json

import pytest
from records import NASTY, NOW, RANKING_NOW, interaction, partner, scored_workspace, sent

from bot.standin.blockkit import validate_message_payload
from handlers.shared.blocks import as_dicts
from handlers.show.views import NEEDS_SHOWN, explanation_blocks, needs_blocks, partner_profile
from scoring import ScoringSettings, explain
from storage.interactions import ContactSummary
from storage.models import Need, NeedDifficulty, NeedPriority, NeedStatus, NeedType


def test_profile_with_long_notes_stays_within_limits() -> None:
    summary = ContactSummary(NOW, {"call": 3}, {"call": 3, "meeting": 1})
    recent = [interaction(NASTY * 20, days_ago=d, permalink="https://x/p") for d in range(5)]
    reply = partner_profile(partner(NASTY, tier="gold", owner="U9"), summary, recent)
    validate_message_payload(reply.as_ack())
    assert "<!channel>" not in sent(reply)
    assert "3 calls" in json.dumps(reply.blocks)


def test_profile_without_history_invites_a_first_log() -> None:
    reply = partner_profile(partner(), ContactSummary(None, {}, {}), [])
    validate_message_payload(reply.as_ack())
    assert "Nothing logged yet" in json.dumps(reply.blocks)


def test_explanation_blocks_add_up() -> None:
    scored = scored_workspace(20)
    settings = ScoringSettings(now=RANKING_NOW)
    explanation = explain(scored, 1, settings)
    blocks = as_dicts(explanation_blocks(explanation, 20))
    validate_message_payload({"text": "x", "blocks": blocks})
    assert f"Score {explanation.score:.0f}/100" in blocks[0]["text"]["text"]
    assert sum(c.contribution for c in explanation.components) == pytest.approx(explanation.score)


def test_open_needs_are_a_short_ranked_section_that_points_to_the_rest() -> None:
    acme = partner(NASTY)
    needs = [
        Need(
            id=i,
            type=NeedType.SUPPORT,
            priority=NeedPriority.HIGH,
            difficulty=NeedDifficulty.EASY,
            status=NeedStatus.OPEN,
            description=NASTY,
            raised_on=NOW.date(),
            partner=acme,
        )
        for i in range(1, NEEDS_SHOWN + 1)
    ]
    blocks = needs_blocks(acme, needs, 12, today=NOW.date())
    reply = partner_profile(acme, ContactSummary(None, {}, {}), [], needs=blocks)
    validate_message_payload(reply.as_ack())
    shown = json.dumps(reply.blocks, ensure_ascii=False)
    assert "*Open needs* (12)" in shown and "…and 7 more: `/partner needs" in shown
    assert "<!channel>" not in sent(reply)
    none = as_dicts(needs_blocks(partner("Acme"), [], 0, today=NOW.date()))
    assert "*Open needs:* none — `/partner need Acme pricing …`" in json.dumps(none, ensure_ascii=False)


def test_the_score_says_where_it_was_four_weeks_ago() -> None:
    from handlers.show.views import four_weeks_text

    scored = scored_workspace(5)
    explanation = explain(scored, 1, ScoringSettings(now=RANKING_NOW))
    line = four_weeks_text(40.2, 52.4)
    assert line == "4 weeks ago 40 (▲ 12 points)"
    assert four_weeks_text(None, 52.4) == "4 weeks ago —"
    blocks = as_dicts(explanation_blocks(explanation, 5, four_weeks=line))
    validate_message_payload({"text": "x", "blocks": blocks})
    assert blocks[0]["text"]["text"].endswith(" · 4 weeks ago 40 (▲ 12 points)")
