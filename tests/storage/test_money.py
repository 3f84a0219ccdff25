"""One money parser for commands, forms and CSV files."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage.money import BadAmount, parse_amount


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("0", "0.00"),
        ("12500", "12500.00"),
        ("12,500", "12500.00"),
        ("1,234,567.5", "1234567.50"),
        (" 12.5 ", "12.50"),
        (".5", "0.50"),
        ("9999999999999.99", "9999999999999.99"),
    ],
)
def test_amounts_people_type(typed: str, amount: str) -> None:
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("abc", "not a number"),
        ("1e3", "not a number"),
        ("nan", "not a number"),
        ("12,50", "not a number"),
        ("1,2345", "not a number"),
        ("²", "not a number"),
        ("", "not a number"),
        ("-5", "negative"),
        ("-1,000", "negative"),
        ("1.234", "too precise"),
        ("10000000000000", "too large"),
        ("99,999,999,999,999", "too large"),
    ],
)
def test_what_is_not_an_amount_says_why(typed: str, problem: str) -> None:
    with pytest.raises(BadAmount) as refused:
        parse_amount(typed)
    assert refused.value.problem == problem
