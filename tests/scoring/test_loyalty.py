"""Loyalty categories from repeat business, its value and the feedback trend (scoring.loyalty)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from scoring import LOYALTY_ORDER, loyalty_categories, loyalty_level

NAN = math.nan


def one(**values: float) -> str:
    row = {
        "partner_id": 1,
        "won_12m": 0,
        "lost_12m": 0,
        "won_value_12m": 0.0,
        "satisfaction": NAN,
        "feedback_now": NAN,
        "feedback_before": NAN,
        "age_days": 365.0,
        **values,
    }
    return str(loyalty_categories(pd.DataFrame([row])).iloc[0])


@pytest.mark.parametrize(
    ("values", "category"),
    [
        ({}, "developing"),
        ({"age_days": 30}, "new"),
        ({"won_12m": 2}, "loyal"),
        ({"won_12m": 3, "won_value_12m": 1.0}, "champion"),
        ({"won_12m": 3, "satisfaction": 70.0}, "loyal"),  # wins, but not happy enough to champion
        ({"won_12m": 5, "satisfaction": 55.0}, "at risk"),  # unhappy trumps repeat business
        ({"feedback_now": 60.0, "feedback_before": 75.0}, "at risk"),  # falling by 15
        ({"feedback_now": 68.0, "feedback_before": 75.0}, "developing"),  # falling by 7 only
        ({"lost_12m": 2}, "at risk"),
        ({"lost_12m": 2, "won_12m": 1}, "developing"),
        ({"age_days": 30, "won_12m": 2}, "loyal"),  # new, but already repeat business
    ],
)
def test_the_rule(values: dict[str, float], category: str) -> None:
    assert one(**values) == category


def test_champions_need_won_value_at_the_workspace_median() -> None:
    frame = pd.DataFrame(
        {
            "partner_id": [1, 2, 3],
            "won_12m": [3, 3, 1],
            "lost_12m": [0, 0, 0],
            "won_value_12m": [100.0, 10.0, 50.0],
            "satisfaction": [NAN] * 3,
            "feedback_now": [NAN] * 3,
            "feedback_before": [NAN] * 3,
            "age_days": [365.0] * 3,
        }
    )
    assert loyalty_categories(frame).tolist() == ["champion", "loyal", "developing"]


def test_levels_sort_like_the_order() -> None:
    levels = loyalty_level(pd.Series(list(LOYALTY_ORDER)))
    assert list(levels) == sorted(levels, reverse=True)


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match="won_12m"):
        loyalty_categories(pd.DataFrame({"partner_id": [1]}))
