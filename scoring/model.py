"""Scores and ranks every active partner of a workspace, from three small aggregated frames.

The storage layer answers three grouped queries for one workspace and one window
``[settings.window_start, settings.now]`` and hands the results over as data frames; nothing here
sees a session, a row of the interaction table or Slack.

``partners`` — one row per partner to rank (the workspace's ACTIVE partners; filter before, e.g. by
tier, only if everything relative should be relative to that subset):

    ============  ==========================================================================
    partner_id    int, unique
    name          str (ties in score break by name, case-insensitively, then partner_id)
    tier          str or None (passed through)
    revenue       float or NaN (Decimal and None are accepted and converted)
    cost          float or NaN
    last_contact  the last communication ever, not only in the window: a timezone-aware
                  datetime64 (naive values are taken to be UTC) or NaT when never contacted
    ============  ==========================================================================

``activity`` — per-(partner, UTC day) buckets of the communications inside the window (one grouped
``SELECT partner_id, date(occurred_at), SUM(CASE kind … END), COUNT(*) … GROUP BY 1, 2``, the CASE
built from ``KIND_WEIGHTS``):

    ============  ==========================================================================
    partner_id    int (rows for partners not in ``partners`` are ignored)
    day           the UTC day: midnight as a timezone-aware datetime64 (naive = UTC; a time
                  of day is floored to its day, so a date string or date also works)
    weight        float ≥ 0: Σ KIND_WEIGHTS[kind] over that day's communications
    count         int ≥ 0: how many communications that was
    ============  ==========================================================================

Each bucket decays as a whole from the middle of its day, ``day + 12 h``, or from ``now`` when that
is still in the future: ``weight · 2^(-(now - midpoint)/H)``. Every communication is at most half
a day from its bucket's midpoint, so the approximation is off by a factor of at most
``2^(0.5/H)`` (under 1.2 % for H = 30 days). Buckets that start after ``now`` or end before the
window starts are ignored.

Alternatively ``activity`` may arrive already decayed, one row per partner, when the database can
apply the same per-bucket decay itself (``storage.ranking`` does, so only one row per partner
crosses into Python):

    ==============  ========================================================================
    partner_id      int
    engagement_raw  float ≥ 0: Σ over the partner's buckets of weight · 2^(-(now - midpoint)/H)
    count           int ≥ 0: how many communications that was
    ==============  ========================================================================

``feedback`` — per partner, the feedback answers given inside the window, already on the 0-100 scale
(``csat_to_score``, ``nps_to_score``):

    ============  ==========================================================================
    partner_id    int (rows for partners not in ``partners`` are ignored, also for the
                  workspace mean)
    score_sum     float: Σ of the 0-100 scores
    count         int ≥ 0: how many answers
    ============  ==========================================================================

``projects`` — per partner, its joint projects closed at or before ``now`` (optional; the seeds'
project success rate):

    ============  ==========================================================================
    partner_id    int (rows for partners not in ``partners`` are ignored)
    won           int ≥ 0: projects closed as won
    lost          int ≥ 0: projects closed as lost (cancelled ones count for neither)
    ============  ==========================================================================

``activity``, ``feedback`` and ``projects`` may be empty frames, with or without columns. The result of
``score_partners`` has the columns of ``SCORED_COLUMNS``, one row per partner, sorted by rank, with
a fresh 0…N-1 index; a missing component is NaN. docs/scoring.md describes the model in full.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scoring.formulas import CATEGORY_DECIMALS, LOWEST_CATEGORY, SATISFACTION_CATEGORIES
from scoring.settings import COMPONENTS, ScoringSettings, Weights

PARTNER_COLUMNS: tuple[str, ...] = ("partner_id", "name", "tier", "revenue", "cost", "last_contact")
ACTIVITY_COLUMNS: tuple[str, ...] = ("partner_id", "day", "weight", "count")
DECAYED_ACTIVITY_COLUMNS: tuple[str, ...] = ("partner_id", "engagement_raw", "count")
FEEDBACK_COLUMNS: tuple[str, ...] = ("partner_id", "score_sum", "count")
PROJECT_COLUMNS: tuple[str, ...] = ("partner_id", "won", "lost")
SCORED_COLUMNS: tuple[str, ...] = (
    "partner_id",
    "name",
    "tier",
    "satisfaction",
    "engagement_raw",
    "engagement",
    "recency",
    "business_raw",
    "business",
    "delivery",
    "score",
    "rank",
    "category",
    "last_contact",
    "feedback_count",
    "interaction_count",
    "projects_won",
    "projects_lost",
)

DAY_NS = 86_400 * 10**9
# Each bucket's decayed weight is rounded to a multiple of 2^-24 (≈ 6e-8) before it is summed, so
# the sums are exact and do not depend on the order of the rows (up to a sum of 2^29 per partner).
ENGAGEMENT_QUANTUM = 2.0**-24
# How far a partner's mean feedback may stray outside 0-100 (float noise) before it is refused.
_FEEDBACK_TOLERANCE = 1e-6


# --- input ------------------------------------------------------------------------------------------


def _columns(frame: pd.DataFrame | None, columns: tuple[str, ...], what: str) -> pd.DataFrame | None:
    """``frame`` if it has ``columns``; None when it is empty; a ValueError when columns are missing."""
    if frame is None or len(frame) == 0:
        return None
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} is missing the column(s) {', '.join(missing)}; it needs {', '.join(columns)}."
        )
    return frame


def _floats(series: pd.Series, what: str) -> np.ndarray:
    """``series`` as floats, missing values (None, NaN, NA) as NaN; Decimal and numeric text allowed."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    try:
        values = pd.to_numeric(series.astype(object).where(series.notna(), np.nan), errors="raise")
    except (TypeError, ValueError):
        raise ValueError(f"{what} must hold numbers.") from None
    return np.asarray(values, dtype=float)


def _ids(series: pd.Series, what: str) -> np.ndarray:
    """``series`` as int64 partner ids; a ValueError when one is missing or not a whole number."""
    if not pd.api.types.is_integer_dtype(series.dtype) or series.hasnans:
        if series.hasnans:
            raise ValueError(f"{what} must hold whole numbers, with none missing.")
        try:
            series = pd.to_numeric(series, errors="raise")
        except (TypeError, ValueError):
            raise ValueError(f"{what} must hold whole numbers, with none missing.") from None
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64)
    values = series.to_numpy(dtype=float)
    if not (np.isfinite(values) & (values == np.round(values))).all():
        raise ValueError(f"{what} must hold whole numbers, with none missing.")
    return values.astype(np.int64)


def _utc(series: pd.Series) -> pd.DatetimeIndex:
    """``series`` as a UTC DatetimeIndex with nanosecond resolution (naive values are taken as UTC)."""
    return pd.DatetimeIndex(pd.to_datetime(series, utc=True)).as_unit("ns")


def _utc_ns(moment: object) -> int:
    timestamp = pd.Timestamp(moment)
    if timestamp.tzinfo is None:
        raise ValueError("now must be timezone-aware.")
    return int(timestamp.tz_convert("UTC").as_unit("ns").value)


# --- the formulas, on columns ------------------------------------------------------------------------


def percentile(values: np.ndarray) -> np.ndarray:
    """Percentile rank 0-100 of each value among the non-NaN ones; NaN stays NaN.

    ``100 · (average rank, 1 = lowest) / (number of values)``: the best untied value is 100, tied
    values share the mean of their ranks, a single value is 100.

    >>> percentile(np.array([1.0, 2.0, 2.0, np.nan])).tolist()[:3]
    [33.33333333333333, 83.33333333333334, 83.33333333333334]
    """
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    present = ~np.isnan(values)
    if present.any():
        ranks = pd.Series(values[present]).rank(method="average", pct=True).to_numpy(dtype=float)
        out[present] = ranks * 100.0
    return out


def _engagement_raw(
    activity: pd.DataFrame | None, index: pd.Index, now_ns: int, start_ns: int, half_life: float
) -> tuple[np.ndarray, np.ndarray]:
    """(Σ decayed weight, number of communications) per partner, in the order of ``index``."""
    n = len(index)
    if activity is None:
        return np.zeros(n), np.zeros(n, dtype=np.int64)
    positions = index.get_indexer(_ids(activity["partner_id"], "activity.partner_id"))
    days = _utc(activity["day"])
    if days.isna().any():
        raise ValueError("activity.day must not be missing.")
    day_ns = days.asi8
    day_ns = day_ns - day_ns % DAY_NS
    weight = _floats(activity["weight"], "activity.weight")
    count = _floats(activity["count"], "activity.count")
    if not (np.isfinite(weight) & (weight >= 0)).all():
        raise ValueError("activity.weight must be a number, 0 or more, on every row.")
    if not (np.isfinite(count) & (count >= 0)).all():
        raise ValueError("activity.count must be a number, 0 or more, on every row.")
    keep = (positions >= 0) & (day_ns <= now_ns) & (day_ns + DAY_NS > start_ns)
    midpoint = np.minimum(day_ns[keep] + DAY_NS // 2, now_ns)
    age_days = (now_ns - midpoint) / DAY_NS
    decayed = weight[keep] * np.exp2(-age_days / half_life)
    quanta = np.rint(decayed / ENGAGEMENT_QUANTUM)
    raw = np.bincount(positions[keep], weights=quanta, minlength=n) * ENGAGEMENT_QUANTUM
    counts = np.bincount(positions[keep], weights=count[keep], minlength=n)
    return raw, np.rint(counts).astype(np.int64)


def _decayed_engagement(activity: pd.DataFrame | None, index: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """The database already applied each bucket's decay: one row per partner (see the contract)."""
    n = len(index)
    if activity is None:
        return np.zeros(n), np.zeros(n, dtype=np.int64)
    positions = index.get_indexer(_ids(activity["partner_id"], "activity.partner_id"))
    raw = _floats(activity["engagement_raw"], "activity.engagement_raw")
    count = _floats(activity["count"], "activity.count")
    if not (np.isfinite(raw) & (raw >= 0)).all() or not (np.isfinite(count) & (count >= 0)).all():
        raise ValueError("activity.engagement_raw and activity.count must be numbers, 0 or more.")
    keep = positions >= 0
    quanta = np.rint(raw[keep] / ENGAGEMENT_QUANTUM)  # as the bucket path: order-independent sums
    engagement = np.bincount(positions[keep], weights=quanta, minlength=n) * ENGAGEMENT_QUANTUM
    counts = np.bincount(positions[keep], weights=count[keep], minlength=n)
    return engagement, np.rint(counts).astype(np.int64)


def _feedback_totals(feedback: pd.DataFrame | None, index: pd.Index) -> tuple[np.ndarray, np.ndarray, float]:
    """(Σ scores, number of answers) per partner in the order of ``index``, and the workspace mean
    (NaN when the workspace has no answers)."""
    n = len(index)
    if feedback is None:
        return np.zeros(n), np.zeros(n, dtype=np.int64), math.nan
    positions = index.get_indexer(_ids(feedback["partner_id"], "feedback.partner_id"))
    sums = _floats(feedback["score_sum"], "feedback.score_sum")
    counts = _floats(feedback["count"], "feedback.count")
    keep = positions >= 0
    positions, sums, counts = positions[keep], sums[keep], counts[keep]
    if not (np.isfinite(counts) & (counts >= 0) & (counts == np.round(counts))).all():
        raise ValueError("feedback.count must be a whole number, 0 or more, on every row.")
    if not np.isfinite(sums).all():
        raise ValueError("feedback.score_sum must be a number on every row.")
    if len(np.unique(positions)) != len(positions):  # several rows for a partner: sum in a fixed order
        order = np.lexsort((counts, sums, positions))
        positions, sums, counts = positions[order], sums[order], counts[order]
    partner_sums = np.bincount(positions, weights=sums, minlength=n)
    partner_counts = np.rint(np.bincount(positions, weights=counts, minlength=n)).astype(np.int64)
    tolerance = _FEEDBACK_TOLERANCE * np.maximum(partner_counts, 1)
    bad = (partner_sums < -tolerance) | (partner_sums > 100.0 * partner_counts + tolerance)
    if bad.any():
        partner_id = index[int(np.flatnonzero(bad)[0])]
        raise ValueError(
            f"feedback for partner {partner_id} does not average 0-100 "
            "(score_sum must be the sum of 0-100 scores, count their number)."
        )
    answers = int(partner_counts.sum())
    mean = math.fsum(sums.tolist()) / answers if answers else math.nan
    return partner_sums, partner_counts, mean


def _business_ratio(revenue: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """revenue / cost; cost 0 → +inf for revenue > 0, -inf for revenue < 0, NaN for revenue 0;
    NaN when either is unknown or cost is negative."""
    ratio = np.full(revenue.shape, np.nan)
    known = ~np.isnan(revenue) & ~np.isnan(cost)
    positive_cost = known & (cost > 0)
    with np.errstate(over="ignore"):  # a tiny cost: the ratio overflows to inf, as for a cost of 0
        ratio[positive_cost] = revenue[positive_cost] / cost[positive_cost]
    zero_cost = known & (cost == 0)
    ratio[zero_cost & (revenue > 0)] = np.inf
    ratio[zero_cost & (revenue < 0)] = -np.inf
    return ratio


def _categories(satisfaction: np.ndarray) -> np.ndarray:
    rounded = np.round(satisfaction, CATEGORY_DECIMALS)
    labels = np.full(satisfaction.shape, None, dtype=object)
    labels[~np.isnan(satisfaction)] = LOWEST_CATEGORY
    for threshold, label in reversed(SATISFACTION_CATEGORIES):
        labels[rounded >= threshold] = label
    return labels


def _column_sum(matrix: np.ndarray) -> np.ndarray:
    """Each row's sum, adding the columns left to right: the same float result whatever the shape
    (numpy's pairwise summation would group differently as columns are added)."""
    total = np.zeros(matrix.shape[0])
    for column in range(matrix.shape[1]):
        total = total + matrix[:, column]
    return total


def _delivery(projects: pd.DataFrame | None, index: pd.Index, damping: float) -> tuple[np.ndarray, ...]:
    """(delivery 0-100, won, lost) per partner: the success rate won / (won + lost), damped toward
    the workspace's rate like satisfaction; NaN for a partner without closed projects."""
    n = len(index)
    won = np.zeros(n, dtype=np.int64)
    lost = np.zeros(n, dtype=np.int64)
    delivery = np.full(n, np.nan)
    if projects is None:
        return delivery, won, lost
    positions = index.get_indexer(_ids(projects["partner_id"], "projects.partner_id"))
    won_rows = _floats(projects["won"], "projects.won")
    lost_rows = _floats(projects["lost"], "projects.lost")
    keep = positions >= 0
    for rows in (won_rows, lost_rows):
        if not (np.isfinite(rows) & (rows >= 0) & (rows == np.round(rows))).all():
            raise ValueError("projects.won and projects.lost must be whole numbers, 0 or more.")
    won = np.rint(np.bincount(positions[keep], weights=won_rows[keep], minlength=n)).astype(np.int64)
    lost = np.rint(np.bincount(positions[keep], weights=lost_rows[keep], minlength=n)).astype(np.int64)
    closed = won + lost
    if closed.sum() == 0:
        return delivery, won, lost
    workspace_rate = won.sum() / closed.sum()
    has = closed > 0
    delivery[has] = 100.0 * (won[has] + damping * workspace_rate) / (closed[has] + damping)
    return np.clip(delivery, 0.0, 100.0), won, lost


def contributions(values: np.ndarray, weights: Weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shares, contributions, scores) for rows of component values (columns in ``COMPONENTS`` order,
    NaN = missing; fewer columns than components means the rest are missing).

    A row's share of a component is its weight divided by the sum of the weights of the components
    the row has (0 for a missing one); its contribution is share × value, in points; its score is
    the sum of its contributions, clipped to 0-100 against float noise, or NaN when every component
    it has weighs 0.

    >>> shares, points, score = contributions(np.array([[80.0, 50.0, 100.0, np.nan, np.nan]]), Weights())
    >>> round(float(score[0]), 6)  # (0.40·80 + 0.35·50 + 0.15·100) / 0.90
    71.666667
    """
    values = np.atleast_2d(np.asarray(values, dtype=float))
    if values.shape[1] < len(COMPONENTS):
        missing = np.full((values.shape[0], len(COMPONENTS) - values.shape[1]), np.nan)
        values = np.hstack([values, missing])
    normalised = weights.normalised()
    weight_row = np.array([getattr(normalised, name) for name in COMPONENTS])
    present = ~np.isnan(values)
    present_weights = np.where(present, weight_row, 0.0)
    total = _column_sum(present_weights)
    scored = total > 0
    shares = np.zeros(values.shape)
    shares[scored] = present_weights[scored] / total[scored, None]
    points = np.where(present, shares * np.where(present, values, 0.0), 0.0)
    score = _column_sum(points)
    score = np.where(scored, np.clip(score, 0.0, 100.0), np.nan)
    return shares, points, score


def name_codes(names: pd.Series | np.ndarray) -> np.ndarray:
    """Integers that sort like the names, case-insensitively (equal names, ignoring case, share one)."""
    folded = pd.Series(np.asarray(names, dtype=object)).str.casefold()
    return pd.factorize(folded, sort=True)[0]


def rank_order(keys: list[np.ndarray], names: pd.Series | np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions in rank order: by each key in turn, highest first and NaN last, then by name
    (case-insensitive), then by partner_id.

    Names only break ties, so only the tied partners' names are sorted: with 100,000 partners,
    sorting every name would cost more than the rest of the ranking."""
    ids = np.asarray(ids)
    sort_keys = [
        np.where(np.isnan(values), np.inf, -values) for values in (np.asarray(k, dtype=float) for k in keys)
    ]
    order = np.lexsort([ids, *reversed(sort_keys)])
    if len(order) < 2 or not sort_keys:
        return order
    ranked = np.stack([key[order] for key in sort_keys])
    same = np.all(ranked[:, 1:] == ranked[:, :-1], axis=0)  # each position equal to the one before
    if not same.any():
        return order
    tied = np.zeros(len(order), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    group = np.concatenate([[0], np.cumsum(~same)])[tied]
    among = order[tied]
    codes = name_codes(np.asarray(names, dtype=object)[among])
    order[tied] = among[np.lexsort([ids[among], codes, group])]
    return order


# --- the model -------------------------------------------------------------------------------------------


def _empty_scored() -> pd.DataFrame:
    float_columns = (
        "satisfaction",
        "engagement_raw",
        "engagement",
        "recency",
        "business_raw",
        "business",
        "delivery",
    )
    columns: dict[str, pd.Series] = {}
    for column in SCORED_COLUMNS:
        if column in (
            "partner_id",
            "rank",
            "feedback_count",
            "interaction_count",
            "projects_won",
            "projects_lost",
        ):
            columns[column] = pd.Series([], dtype=np.int64)
        elif column in (*float_columns, "score"):
            columns[column] = pd.Series([], dtype=float)
        elif column == "last_contact":
            columns[column] = pd.Series([], dtype="datetime64[ns, UTC]")
        else:
            columns[column] = pd.Series([], dtype=object)
    return pd.DataFrame(columns)


def score_partners(
    partners: pd.DataFrame,
    activity: pd.DataFrame | None,
    feedback: pd.DataFrame | None,
    settings: ScoringSettings,
    projects: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every partner's components, score (0-100), rank and satisfaction category.

    The frames follow the contract in this module's docstring. Components a partner lacks are NaN
    and its score is the weighted mean of the components it has. Sorted by rank (1 = best).

    >>> from datetime import UTC, datetime
    >>> partners = pd.DataFrame({"partner_id": [1, 2], "name": ["Acme", "Globex"], "tier": [None, "gold"],
    ...     "revenue": [300.0, None], "cost": [100.0, None],
    ...     "last_contact": pd.to_datetime(["2024-06-29", None], utc=True)})
    >>> activity = pd.DataFrame({"partner_id": [1], "day": pd.to_datetime(["2024-06-29"], utc=True),
    ...     "weight": [3.0], "count": [1]})
    >>> feedback = pd.DataFrame({"partner_id": [1], "score_sum": [90.0], "count": [1]})
    >>> settings = ScoringSettings(now=datetime(2024, 6, 30, tzinfo=UTC))
    >>> scored = score_partners(partners, activity, feedback, settings)
    >>> scored[["name", "rank", "category"]].values.tolist()
    [['Acme', 1, 'very satisfied'], ['Globex', 2, None]]
    """
    frame = _columns(partners, PARTNER_COLUMNS, "partners")
    if frame is None:
        return _empty_scored()
    decayed = activity is not None and "engagement_raw" in activity.columns
    activity = _columns(activity, DECAYED_ACTIVITY_COLUMNS if decayed else ACTIVITY_COLUMNS, "activity")
    feedback = _columns(feedback, FEEDBACK_COLUMNS, "feedback")
    projects = _columns(projects, PROJECT_COLUMNS, "projects")

    ids = _ids(frame["partner_id"], "partners.partner_id")
    index = pd.Index(ids)
    if index.has_duplicates:
        raise ValueError(f"partners has more than one row for partner_id {index[index.duplicated()][0]}.")
    if frame["name"].isna().any():
        raise ValueError("partners.name must not be missing.")
    names = frame["name"].astype(str).to_numpy(dtype=object)
    tiers = np.asarray(frame["tier"].astype(object).where(frame["tier"].notna(), None), dtype=object)
    revenue = _floats(frame["revenue"], "partners.revenue")
    cost = _floats(frame["cost"], "partners.cost")
    if np.isinf(revenue).any() or np.isinf(cost).any():
        raise ValueError("partners.revenue and partners.cost must be finite numbers or missing.")
    last_contact = _utc(frame["last_contact"])

    now_ns = _utc_ns(settings.now)
    start_ns = now_ns - int(settings.window_days) * DAY_NS
    half_life = float(settings.half_life_days)

    if decayed:
        engagement_raw, interaction_count = _decayed_engagement(activity, index)
    else:
        engagement_raw, interaction_count = _engagement_raw(activity, index, now_ns, start_ns, half_life)
    engagement = percentile(engagement_raw)
    engagement[engagement_raw == 0] = 0.0

    score_sum, feedback_count, workspace_mean = _feedback_totals(feedback, index)
    satisfaction = np.full(len(ids), np.nan)
    rated = feedback_count > 0
    damping = float(settings.damping)
    satisfaction[rated] = (score_sum[rated] + damping * workspace_mean) / (feedback_count[rated] + damping)
    satisfaction = np.clip(satisfaction, 0.0, 100.0)

    never = np.asarray(last_contact.isna())
    last_ns = np.where(never, now_ns, last_contact.asi8)
    age_days = np.maximum((now_ns - last_ns) / DAY_NS, 0.0)
    recency = np.where(never, 0.0, 100.0 * np.exp2(-age_days / half_life))

    business_raw = _business_ratio(revenue, cost)
    business = percentile(business_raw)
    business[business_raw <= 0] = 0.0

    delivery, projects_won, projects_lost = _delivery(projects, index, damping)

    values = np.column_stack([satisfaction, engagement, recency, business, delivery])
    _, _, score = contributions(values, settings.weights)
    order = rank_order([score], names, ids)

    return pd.DataFrame(
        {
            "partner_id": ids[order],
            "name": pd.Series(names[order], dtype=object),
            "tier": pd.Series(tiers[order], dtype=object),
            "satisfaction": satisfaction[order],
            "engagement_raw": engagement_raw[order],
            "engagement": engagement[order],
            "recency": recency[order],
            "business_raw": business_raw[order],
            "business": business[order],
            "delivery": delivery[order],
            "score": score[order],
            "rank": np.arange(1, len(ids) + 1, dtype=np.int64),
            "category": pd.Series(_categories(satisfaction)[order], dtype=object),
            "last_contact": last_contact[order],
            "feedback_count": feedback_count[order],
            "interaction_count": interaction_count[order],
            "projects_won": projects_won[order],
            "projects_lost": projects_lost[order],
        }
    )
