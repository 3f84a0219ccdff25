"""Partner scoring: pure functions from data frames and settings to scores, ranks and explanations.

No Slack, no database sessions: the storage layer aggregates (one grouped query each for partners,
per-day activity buckets and feedback; see ``scoring.model`` for the frames' contract) and this
package normalises, weights, ranks and explains. docs/scoring.md describes the model.

>>> from datetime import UTC, datetime
>>> import pandas as pd
>>> partners = pd.DataFrame({"partner_id": [1], "name": ["Acme"], "tier": [None], "revenue": [None],
...     "cost": [None], "last_contact": pd.to_datetime([None], utc=True)})
>>> settings = ScoringSettings(now=datetime(2024, 6, 30, tzinfo=UTC))
>>> score_partners(partners, None, None, settings)["score"].tolist()
[0.0]
"""

from scoring.explanation import ComponentExplanation, Explanation, Lever, explain
from scoring.formulas import (
    CATEGORY_LABELS,
    SATISFACTION_CATEGORIES,
    csat_to_score,
    damped_mean,
    decay,
    nps_to_score,
    satisfaction_category,
)
from scoring.loyalty import LOYALTY_COLUMNS, LOYALTY_ORDER, loyalty_categories, loyalty_level
from scoring.model import (
    ACTIVITY_COLUMNS,
    FEEDBACK_COLUMNS,
    PARTNER_COLUMNS,
    PROJECT_COLUMNS,
    SCORED_COLUMNS,
    contributions,
    percentile,
    score_partners,
)
from scoring.projects import (
    damped_success_rate,
    relationship_degree,
    success_rate,
    value_per_fund,
    wins_per_100_hours,
)
from scoring.ranking import (
    ATTENTION_SATISFACTION_BELOW,
    ATTENTION_STALE_DAYS,
    RANK_BY,
    needs_attention,
    rank_by,
    rank_changes,
)
from scoring.settings import COMPONENTS, KIND_WEIGHTS, ScoringSettings, Weights

__all__ = [
    "ACTIVITY_COLUMNS",
    "ATTENTION_SATISFACTION_BELOW",
    "ATTENTION_STALE_DAYS",
    "CATEGORY_LABELS",
    "COMPONENTS",
    "FEEDBACK_COLUMNS",
    "KIND_WEIGHTS",
    "LOYALTY_COLUMNS",
    "LOYALTY_ORDER",
    "PARTNER_COLUMNS",
    "PROJECT_COLUMNS",
    "RANK_BY",
    "SATISFACTION_CATEGORIES",
    "SCORED_COLUMNS",
    "ComponentExplanation",
    "Explanation",
    "Lever",
    "ScoringSettings",
    "Weights",
    "contributions",
    "csat_to_score",
    "damped_mean",
    "damped_success_rate",
    "decay",
    "explain",
    "loyalty_categories",
    "loyalty_level",
    "needs_attention",
    "nps_to_score",
    "percentile",
    "rank_by",
    "rank_changes",
    "relationship_degree",
    "satisfaction_category",
    "score_partners",
    "success_rate",
    "value_per_fund",
    "wins_per_100_hours",
]
