"""The delivery component: joint projects' success rate, damped toward the workspace's rate."""

from __future__ import annotations

import math
import os
import random
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import ScoringSettings, Weights, explain, rank_by, score_partners

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
SETTINGS = ScoringSettings(now=NOW)
PROPERTY = settings(
    max_examples=int(os.environ.get("SCORING_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def partners(count: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partner_id": range(1, count + 1),
            "name": [f"P{i}" for i in range(1, count + 1)],
            "tier": [None] * count,
            "revenue": [None] * count,
            "cost": [None] * count,
            "last_contact": pd.to_datetime([NOW] * count, utc=True),
        }
    )


def projects(records: list[tuple[int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=["partner_id", "won", "lost"])


def delivery_of(scored: pd.DataFrame) -> dict[int, float]:
    return dict(zip(scored["partner_id"], scored["delivery"], strict=True))


def test_delivery_is_the_damped_success_rate() -> None:
    # Workspace: 4 won of 6 closed. Partner 1: 3 of 4 → (3 + 3 · 4/6) / (4 + 3) = 5/7.
    scored = score_partners(partners(3), None, None, SETTINGS, projects([(1, 3, 1), (2, 1, 1)]))
    delivery = delivery_of(scored)
    assert delivery[1] == pytest.approx(100 * 5 / 7)
    assert delivery[2] == pytest.approx(100 * (1 + 3 * 4 / 6) / (2 + 3))
    assert math.isnan(delivery[3])  # no closed project: scored on the components it has
    row = scored.set_index("partner_id").loc[1]
    assert (row["projects_won"], row["projects_lost"]) == (3, 1)


def test_without_projects_scores_are_what_they_were_before_delivery_existed() -> None:
    activity = pd.DataFrame(
        {
            "partner_id": [1, 2],
            "day": pd.to_datetime([NOW, NOW], utc=True),
            "weight": [3.0, 1.0],
            "count": [1, 1],
        }
    )
    four = ScoringSettings(now=NOW, weights=Weights(0.40, 0.35, 0.15, 0.10, 0.0))
    with_delivery = score_partners(partners(2), activity, None, SETTINGS)
    without = score_partners(partners(2), activity, None, four)
    assert with_delivery["score"].tolist() == without["score"].tolist()


def test_delivery_counts_in_the_score_and_is_explained() -> None:
    scored = score_partners(partners(2), None, None, SETTINGS, projects([(1, 4, 0), (2, 0, 4)]))
    assert scored.iloc[0]["partner_id"] == 1  # the one that wins its projects ranks first
    explanation = explain(scored, 2, SETTINGS)
    delivery = explanation.component("delivery")
    assert delivery.present and "0 of 4 closed joint projects won" in delivery.detail
    assert sum(c.contribution for c in explanation.components) == pytest.approx(explanation.score)
    assert rank_by(scored, "delivery")["partner_id"].tolist() == [1, 2]


def test_projects_of_partners_not_ranked_are_ignored() -> None:
    scored = score_partners(partners(1), None, None, SETTINGS, projects([(1, 1, 0), (99, 0, 50)]))
    # The stranger's 50 losses would pull the workspace rate down: they are not counted.
    assert delivery_of(scored)[1] == pytest.approx(100.0)


@pytest.mark.parametrize("bad", [-1, 1.5, float("nan")])
def test_project_counts_must_be_whole_and_not_negative(bad: float) -> None:
    with pytest.raises(ValueError, match="whole numbers"):
        score_partners(partners(1), None, None, SETTINGS, projects([(1, bad, 0)]))  # type: ignore[list-item]


# --- properties ------------------------------------------------------------------------------

closed = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=8)


@PROPERTY
@given(closed, st.sampled_from([0, 3, 10]))
def test_delivery_is_a_rate_between_0_and_100(records: list[tuple[int, int]], damping: int) -> None:
    settings_ = ScoringSettings(now=NOW, damping=damping)
    frame = projects([(i + 1, won, lost) for i, (won, lost) in enumerate(records)])
    delivery = delivery_of(score_partners(partners(len(records)), None, None, settings_, frame))
    for i, (won, lost) in enumerate(records):
        value = delivery[i + 1]
        if won + lost == 0:
            assert math.isnan(value)
        else:
            assert 0.0 <= value <= 100.0


@PROPERTY
@given(closed, st.data())
def test_one_more_won_project_never_lowers_delivery(
    records: list[tuple[int, int]], data: st.DataObject
) -> None:
    who = data.draw(st.integers(0, len(records) - 1))
    before = projects([(i + 1, won, lost) for i, (won, lost) in enumerate(records)])
    after = before.copy()
    after.loc[who, "won"] += 1
    delivery_before = delivery_of(score_partners(partners(len(records)), None, None, SETTINGS, before))[
        who + 1
    ]
    delivery_after = delivery_of(score_partners(partners(len(records)), None, None, SETTINGS, after))[who + 1]
    assert not math.isnan(delivery_after)
    assert math.isnan(delivery_before) or delivery_after >= delivery_before - 1e-9


@PROPERTY
@given(closed, st.randoms(use_true_random=False))
def test_row_order_never_matters(records: list[tuple[int, int]], rng: random.Random) -> None:
    rows = [(i + 1, won, lost) for i, (won, lost) in enumerate(records)]
    # The same partner's projects may also come split over several rows.
    split = [part for pid, won, lost in rows for part in ((pid, won, 0), (pid, 0, lost))]
    shuffled = split[:]
    rng.shuffle(shuffled)
    expected = score_partners(partners(len(records)), None, None, SETTINGS, projects(rows))
    actual = score_partners(partners(len(records)), None, None, SETTINGS, projects(shuffled))
    pd.testing.assert_frame_equal(actual, expected)
    assert np.isfinite(actual["score"]).all()
