"""Filling in a modal at the console: one question per input block, answers shaped exactly like the
``view.state.values`` Slack sends with a view_submission.

- selects, radio buttons and checkboxes list their choices, numbered: answer with a number (or
  the choice's text); checkboxes take several numbers separated by commas;
- an external select (type-ahead) asks for text, asks the app for options (block_suggestion),
  lists them, and takes a number; other text searches again;
- Enter keeps the field's initial value (a date picker's initial date, a select's initial
  option); in an optional field Enter leaves it empty, and ``-`` empties it even when it has an
  initial value;
- ``:cancel`` closes the form without submitting it.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from bot.console.render import Style, plain_text, text_object
from storage.slack_ids import parse_user_id

CLEAR = "-"
_CHANNEL = re.compile(r"^(?:<#|#)?([CGD][A-Z0-9-]{2,})(?:\|[^>]*)?>?$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
SLACK_MIN_QUERY_LENGTH = 3  # an external_select's default


class InputEnded(Exception):
    """Standard input ended."""


class FormCancelled(Exception):
    """The person typed :cancel in a form."""


class QuitRequested(Exception):
    """The person typed :quit in a form."""


class Terminal:
    """Reads lines and writes text. Reading piped input echoes each line after its prompt, so the
    output reads as a transcript; no readline needed (it is used when available on a terminal)."""

    def __init__(self, stdin: TextIO, stdout: TextIO, *, style: Style, interactive: bool) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.style = style
        self.interactive = interactive
        if interactive and stdin is sys.stdin:
            # Line editing and history for input(), where the platform has it; input() works without.
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401

    def say(self, *lines: str) -> None:
        for line in lines:
            self.stdout.write(line + "\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str:
        if self.interactive and self.stdin is sys.stdin and self.stdout is sys.stdout:
            try:
                return input(prompt)
            except EOFError:
                self.stdout.write("\n")
                raise InputEnded() from None
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.stdout.write("\n")
            self.stdout.flush()
            raise InputEnded()
        line = line.rstrip("\r\n")
        if not self.interactive:
            self.stdout.write(line + "\n")
            self.stdout.flush()
        return line


@dataclass
class Field:
    """One input block of a modal."""

    block_id: str
    action_id: str
    kind: str
    label: str
    optional: bool
    element: dict[str, Any]
    hint: str = ""

    @classmethod
    def from_block(cls, block: dict[str, Any]) -> Field:
        element = block.get("element") or {}
        return cls(
            block_id=str(block.get("block_id", "")),
            action_id=str(element.get("action_id", "")),
            kind=str(element.get("type", "")),
            label=text_object(block.get("label")) or str(block.get("block_id", "")),
            optional=bool(block.get("optional")),
            element=element,
            hint=text_object(block.get("hint")),
        )


def form_fields(view: dict[str, Any]) -> list[Field]:
    return [Field.from_block(b) for b in view.get("blocks") or [] if b.get("type") == "input"]


def options_of(element: dict[str, Any]) -> list[dict[str, Any]]:
    """Every option of a select or of an options answer, groups flattened."""
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found.extend(group.get("options") or [])
    return found


def option_label(option: dict[str, Any]) -> str:
    label = plain_text((option.get("text") or {}).get("text", "")) or str(option.get("value", ""))
    description = text_object(option.get("description"))
    return f"{label} — {description}" if description else label


# A state entry, e.g. {"type": "datepicker", "selected_date": "2026-06-15"}
Entry = dict[str, Any]
# (field, typed text) → the options the app offers (a block_suggestion round trip)
Suggest = Callable[[Field, str], list[dict[str, Any]]]


class _Retry(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def initial_entry(field: Field) -> Entry:
    """What Slack sends for a field nobody touched: its initial value, or an empty one."""
    e, kind = field.element, field.kind
    if kind in ("static_select", "external_select", "radio_buttons"):
        return {"type": kind, "selected_option": e.get("initial_option")}
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return {"type": kind, "selected_options": list(e.get("initial_options") or [])}
    if kind == "datepicker":
        return {"type": kind, "selected_date": e.get("initial_date")}
    if kind == "timepicker":
        return {"type": kind, "selected_time": e.get("initial_time")}
    if kind == "users_select":
        return {"type": kind, "selected_user": e.get("initial_user")}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(e.get("initial_users") or [])}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": e.get("initial_conversation")}
    if kind == "channels_select":
        return {"type": kind, "selected_channel": e.get("initial_channel")}
    return {"type": kind, "value": e.get("initial_value")}


def _shown(entry: Entry) -> str:
    """An entry's value in a prompt's [default] brackets; empty when it has none."""
    for key in ("selected_option",):
        if entry.get(key):
            return option_label(entry[key])
    for key in ("selected_options", "selected_users"):
        if entry.get(key):
            items = entry[key]
            return ", ".join(option_label(i) if isinstance(i, dict) else str(i) for i in items)
    for key in (
        "selected_date",
        "selected_time",
        "selected_user",
        "selected_conversation",
        "selected_channel",
    ):
        if entry.get(key):
            return str(entry[key])
    value = entry.get("value")
    if value:
        text = " ".join(str(value).split())
        return text if len(text) <= 40 else text[:39] + "…"
    return ""


def _is_empty(entry: Entry) -> bool:
    return not _shown(entry)


@dataclass
class FormFiller:
    terminal: Terminal
    suggest: Suggest
    # answers given so far in this form, by block_id (kept across error rounds)
    answers: dict[str, Entry] = field(default_factory=dict)

    def fill(
        self, fields: list[Field], *, errors: dict[str, str] | None = None, only: set[str] | None = None
    ) -> dict[str, dict[str, Entry]]:
        """Ask each field (or only those in ``only``), then ``view.state.values`` for all of them."""
        errors = errors or {}
        for item in fields:
            if only is not None and item.block_id not in only:
                continue
            self.answers[item.block_id] = self.ask(item, error=errors.get(item.block_id))
        values: dict[str, dict[str, Entry]] = {}
        for item in fields:
            entry = self.answers.get(item.block_id) or initial_entry(item)
            values[item.block_id] = {item.action_id: entry}
        return values

    # --- one field ------------------------------------------------------------------------

    def ask(self, item: Field, *, error: str | None = None) -> Entry:
        term, style = self.terminal, self.terminal.style
        current = self.answers.get(item.block_id) or initial_entry(item)
        if error:
            term.say(style.error(f"  ! {item.label}: {error}"))
        if item.hint:
            term.say(style.dim(f"  ({item.hint})"))
        choices = options_of(item.element)
        if choices and item.kind != "external_select":
            for i, option in enumerate(choices, 1):
                term.say(f"  {i}) {option_label(option)}")
        while True:
            if item.kind == "external_select":
                try:
                    return self._external(item, current)
                except _Retry as retry:
                    term.say(style.error(f"  ! {retry.message}"))
                    continue
            default = _shown(current)
            suffix = " (optional)" if item.optional else ""
            bracket = f" [{default}]" if default else ""
            answer = self._read(f"{item.label}{suffix}{bracket}: ").strip()
            if not answer:
                if not _is_empty(current):
                    return current
                if item.optional:
                    return self._empty(item)
                term.say(style.error("  ! This field is required."))
                continue
            if answer == CLEAR and item.optional:
                return self._empty(item)
            try:
                return self._parse(item, answer, choices)
            except _Retry as retry:
                term.say(style.error(f"  ! {retry.message}"))

    def _read(self, prompt: str) -> str:
        answer = self.terminal.ask(prompt)
        command = answer.strip().lower()
        if command in (":cancel", ":close"):
            raise FormCancelled()
        if command in (":quit", ":exit", ":q"):
            raise QuitRequested()
        return answer

    @staticmethod
    def _empty(item: Field) -> Entry:
        entry = initial_entry(item)
        for key in list(entry):
            if key != "type":
                entry[key] = [] if isinstance(entry[key], list) else None
        return entry

    @staticmethod
    def _pick(answer: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
        if answer.isdigit() and 1 <= int(answer) <= len(choices):
            return choices[int(answer) - 1]
        folded = answer.casefold()
        for option in choices:
            text = plain_text((option.get("text") or {}).get("text", "")).casefold()
            if folded in (text, str(option.get("value", "")).casefold()):
                return option
        raise _Retry(f"Choose a number from 1 to {len(choices)}.")

    def _parse(self, item: Field, answer: str, choices: list[dict[str, Any]]) -> Entry:
        kind, e = item.kind, item.element
        if kind in ("static_select", "radio_buttons"):
            return {"type": kind, "selected_option": self._pick(answer, choices)}
        if kind in ("checkboxes", "multi_static_select"):
            picked = [self._pick(part.strip(), choices) for part in answer.split(",") if part.strip()]
            unique = list({id(o): o for o in picked}.values())
            limit = e.get("max_selected_items")
            if limit and len(unique) > int(limit):
                raise _Retry(f"Choose at most {limit}.")
            return {"type": kind, "selected_options": unique}
        if kind == "datepicker":
            try:
                return {"type": kind, "selected_date": date.fromisoformat(answer).isoformat()}
            except ValueError:
                raise _Retry("Give a date as YYYY-MM-DD, e.g. 2026-06-15.") from None
        if kind == "timepicker":
            if not _TIME.match(answer):
                raise _Retry("Give a time as HH:MM, e.g. 09:30.")
            return {"type": kind, "selected_time": answer}
        if kind in ("users_select", "multi_users_select"):
            users = []
            for part in answer.replace(",", " ").split():
                user = parse_user_id(part)
                if user is None:
                    raise _Retry("Give a user ID like U0123ABCD (or <@U0123ABCD>).")
                users.append(user)
            if kind == "users_select":
                if len(users) != 1:
                    raise _Retry("Give one user ID.")
                return {"type": kind, "selected_user": users[0]}
            return {"type": kind, "selected_users": users}
        if kind in ("conversations_select", "channels_select"):
            match = _CHANNEL.match(answer)
            if not match:
                raise _Retry("Give a channel ID like C0123ABCD.")
            key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
            return {"type": kind, key: match.group(1)}
        if kind == "number_input":
            return {"type": kind, "value": self._number(e, answer)}
        limit, least = e.get("max_length"), e.get("min_length")
        if limit and len(answer) > int(limit):
            raise _Retry(f"At most {limit} characters; that was {len(answer)}.")
        if least and len(answer) < int(least):
            raise _Retry(f"At least {least} characters.")
        return {"type": kind, "value": answer}

    @staticmethod
    def _number(element: dict[str, Any], answer: str) -> str:
        decimal_allowed = bool(element.get("is_decimal_allowed"))
        try:
            number = Decimal(answer)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise _Retry("Give a number.")
        if not decimal_allowed and number != number.to_integral_value():
            raise _Retry("Give a whole number.")
        for key, bad, word in (
            ("min_value", number.__lt__, "at least"),
            ("max_value", number.__gt__, "at most"),
        ):
            if element.get(key) is not None and bad(Decimal(str(element[key]))):
                raise _Retry(f"The number must be {word} {element[key]}.")
        return answer

    def _external(self, item: Field, current: Entry) -> Entry:
        term, style = self.terminal, self.terminal.style
        least = item.element.get("min_query_length", SLACK_MIN_QUERY_LENGTH)
        default = _shown(current)
        suffix = " (optional)" if item.optional else ""
        keep = f"; Enter keeps {default}" if default else ""
        query = self._read(f"{item.label}{suffix} — type to search{keep}: ").strip()
        while True:
            if not query:
                if default:
                    return current
                if item.optional:
                    return self._empty(item)
                if least > 0:
                    raise _Retry("This field is required: type part of a name.")
            if query == CLEAR and item.optional:
                return self._empty(item)
            if len(query) < least:
                raise _Retry(f"Type at least {least} characters.")
            found = self.suggest(item, query)
            if not found:
                raise _Retry(f"Nothing matches “{query}”; type something else.")
            for i, option in enumerate(found, 1):
                term.say(f"  {i}) {option_label(option)}")
            answer = self._read(f"{item.label} — pick 1-{len(found)} (or type to search again): ").strip()
            if answer.isdigit() and 1 <= int(answer) <= len(found):
                return {"type": item.kind, "selected_option": found[int(answer) - 1]}
            if answer.isdigit():
                term.say(style.error(f"  ! Choose a number from 1 to {len(found)}."))
                continue
            query = answer
