"""Scores on many past days at once: what each partner's score was at 00:00 UTC of each day, from
per-day aggregates of the whole span (a backfill of score history).

``score_partners`` at one moment needs the window's activity decayed to that moment, the window's
feedback, the last contact ever and the projects closed so far. Over a span of days those are
running quantities, so the per-day inputs are taken from the span's per-(partner, day) frames
with numpy slices instead of a query per day:

- engagement: the window's daily weights decayed to midnight. At midnight every bucket of the
  window is whole days old, so a bucket ``j`` days back (1 ≤ j ≤ window) decays by
  ``2^(-(j - ½)/H)``; days are taken in chunks, each a dense partners × days matrix;
- feedback: running sums over the window (answer scores are multiples of ½, so adding and
  removing days is exact);
- last contact: a running maximum; delivery: running counts of projects closed won or lost.

Each day's frames then go through :func:`scoring.score_partners`, so the scores are the ones a
ranking computed at that moment gives (``tests/handlers/services/test_history.py`` checks it
against ``compute_ranking`` on both databases).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd

from scoring.model import DAY_NS, score_partners
from scoring.settings import ScoringSettings, Weights

CHUNK_DAYS = 32  # target days per dense matrix: partners × (window + chunk) floats
_NAT = np.iinfo(np.int64).min


def midnight(day: date) -> datetime:
    """A day's snapshot moment: 00:00 UTC."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def _day_numbers(values: pd.Series) -> np.ndarray:
    """UTC days as integers (days since 1970-01-01)."""
    ns = pd.DatetimeIndex(pd.to_datetime(values, utc=True)).as_unit("ns").asi8
    return ns // DAY_NS


def score_days(
    partners: pd.DataFrame,
    activity: pd.DataFrame,
    feedback: pd.DataFrame,
    outcomes: pd.DataFrame,
    days: list[date],
    *,
    weights: Weights,
    window_days: int = 90,
    last_before: pd.DataFrame | None = None,
) -> Iterator[tuple[date, pd.DataFrame]]:
    """Yield (day, ``score_partners`` frame at that day's midnight) for each of ``days`` (ascending).

    ``partners``: partner_id, name, tier, revenue, cost (the partners to rank, as today);
    ``activity``: partner_id, day, weight, count, last_at — per (partner, UTC day), covering at
    least ``[days[0] - window_days, days[-1])``; ``feedback``: partner_id, day, score_sum, count
    over the same span; ``outcomes``: partner_id, closed_on, won, lost, every closing up to
    ``days[-1]``; ``last_before``: partner_id, last_at — the last contact before the span of
    ``activity`` (None when it holds every communication).
    """
    if not days:
        return
    days = sorted(days)
    ids = partners["partner_id"].to_numpy(dtype=np.int64)
    index = pd.Index(ids)
    n = len(ids)
    base = partners[["partner_id", "name", "tier", "revenue", "cost"]].reset_index(drop=True)
    first = days[0].toordinal() - date(1970, 1, 1).toordinal()
    last = days[-1].toordinal() - date(1970, 1, 1).toordinal()
    span_start = first - window_days  # day numbers [span_start, last) feed the windows

    # Activity, partner positions and day numbers, sorted by day.
    act_pos = (
        index.get_indexer(activity["partner_id"].to_numpy(dtype=np.int64))
        if len(activity)
        else np.array([], dtype=np.int64)
    )
    act_day = _day_numbers(activity["day"]) if len(activity) else np.array([], dtype=np.int64)
    keep = (act_pos >= 0) & (act_day >= span_start) & (act_day < last)
    act_pos, act_day = act_pos[keep], act_day[keep]
    act_weight = activity["weight"].to_numpy(dtype=float)[keep] if len(activity) else np.array([])
    act_count = activity["count"].to_numpy(dtype=float)[keep] if len(activity) else np.array([])
    act_last = (
        pd.DatetimeIndex(pd.to_datetime(activity["last_at"], utc=True)).as_unit("ns").asi8[keep]
        if len(activity)
        else np.array([], dtype=np.int64)
    )
    order = np.argsort(act_day, kind="stable")
    act_pos, act_day, act_weight, act_count, act_last = (
        a[order] for a in (act_pos, act_day, act_weight, act_count, act_last)
    )

    fb_pos = (
        index.get_indexer(feedback["partner_id"].to_numpy(dtype=np.int64))
        if len(feedback)
        else np.array([], dtype=np.int64)
    )
    fb_day = _day_numbers(feedback["day"]) if len(feedback) else np.array([], dtype=np.int64)
    keep = fb_pos >= 0
    fb_pos, fb_day = fb_pos[keep], fb_day[keep]
    fb_sum = feedback["score_sum"].to_numpy(dtype=float)[keep] if len(feedback) else np.array([])
    fb_count = (
        feedback["count"].to_numpy(dtype=np.int64)[keep] if len(feedback) else np.array([], dtype=np.int64)
    )
    order = np.argsort(fb_day, kind="stable")
    fb_pos, fb_day, fb_sum, fb_count = (a[order] for a in (fb_pos, fb_day, fb_sum, fb_count))

    out_pos = (
        index.get_indexer(outcomes["partner_id"].to_numpy(dtype=np.int64))
        if len(outcomes)
        else np.array([], dtype=np.int64)
    )
    out_day = (
        np.array(
            [d.toordinal() - date(1970, 1, 1).toordinal() for d in outcomes["closed_on"]], dtype=np.int64
        )
        if len(outcomes)
        else np.array([], dtype=np.int64)
    )
    keep = out_pos >= 0
    out_pos, out_day = out_pos[keep], out_day[keep]
    out_won = (
        outcomes["won"].to_numpy(dtype=np.int64)[keep] if len(outcomes) else np.array([], dtype=np.int64)
    )
    out_lost = (
        outcomes["lost"].to_numpy(dtype=np.int64)[keep] if len(outcomes) else np.array([], dtype=np.int64)
    )
    order = np.argsort(out_day, kind="stable")
    out_pos, out_day, out_won, out_lost = (a[order] for a in (out_pos, out_day, out_won, out_lost))

    # Running state, brought up to the first day: last contact, feedback in the window, outcomes.
    last_contact = np.full(n, _NAT, dtype=np.int64)
    if last_before is not None and len(last_before):
        positions = index.get_indexer(last_before["partner_id"].to_numpy(dtype=np.int64))
        moments = pd.DatetimeIndex(pd.to_datetime(last_before["last_at"], utc=True)).as_unit("ns").asi8
        ok = positions >= 0
        last_contact[positions[ok]] = moments[ok]
    won = np.zeros(n, dtype=np.int64)
    lost = np.zeros(n, dtype=np.int64)
    fb_running_sum = np.zeros(n)
    fb_running_count = np.zeros(n, dtype=np.int64)
    act_cursor = 0  # activity rows folded into last_contact (days < the current day)
    out_cursor = 0
    fb_added = 0  # feedback rows with day < current day
    fb_removed = 0  # feedback rows with day < current day - window

    half_life = ScoringSettings(
        now=midnight(days[0]), window_days=window_days, weights=weights
    ).half_life_days
    kernel = np.exp2(-(np.arange(1, window_days + 1) - 0.5) / half_life)  # j = 1 … window days back

    wanted = [d.toordinal() - date(1970, 1, 1).toordinal() for d in days]
    for chunk_start in range(0, len(wanted), CHUNK_DAYS):
        chunk = wanted[chunk_start : chunk_start + CHUNK_DAYS]
        c0, c1 = chunk[0], chunk[-1]
        width = c1 - c0 + window_days  # columns: day numbers [c0 - window, c1)
        lo = np.searchsorted(act_day, c0 - window_days, side="left")
        hi = np.searchsorted(act_day, c1, side="left")
        weights_matrix = np.zeros((n, width))
        counts_matrix = np.zeros((n, width))
        columns = act_day[lo:hi] - (c0 - window_days)
        np.add.at(weights_matrix, (act_pos[lo:hi], columns), act_weight[lo:hi])
        np.add.at(counts_matrix, (act_pos[lo:hi], columns), act_count[lo:hi])
        count_cumsum = np.concatenate([np.zeros((n, 1)), np.cumsum(counts_matrix, axis=1)], axis=1)
        for day_number in chunk:
            offset = day_number - c0 + window_days  # column of the day itself (not in the window)
            engagement_raw = np.zeros(n)
            for j in range(1, window_days + 1):
                engagement_raw += weights_matrix[:, offset - j] * kernel[j - 1]
            interactions = count_cumsum[:, offset] - count_cumsum[:, offset - window_days]
            # last contact before midnight: fold in every day before this one
            stop = np.searchsorted(act_day, day_number, side="left")
            if stop > act_cursor:
                np.maximum.at(last_contact, act_pos[act_cursor:stop], act_last[act_cursor:stop])
                act_cursor = stop
            # feedback in [day - window, day)
            stop = np.searchsorted(fb_day, day_number, side="left")
            if stop > fb_added:
                np.add.at(fb_running_sum, fb_pos[fb_added:stop], fb_sum[fb_added:stop])
                np.add.at(fb_running_count, fb_pos[fb_added:stop], fb_count[fb_added:stop])
                fb_added = stop
            stop = np.searchsorted(fb_day, day_number - window_days, side="left")
            if stop > fb_removed:
                np.subtract.at(fb_running_sum, fb_pos[fb_removed:stop], fb_sum[fb_removed:stop])
                np.subtract.at(fb_running_count, fb_pos[fb_removed:stop], fb_count[fb_removed:stop])
                fb_removed = stop
            # projects closed on or before the day
            stop = np.searchsorted(out_day, day_number, side="right")
            if stop > out_cursor:
                np.add.at(won, out_pos[out_cursor:stop], out_won[out_cursor:stop])
                np.add.at(lost, out_pos[out_cursor:stop], out_lost[out_cursor:stop])
                out_cursor = stop

            day = date.fromordinal(day_number + date(1970, 1, 1).toordinal())
            settings = ScoringSettings(now=midnight(day), window_days=window_days, weights=weights)
            frame = base.assign(
                last_contact=pd.DatetimeIndex(last_contact.view("datetime64[ns]")).tz_localize("UTC")
            )
            active = engagement_raw > 0
            activity_today = pd.DataFrame(
                {
                    "partner_id": ids[active | (interactions > 0)],
                    "engagement_raw": engagement_raw[active | (interactions > 0)],
                    "count": interactions[active | (interactions > 0)],
                }
            )
            rated = fb_running_count > 0
            feedback_today = pd.DataFrame(
                {
                    "partner_id": ids[rated],
                    "score_sum": fb_running_sum[rated],
                    "count": fb_running_count[rated],
                }
            )
            closed = (won + lost) > 0
            projects_today = pd.DataFrame(
                {"partner_id": ids[closed], "won": won[closed], "lost": lost[closed]}
            )
            yield day, score_partners(frame, activity_today, feedback_today, settings, projects_today)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
