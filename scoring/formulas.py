"""The model's small formulas, one value at a time: answer scales, damping, decay, categories.

``score_partners`` applies the same formulas to whole columns; these scalar versions are for the
storage layer (turning an answer into a 0-100 score before summing it), for messages, and for tests.

>>> csat_to_score(4), nps_to_score(7), satisfaction_category(82.5)
(75.0, 70.0, 'satisfied')
"""

from __future__ import annotations

import math
import numbers

# (lowest value, label), best first; below the last threshold is "very dissatisfied" (the seeds'
# 非常满意 / 满意 / 一般 / 不满意 / 非常不满意).
SATISFACTION_CATEGORIES: tuple[tuple[float, str], ...] = (
    (90.0, "very satisfied"),
    (80.0, "satisfied"),
    (70.0, "neutral"),
    (60.0, "dissatisfied"),
)
LOWEST_CATEGORY = "very dissatisfied"
CATEGORY_LABELS: tuple[str, ...] = (*(label for _, label in SATISFACTION_CATEGORIES), LOWEST_CATEGORY)

# Satisfaction is compared with the thresholds after rounding to this many decimals, so that float
# noise such as 89.99999999999999 for an exact 90 never moves a partner down a category.
CATEGORY_DECIMALS = 9


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ValueError(f"{what} must be a number (got {value!r}).")
    return float(value)


def satisfaction_category(value: float | None) -> str | None:
    """The words for a 0-100 satisfaction: ≥ 90 very satisfied, ≥ 80 satisfied, ≥ 70 neutral,
    ≥ 60 dissatisfied, below 60 very dissatisfied; None when there is no satisfaction (None or NaN).

    >>> satisfaction_category(90), satisfaction_category(59.9), satisfaction_category(None)
    ('very satisfied', 'very dissatisfied', None)
    """
    if value is None:
        return None
    number = float(value)
    if math.isnan(number):
        return None
    number = round(number, CATEGORY_DECIMALS)
    for threshold, label in SATISFACTION_CATEGORIES:
        if number >= threshold:
            return label
    return LOWEST_CATEGORY


def csat_to_score(answer: float) -> float:
    """A CSAT answer (1-5) on the 0-100 scale: ``(answer - 1) · 25``.

    >>> csat_to_score(1), csat_to_score(5)
    (0.0, 100.0)
    """
    value = _number(answer, "A CSAT answer")
    if not 1 <= value <= 5:
        raise ValueError(f"A CSAT answer is from 1 to 5 (got {value:g}).")
    return (value - 1) * 25.0


def nps_to_score(answer: float) -> float:
    """A would-you-recommend answer (0-10) on the 0-100 scale: ``answer · 10``.

    >>> nps_to_score(9)
    90.0
    """
    value = _number(answer, "A recommend answer")
    if not 0 <= value <= 10:
        raise ValueError(f"A recommend answer is from 0 to 10 (got {value:g}).")
    return value * 10.0


def damped_mean(total: float, n: int, prior_mean: float, m: float = 3) -> float | None:
    """``(total + m · prior_mean) / (n + m)``: the mean of ``n`` answers summing to ``total``, pulled
    toward ``prior_mean`` as if ``m`` more answers at the prior had been given.

    No answers (``n == 0``) gives None, not the prior: a partner nobody has rated has no
    satisfaction, rather than the workspace's average one.

    >>> damped_mean(180, 2, 220 / 3), damped_mean(0, 0, 70.0)
    (80.0, None)
    """
    n_value = _number(n, "The number of answers")
    m_value = _number(m, "The damping")
    if n_value < 0 or m_value < 0:
        raise ValueError("The number of answers and the damping must be 0 or more.")
    if n_value == 0:
        return None
    return (_number(total, "The sum of answers") + m_value * _number(prior_mean, "The prior mean")) / (
        n_value + m_value
    )


def decay(age_days: float, half_life_days: float) -> float:
    """``2^(-age / half-life)``: 1 for something that happened now, ½ one half-life ago. A negative
    age (the future) counts as now.

    >>> decay(30, 30), decay(-1, 30)
    (0.5, 1.0)
    """
    half_life = _number(half_life_days, "The half-life")
    if half_life <= 0:
        raise ValueError("The half-life must be above 0.")
    return 2.0 ** (-max(_number(age_days, "The age"), 0.0) / half_life)
