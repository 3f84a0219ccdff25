"""The seeds' measures of a partnership from its joint projects and committed resources, one value at
a time (docs/scoring.md). Each returns None where there is nothing to divide, shown as "—".

>>> success_rate(3, 1), damped_success_rate(3, 1, workspace_rate=0.5)
(75.0, 64.28571428571429)
>>> relationship_degree(12, 8), value_per_fund(50_000, 10_000), wins_per_100_hours(2, 400)
(1.5, 5.0, 0.5)
"""

from __future__ import annotations

from decimal import Decimal

Number = int | float | Decimal
DAMPING = 3  # as satisfaction: a few projects are pulled toward the workspace's rate


def _ratio(top: Number, bottom: Number) -> float | None:
    return float(top) / float(bottom) if bottom and float(bottom) > 0 else None


def success_rate(won: int, lost: int) -> float | None:
    """Project success rate (合作项目成功率): won / (won + lost), in percent; cancelled projects
    count for neither."""
    rate = _ratio(won, won + lost)
    return None if rate is None else 100.0 * rate


def damped_success_rate(
    won: int, lost: int, *, workspace_rate: float | None, m: float = DAMPING
) -> float | None:
    """``100 · (won + m · μ) / (won + lost + m)``, μ the workspace's rate (0-1): the delivery
    component; None without closed projects (or without a workspace rate)."""
    if won + lost == 0 or workspace_rate is None:
        return None
    return 100.0 * (won + m * workspace_rate) / (won + lost + m)


def relationship_degree(projects: int, partners: int) -> float | None:
    """Relationship degree (合作伙伴关系度): joint projects per partner."""
    return _ratio(projects, partners)


def value_per_fund(won_value: Number, funds: Number) -> float | None:
    """Resource efficiency in money (合作资源效率): won value per unit of funds committed."""
    return _ratio(won_value, funds)


def wins_per_100_hours(won: int, people_hours: Number) -> float | None:
    """Resource efficiency in people: projects won per 100 hours committed."""
    ratio = _ratio(won, people_hours)
    return None if ratio is None else 100.0 * ratio
