"""Properties of the scoring model on generated workspaces (hypothesis)."""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_cases import (
    NOW,
    TODAY,
    Workspace,
    dominating_pair,
    reference_scores,
    workspace_strategy,
)

from scoring import COMPONENTS, Weights, explain, rank_by, score_partners

# 80 examples per property keep tests/scoring well under 20 s; SCORING_EXAMPLES=2000 searches harder.
PROPERTY = settings(
    max_examples=int(os.environ.get("SCORING_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def scored_frame(workspace: Workspace) -> pd.DataFrame:
    return score_partners(*workspace.frames(), workspace.settings)


def by_id(scored: pd.DataFrame) -> dict[int, dict]:
    """partner_id → that partner's row as a dict (much faster to look into than .loc)."""
    return scored.set_index("partner_id").to_dict("index")


def strictly_ahead(a: dict, b: dict) -> bool:
    """``a`` has the same components as ``b`` and a higher value on every one of them."""
    for name in COMPONENTS:
        a_value, b_value = a[name], b[name]
        if math.isnan(a_value) != math.isnan(b_value):
            return False
        if not math.isnan(a_value) and not a_value > b_value:
            return False
    return True


@PROPERTY
@given(workspace_strategy(max_partners=6), st.data())
def test_a_partner_ahead_on_every_component_never_ranks_below_one_behind(workspace, data):
    ahead, behind = data.draw(dominating_pair(workspace.settings))
    workspace = replace(workspace, partners=[*workspace.partners, behind, ahead])
    scored = by_id(scored_frame(workspace))
    assert strictly_ahead(scored[ahead.partner_id], scored[behind.partner_id])
    pairs = 0
    for a, b in itertools.permutations(scored.values(), 2):
        if strictly_ahead(a, b) and not math.isnan(a["score"]):
            pairs += 1
            assert a["score"] > b["score"]
            assert a["rank"] < b["rank"]
    assert pairs >= 1 or math.isnan(scored[ahead.partner_id]["score"])


@PROPERTY
@given(workspace_strategy(), st.data())
def test_another_meeting_never_lowers_engagement_nor_rank(workspace, data):
    before_frame = scored_frame(workspace)
    partner = data.draw(st.sampled_from(workspace.partners))
    days = data.draw(st.integers(0, workspace.settings.window_days - 1))
    met = min(TODAY - timedelta(days=days) + timedelta(hours=12), NOW)
    after_partner = replace(
        partner,
        buckets=[*partner.buckets, (days, 3.0, 1)],
        last_contact=met if partner.last_contact is None else max(partner.last_contact, met),
    )
    after_frame = scored_frame(
        replace(workspace, partners=[after_partner if p is partner else p for p in workspace.partners])
    )
    old, new = by_id(before_frame)[partner.partner_id], by_id(after_frame)[partner.partner_id]
    assert new["engagement_raw"] >= old["engagement_raw"]
    assert new["engagement"] >= old["engagement"]
    assert new["recency"] >= old["recency"]
    if not math.isnan(old["score"]):
        assert new["score"] >= old["score"]
        assert new["rank"] <= old["rank"]
    old_rank = by_id(rank_by(before_frame, "engagement"))[partner.partner_id]["rank"]
    assert by_id(rank_by(after_frame, "engagement"))[partner.partner_id]["rank"] <= old_rank


@PROPERTY
@given(workspace_strategy())
def test_scores_and_components_stay_within_0_and_100(workspace):
    scored = scored_frame(workspace)
    for column in (*COMPONENTS, "score"):
        values = scored[column].dropna()
        assert ((values >= 0) & (values <= 100)).all(), column
    assert scored["engagement"].notna().all() and scored["recency"].notna().all()
    weights = workspace.settings.weights.as_dict()
    for partner in scored.to_dict("records"):
        weighed = sum(weights[name] for name in COMPONENTS if not math.isnan(partner[name]))
        assert math.isnan(partner["score"]) == (weighed == 0)
    assert scored["rank"].tolist() == list(range(1, len(scored) + 1))


@PROPERTY
@given(workspace_strategy(), st.randoms(use_true_random=False))
def test_the_order_of_input_rows_does_not_change_the_result(workspace, random):
    partners, activity, feedback = workspace.frames()
    expected = score_partners(partners, activity, feedback, workspace.settings)

    def shuffled(frame: pd.DataFrame) -> pd.DataFrame:
        rows = list(range(len(frame)))
        random.shuffle(rows)
        columns = list(frame.columns)
        random.shuffle(columns)
        return frame.iloc[rows][columns]

    actual = score_partners(shuffled(partners), shuffled(activity), shuffled(feedback), workspace.settings)
    pd.testing.assert_frame_equal(actual, expected)


@PROPERTY
@given(workspace_strategy(), st.floats(1e-3, 1e3))
def test_weights_that_sum_to_anything_are_normalised(workspace, factor):
    weights = workspace.settings.weights
    scaled = Weights(*(value * factor for value in weights.as_dict().values()))
    expected = by_id(scored_frame(workspace))
    actual = by_id(scored_frame(replace(workspace, settings=replace(workspace.settings, weights=scaled))))
    ids = list(expected)
    np.testing.assert_allclose(
        [actual[i]["score"] for i in ids], [expected[i]["score"] for i in ids], rtol=1e-12, atol=1e-9
    )
    # Ranks agree wherever the scores are not within float noise of each other.
    for a, b in itertools.combinations(ids, 2):
        gap = expected[a]["score"] - expected[b]["score"]
        if abs(gap) > 1e-9:
            assert (actual[a]["rank"] < actual[b]["rank"]) == (gap > 0)


@PROPERTY
@given(workspace_strategy())
def test_the_score_is_the_sum_of_the_explained_contributions(workspace):
    scored = scored_frame(workspace)
    for partner_id, score in zip(scored["partner_id"], scored["score"], strict=True):
        explanation = explain(scored, int(partner_id), workspace.settings)
        if math.isnan(score):
            assert explanation.score is None
            continue
        contributions = [component.contribution for component in explanation.components]
        assert explanation.score == score
        assert sum(contributions) == pytest.approx(score, abs=1e-9)
        shares = [c.normalised_weight for c in explanation.components if c.present]
        assert sum(shares) == pytest.approx(1)
        points = [lever.points for lever in explanation.levers]
        assert points == sorted(points, reverse=True) and all(p > 0 for p in points)
        assert explanation.biggest_lever is None or explanation.biggest_lever.points <= 100 - score + 1e-9


@PROPERTY
@given(workspace_strategy())
def test_the_vectorised_model_matches_a_one_partner_at_a_time_reference(workspace):
    scored = by_id(scored_frame(workspace))
    for partner_id, expected in reference_scores(workspace).items():
        actual = scored[partner_id]
        for name, value in expected.items():
            if value is None:
                assert math.isnan(actual[name]), name
            else:
                assert actual[name] == pytest.approx(value, rel=1e-9, abs=1e-6), name
