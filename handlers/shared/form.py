"""Reading a submitted modal: one reader for every form, checking each value against what was offered.

Slack sends ``view.state.values`` as ``{block_id: {action_id: {...}}}``. A submission may come from
an older version of a form, or be tampered with: missing state, a number where text belongs, a date
like ``2024-13-45``, an option the form never offered. The reader turns each of these into the
field's own error (collected in :attr:`Form.errors`, for ``response_action: errors``) or, when the
form as a whole makes no sense, raises :class:`StaleForm` ("this form is out of date").

    form = Form(view)
    kind = form.choice(Block.KIND, Action.KIND_SELECT, allowed={"call", "email"}, missing="Choose a kind.")
    day = form.date(Block.DATE, Action.DATE_PICK)
    if form.errors:
        ack(response_action="errors", errors=form.errors)
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from handlers.shared.dates import LATEST_AHEAD, out_of_range
from handlers.shared.metadata import StaleMetadata as StaleForm
from handlers.shared.parsing import record_id


def _key(value: str | enum.Enum) -> str:
    return value.value if isinstance(value, enum.Enum) else value


class Form:
    """The values of one submitted view, read field by field; problems collect in ``errors``."""

    def __init__(self, view: Any) -> None:
        state = view.get("state") if isinstance(view, dict) else None
        values = state.get("values") if isinstance(state, dict) else None
        if not isinstance(values, dict):
            raise StaleForm()
        self._values: dict[str, Any] = values
        self.errors: dict[str, str] = {}

    def error(self, block: str | enum.Enum, message: str) -> None:
        """Record a field error (the first one per field is the one shown)."""
        self.errors.setdefault(_key(block), message)

    def _entry(self, block: str | enum.Enum, action: str | enum.Enum) -> dict[str, Any]:
        """The field's state; an absent field is empty (Slack omits nothing, but older forms may)."""
        by_action = self._values.get(_key(block), {})
        if not isinstance(by_action, dict):
            raise StaleForm()
        entry = by_action.get(_key(action), {})
        if not isinstance(entry, dict):
            raise StaleForm()
        return entry

    def _field(self, block: str | enum.Enum, action: str | enum.Enum, key: str, kind: type) -> Any:
        value = self._entry(block, action).get(key)
        if value is not None and not isinstance(value, kind):
            raise StaleForm()
        return value

    def text(self, block: str | enum.Enum, action: str | enum.Enum) -> str:
        """A text input's value, surrounding spaces dropped; "" when empty."""
        return (self._field(block, action, "value", str) or "").strip()

    def user(self, block: str | enum.Enum, action: str | enum.Enum) -> str | None:
        """A users_select's chosen user ID."""
        return self._field(block, action, "selected_user", str) or None

    def _option_value(self, block: str | enum.Enum, action: str | enum.Enum) -> str | None:
        option = self._field(block, action, "selected_option", dict)
        if option is None:
            return None
        value = option.get("value")
        if not isinstance(value, str):
            raise StaleForm()
        return value

    def choice(
        self,
        block: str | enum.Enum,
        action: str | enum.Enum,
        *,
        allowed: Collection[str],
        missing: str | None = None,
    ) -> str | None:
        """The chosen option's value; one the form did not offer is the field's error, as is none
        when ``missing`` (the message) is given."""
        value = self._option_value(block, action)
        if value is None:
            if missing:
                self.error(block, missing)
            return None
        if value not in allowed:
            self.error(block, "Choose one of the options in the list.")
            return None
        return value

    def choices(
        self, block: str | enum.Enum, action: str | enum.Enum, *, allowed: Collection[str]
    ) -> set[str]:
        """The values of the ticked checkboxes; any the form did not offer is the field's error."""
        options = self._field(block, action, "selected_options", list) or []
        values: set[str] = set()
        for option in options:
            value = option.get("value") if isinstance(option, dict) else None
            if not isinstance(value, str):
                raise StaleForm()
            if value not in allowed:
                self.error(block, "Choose among the options shown.")
            else:
                values.add(value)
        return values

    def record(self, block: str | enum.Enum, action: str | enum.Enum, *, missing: str) -> int | None:
        """The record an external select chose (its option value is the record's ID)."""
        value = self._option_value(block, action)
        number = record_id(value)
        if number is None:
            self.error(block, missing)
        return number

    def date(
        self,
        block: str | enum.Enum,
        action: str | enum.Enum,
        *,
        today: date,
        missing: str | None = None,
        ahead: timedelta = LATEST_AHEAD,
    ) -> date | None:
        """A date picker's date, within EARLIEST_DATE and ``ahead`` of ``today`` (a year, by default)."""
        picked = self._field(block, action, "selected_date", str)
        if not picked:
            if missing:
                self.error(block, missing)
            return None
        try:
            day = date.fromisoformat(picked)
        except ValueError:
            self.error(block, "That isn't a date I can read: pick one from the calendar.")
            return None
        problem = out_of_range(day, today=today, ahead=ahead)
        if problem:
            self.error(block, problem)
            return None
        return day

    def number(self, block: str | enum.Enum, action: str | enum.Enum) -> str:
        """A number input's text as typed ("" when empty); callers parse it with their own rules."""
        value = self._entry(block, action).get("value")
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)  # some clients send numbers as JSON numbers
        if not isinstance(value, str):
            raise StaleForm()
        return value.strip()
