"""Rankings, stale lists, weights and explanations: valid Block Kit within limits, names escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from blockkit import validate_message_payload

from handlers.queries import TopQuery
from handlers.ranking_views import (
    attention_reply,
    explanation_blocks,
    rank_change_mark,
    stale_reply,
    top_reply,
    weights_reply,
)
from scoring import ScoringSettings, Weights, explain, needs_attention, score_partners
from storage.ranking import StalePartner, WeightChangeRecord

NOW = datetime(2026, 6, 15, tzinfo=UTC)
NASTY = "<!channel> *bold* & co"


def scored_workspace(size: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    partners = pd.DataFrame(
        {
            "partner_id": range(1, size + 1),
            "name": [NASTY + " " + "x" * 150 if i == 0 else f"Partner {i}" for i in range(size)],
            "tier": ["gold"] * size,
            "revenue": rng.uniform(0, 1000, size),
            "cost": rng.uniform(1, 500, size),
            "last_contact": pd.to_datetime(
                [NOW - timedelta(days=int(d)) for d in rng.integers(0, 80, size)], utc=True
            ),
        }
    )
    activity = pd.DataFrame(
        {
            "partner_id": range(1, size + 1),
            "day": partners["last_contact"].dt.floor("D"),
            "weight": rng.integers(1, 4, size).astype(float),
            "count": 1,
        }
    )
    feedback = pd.DataFrame(
        {"partner_id": range(1, size + 1), "score_sum": rng.uniform(0, 100, size), "count": 1}
    )
    scored = score_partners(partners, activity, feedback, ScoringSettings(now=NOW))
    scored["owner"] = "U1"
    scored["rank_change"] = [np.nan if i % 3 == 0 else (i % 5) - 2 for i in range(size)]
    return scored


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


def test_explanation_blocks_add_up() -> None:
    scored = scored_workspace(20)
    settings = ScoringSettings(now=NOW)
    explanation = explain(scored, 1, settings)
    blocks = explanation_blocks(explanation, 20)
    validate_message_payload({"text": "x", "blocks": blocks})
    assert f"Score {explanation.score:.0f}/100" in blocks[0]["text"]["text"]
    assert sum(c.contribution for c in explanation.components) == pytest.approx(explanation.score)


def test_attention_reply() -> None:
    scored = scored_workspace(40)
    rows = needs_attention(scored, NOW + timedelta(days=60), stale_days=30, floor=60)
    reply = attention_reply(rows, stale_days=30, floor=60)
    validate_message_payload(reply.as_ack())
    assert "need attention" in reply.text
    assert "No partner needs attention" in attention_reply(rows.head(0), stale_days=30, floor=60).text
