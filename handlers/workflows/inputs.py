"""Reading a Workflow Builder step's inputs (``event.inputs`` of ``function_executed``).

Slack checks each input's type against the step's declaration in manifest.yml, but a workflow
author can still leave an optional one empty, map a variable that turns out empty at run time, or
(for text) type anything. Whatever is wrong becomes a UserError worded for the workflow author,
naming the input as Workflow Builder shows it.
"""

from __future__ import annotations

from typing import Any

from handlers.shared.errors import UserError
from handlers.shared.limits import PLAIN_TEXT_INPUT_LIMIT
from handlers.shared.survey_invitations import MAX_RECIPIENTS
from handlers.shared.text import escape, shorten
from storage.slack_ids import parse_user_id

Inputs = dict[str, Any]


def text(inputs: Inputs, name: str, *, title: str, required: bool = False) -> str:
    """A text input, trimmed; "" when left empty and not ``required``."""
    value = inputs.get(name)
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UserError(f"The step's {title} must be text.")
    value = str(value).strip()
    if required and not value:
        raise UserError(f"The step's {title} is empty: fill it in, or map it to a workflow variable.")
    if len(value) > PLAIN_TEXT_INPUT_LIMIT:
        raise UserError(
            f"The step's {title} is {len(value):,} characters long; Partnerbot keeps at most "
            f"{PLAIN_TEXT_INPUT_LIMIT:,}: shorten it."
        )
    return value


def person(inputs: Inputs, name: str, *, title: str) -> str | None:
    """An optional person (``slack#/types/user_id``): their user ID, None when left empty."""
    value = inputs.get(name)
    if value is None or value == "":
        return None
    user_id = parse_user_id(value) if isinstance(value, str) else None
    if user_id is None:
        typed = escape(shorten(str(value), 40))
        raise UserError(f"The step's {title} must be a person in Slack, not “{typed}”.")
    return user_id


def people(inputs: Inputs, name: str, *, title: str) -> list[str]:
    """A list of people (an ``array`` of ``slack#/types/user_id``): their user IDs, in order, each
    once; at least one and at most MAX_RECIPIENTS."""
    value = inputs.get(name)
    if value is None or value == "":
        value = []
    if isinstance(value, str):
        value = [value]  # a single person mapped where a list was expected
    if not isinstance(value, list):
        raise UserError(f"The step's {title} must be a list of people in Slack.")
    found: list[str] = []
    for item in value:
        user_id = parse_user_id(item) if isinstance(item, str) else None
        if user_id is None:
            raise UserError(
                f"The step's {title} must be people in Slack; “{escape(shorten(str(item), 40))}” isn't one."
            )
        if user_id not in found:
            found.append(user_id)
    if not found:
        raise UserError(f"The step's {title} is empty: choose at least one person to send the survey to.")
    if len(found) > MAX_RECIPIENTS:
        raise UserError(
            f"The step's {title} has {len(found)} people; a survey goes to at most {MAX_RECIPIENTS} at once."
        )
    return found
