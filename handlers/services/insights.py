"""What goes with satisfaction in one workspace: the period's counts from storage, one tier's
partners when asked, and the regression from scoring (docs/scoring.md, "What drives satisfaction")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from scoring.insights import SatisfactionModel, explain_satisfaction, insight_inputs
from storage.db import Database
from storage.insights import insight_counts


@dataclass(frozen=True)
class SatisfactionInsights:
    period_days: int
    tier: str | None
    tiers: list[str]  # the tiers of the workspace's active partners, by name
    model: SatisfactionModel | None  # None when no active partner has the tier asked for


def satisfaction_insights(
    database: Database, team_id: str, *, now: datetime, period_days: int, tier: str | None = None
) -> SatisfactionInsights:
    """The model over the workspace's active partners (those of ``tier``, ignoring case) for the
    ``period_days`` days up to ``now``."""
    with database.read() as session:
        counts = insight_counts(session, team_id, since=now - timedelta(days=period_days), until=now)
    tiers = sorted({str(t) for t in counts["tier"].dropna() if str(t).strip()}, key=str.casefold)
    if tier:
        # As objects: a workspace with no partners gives an empty column of another dtype.
        wanted = counts["tier"].astype(object).map(lambda t: str(t).casefold() if pd.notna(t) else "")
        counts = counts[wanted == tier.casefold()]
        if counts.empty:
            return SatisfactionInsights(period_days, tier, tiers, None)
    inputs = insight_inputs(counts, period_end=now, period_days=period_days)
    return SatisfactionInsights(period_days, tier, tiers, explain_satisfaction(inputs))
