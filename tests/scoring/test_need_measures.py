"""The needs summary's measures (scoring.needs): nothing to measure is None, never 0."""

from __future__ import annotations

import pytest

from scoring.needs import median_days, met_share, most_common


@pytest.mark.parametrize(
    ("met", "declined", "expected"), [(3, 1, 75.0), (0, 2, 0.0), (5, 0, 100.0), (0, 0, None)]
)
def test_met_share(met: int, declined: int, expected: float | None) -> None:
    assert met_share(met, declined) == expected


@pytest.mark.parametrize(("days", "expected"), [([10, 2, 4], 4.0), ([1, 2], 1.5), ([0], 0.0), ([], None)])
def test_median_days(days: list[int], expected: float | None) -> None:
    assert median_days(days) == expected


def test_most_common_breaks_ties_by_the_declared_order_not_the_rows_order() -> None:
    order = ["pricing", "technical", "support"]
    rows = [("support", 3), ("technical", 3), ("pricing", 1)]
    assert most_common(rows, order=order) == ("technical", 3)
    assert most_common(list(reversed(rows)), order=order) == ("technical", 3)
    assert most_common([], order=order) is None
    assert most_common([("pricing", 0)], order=order) is None
