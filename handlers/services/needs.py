"""What the workspace's partners need, in numbers: open needs by type, the most common open need per
tier, the share met and the median time to meet one over the last 90 days (each None where there is
nothing to measure)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from scoring.needs import median_days, met_share, most_common
from storage import needs as need_store
from storage.db import Database
from storage.models import NeedType

SUMMARY_DAYS = 90
TYPE_ORDER = [kind.value for kind in NeedType]


@dataclass(frozen=True)
class TierTop:
    """A tier's most common open need."""

    tier: str | None
    type: NeedType
    count: int


@dataclass(frozen=True)
class NeedsSummary:
    open_by_type: list[tuple[NeedType, int]]  # most first, then in the types' order
    top_per_tier: list[TierTop]  # tiers by name, "no tier" last
    met: int  # closed as met in the last SUMMARY_DAYS days
    declined: int
    met_share: float | None  # percent of those closed that were met
    median_days_to_meet: float | None
    days: int = SUMMARY_DAYS


def _by_type(counts: dict[NeedType, int]) -> list[tuple[NeedType, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], TYPE_ORDER.index(item[0].value)))


def needs_summary(database: Database, team_id: str, *, today: date) -> NeedsSummary:
    """The summary that ends ``/partner needs`` for the workspace (its active partners)."""
    with database.read() as session:
        rows = need_store.open_by_tier_and_type(session, team_id)
        closed = need_store.closed_between(
            session, team_id, since=today - timedelta(days=SUMMARY_DAYS), until=today
        )
    totals: dict[NeedType, int] = defaultdict(int)
    per_tier: dict[str | None, list[tuple[str, int]]] = defaultdict(list)
    for row in rows:
        totals[row.type] += row.count
        per_tier[row.tier].append((row.type.value, row.count))
    tops = []
    for tier in sorted(per_tier, key=lambda t: (t is None, (t or "").casefold(), t or "")):
        top = most_common(per_tier[tier], order=TYPE_ORDER)
        if top is not None:
            tops.append(TierTop(tier, NeedType(top[0]), top[1]))
    return NeedsSummary(
        open_by_type=_by_type(totals),
        top_per_tier=tops,
        met=closed.met,
        declined=closed.declined,
        met_share=met_share(closed.met, closed.declined),
        median_days_to_meet=median_days(closed.days_to_meet),
    )
