"""The stand-in's Block Kit checks (bot/standin/blockkit.py) can fail: they reject what Slack
rejects and accept ordinary payloads."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from bot.standin.blockkit import (
    assert_valid_blocks,
    assert_valid_home,
    assert_valid_modal,
    validate_message_payload,
    validate_view,
)
from bot.standin.schema import validators


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def section(text: str, **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str, action_id: str = "go") -> dict:
    return {"type": "button", "text": plain(text), "action_id": action_id, "value": "1"}


MESSAGE_BLOCKS = [
    {"type": "header", "text": plain("Top partners")},
    section("*1. Acme* — score 87", accessory=button("Show", "show_partner")),
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "last 90 days"}]},
    {"type": "divider"},
    {"type": "actions", "elements": [button("Give feedback", "feedback"), button("Log", "log")]},
]

MODAL = {
    "type": "modal",
    "callback_id": "log_interaction",
    "title": plain("Log to partner"),
    "submit": plain("Save"),
    "close": plain("Cancel"),
    "private_metadata": '{"channel": "C123"}',
    "blocks": [
        {
            "type": "input",
            "block_id": "partner",
            "label": plain("Partner"),
            "element": {"type": "external_select", "action_id": "partner", "min_query_length": 1},
        },
        {
            "type": "input",
            "block_id": "notes",
            "optional": True,
            "label": plain("Notes"),
            "element": {"type": "plain_text_input", "action_id": "notes", "multiline": True},
        },
    ],
}

HOME = {"type": "home", "blocks": [{"type": "header", "text": plain("Partnerbot")}, section("Hello")]}


def test_accepts_a_small_valid_message():
    assert_valid_blocks(MESSAGE_BLOCKS)
    validate_message_payload({"channel": "C123", "text": "Top partners", "blocks": MESSAGE_BLOCKS})
    validate_message_payload({"text": "Logged.", "response_type": "ephemeral"})


def test_accepts_a_valid_modal_and_home_view():
    assert_valid_modal(MODAL)
    assert_valid_home(HOME)
    validate_view(MODAL)
    validate_view(HOME)
    validate_message_payload({"response_action": "update", "view": MODAL})
    validate_message_payload({"response_action": "errors", "errors": {"notes": "Too long"}})


def _with_block(block: dict) -> list[dict]:
    return [*MESSAGE_BLOCKS[:1], block]


def _modal_with(**changes) -> dict:
    return {**MODAL, **changes}


REJECTED = {
    "51 blocks in a message": (assert_valid_blocks, [section(f"row {i}") for i in range(51)], "at most 50"),
    "3001-char section text": (assert_valid_blocks, _with_block(section("x" * 3001)), "blocks[1].text.text"),
    "unknown block type": (assert_valid_blocks, _with_block({"type": "sparkle"}), "unknown type 'sparkle'"),
    "button without text": (
        assert_valid_blocks,
        _with_block({"type": "actions", "elements": [{"type": "button", "action_id": "a"}]}),
        "'text' is a required property",
    ),
    "76-char button text": (
        assert_valid_blocks,
        _with_block(section("hi", accessory=button("b" * 76))),
        "76",
    ),
    "11 section fields": (
        assert_valid_blocks,
        _with_block({"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}),
        "fields",
    ),
    "duplicate block_id": (
        assert_valid_blocks,
        [section("a", block_id="same"), section("b", block_id="same")],
        "is also the block_id",
    ),
    "empty text": (assert_valid_blocks, _with_block(section("")), "blocks[1].text.text"),
    "25-char modal title": (assert_valid_modal, _modal_with(title=plain("t" * 25)), "view.title.text"),
    "modal with inputs but no submit": (
        assert_valid_modal,
        {k: v for k, v in MODAL.items() if k != "submit"},
        "submit",
    ),
    "3001-char private_metadata": (
        assert_valid_modal,
        _modal_with(private_metadata="m" * 3001),
        "private_metadata",
    ),
    "101 blocks in a home view": (
        assert_valid_home,
        {"type": "home", "blocks": [{"type": "divider"}] * 101},
        "at most 100",
    ),
    "home view type": (validate_view, {**HOME, "type": "workflow_step"}, "view.type"),
    "blocks without fallback text": (validate_message_payload, {"blocks": MESSAGE_BLOCKS}, "fallback text"),
    "blank fallback text": (
        validate_message_payload,
        {"text": "  ", "blocks": MESSAGE_BLOCKS},
        "fallback text",
    ),
    "bad block inside a payload": (
        validate_message_payload,
        {"text": "hi", "blocks": _with_block({"type": "sparkle"})},
        "unknown type",
    ),
    "update with an invalid modal": (
        validate_message_payload,
        {"response_action": "update", "view": _modal_with(title=plain("t" * 25))},
        "view.title.text",
    ),
}


@pytest.mark.parametrize(("check", "value", "expected"), REJECTED.values(), ids=REJECTED.keys())
def test_rejects(check, value, expected):
    with pytest.raises(AssertionError) as caught:
        check(value)
    assert expected in str(caught.value)


def test_the_error_message_is_short_and_points_at_the_problem():
    with pytest.raises(AssertionError) as caught:
        assert_valid_blocks(_with_block(section("x" * 5000)))
    message = str(caught.value)
    assert "blocks[1].text.text" in message
    assert len(message) < 1000, message


def test_fast_dispatch_agrees_with_the_schema_as_written():
    """The schema's type-discriminated oneOf unions are rewritten for speed; the verdicts must not change."""
    fast, plain_schema = validators(), validators(fast=False)
    cases = [("blocks", MESSAGE_BLOCKS), ("modal", MODAL), ("home", HOME)]
    for check, value, _ in REJECTED.values():
        if isinstance(value, list):
            cases.append(("blocks", value))
        elif check in (assert_valid_modal, assert_valid_home):
            cases.append((value["type"], value))
    cases += [
        ("blocks", [{"text": "no type"}]),
        ("blocks", [{"type": ["not", "a", "string"]}]),
        ("blocks", [section("x", accessory={"type": "overflow", "options": []})]),
        ("blocks", [{"type": "context", "elements": [{"type": "mrkdwn"}]}]),
        ("modal", {**MODAL, "blocks": [{"type": "section"}]}),
    ]
    for kind, value in cases:
        assert fast[kind].is_valid(value) == plain_schema[kind].is_valid(value), (kind, value)


def test_the_schema_ships_with_the_package():
    """The console is installed, not run from a checkout: the schema must be package data."""
    root = Path(__file__).resolve().parents[3]
    declared = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    schemas = root / "bot" / "standin" / "schemas"
    files = sorted(p.relative_to(schemas.parent).as_posix() for p in schemas.iterdir())
    assert files and all(any(fnmatch(f, g) for g in declared["bot.standin"]) for f in files), files
