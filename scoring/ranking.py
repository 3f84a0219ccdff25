"""Questions asked of a scored frame: ranked by one component, movement since last time, who needs
attention. Every function takes the frame ``score_partners`` returns and gives a new one.

>>> import pandas as pd
>>> previous = pd.DataFrame({"partner_id": [7, 8], "rank": [1, 2]})
>>> current = pd.DataFrame({"partner_id": [8, 7, 9], "rank": [1, 2, 3]})
>>> rank_changes(current, previous).tolist()
[1.0, -1.0, nan]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

from scoring.formulas import satisfaction_category
from scoring.model import DAY_NS, _utc, _utc_ns, rank_order

# What /partner top … by <word> ranks by: the scored column, then a finer column for its ties.
RANK_BY: dict[str, tuple[str, ...]] = {
    "score": ("score",),
    "satisfaction": ("satisfaction",),
    "engagement": ("engagement", "engagement_raw"),
    "recency": ("recency",),
    "revenue": ("business", "business_raw"),
    "delivery": ("delivery",),
    # Loyalty's categories as numbers (scoring.loyalty.loyalty_level), then the score within one.
    "loyalty": ("loyalty_level", "score"),
}
RANK_BY_ALIASES: dict[str, str] = {"business": "revenue", "projects": "delivery", "success": "delivery"}


def rank_by(scored: pd.DataFrame, by: str) -> pd.DataFrame:
    """``scored`` re-ranked by ``by`` (score, satisfaction, engagement, recency or revenue, any case).

    Highest first; partners missing the component come last; ties break by name (case-insensitive),
    then partner_id. "revenue" ranks by the business component (revenue / cost), its ties by the
    ratio itself. Returns a new frame sorted by the new ``rank`` (1…N) with a fresh index.

    >>> frame = pd.DataFrame({"partner_id": [1, 2], "name": ["A", "B"], "satisfaction": [float("nan"), 70.0],
    ...     "rank": [1, 2]})
    >>> rank_by(frame, "satisfaction")["name"].tolist()
    ['B', 'A']
    """
    word = str(by).strip().casefold()
    word = RANK_BY_ALIASES.get(word, word)
    if word not in RANK_BY:
        choices = ", ".join(list(RANK_BY)[:-1]) + f" or {list(RANK_BY)[-1]}"
        raise ValueError(f"Partners can't be ranked by “{by}”; choose {choices}.")
    columns = [column for column in RANK_BY[word] if column in scored.columns]
    if not columns:
        raise ValueError(f"The scored frame has no {RANK_BY[word][0]} column.")
    order = rank_order(
        [scored[column].to_numpy(dtype=float) for column in columns],
        scored["name"].to_numpy(dtype=object),
        scored["partner_id"].to_numpy(),
    )
    ranked = scored.iloc[order].reset_index(drop=True)
    ranked["rank"] = np.arange(1, len(ranked) + 1, dtype=np.int64)
    return ranked


def rank_changes(current: pd.DataFrame, previous: pd.DataFrame) -> pd.Series:
    """partner_id → previous rank − current rank, for the partners of ``current`` in its order.

    Positive means the partner moved up (from 5th to 2nd is +3); NaN means it was not in the
    previous ranking.
    """
    before = pd.Series(previous["rank"].to_numpy(dtype=float), index=previous["partner_id"].to_numpy())
    now = pd.Series(current["rank"].to_numpy(dtype=float), index=current["partner_id"].to_numpy())
    changes = before.reindex(now.index) - now
    changes.index.name = "partner_id"
    changes.name = "rank_change"
    return changes


def _days(days: float) -> str:
    whole = math.floor(days)
    return "1 day" if whole == 1 else f"{whole} days"


# product.md's "needs attention": no contact for this many days, or satisfaction below this.
ATTENTION_STALE_DAYS = 30
ATTENTION_SATISFACTION_BELOW = 60


def needs_attention(
    scored: pd.DataFrame,
    now: datetime,
    stale_days: float = ATTENTION_STALE_DAYS,
    floor: float = ATTENTION_SATISFACTION_BELOW,
    overdue: Mapping[int, tuple[int, date]] | None = None,
) -> pd.DataFrame:
    """The partners that need attention: no contact for ``stale_days`` days or more (or never), a
    satisfaction below ``floor``, or a follow-up past its date (``overdue``: partner_id → (how many,
    the earliest date)). Partners without satisfaction are judged on the rest.

    Returns those rows of ``scored``, in its order, with two more columns: ``days_since_contact``
    (float, NaN when never contacted) and ``reason``, e.g. "no contact for 45 days; satisfaction
    52 (very dissatisfied); 2 follow-ups overdue since 2026-11-20".
    """
    overdue = overdue or {}
    now_ns = _utc_ns(now)
    last_contact = _utc(scored["last_contact"])
    never = np.asarray(last_contact.isna())
    days = np.where(never, np.nan, (now_ns - np.where(never, now_ns, last_contact.asi8)) / DAY_NS)
    satisfaction = scored["satisfaction"].to_numpy(dtype=float)
    stale = never | (days >= stale_days)
    unhappy = satisfaction < floor  # NaN compares False: no feedback is not unhappiness
    ids = scored["partner_id"].to_numpy()
    late = np.array([int(partner_id) in overdue for partner_id in ids], dtype=bool)
    reasons = []
    for partner_id, is_never, age, is_stale, value, is_unhappy in zip(
        ids, never, days, stale, satisfaction, unhappy, strict=True
    ):
        parts = []
        if is_never:
            parts.append("never contacted")
        elif is_stale:
            parts.append(f"no contact for {_days(age)}")
        if is_unhappy:
            parts.append(f"satisfaction {math.floor(value * 10) / 10:g} ({satisfaction_category(value)})")
        if int(partner_id) in overdue:
            count, since = overdue[int(partner_id)]
            noun = "follow-up" if count == 1 else "follow-ups"
            parts.append(f"{count} {noun} overdue since {since.isoformat()}")
        reasons.append("; ".join(parts))
    result = scored.assign(
        days_since_contact=days, reason=pd.Series(reasons, index=scored.index, dtype=object)
    )
    return result[stale | unhappy | late].copy()
