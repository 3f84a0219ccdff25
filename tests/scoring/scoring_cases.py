"""Frames, hypothesis strategies and a slow, obvious reference model for the scoring tests."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pandas as pd
from hypothesis import strategies as st

from scoring import ScoringSettings, Weights

NOW = datetime(2024, 6, 30, 15, 30, tzinfo=UTC)
TODAY = datetime(2024, 6, 30, tzinfo=UTC)
NAMES = ("Acme", "acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne")


def partners_frame(rows: list[dict]) -> pd.DataFrame:
    """Partners from dicts; omitted fields are missing (name defaults to "P<id>")."""
    return pd.DataFrame(
        {
            "partner_id": pd.Series([row["partner_id"] for row in rows], dtype="int64"),
            "name": [row.get("name", f"P{row['partner_id']}") for row in rows],
            "tier": pd.Series([row.get("tier") for row in rows], dtype=object),
            "revenue": pd.Series([row.get("revenue") for row in rows], dtype=float),
            "cost": pd.Series([row.get("cost") for row in rows], dtype=float),
            "last_contact": pd.Series(
                pd.to_datetime([row.get("last_contact") for row in rows], utc=True),
                dtype="datetime64[ns, UTC]",
            ),
        }
    )


def activity_frame(rows: list[tuple[int, object, float, int]]) -> pd.DataFrame:
    """Buckets from (partner_id, day, weight, count)."""
    return pd.DataFrame(
        {
            "partner_id": pd.Series([row[0] for row in rows], dtype="int64"),
            "day": pd.Series(pd.to_datetime([row[1] for row in rows], utc=True), dtype="datetime64[ns, UTC]"),
            "weight": pd.Series([row[2] for row in rows], dtype=float),
            "count": pd.Series([row[3] for row in rows], dtype="int64"),
        }
    )


def feedback_frame(rows: list[tuple[int, float, int]]) -> pd.DataFrame:
    """Feedback from (partner_id, score_sum, count)."""
    return pd.DataFrame(
        {
            "partner_id": pd.Series([row[0] for row in rows], dtype="int64"),
            "score_sum": pd.Series([row[1] for row in rows], dtype=float),
            "count": pd.Series([row[2] for row in rows], dtype="int64"),
        }
    )


# --- generated workspaces ------------------------------------------------------------------------------


@dataclass
class Partner:
    partner_id: int
    name: str
    revenue: float | None = None
    cost: float | None = None
    last_contact: datetime | None = None
    buckets: list[tuple[int, float, int]] = field(default_factory=list)  # (days before today, weight, count)
    answers: list[int] = field(default_factory=list)  # 0-100 scores


@dataclass
class Workspace:
    partners: list[Partner]
    settings: ScoringSettings
    strangers: list[tuple[int, float, int]] = field(default_factory=list)  # feedback of unknown partners

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        partners = partners_frame(
            [
                {
                    "partner_id": p.partner_id,
                    "name": p.name,
                    "revenue": p.revenue,
                    "cost": p.cost,
                    "last_contact": p.last_contact,
                }
                for p in self.partners
            ]
        )
        activity = activity_frame(
            [
                (p.partner_id, TODAY - timedelta(days=days), weight, count)
                for p in self.partners
                for days, weight, count in p.buckets
            ]
        )
        feedback = feedback_frame(
            [(p.partner_id, float(sum(p.answers)), len(p.answers)) for p in self.partners if p.answers]
            + self.strangers
        )
        return partners, activity, feedback


@st.composite
def settings_strategy(draw: st.DrawFn) -> ScoringSettings:
    values = [draw(st.sampled_from([0.0, 0.05, 0.1, 0.15, 0.35, 0.4, 1.0, 2.5, 7.0])) for _ in range(4)]
    if not any(values):
        values[draw(st.integers(0, 3))] = 1.0
    return ScoringSettings(
        now=NOW,
        window_days=draw(st.sampled_from([30, 90, 365])),
        half_life_days=draw(st.sampled_from([7.0, 30.0, 90.0])),
        damping=draw(st.sampled_from([0, 3, 10])),
        weights=Weights(*values),
    )


def bucket_strategy(max_days: int = 120) -> st.SearchStrategy[tuple[int, float, int]]:
    """(days before today, weight, count): one to four communications of any kinds on one day."""
    return st.tuples(
        st.integers(0, max_days), st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0]), st.integers(1, 4)
    )


money = st.one_of(st.none(), st.sampled_from([0.0, 50.0, 100.0, -20.0]), st.floats(0, 1e6))
minutes = st.one_of(st.none(), st.integers(-120, 400 * 24 * 60))


def partner_strategy(partner_id: int) -> st.SearchStrategy[Partner]:
    return st.builds(
        Partner,
        partner_id=st.just(partner_id),
        name=st.sampled_from(NAMES),
        revenue=money,
        cost=st.one_of(st.none(), st.sampled_from([0.0, 100.0]), st.floats(0, 1e6)),
        last_contact=minutes.map(lambda ago: None if ago is None else NOW - timedelta(minutes=ago)),
        buckets=st.lists(bucket_strategy(), max_size=4),
        answers=st.lists(st.integers(0, 100), max_size=4),
    )


@st.composite
def workspace_strategy(draw: st.DrawFn, min_partners: int = 1, max_partners: int = 6) -> Workspace:
    ids = draw(st.lists(st.integers(1, 999), min_size=min_partners, max_size=max_partners, unique=True))
    strangers = draw(st.lists(st.tuples(st.integers(5000, 5005), st.just(300.0), st.just(3)), max_size=1))
    return Workspace([draw(partner_strategy(pid)) for pid in ids], draw(settings_strategy()), strangers)


@st.composite
def dominating_pair(draw: st.DrawFn, settings: ScoringSettings) -> tuple[Partner, Partner]:
    """(ahead, behind): ``ahead`` is better than ``behind`` on every component both have, and both
    have the same components."""
    window = settings.window_days
    behind_buckets = draw(st.lists(bucket_strategy(max_days=window - 1), max_size=4))
    extra = draw(bucket_strategy(max_days=min(window - 1, 20)))
    behind_age = draw(st.none() | st.integers(60, 200 * 24 * 60))  # minutes
    ahead_age = (
        draw(st.integers(0, 59)) if behind_age is None else behind_age - draw(st.integers(60, behind_age))
    )
    with_business = draw(st.booleans())
    cost = draw(st.floats(10, 1e5)) if with_business else None
    revenue = draw(st.floats(1, 1e6)) if with_business else None
    answers = draw(st.lists(st.integers(0, 99), max_size=4))
    better_answers = [score + 1 for score in answers]
    behind = Partner(
        partner_id=2001,
        name=draw(st.sampled_from(NAMES)),
        revenue=revenue,
        cost=cost,
        last_contact=None if behind_age is None else NOW - timedelta(minutes=behind_age),
        buckets=behind_buckets,
        answers=answers,
    )
    ahead = replace(
        behind,
        partner_id=2000,
        name=draw(st.sampled_from(NAMES)),
        revenue=None if revenue is None else revenue * 1.5 + 1,
        last_contact=NOW - timedelta(minutes=ahead_age),
        buckets=[*behind_buckets, extra],
        answers=better_answers,
    )
    return ahead, behind


# --- a reference model: one partner at a time, in plain Python ---------------------------------------


def _same(a: float, b: float) -> bool:
    """Equal, allowing for float noise (values equal in exact arithmetic may differ in the last bit)."""
    if math.isinf(a) or math.isinf(b):
        return a == b
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def _percentile(value: float, values: list[float]) -> float:
    """Average rank (1 = lowest) over the number of values, × 100."""
    equal = sum(1 for other in values if _same(other, value))
    below = sum(1 for other in values if other < value and not _same(other, value))
    return (below + (equal + 1) / 2) / len(values) * 100


def reference_scores(workspace: Workspace) -> dict[int, dict[str, float | None]]:
    """partner_id → components and score, computed the slow, obvious way."""
    settings = workspace.settings
    half_life = settings.half_life_days
    start = settings.now - timedelta(days=settings.window_days)
    raw: dict[int, float] = {}
    for p in workspace.partners:
        total = 0.0
        for days, weight, _count in p.buckets:
            day = TODAY - timedelta(days=days)
            if day > settings.now or day + timedelta(days=1) <= start:
                continue
            midpoint = min(day + timedelta(hours=12), settings.now)
            total += weight * 2 ** (-((settings.now - midpoint) / timedelta(days=1)) / half_life)
        raw[p.partner_id] = total
    all_answers = [a for p in workspace.partners for a in p.answers]
    mean = sum(all_answers) / len(all_answers) if all_answers else None
    ratios: dict[int, float] = {}
    for p in workspace.partners:
        if p.revenue is None or p.cost is None or p.cost < 0:
            continue
        if p.cost > 0:
            ratios[p.partner_id] = p.revenue / p.cost
        elif p.revenue != 0:
            ratios[p.partner_id] = math.copysign(math.inf, p.revenue)
    weights = settings.weights.as_dict()
    result: dict[int, dict[str, float | None]] = {}
    for p in workspace.partners:
        components: dict[str, float | None] = {}
        m = settings.damping
        components["satisfaction"] = (
            (sum(p.answers) + m * mean) / (len(p.answers) + m) if p.answers and mean is not None else None
        )
        components["engagement"] = (
            0.0 if raw[p.partner_id] == 0 else _percentile(raw[p.partner_id], list(raw.values()))
        )
        if p.last_contact is None:
            components["recency"] = 0.0
        else:
            age = max((settings.now - p.last_contact) / timedelta(days=1), 0.0)
            components["recency"] = 100 * 2 ** (-age / half_life)
        ratio = ratios.get(p.partner_id)
        components["business"] = (
            None if ratio is None else 0.0 if ratio <= 0 else _percentile(ratio, list(ratios.values()))
        )
        present = {name: value for name, value in components.items() if value is not None}
        total_weight = sum(weights[name] for name in present)
        score = (
            sum(weights[name] * value for name, value in present.items()) / total_weight
            if total_weight
            else None
        )
        result[p.partner_id] = {**components, "engagement_raw": raw[p.partner_id], "score": score}
    return result
