"""What goes with satisfaction (scoring/insights.py): a planted effect in generated data is recovered
within its interval, pure noise is reported as nothing, and inputs that cannot be used are said to
be so, in words."""

from __future__ import annotations

import doctest
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

import scoring.insights
from scoring.insights import (
    MIN_PARTNERS,
    PREDICTOR_COLUMNS,
    Outcome,
    explain_satisfaction,
    insight_inputs,
)

END = datetime(2026, 6, 15, tzinfo=UTC)


def partners(n: int, seed: int, *, success_share: float = 1.0) -> pd.DataFrame:
    """``n`` partners with every predictor drawn independently; satisfaction still to be set."""
    rng = np.random.default_rng(seed)
    success = rng.uniform(0, 100, n)
    return pd.DataFrame(
        {
            "meetings_per_month": rng.poisson(2.0, n).astype(float),
            "calls_per_month": rng.poisson(3.0, n).astype(float),
            "emails_per_month": rng.poisson(6.0, n).astype(float),
            "days_since_contact": rng.uniform(0, 90, n),
            "success_rate": np.where(rng.random(n) < success_share, success, np.nan),
            "open_needs": rng.poisson(1.0, n).astype(float),
        }
    )


def noise(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed + 1000).normal(0, 10, n)


def effect(model: scoring.insights.SatisfactionModel, column: str) -> scoring.insights.Effect:
    return next(e for e in model.effects if e.predictor.column == column)


def test_the_doctest_holds() -> None:
    assert doctest.testmod(scoring.insights).failed == 0


def test_a_planted_meeting_effect_is_recovered_within_its_interval_and_nothing_else_is_reported() -> None:
    # A fixed seed: with six inputs tested at 95%, about one workspace in four shows a chance
    # effect besides the planted one (the many-workspaces test below checks that rate).
    frame = partners(200, seed=10)
    frame["satisfaction"] = 50 + 4 * frame["meetings_per_month"] + noise(200, 10)
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.FITTED
    assert model.n == model.with_feedback == 200
    assert [e.predictor.column for e in model.effects] == list(PREDICTOR_COLUMNS)
    assert [e.predictor.column for e in model.clear_effects] == ["meetings_per_month"]
    meetings = effect(model, "meetings_per_month")
    assert meetings.low < 4 < meetings.high and meetings.low > 0
    assert 0 < model.adjusted_r_squared < model.r_squared < 1  # type: ignore[operator]
    assert not model.left_out and not model.cautions


def test_a_planted_effect_of_staleness_is_stated_per_ten_days() -> None:
    frame = partners(200, seed=12)
    frame["satisfaction"] = 85 - 0.3 * frame["days_since_contact"] + noise(200, 12)
    model = explain_satisfaction(frame)
    stale = effect(model, "days_since_contact")
    assert stale.clear and stale.low < -3.0 < stale.high  # −0.3 a day is −3 per 10 days
    assert stale.predictor.change_words == "every 10 more days since the last contact"


def test_pure_noise_reports_nothing() -> None:
    frame = partners(200, seed=21)
    frame["satisfaction"] = 70 + noise(200, 21)
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.FITTED and model.n == 200
    assert model.clear_effects == []
    assert model.r_squared is not None and model.r_squared < 0.1


def test_over_many_noise_workspaces_each_input_is_a_false_positive_about_five_percent_of_the_time() -> None:
    # 95% intervals: on pure noise, each input's interval misses zero 5% of the time. Over 150
    # workspaces × 6 inputs that is 45 expected; far more would mean the intervals are too narrow.
    false_positives = 0
    for seed in range(150):
        frame = partners(60, seed=seed)
        frame["satisfaction"] = 70 + noise(60, seed)
        false_positives += len(explain_satisfaction(frame).clear_effects)
    assert 20 <= false_positives <= 75


def test_fewer_than_thirty_partners_with_feedback_is_not_enough_data() -> None:
    frame = partners(60, seed=3)
    frame["satisfaction"] = np.where(np.arange(60) < MIN_PARTNERS - 1, 70.0, np.nan)
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.NOT_ENOUGH
    assert model.with_feedback == 29 and model.effects == ()


def test_an_input_the_same_for_everyone_is_left_out_with_its_reason() -> None:
    frame = partners(100, seed=4)
    frame["open_needs"] = 0.0
    frame["calls_per_month"] = 2.5
    frame["satisfaction"] = 50 + 4 * frame["meetings_per_month"] + noise(100, 4)
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.FITTED
    reasons = {left.predictor.column: left.reason for left in model.left_out}
    assert reasons == {
        "calls_per_month": "the same for every partner with feedback (2.50 calls a month)",
        "open_needs": "the same for every partner with feedback (0 open needs)",
    }
    assert "open_needs" not in [e.predictor.column for e in model.effects]


def test_no_projects_closed_leaves_the_success_rate_out() -> None:
    frame = partners(100, seed=5, success_share=0.0)
    frame["satisfaction"] = 60 + noise(100, 5)
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.FITTED and model.n == 100
    [left] = model.left_out
    assert left.predictor.column == "success_rate"
    assert left.reason == "no partner with feedback has one (no projects won or lost in the period)"


def test_a_success_rate_only_a_few_partners_have_is_left_out_and_the_others_still_count() -> None:
    frame = partners(100, seed=6, success_share=0.35)
    frame["satisfaction"] = 60 + noise(100, 6)
    model = explain_satisfaction(frame)
    assert model.n == 100
    [left] = model.left_out
    assert left.reason.startswith("only ") and "of 100 partners with feedback have one" in left.reason
    assert "30, and at least half, are needed" in left.reason


def test_a_success_rate_most_partners_have_is_used_over_those_partners() -> None:
    frame = partners(200, seed=7, success_share=0.8)
    frame["satisfaction"] = 40 + 0.3 * frame["success_rate"].fillna(50) + noise(200, 7)
    model = explain_satisfaction(frame)
    have = int(frame["success_rate"].notna().sum())
    assert model.n == have < 200 and model.with_feedback == 200
    assert model.dropped_rows == {"no projects won or lost in the period": 200 - have}
    success = effect(model, "success_rate")
    assert success.clear and success.low < 3.0 < success.high  # 0.3 a point is 3 per 10 points


def test_never_contacted_partners_are_left_out_of_the_fit_and_counted() -> None:
    frame = partners(80, seed=8)
    frame.loc[:4, "days_since_contact"] = np.nan
    frame["satisfaction"] = 60 + noise(80, 8)
    model = explain_satisfaction(frame)
    assert model.n == 75 and model.dropped_rows == {"never contacted": 5}


def test_too_few_complete_partners_says_why() -> None:
    frame = partners(40, seed=9)
    frame.loc[:14, "days_since_contact"] = np.nan
    frame["satisfaction"] = 60 + noise(40, 9)
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.CANNOT_FIT
    assert model.problem == (
        "only 25 of 40 partners with feedback have every input (15 never contacted), and 30 are needed"
    )


def test_two_inputs_that_move_together_exactly_cannot_be_told_apart() -> None:
    frame = partners(100, seed=10)
    frame["calls_per_month"] = 2 * frame["meetings_per_month"] + 1
    frame["satisfaction"] = 50 + 4 * frame["meetings_per_month"] + noise(100, 10)
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.CANNOT_FIT and model.effects == ()
    assert model.problem == (
        "meetings a month and calls a month move together exactly (correlation 1.00), so their effects "
        "can't be told apart"
    )


def test_an_input_that_is_the_sum_of_two_others_is_named_with_them() -> None:
    frame = partners(100, seed=13)
    frame["emails_per_month"] = frame["meetings_per_month"] + frame["calls_per_month"]
    frame["satisfaction"] = 60 + noise(100, 13)
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.CANNOT_FIT
    assert model.problem == (
        "meetings a month, calls a month and emails a month move together exactly (each is a "
        "combination of the others), so their effects can't be told apart"
    )


def test_inputs_that_move_closely_together_are_fitted_with_a_caution() -> None:
    frame = partners(200, seed=14)
    rng = np.random.default_rng(14)
    frame["calls_per_month"] = frame["meetings_per_month"] + rng.normal(0, 0.1, 200)
    frame["satisfaction"] = 60 + noise(200, 14)
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.FITTED
    assert model.cautions == (
        "meetings a month and calls a month move closely together in your data, so their separate "
        "effects are uncertain (wide intervals)",
    )


def test_nothing_varying_cannot_be_fitted() -> None:
    frame = pd.DataFrame({"satisfaction": np.arange(40.0), "meetings_per_month": 1.0, "open_needs": 0.0})
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.CANNOT_FIT and len(model.left_out) == 2
    assert model.problem is not None and "no input varies" in model.problem


def test_the_same_satisfaction_for_everyone_leaves_nothing_to_explain() -> None:
    frame = partners(50, seed=15)
    frame["satisfaction"] = 75.0
    model = explain_satisfaction(frame)
    assert model.outcome is Outcome.CANNOT_FIT
    assert (
        model.problem
        == "every partner with feedback has the same satisfaction (75), so there is nothing to explain"
    )


def test_too_few_partners_for_the_inputs_is_refused_whatever_the_minimum() -> None:
    frame = partners(12, seed=16)
    frame["satisfaction"] = 60 + noise(12, 16)
    model = explain_satisfaction(frame, min_partners=5)
    assert model.outcome is Outcome.CANNOT_FIT
    assert model.problem == "12 partners are too few for 6 inputs: at least 17 are needed"


def test_the_order_of_the_rows_changes_nothing() -> None:
    frame = partners(150, seed=17)
    frame["satisfaction"] = 50 + 3 * frame["calls_per_month"] + noise(150, 17)
    shuffled = frame.sample(frac=1.0, random_state=3)
    first, second = explain_satisfaction(frame), explain_satisfaction(shuffled)
    for a, b in zip(first.effects, second.effects, strict=True):
        assert a.change == pytest.approx(b.change, rel=1e-9)
        assert a.low == pytest.approx(b.low, rel=1e-9)


def test_ten_thousand_partners_fit_in_well_under_a_second() -> None:
    frame = partners(10_000, seed=18, success_share=0.9)
    frame["satisfaction"] = 50 + 2 * frame["meetings_per_month"] + noise(10_000, 18)
    explain_satisfaction(frame.head(100))  # statsmodels' import is paid once, not here
    started = time.perf_counter()
    model = explain_satisfaction(frame)
    assert time.perf_counter() - started < 0.5
    assert (
        model.n > 8_000
        and effect(model, "meetings_per_month").low < 2 < effect(model, "meetings_per_month").high
    )


def test_counts_become_the_models_variables() -> None:
    counts = pd.DataFrame(
        {
            "partner_id": [1, 2, 3],
            "tier": ["gold", None, "silver"],
            "last_contact": pd.to_datetime(
                [END - timedelta(days=10), None, END + timedelta(hours=1)], utc=True
            ),
            "meetings": [6, 0, 3],
            "calls": [3, 1, 0],
            "emails": [9, 0, 0],
            "score_sum": [150.0, 0.0, 80.0],
            "answers": [2, 0, 1],
            "won": [1, 0, 0],
            "lost": [3, 0, 2],
            "open_needs": [2, 0, 1],
        }
    )
    inputs = insight_inputs(counts, period_end=END, period_days=90)
    assert inputs["satisfaction"].tolist()[0::2] == [75.0, 80.0] and np.isnan(inputs["satisfaction"][1])
    assert inputs["meetings_per_month"].tolist() == [2.0, 0.0, 1.0]  # 90 days are 3 months
    assert inputs["calls_per_month"].tolist() == [1.0, pytest.approx(1 / 3), 0.0]
    assert inputs["days_since_contact"][0] == 10.0 and np.isnan(inputs["days_since_contact"][1])
    assert inputs["days_since_contact"][2] == 0.0  # a contact after the end counts as at the end
    assert inputs["success_rate"][0] == 25.0 and inputs["success_rate"][2] == 0.0
    assert np.isnan(inputs["success_rate"][1])
    assert inputs["open_needs"].tolist() == [2.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="timezone-aware"):
        insight_inputs(counts, period_end=END.replace(tzinfo=None), period_days=90)
