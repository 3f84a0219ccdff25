"""The measures of the workspace's needs summary, one value at a time (docs/scoring.md, "Needs").
Each returns None where there is nothing to measure, shown as "—".

>>> met_share(3, 1), median_days([2, 10, 4]), median_days([1, 2]), met_share(0, 0)
(75.0, 4.0, 1.5, None)
>>> most_common([("pricing", 2), ("technical", 3), ("support", 3)], order=["technical", "support"])
('technical', 3)
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence


def met_share(met: int, declined: int) -> float | None:
    """The share of closed needs that were met, in percent: met / (met + declined)."""
    closed = met + declined
    return None if closed == 0 else 100.0 * met / closed


def median_days(days: Sequence[int]) -> float | None:
    """The median number of days it took to meet a need (raised on → met on)."""
    return float(statistics.median(days)) if days else None


def most_common(counts: Iterable[tuple[str, int]], *, order: Sequence[str]) -> tuple[str, int] | None:
    """The (name, count) with the highest count; a tie goes to the name earlier in ``order`` (the
    types as declared), so the answer never depends on the order rows came from a database."""
    rank = {name: position for position, name in enumerate(order)}
    best = sorted(counts, key=lambda item: (-item[1], rank.get(item[0], len(rank)), item[0]))
    return best[0] if best and best[0][1] > 0 else None
