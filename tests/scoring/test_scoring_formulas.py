"""The scoring model's small formulas and its settings, with hand-computed numbers."""

from __future__ import annotations

import doctest
import math
from datetime import UTC, datetime
from decimal import Decimal

import pytest

import scoring
import scoring.explanation
import scoring.formulas
import scoring.loyalty
import scoring.model
import scoring.ranking
import scoring.settings
from scoring import (
    KIND_WEIGHTS,
    ScoringSettings,
    Weights,
    csat_to_score,
    damped_mean,
    decay,
    nps_to_score,
    satisfaction_category,
)

NOW = datetime(2024, 6, 30, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "module",
    [
        scoring,
        scoring.settings,
        scoring.formulas,
        scoring.model,
        scoring.ranking,
        scoring.explanation,
        scoring.loyalty,
    ],
)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_kind_weights_cover_the_seven_kinds():
    assert KIND_WEIGHTS == {
        "meeting": 3,
        "qbr": 3,
        "event": 2,
        "call": 2,
        "email": 1,
        "note": 1,
        "other": 1,
    }


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (100, "very satisfied"),
        (90, "very satisfied"),
        (89.99, "satisfied"),
        (89.999999999999, "very satisfied"),  # float noise for an exact 90
        (80, "satisfied"),
        (79.9, "neutral"),
        (70, "neutral"),
        (69.5, "dissatisfied"),
        (60, "dissatisfied"),
        (59.99, "very dissatisfied"),
        (0, "very dissatisfied"),
        (None, None),
        (math.nan, None),
    ],
)
def test_satisfaction_category(value, category):
    assert satisfaction_category(value) == category


@pytest.mark.parametrize(("answer", "score"), [(1, 0), (2, 25), (3, 50), (4, 75), (5, 100)])
def test_csat_to_score(answer, score):
    assert csat_to_score(answer) == score


@pytest.mark.parametrize(("answer", "score"), [(0, 0), (6, 60), (7, 70), (10, 100)])
def test_nps_to_score(answer, score):
    assert nps_to_score(answer) == score


@pytest.mark.parametrize("answer", [0, 6, -1, math.nan, "3", True])
def test_csat_out_of_range_is_refused(answer):
    with pytest.raises(ValueError):
        csat_to_score(answer)


@pytest.mark.parametrize("answer", [-1, 11, math.inf])
def test_nps_out_of_range_is_refused(answer):
    with pytest.raises(ValueError):
        nps_to_score(answer)


@pytest.mark.parametrize(
    ("total", "n", "prior", "m", "expected"),
    [
        (180, 2, 220 / 3, 3, 80.0),  # (180 + 220) / 5
        (40, 1, 220 / 3, 3, 65.0),  # (40 + 220) / 4
        (100, 1, 50, 0, 100.0),  # no damping: the plain mean
        (300, 3, 0, 3, 50.0),
        (0, 0, 70, 3, None),  # no answers: no satisfaction, not the prior
    ],
)
def test_damped_mean(total, n, prior, m, expected):
    result = damped_mean(total, n, prior, m)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize(
    ("age", "half_life", "factor"), [(0, 30, 1), (30, 30, 0.5), (90, 30, 0.125), (-5, 30, 1)]
)
def test_decay(age, half_life, factor):
    assert decay(age, half_life) == factor


def test_default_weights():
    assert Weights().as_dict() == {
        "satisfaction": 0.40,
        "engagement": 0.35,
        "recency": 0.15,
        "business": 0.10,
        "delivery": 0.15,  # issue 12: added at 0.15, the others keep their proportions
    }


def test_weights_that_sum_to_anything_are_normalised():
    weights = Weights(satisfaction=8, engagement=7, recency=3, business=2, delivery=3).normalised()
    assert weights.as_dict() == pytest.approx(Weights().normalised().as_dict())
    assert sum(weights.as_dict().values()) == pytest.approx(1)


@pytest.mark.parametrize("name", ["satisfaction", "engagement", "recency", "business", "delivery"])
def test_a_negative_weight_is_refused_by_name(name):
    with pytest.raises(ValueError, match=f"The {name} weight can't be negative") as error:
        Weights(**{name: -0.2})
    assert "Use 0 to leave" in str(error.value)


def test_all_zero_weights_are_refused():
    with pytest.raises(ValueError, match="At least one weight must be above 0"):
        Weights(0, 0, 0, 0, 0)


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_non_finite_weights_are_refused(value):
    with pytest.raises(ValueError, match="The recency weight must be an ordinary number"):
        Weights(recency=value)


@pytest.mark.parametrize("value", [1e308, 10_000.5, "1e400", "1e308%", "9" * 400])
def test_weights_above_the_range_are_refused_with_the_range(value):
    # Two weights of 1e308 each were accepted once; their sum is infinite and nothing could rank.
    with pytest.raises(ValueError, match="between 0 and 10000"):
        Weights.from_mapping({"satisfaction": value, "engagement": value})


def test_the_largest_weights_still_normalise():
    top = scoring.settings.MAX_WEIGHT
    assert Weights(top, top, top, top, top).normalised() == Weights(0.2, 0.2, 0.2, 0.2, 0.2)


def test_weights_from_mapping_keeps_unmentioned_weights_of_the_base():
    base = Weights(1, 1, 1, 1, 1)
    weights = Weights.from_mapping(
        {" Satisfaction ": "0.5", "REVENUE": Decimal("0.2"), "recency": "30%"}, base
    )
    assert weights.as_dict() == {
        "satisfaction": 0.5,
        "engagement": 1.0,
        "recency": 0.3,
        "business": 0.2,
        "delivery": 1.0,
    }
    assert Weights.from_mapping({}).as_dict() == Weights().as_dict()


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"satisfacton": 1}, "There is no weight called “satisfacton”.*Did you mean satisfaction"),
        (
            {"speed": 1},
            "There is no weight called “speed”. The weights are satisfaction, engagement, recency, "
            "business and delivery",
        ),
        ({"engagement": "lots"}, "The engagement weight must be a number such as 0.4"),
        ({"engagement": True}, "The engagement weight must be a number"),
        ({"business": 1, "revenue": 2}, "The business weight is given twice"),
        ({"recency": "-1"}, "The recency weight can't be negative"),
        (
            {"satisfaction": 0, "engagement": 0, "recency": 0, "business": 0, "delivery": 0},
            "At least one weight",
        ),
    ],
)
def test_weights_from_mapping_explains_what_is_wrong(mapping, message):
    with pytest.raises(ValueError, match=message):
        Weights.from_mapping(mapping)


def test_weights_are_frozen_and_comparable():
    weights = Weights()
    with pytest.raises(AttributeError):
        weights.satisfaction = 1  # type: ignore[misc]
    assert Weights(0.4, 0.35, 0.15, 0.1, 0.15) == weights


def test_settings_defaults_and_window():
    settings = ScoringSettings(now=NOW)
    assert (settings.window_days, settings.half_life_days, settings.damping) == (90, 30.0, 3)
    assert settings.weights == Weights()
    assert settings.window_start == datetime(2024, 4, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"now": datetime(2024, 6, 30)}, "timezone-aware"),
        ({"window_days": 0}, "at least 1 day"),
        ({"window_days": 7.5}, "whole number of days"),
        ({"half_life_days": 0}, "half-life must be above 0"),
        ({"half_life_days": math.nan}, "half-life must be a number"),
        ({"damping": -1}, "damping must be 0 or more"),
    ],
)
def test_settings_refuse_nonsense(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ScoringSettings(**{"now": NOW, **kwargs})


def test_settings_want_weights_not_a_dict():
    with pytest.raises(TypeError):
        ScoringSettings(now=NOW, weights={"satisfaction": 1})  # type: ignore[arg-type]
