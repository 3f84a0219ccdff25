"""CSV cells (storage.csv.cells, storage.csv.formulas) one at a time, without a database."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from storage.csv import cells, formulas
from storage.csv.errors import CellError
from storage.models import InteractionKind, Partner, ProjectStatus, ResourceKind

FORMULA_LOOKING = ["=1+1", "+reseller", "-5 people", "@channel", "\tindented", "\r\nCR", "'quoted", "''twice"]


@pytest.mark.parametrize("value", [*FORMULA_LOOKING, "'tis", "Acme", ""])
def test_a_neutralised_cell_reads_back_as_it_was(value: str) -> None:
    written = formulas.escape_formula(value)
    assert not written.startswith(formulas.FORMULA_STARTS[:-1])  # nothing a spreadsheet would run
    assert formulas.unescape_formula(written) == value


def test_the_examples_in_the_docstrings_hold() -> None:
    result = doctest.testmod(formulas)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01T10:00:00+02:00", datetime(2024, 5, 1, 8, tzinfo=UTC)),
        (" 2024-05-01T10:00:00Z ", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ],
)
def test_timestamps_are_aware_utc(raw: str, expected: datetime) -> None:
    parsed = cells.timestamp(raw, "occurred_at")
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (datetime(2024, 5, 1, 10, tzinfo=UTC), "2024-05-01T10:00:00Z"),
        (datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2))), "2024-05-01T10:00:00Z"),
        (datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC), "2024-05-01T10:00:00.500000Z"),
    ],
)
def test_timestamps_are_written_in_utc(value: datetime, written: str) -> None:
    assert cells.write_timestamp(value) == written
    assert cells.timestamp(written, "occurred_at") == value


def test_empty_optional_cells_are_none_and_write_back_empty() -> None:
    assert cells.text("  ", "tier") is None
    assert cells.user_id("", "owner") is None
    assert cells.amount(" ", "revenue") is None
    assert cells.day("", "follow_up_on") is None
    assert cells.rating("", "nps", 0, 10, required=False) is None
    assert (cells.write_plain(None), cells.write_amount(None), cells.write_date(None)) == ("", "", "")


def test_cells_are_read_as_the_columns_store_them() -> None:
    assert cells.kind(" Mtg ", "kind") is InteractionKind.MEETING
    assert cells.user_id("<@U0123ABCD|ann>", "owner") == "U0123ABCD"
    assert cells.amount("12,500.5", "revenue") == Decimal("12500.50")
    assert cells.day("2024-06-01", "follow_up_on") == date(2024, 6, 1)
    assert cells.write_amount(Decimal("0.1")) == "0.10"
    assert cells.write_plain(InteractionKind.QBR) == "qbr"
    assert cells.member(" Funds ", "kind", ResourceKind) is ResourceKind.FUNDS
    assert cells.member("", "status", ProjectStatus, default=ProjectStatus.PLANNED) is ProjectStatus.PLANNED


@pytest.mark.parametrize(
    ("read", "message"),
    [
        (lambda: cells.required_text(" ", "name"), "name is required but empty"),
        (lambda: cells.text("x" * 81, "tier", limit=80), "tier is longer than 80 characters"),
        (lambda: cells.rating("0", "csat", 1, 5, required=True), "csat must be a whole number from 1 to 5"),
        (lambda: cells.kind("lunch", "kind"), "kind must be one of call, email, meeting"),
        (lambda: cells.day("01/05/2024", "follow_up_on"), "follow_up_on must be a date like 2024-05-01"),
        (lambda: cells.member(" ", "kind", ResourceKind), "kind is required but empty"),
        (lambda: cells.member("cash", "kind", ResourceKind), "kind must be one of people, funds, technology"),
    ],
)
def test_a_wrong_cell_says_which_column_and_why(read: object, message: str) -> None:
    with pytest.raises(CellError, match=message):
        read()  # type: ignore[operator]


def test_length_limits_come_from_the_table() -> None:
    assert cells.length_limit(Partner.__table__, "name") == 200
