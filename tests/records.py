"""Records built in memory (never stored) for the tests of views: a partner, a communication, and
the text a reply would send, with names nasty enough to catch anything shown unescaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from scoring import ScoringSettings, score_partners
from storage.models import Interaction, Partner

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
NASTY = "<!channel> *bold* & _it_ " + "x" * 300


def partner(name: str = "Acme", **fields: object) -> Partner:
    return Partner(id=7, team_id="T1", name=name, name_key=name.casefold(), status="active", **fields)


def interaction(notes: str, days_ago: int = 0, **fields: object) -> Interaction:
    return Interaction(
        id=3,
        team_id="T1",
        partner_id=7,
        kind="call",
        occurred_at=NOW - timedelta(days=days_ago),
        notes=notes,
        user_id="U1",
        **fields,
    )


def sent(reply: Any) -> str:
    return json.dumps(reply.as_ack())


RANKING_NOW = datetime(2026, 6, 15, tzinfo=UTC)
RANKING_NASTY = "<!channel> *bold* & co"


def scored_workspace(size: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    partners = pd.DataFrame(
        {
            "partner_id": range(1, size + 1),
            "name": [RANKING_NASTY + " " + "x" * 150 if i == 0 else f"Partner {i}" for i in range(size)],
            "tier": ["gold"] * size,
            "revenue": rng.uniform(0, 1000, size),
            "cost": rng.uniform(1, 500, size),
            "last_contact": pd.to_datetime(
                [RANKING_NOW - timedelta(days=int(d)) for d in rng.integers(0, 80, size)], utc=True
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
    scored = score_partners(partners, activity, feedback, ScoringSettings(now=RANKING_NOW))
    scored["owner"] = "U1"
    scored["rank_change"] = [np.nan if i % 3 == 0 else (i % 5) - 2 for i in range(size)]
    return scored
