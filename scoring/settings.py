"""What a score is computed with: communication kind weights, component weights and the window.

``KIND_WEIGHTS`` is what one logged communication of each kind adds to engagement before decay; the
storage layer builds its SQL ``CASE kind WHEN 'meeting' THEN 3 …`` from it, so the numbers live in
one place. ``Weights`` are the four component weights (any non-negative numbers, normalised before
use); ``ScoringSettings`` bundles them with the moment ``now`` the scores are computed at, the
window and the half-life.

>>> weights = Weights.from_mapping(
...     {"satisfaction": "2", "engagement": 1, "recency": 1, "revenue": "0", "delivery": 0})
>>> weights.normalised().as_dict()
{'satisfaction': 0.5, 'engagement': 0.25, 'recency': 0.25, 'business': 0.0, 'delivery': 0.0}
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# The seven kinds of storage.models.InteractionKind (duplicated on purpose: scoring stays pure).
KIND_WEIGHTS: dict[str, float] = {
    "meeting": 3.0,
    "qbr": 3.0,
    "event": 2.0,
    "call": 2.0,
    "email": 1.0,
    "note": 1.0,
    "other": 1.0,
}

# The score's components, in the order they are reported everywhere.
COMPONENTS: tuple[str, ...] = ("satisfaction", "engagement", "recency", "business", "delivery")

# The largest weight accepted. Only proportions matter, so this loses nothing, and it keeps every
# sum and ratio of weights an ordinary finite number (1e308 + 1e308 would overflow to infinity).
MAX_WEIGHT = 10_000.0

# Words people use for a component, besides its own name ("/partner top 10 by revenue").
COMPONENT_ALIASES: dict[str, str] = {"revenue": "business", "projects": "delivery", "success": "delivery"}


def _component_name(key: object) -> str:
    """The component ``key`` names (case-insensitive, aliases allowed), or a friendly ValueError."""
    word = str(key).strip().casefold()
    word = COMPONENT_ALIASES.get(word, word)
    if word in COMPONENTS:
        return word
    known = ", ".join(COMPONENTS[:-1]) + f" and {COMPONENTS[-1]}"
    close = difflib.get_close_matches(word, [*COMPONENTS, *COMPONENT_ALIASES], n=1)
    hint = f" Did you mean {COMPONENT_ALIASES.get(close[0], close[0])}?" if close else ""
    raise ValueError(f"There is no weight called “{key}”. The weights are {known}.{hint}")


def _weight_value(name: str, raw: object) -> float:
    """``raw`` as a weight: a number, or text such as ``"0.4"`` or ``"40%"``."""
    if isinstance(raw, bool):
        raise ValueError(f"The {name} weight must be a number such as 0.4 (you gave {raw}).")
    if isinstance(raw, str):
        text = raw.strip()
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1].strip(), 0.01
        try:
            return float(text) * scale
        except ValueError:
            raise ValueError(f"The {name} weight must be a number such as 0.4 (you gave “{raw}”).") from None
    if isinstance(raw, numbers.Real):
        return float(raw)
    try:  # Decimal and other number types
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"The {name} weight must be a number such as 0.4 (you gave {raw!r}).") from None


@dataclass(frozen=True)
class Weights:
    """How much each component counts: numbers from 0 to MAX_WEIGHT; only their proportions matter.

    Negative, too large, infinite or not-a-number weights, and all four at 0, are refused with a
    ValueError whose message a partner manager can act on.

    >>> {name: round(share, 3) for name, share in Weights().normalised().as_dict().items()}
    {'satisfaction': 0.348, 'engagement': 0.304, 'recency': 0.13, 'business': 0.087, 'delivery': 0.13}
    """

    satisfaction: float = 0.40
    engagement: float = 0.35
    recency: float = 0.15
    business: float = 0.10
    # Joint projects' success rate: added with 0.15, the others keeping their proportions among
    # themselves (a partner without closed projects is scored exactly as before it existed).
    delivery: float = 0.15

    def __post_init__(self) -> None:
        for name in COMPONENTS:
            value = _weight_value(name, getattr(self, name))
            if math.isnan(value) or math.isinf(value):
                raise ValueError(
                    f"The {name} weight must be an ordinary number such as 0.4, between 0 and "
                    f"{MAX_WEIGHT:g} (you gave {value})."
                )
            if value < 0:
                raise ValueError(
                    f"The {name} weight can't be negative (you gave {value:g}). "
                    f"Use 0 to leave {name} out of the score."
                )
            if value > MAX_WEIGHT:
                raise ValueError(
                    f"The {name} weight must be between 0 and {MAX_WEIGHT:g} (you gave {value:g}); "
                    "only the proportions between weights matter, so 0.4 and 40 mean the same."
                )
            object.__setattr__(self, name, value + 0.0)  # + 0.0 turns -0.0 into 0.0
        if self.total() == 0:
            raise ValueError(
                "At least one weight must be above 0: with every weight at 0 there is nothing to rank by."
            )

    def total(self) -> float:
        """The sum of the weights."""
        return self.satisfaction + self.engagement + self.recency + self.business + self.delivery

    def normalised(self) -> Weights:
        """The same proportions, summing to 1.

        >>> Weights(1, 1, 0, 0, 0).normalised().as_dict()
        {'satisfaction': 0.5, 'engagement': 0.5, 'recency': 0.0, 'business': 0.0, 'delivery': 0.0}
        """
        total = self.total()
        return Weights(*(getattr(self, name) / total for name in COMPONENTS))

    def as_dict(self) -> dict[str, float]:
        """``{"satisfaction": …, "engagement": …, "recency": …, "business": …, "delivery": …}`` in order."""
        return {name: getattr(self, name) for name in COMPONENTS}

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, object], base: Weights | None = None) -> Weights:
        """Weights from ``{"satisfaction": 0.5, …}`` as typed in ``/partner weights satisfaction=0.5 …``.

        Keys are case-insensitive, ``revenue`` means ``business``; values are numbers or text such as
        ``"0.5"`` or ``"50%"``. Components not mentioned keep their value in ``base`` (the defaults
        when ``base`` is None), so a user can change one weight at a time. Anything wrong raises a
        ValueError naming the weight.

        >>> Weights.from_mapping({"Revenue": "0.2"}).business
        0.2
        """
        values = (base if base is not None else cls()).as_dict()
        given: dict[str, object] = {}
        for key, raw in mapping.items():
            name = _component_name(key)
            if name in given:
                raise ValueError(f"The {name} weight is given twice; give it once.")
            given[name] = raw
            values[name] = _weight_value(name, raw)
        return cls(**values)


@dataclass(frozen=True)
class ScoringSettings:
    """Everything besides the data that a score depends on.

    ``now`` (timezone-aware) is the end of the window and the moment decay and recency are measured
    from; the window is the ``window_days`` days before it. ``half_life_days`` is how long it takes
    a communication's engagement, or the recency of the last contact, to halve. ``damping`` is the
    number of workspace-average answers added to each partner's feedback (``m``).

    >>> from datetime import UTC
    >>> ScoringSettings(now=datetime(2024, 6, 30, tzinfo=UTC)).window_start.isoformat()
    '2024-04-01T00:00:00+00:00'
    """

    now: datetime
    window_days: int = 90
    half_life_days: float = 30.0
    damping: float = 3
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        if not isinstance(self.now, datetime) or self.now.utcoffset() is None:
            raise ValueError("now must be a timezone-aware datetime (for example datetime.now(UTC)).")
        if isinstance(self.window_days, bool) or not isinstance(self.window_days, numbers.Integral):
            raise ValueError(f"The window must be a whole number of days (got {self.window_days!r}).")
        if self.window_days < 1:
            raise ValueError(f"The window must be at least 1 day (got {self.window_days}).")
        for label, value, minimum_ok in (
            ("half-life", self.half_life_days, False),
            ("damping", self.damping, True),
        ):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(f"The {label} must be a number (got {value!r}).")
            if value < 0 or (value == 0 and not minimum_ok):
                raise ValueError(
                    f"The {label} must be {'0 or more' if minimum_ok else 'above 0'} (got {value})."
                )
        if not isinstance(self.weights, Weights):
            raise TypeError("weights must be a Weights (use Weights.from_mapping for a dict).")

    @property
    def window_start(self) -> datetime:
        """The start of the window: ``now`` minus ``window_days`` days."""
        return self.now - timedelta(days=int(self.window_days))
