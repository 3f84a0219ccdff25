"""One CSV cell at a time: reading a cell's text as a stored value, and writing a stored value back.

Readers take the raw cell and the column's name (for the message) and raise CellError for a value
the column cannot hold; writers give the exact text export writes.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Table

from storage.csv.errors import CellError
from storage.kinds import parse_kind
from storage.models import InteractionKind
from storage.money import BadAmount, parse_amount
from storage.slack_ids import parse_user_id

_KIND_NAMES = ", ".join(kind.value for kind in InteractionKind)

Member = TypeVar("Member", bound=enum.StrEnum)


def length_limit(table: Table, column: str) -> int:
    """The most characters ``table.column`` stores (a String column's length)."""
    length = table.c[column].type.length  # type: ignore[attr-defined]
    assert isinstance(length, int)
    return length


def text(raw: str, column: str, *, limit: int | None = None) -> str | None:
    """An optional short text: surrounding spaces dropped, empty as ``None``."""
    value = raw.strip()
    if not value:
        return None
    if limit is not None and len(value) > limit:
        raise CellError(f"{column} is longer than {limit} characters")
    return value


def required_text(raw: str, column: str, *, limit: int | None = None) -> str:
    value = text(raw, column, limit=limit)
    if value is None:
        raise CellError(f"{column} is required but empty")
    return value


def user_id(raw: str, column: str) -> str | None:
    """A Slack user ID written as ``U123``, ``@U123`` or ``<@U123>``; stored as ``U123``."""
    cell = raw.strip()
    if not cell:
        return None
    found = parse_user_id(cell)
    if found is None:
        raise CellError(f"{column} must be a Slack user ID like U0123ABCD or <@U0123ABCD>, got {cell!r}")
    return found


def kind(raw: str, column: str) -> InteractionKind:
    """An interaction kind, by its name or an everyday word for it (storage.kinds)."""
    cell = required_text(raw, column)
    found = parse_kind(cell)
    if found is None:
        raise CellError(f"{column} must be one of {_KIND_NAMES}, got {cell!r}")
    return found


def member(raw: str, column: str, choices: type[Member], *, default: Member | None = None) -> Member:
    """One of ``choices`` by its value, ignoring case; an empty cell is ``default`` (required without one)."""
    cell = raw.strip()
    if not cell and default is not None:
        return default
    if not cell:
        raise CellError(f"{column} is required but empty")
    try:
        return choices(cell.casefold())
    except ValueError:
        names = ", ".join(choice.value for choice in choices)
        raise CellError(f"{column} must be one of {names}, got {cell!r}") from None


def amount(raw: str, column: str) -> Decimal | None:
    """An amount of money (storage.money), or None when the cell is empty."""
    if not raw.strip():
        return None
    try:
        return parse_amount(raw)
    except BadAmount as bad:
        raise CellError(f"{column} {bad}") from None


def rating(raw: str, column: str, low: int, high: int, *, required: bool) -> int | None:
    """A whole number from ``low`` to ``high``; None when the cell is empty and may be."""
    cell = raw.strip()
    if not cell:
        if required:
            raise CellError(f"{column} is required but empty")
        return None
    if not cell.isdigit() or not low <= int(cell) <= high:
        raise CellError(f"{column} must be a whole number from {low} to {high}, got {cell!r}")
    return int(cell)


def timestamp(raw: str, column: str) -> datetime:
    """A required ISO 8601 date or date-time; without a zone it is UTC. Returned as aware UTC."""
    cell = raw.strip()
    if not cell:
        raise CellError(f"{column} is required but empty")
    try:
        value = datetime.fromisoformat(cell)
        zone = value.tzinfo
        if zone is None:
            return value.replace(tzinfo=UTC)
        return value if zone is UTC else value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise CellError(
            f"{column} must be an ISO 8601 date or time like 2024-05-01T10:00:00Z, got {cell!r}"
        ) from None


def day(raw: str, column: str) -> date | None:
    """An optional date, ``YYYY-MM-DD``."""
    cell = raw.strip()
    if not cell:
        return None
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise CellError(f"{column} must be a date like 2024-05-01, got {cell!r}") from None


def write_plain(value: Any) -> str:
    """Any stored value as its text; None as an empty cell."""
    return "" if value is None else str(value)


def write_amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def write_timestamp(value: datetime) -> str:
    """UTC with a ``Z``, microseconds only when there are any: ``2024-05-01T10:00:00Z``."""
    return value.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def write_date(value: date | None) -> str:
    return "" if value is None else value.isoformat()
