"""A generated workspace of any size for the scoring tests and the scoring benchmark.

``python tests/scoring/scoring_workspace.py`` times ``score_partners`` on 10,000 partners and
200,000 activity buckets (the figures docs/scoring.md reports).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scoring import ScoringSettings, score_partners

NOW = datetime(2024, 6, 30, 15, 30, tzinfo=UTC)
DAY = pd.Timedelta(days=1)


def generated_workspace(
    partners: int, buckets: int, rated: int | None = None, seed: int = 0, window_days: int = 90
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(partners, activity, feedback) frames as the storage layer would produce them."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(np.arange(1, partners + 1) * 7)
    today = pd.Timestamp(NOW).floor("D")
    revenue = np.where(rng.random(partners) < 0.8, rng.gamma(2.0, 50_000.0, partners).round(2), np.nan)
    cost = np.where(rng.random(partners) < 0.8, rng.gamma(2.0, 20_000.0, partners).round(2), np.nan)
    cost[rng.random(partners) < 0.01] = 0.0
    contacted = rng.random(partners) < 0.95
    last_contact = pd.Series(
        pd.to_datetime(NOW) - pd.to_timedelta(rng.exponential(20.0, partners), unit="D"),
        dtype="datetime64[ns, UTC]",
    ).where(contacted)
    partner_frame = pd.DataFrame(
        {
            "partner_id": ids,
            "name": [f"Partner {i:05d}" for i in range(partners)],
            "tier": rng.choice(np.array(["gold", "silver", "bronze", None], dtype=object), partners),
            "revenue": revenue,
            "cost": cost,
            "last_contact": last_contact,
        }
    )
    # Distinct (partner, day) pairs, busy partners more often.
    cells = partners * window_days
    flat = rng.choice(cells, size=min(buckets, cells), replace=False)
    activity = pd.DataFrame(
        {
            "partner_id": ids[flat // window_days],
            "day": today - pd.to_timedelta(flat % window_days, unit="D"),
            "count": rng.integers(1, 6, len(flat)),
        }
    )
    activity["weight"] = activity["count"] * rng.choice([1.0, 2.0, 3.0], len(flat))
    rated = partners * 6 // 10 if rated is None else rated
    answers = rng.integers(1, 20, rated)
    feedback = pd.DataFrame(
        {
            "partner_id": rng.choice(ids, rated, replace=False),
            "score_sum": answers * rng.uniform(20, 100, rated),
            "count": answers,
        }
    )
    return partner_frame, activity, feedback


def main() -> None:
    partners, activity, feedback = generated_workspace(10_000, 200_000)
    settings = ScoringSettings(now=NOW)
    score_partners(partners, activity, feedback, settings)  # warm-up
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        score_partners(partners, activity, feedback, settings)
        timings.append((time.perf_counter() - start) * 1000)
    print(
        f"score_partners, {len(partners):,} partners, {len(activity):,} buckets, "
        f"{len(feedback):,} feedback rows: "
        f"median {statistics.median(timings):.1f} ms, best {min(timings):.1f} ms, worst {max(timings):.1f} ms"
    )


if __name__ == "__main__":
    main()
