"""Why a partner has its score, component by component, and what would raise it most.

``explain(scored, partner_id, settings)`` reads one row of the frame ``score_partners`` returned
(computed with the same ``settings``) and returns plain data for ``/partner show`` to render.

>>> from datetime import UTC, datetime
>>> import pandas as pd
>>> from scoring.settings import ScoringSettings
>>> scored = pd.DataFrame({"partner_id": [1], "name": ["Acme"], "rank": [1], "satisfaction": [float("nan")],
...     "engagement": [40.0], "recency": [90.0], "business": [float("nan")], "delivery": [float("nan")],
...     "score": [55.0]})
>>> explanation = explain(scored, 1, ScoringSettings(now=datetime(2024, 6, 30, tzinfo=UTC)))
>>> [(lever.component, round(lever.points, 2), lever.missing) for lever in explanation.levers][:3]
[('engagement', 42.0, False), ('satisfaction', 20.0, True), ('delivery', 10.38, True)]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from scoring.model import DAY_NS, _utc_ns, contributions
from scoring.settings import COMPONENTS, ScoringSettings

# What to do to raise each component: (when the partner has it, when it is missing).
SUGGESTIONS: dict[str, tuple[str, str]] = {
    "satisfaction": (
        "ask for feedback with /partner survey and follow up on what they say",
        "collecting feedback would add satisfaction to the score: ask for it with /partner survey",
    ),
    "engagement": ("log a meeting or QBR (each counts three times an email)", "log a meeting or QBR"),
    "recency": ("get in touch and log it with /partner log", "get in touch and log it with /partner log"),
    "business": (
        "grow revenue relative to cost, and keep both current with /partner edit",
        "update revenue and cost with /partner edit so business performance counts",
    ),
    "delivery": (
        "win more of the joint projects you close, and close finished ones with /partner project close",
        "record joint projects and close them won or lost with /partner project, so delivery counts",
    ),
}


@dataclass(frozen=True)
class ComponentExplanation:
    """One component of one partner's score."""

    name: str
    value: float | None  # 0-100, None when the partner does not have this component
    weight: float  # the weight as configured
    normalised_weight: float  # its share among the components the partner has (0 when missing)
    contribution: float  # points it adds to the score: normalised_weight × value
    detail: str  # plain English: what the value is made of

    @property
    def present(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Lever:
    """One way to raise the score: bring ``component`` to 100 (or, when missing, add it at 100)."""

    component: str
    points: float  # how many points the score would rise by at most
    missing: bool  # True when the partner does not have this component yet
    suggestion: str  # plain English, without the points


@dataclass(frozen=True)
class Explanation:
    """A partner's score, the window it covers, each component's part and the levers to raise it."""

    partner_id: int
    name: str
    rank: int
    score: float | None  # None when every component the partner has weighs 0
    category: str | None
    window_start: datetime
    window_end: datetime
    window_days: int
    half_life_days: float
    components: tuple[ComponentExplanation, ...]
    levers: tuple[Lever, ...]  # every component whose improvement would add points, most first

    @property
    def biggest_lever(self) -> Lever | None:
        """The component whose improvement to 100 would add the most points (None if none would)."""
        return self.levers[0] if self.levers else None

    def component(self, name: str) -> ComponentExplanation:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(name)


def _optional(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return float(value)  # type: ignore[arg-type]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _details(row: pd.Series, settings: ScoringSettings) -> dict[str, str]:
    window = f"in the last {settings.window_days} days"
    feedback_count = int(row.get("feedback_count", 0) or 0)
    satisfaction = (
        f"from {_plural(feedback_count, 'feedback answer')} {window}, damped toward the workspace average"
        if _optional(row.get("satisfaction")) is not None
        else f"no feedback {window}"
    )
    communications = int(row.get("interaction_count", 0) or 0)
    raw = _optional(row.get("engagement_raw"))
    if raw:
        engagement = (
            f"{_plural(communications, 'communication')} {window}, worth {raw:.1f} after decay "
            "(recent ones and meetings count more), compared with the other active partners"
        )
    else:
        engagement = f"no communications {window}"
    last_contact = row.get("last_contact")
    if last_contact is None or pd.isna(last_contact):
        recency = "never contacted"
    else:
        age = (_utc_ns(settings.now) - _utc_ns(pd.Timestamp(last_contact))) / DAY_NS
        recency = "last contact today" if age < 1 else f"last contact {_plural(math.floor(age), 'day')} ago"
    ratio = _optional(row.get("business_raw"))
    if ratio is None:
        business = (
            "revenue and cost are not both recorded"
            if _optional(row.get("business")) is None
            else "revenue compared with cost"
        )
    elif ratio == math.inf:
        business = "revenue recorded with a cost of 0"
    elif ratio == -math.inf:
        business = "a loss recorded with a cost of 0"
    else:
        business = f"revenue is {ratio:.2f}× cost, compared with the other active partners"
    won, lost = int(row.get("projects_won", 0) or 0), int(row.get("projects_lost", 0) or 0)
    if won + lost:
        delivery = (
            f"{won} of {won + lost} closed joint projects won, damped toward the workspace's success rate"
        )
    else:
        delivery = "no joint project closed as won or lost yet"
    return {
        "satisfaction": satisfaction,
        "engagement": engagement,
        "recency": recency,
        "business": business,
        "delivery": delivery,
    }


def explain(scored: pd.DataFrame, partner_id: int, settings: ScoringSettings) -> Explanation:
    """The score of ``partner_id`` taken apart. ``scored`` must come from ``score_partners`` with the
    same ``settings``; a partner not in it raises KeyError.

    The contributions add up to the score; ``levers`` lists, biggest first, how many points bringing
    each component to 100 would add (for a missing component: adding it at 100 — for satisfaction,
    what collecting feedback could do).
    """
    rows = scored.loc[scored["partner_id"] == partner_id]
    if rows.empty:
        raise KeyError(f"partner {partner_id} is not among the scored partners")
    row = rows.iloc[0]
    values = np.array([_optional(row.get(name)) for name in COMPONENTS], dtype=float)

    # Row 0 is the partner as it is; row 1 + i has component i at 100.
    scenarios = np.repeat(values[None, :], len(COMPONENTS) + 1, axis=0)
    for i in range(len(COMPONENTS)):
        scenarios[1 + i, i] = 100.0
    shares, points, scores = contributions(scenarios, settings.weights)
    score = _optional(row.get("score"))
    base = float(scores[0]) if not math.isnan(scores[0]) else 0.0

    details = _details(row, settings)
    weights = settings.weights.as_dict()
    components = tuple(
        ComponentExplanation(
            name=name,
            value=_optional(values[i]),
            weight=weights[name],
            normalised_weight=float(shares[0, i]),
            contribution=float(points[0, i]),
            detail=details[name],
        )
        for i, name in enumerate(COMPONENTS)
    )
    levers = []
    for i, name in enumerate(COMPONENTS):
        gain = float(scores[1 + i]) - base
        if weights[name] > 0 and gain > 1e-9:
            missing = math.isnan(values[i])
            levers.append(Lever(name, gain, missing, SUGGESTIONS[name][1 if missing else 0]))
    levers.sort(key=lambda lever: -lever.points)  # stable: ties keep the COMPONENTS order

    rank = row.get("rank")
    category = row.get("category")
    return Explanation(
        partner_id=int(row["partner_id"]),
        name=str(row["name"]),
        rank=int(rank) if rank is not None and not pd.isna(rank) else 0,
        score=score,
        category=None if category is None or pd.isna(category) else str(category),
        window_start=settings.window_start,
        window_end=settings.now,
        window_days=int(settings.window_days),
        half_life_days=float(settings.half_life_days),
        components=components,
        levers=tuple(levers),
    )
