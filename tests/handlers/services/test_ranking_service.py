"""Stored weights that cannot rank never take the ranking down: the defaults are used instead."""

from __future__ import annotations

import pytest

from handlers.services.rankings import weights_from
from scoring import Weights


def test_no_stored_weights_means_the_defaults() -> None:
    found = weights_from(None)
    assert (found.weights, found.custom, found.unusable) == (Weights(), False, None)


def test_usable_stored_weights_are_the_workspaces_own() -> None:
    stored = {"satisfaction": 1.0, "engagement": 1.0, "recency": 0.0, "business": 0.0}
    found = weights_from(stored)
    assert found.custom and found.unusable is None and found.weights == Weights(1, 1, 0, 0)


@pytest.mark.parametrize(
    "stored",
    [
        {"satisfaction": 1e308, "engagement": 1e308, "recency": 0.0, "business": 0.0},
        {"satisfaction": float("nan"), "engagement": 1.0, "recency": 0.0, "business": 0.0},
        {"satisfaction": 0.0, "engagement": 0.0, "recency": 0.0, "business": 0.0, "delivery": 0.0},
        {"satisfaction": -1.0, "engagement": 1.0, "recency": 0.0, "business": 0.0},
    ],
)
def test_unusable_stored_weights_fall_back_to_the_defaults_and_say_why(stored: dict[str, float]) -> None:
    found = weights_from(stored)
    assert found.weights == Weights() and not found.custom
    assert found.unusable
