"""Loyalty (the seeds' 忠诚度): a category per partner from repeat business, its value and the
feedback trend. The rule, checked in this order (docs/scoring.md explains it):

1. **at risk** — the average feedback score fell by ``FALLING_POINTS`` or more against the window
   before, or satisfaction is below ``AT_RISK_BELOW``, or it lost at least 2 joint projects in the
   last 12 months and won none;
2. **champion** — at least ``CHAMPION_WINS`` projects won in 12 months, won value at or above the
   workspace's median among partners that won any, and satisfaction (when rated) at least
   ``CHAMPION_SATISFACTION``;
3. **loyal** — at least ``LOYAL_WINS`` projects won in 12 months (repeat business);
4. **new** — added less than ``NEW_DAYS`` days ago: too soon to repeat anything;
5. **developing** — everyone else.

>>> frame = pd.DataFrame({"partner_id": [1, 2, 3], "won_12m": [3, 2, 0], "lost_12m": [0, 0, 2],
...     "won_value_12m": [90_000.0, 10_000.0, 0.0], "satisfaction": [85.0, float("nan"), 70.0],
...     "feedback_now": [85.0, float("nan"), 70.0], "feedback_before": [80.0, float("nan"), 75.0],
...     "age_days": [400.0, 400.0, 400.0]})
>>> loyalty_categories(frame).tolist()
['champion', 'loyal', 'at risk']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LOYALTY_COLUMNS: tuple[str, ...] = (
    "partner_id",
    "won_12m",  # projects closed as won in the last 12 months
    "lost_12m",  # … and as lost
    "won_value_12m",  # the value of the won ones (0 when none has a value)
    "satisfaction",  # today's satisfaction 0-100 (the ranking's), NaN when unrated
    "feedback_now",  # the average feedback score of the satisfaction window, NaN when none
    "feedback_before",  # … of the window before it
    "age_days",  # days since the partner was added
)
# From most to least loyal: /partner top by loyalty ranks in this order.
LOYALTY_ORDER: tuple[str, ...] = ("champion", "loyal", "developing", "new", "at risk")
FALLING_POINTS = 10.0
AT_RISK_BELOW = 60.0
CHAMPION_WINS = 3
CHAMPION_SATISFACTION = 80.0
LOYAL_WINS = 2
NEW_DAYS = 180


def loyalty_categories(frame: pd.DataFrame) -> pd.Series:
    """Each partner's loyalty category (a string of LOYALTY_ORDER), in the frame's order and index."""
    missing = [column for column in LOYALTY_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"loyalty needs the column(s) {', '.join(missing)}.")
    won = frame["won_12m"].to_numpy(dtype=float)
    lost = frame["lost_12m"].to_numpy(dtype=float)
    value = np.nan_to_num(frame["won_value_12m"].to_numpy(dtype=float), nan=0.0)
    satisfaction = frame["satisfaction"].to_numpy(dtype=float)
    now = frame["feedback_now"].to_numpy(dtype=float)
    before = frame["feedback_before"].to_numpy(dtype=float)
    age = frame["age_days"].to_numpy(dtype=float)

    with np.errstate(invalid="ignore"):  # NaN compares False: no feedback is neither falling nor low
        falling = (now - before) <= -FALLING_POINTS
        unhappy = satisfaction < AT_RISK_BELOW
        happy_enough = np.isnan(satisfaction) | (satisfaction >= CHAMPION_SATISFACTION)
    losing = (lost >= 2) & (won == 0)
    winners = value[won > 0]
    median_value = float(np.median(winners)) if winners.size else 0.0

    labels = np.full(len(frame), "developing", dtype=object)
    labels[age < NEW_DAYS] = "new"
    labels[won >= LOYAL_WINS] = "loyal"
    labels[(won >= CHAMPION_WINS) & (value >= median_value) & happy_enough] = "champion"
    labels[falling | unhappy | losing] = "at risk"
    return pd.Series(labels, index=frame.index, dtype=object, name="loyalty")


def loyalty_level(categories: pd.Series) -> np.ndarray:
    """A number per category that sorts like LOYALTY_ORDER, most loyal highest (for rank_by)."""
    levels = {label: len(LOYALTY_ORDER) - i for i, label in enumerate(LOYALTY_ORDER)}
    return categories.map(levels).to_numpy(dtype=float)
