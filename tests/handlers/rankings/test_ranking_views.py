"""Rankings, stale lists, weights and explanations: valid Block Kit within limits, names escaped."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
from records import RANKING_NASTY as NASTY
from records import RANKING_NOW as NOW
from records import scored_workspace

from bot.standin.blockkit import validate_message_payload
from handlers.rankings.questions import TopQuery
from handlers.rankings.views import attention_reply, stale_reply, top_reply, weights_reply
from handlers.shared.lines import rank_change_mark
from scoring import Weights, needs_attention
from storage.ranking import StalePartner, WeightChangeRecord


@pytest.mark.parametrize(("count", "by"), [(50, "score"), (10, "satisfaction"), (1, "revenue")])
def test_top_reply_is_valid_at_every_size(count: int, by: str) -> None:
    scored = scored_workspace(60)
    reply = top_reply(scored.head(count), TopQuery(count=count, by=by, tier="gold"), total=60)
    validate_message_payload(reply.as_ack())
    text = json.dumps(reply.as_ack())
    assert "<!channel>" not in text
    assert "new" in text or count < 3


@pytest.mark.parametrize(
    ("change", "mark"), [(2, "▲2"), (-1, "▼1"), (0, "="), (np.nan, "new"), (None, "new")]
)
def test_rank_change_marks(change: float | None, mark: str) -> None:
    assert rank_change_mark(change) == mark


def test_stale_reply_lists_and_counts() -> None:
    found = [
        StalePartner(
            i,
            NASTY if i == 0 else f"P{i}",
            "U1" if i % 2 else None,
            None if i == 0 else NOW - timedelta(days=40 + i),
        )
        for i in range(45)
    ]
    reply = stale_reply(found, 60, 30)
    validate_message_payload(reply.as_ack())
    text = json.dumps(reply.as_ack())
    assert "60 partners" in text and "15 more" in text and "never contacted" in text
    assert "<!channel>" not in text


def test_nothing_stale() -> None:
    assert "Every active partner" in stale_reply([], 0, 30).text


def test_weights_reply_shows_shares_and_history() -> None:
    history = [
        WeightChangeRecord(
            "U9", NOW, {"satisfaction": 0.4, "engagement": 0.35}, {"satisfaction": 0.6, "engagement": 0.35}
        )
    ]
    reply = weights_reply(Weights(satisfaction=0.6), history, custom=True)
    validate_message_payload(reply.as_ack())
    text = json.dumps(reply.as_ack(), ensure_ascii=False)
    assert "satisfaction 0.4→0.6" in text and "engagement 0.35→" not in text


def test_attention_reply() -> None:
    scored = scored_workspace(40)
    rows = needs_attention(scored, NOW + timedelta(days=60), stale_days=30, floor=60)
    reply = attention_reply(rows, stale_days=30, floor=60)
    validate_message_payload(reply.as_ack())
    assert "need attention" in reply.text
    assert "No partner needs attention" in attention_reply(rows.head(0), stale_days=30, floor=60).text
