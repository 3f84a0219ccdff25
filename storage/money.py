"""Amounts of money as people type them, checked once for every way in (commands, forms, CSV).

An amount is 0 or more, with at most two decimals and optional thousands separators
(``12500``, ``12,500.50``), and below ``AMOUNT_LIMIT``: SQLite keeps NUMERIC as a double, and 15
significant digits are the most that come back exactly.

>>> parse_amount("12,500.5")
Decimal('12500.50')
"""

from __future__ import annotations

import re
from decimal import Decimal

AMOUNT_LIMIT = Decimal("10000000000000")
_CENT = Decimal("0.01")
_AMOUNT = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+", re.ASCII)


class BadAmount(ValueError):
    """Not an amount. ``str()`` says what an amount looks like (callers add which field);
    ``problem`` says which rule failed, for callers that word it their own way."""

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem  # "not a number", "negative", "too precise" or "too large"


def parse_amount(text: str) -> Decimal:
    """The amount ``text`` names, to the cent; BadAmount when it is not one."""
    cell = text.strip()
    if _AMOUNT.fullmatch(cell) is None:
        negative = cell.startswith("-") and _AMOUNT.fullmatch(cell[1:].strip()) is not None
        raise BadAmount(
            "negative" if negative else "not a number",
            f"must be an amount of 0 or more like 1234.50, got {cell[:40]!r}",
        )
    value = Decimal(cell.replace(",", ""))
    if value.normalize().as_tuple().exponent < -2:  # type: ignore[operator]
        raise BadAmount("too precise", f"can have at most 2 decimals, got {cell!r}")
    if value >= AMOUNT_LIMIT:
        raise BadAmount("too large", f"must be less than {AMOUNT_LIMIT}, got {cell[:40]!r}")
    return value.quantize(_CENT)
