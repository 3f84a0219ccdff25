"""One reader of submitted modals: bad values become the field's error, nonsense the out-of-date screen."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from handlers.shared.form import Form, StaleForm

TODAY = date(2026, 6, 15)


def view(values: Any) -> dict[str, Any]:
    return {"state": {"values": values}}


def field(block: str, action: str, **entry: Any) -> dict[str, Any]:
    return {block: {action: entry}}


@pytest.mark.parametrize(
    "submitted",
    [
        {},
        {"state": None},
        {"state": {"values": []}},
        {"state": {"values": "x"}},
        view({"date": []}),
        view({"date": {"pick": "2024-01-01"}}),
        view(field("date", "pick", selected_date=20240101)),
        view(field("kind", "select", selected_option="call")),
        view(field("kind", "select", selected_option={"value": 3})),
        view(field("notes", "input", value=5)),
        view(field("tags", "boxes", selected_options=[{"value": None}])),
    ],
)
def test_a_submission_that_does_not_fit_the_form_is_stale(submitted: Any) -> None:
    with pytest.raises(StaleForm):
        form = Form(submitted)
        form.date("date", "pick", today=TODAY)
        form.choice("kind", "select", allowed={"call"})
        form.text("notes", "input")
        form.choices("tags", "boxes", allowed={"a"})


@pytest.mark.parametrize(
    ("picked", "error"),
    [
        ("2024-13-45", "isn't a date"),
        ("yesterday", "isn't a date"),
        ("0001-01-01", "between 1990"),
        ("1989-12-31", "between 1990"),
        ("2027-06-17", "between 1990"),
    ],
)
def test_dates_out_of_range_or_unreadable_are_the_fields_error(picked: str, error: str) -> None:
    form = Form(view(field("date", "pick", selected_date=picked)))
    assert form.date("date", "pick", today=TODAY) is None
    assert error in form.errors["date"]


def test_good_values_are_read() -> None:
    values = {
        **field("date", "pick", selected_date="2026-06-14"),
        **field(
            "kind",
            "select",
            selected_option={"value": "call", "text": {"type": "plain_text", "text": "Call"}},
        ),
        **field("notes", "input", value="  hello  "),
        **field("who", "user", selected_user="U1"),
        **field("tags", "boxes", selected_options=[{"value": "a"}]),
        **field("partner", "select", selected_option={"value": "42"}),
        **field("nps", "number", value="7"),
    }
    form = Form(view(values))
    assert form.date("date", "pick", today=TODAY) == date(2026, 6, 14)
    assert form.choice("kind", "select", allowed={"call"}) == "call"
    assert form.text("notes", "input") == "hello"
    assert form.user("who", "user") == "U1"
    assert form.choices("tags", "boxes", allowed={"a", "b"}) == {"a"}
    assert form.record("partner", "select", missing="Choose") == 42
    assert form.number("nps", "number") == "7"
    assert form.errors == {}


@pytest.mark.parametrize("value", ["telepathy", ""])
def test_an_option_the_form_did_not_offer_is_the_fields_error(value: str) -> None:
    form = Form(view(field("kind", "select", selected_option={"value": value})))
    assert form.choice("kind", "select", allowed={"call", "email"}) is None
    assert "options in the list" in form.errors["kind"]


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "-1", "0", "abc"])
def test_a_record_that_cannot_exist_is_the_fields_error(value: str) -> None:
    form = Form(view(field("partner", "select", selected_option={"value": value})))
    assert form.record("partner", "select", missing="Choose a partner from the list.") is None
    assert form.errors == {"partner": "Choose a partner from the list."}


def test_empty_fields_are_empty_and_required_ones_say_so() -> None:
    form = Form(view({}))
    assert form.text("notes", "input") == ""
    assert form.date("date", "pick", today=TODAY, missing="Choose the date.") is None
    assert form.choice("kind", "select", allowed={"call"}, missing="Choose a kind.") is None
    assert form.errors == {"date": "Choose the date.", "kind": "Choose a kind."}
