"""The Block Kit builders: the JSON the app always sent, and text past Slack's limits shortened
rather than raising in slack_sdk's validation."""

from __future__ import annotations

import pytest

from bot.standin.blockkit import assert_valid_modal, validate_message_payload
from handlers.shared.blocks import (
    actions,
    button,
    choice_input,
    context_block,
    fields_section,
    form_field,
    header,
    modal,
    option,
    section,
    sections,
    text_input,
)
from handlers.shared.limits import (
    BUTTON_TEXT_LIMIT,
    CONTEXT_ELEMENTS,
    HEADER_LIMIT,
    MODAL_TITLE_LIMIT,
    OPTION_TEXT_LIMIT,
    SECTION_FIELD_LIMIT,
    TEXT_LIMIT,
)
from handlers.shared.replies import Reply


def test_blocks_become_the_dicts_slack_is_sent() -> None:
    reply = Reply("x", [section("*hi*"), context_block("small", ""), actions(button("Go", "go", "1"))])
    assert reply.blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "small"}]},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Go"},
                    "action_id": "go",
                    "value": "1",
                }
            ],
        },
    ]


def test_plain_text_has_no_emoji_flag_but_headers_turn_emoji_off() -> None:
    assert option("Gold", "gold").to_dict() == {
        "text": {"type": "plain_text", "text": "Gold"},
        "value": "gold",
    }
    assert header("Acme & <Co>").to_dict() == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Acme &amp; &lt;Co&gt;", "emoji": False},
    }


def test_text_past_slacks_limits_is_shortened_not_refused() -> None:
    reply = Reply(
        "x",
        [
            header("h" * 500),
            section("s " * 4000),
            fields_section(*["f " * 3000] * 12),
            context_block(*["c " * 3000] * 12),
        ],
    )
    validate_message_payload(reply.as_ack())
    head, body, fields, small = reply.blocks
    assert len(head["text"]["text"]) <= HEADER_LIMIT
    assert len(body["text"]["text"]) <= TEXT_LIMIT
    assert all(len(f["text"]) <= SECTION_FIELD_LIMIT for f in fields["fields"])
    assert len(small["elements"]) == CONTEXT_ELEMENTS
    assert len(button("b" * 100, "a", "v").to_dict()["text"]["text"]) <= BUTTON_TEXT_LIMIT
    assert len(option("o" * 100, "v").to_dict()["text"]["text"]) <= OPTION_TEXT_LIMIT


def test_lines_go_into_sections_of_a_few_lines_each() -> None:
    made = [block.to_dict()["text"]["text"] for block in sections([f"line {i}" for i in range(25)], per=10)]
    assert [len(text.split("\n")) for text in made] == [10, 10, 5]


def test_a_modal_is_a_view_dict_with_short_titles() -> None:
    view = modal(
        "A title far longer than Slack allows",
        [
            form_field(
                "b", "Label", text_input("a", max_length=5, initial="123456789"), optional=True, hint="h"
            )
        ],
        callback_id="cb",
        submit="Save",
        close="Cancel",
    )
    assert_valid_modal(view)
    assert len(view["title"]["text"]) <= MODAL_TITLE_LIMIT
    assert view["blocks"][0] == {
        "type": "input",
        "block_id": "b",
        "label": {"type": "plain_text", "text": "Label"},
        "hint": {"type": "plain_text", "text": "h"},
        "optional": True,
        "element": {"type": "plain_text_input", "action_id": "a", "max_length": 5, "initial_value": "12345"},
    }


def test_a_choice_opens_on_one_of_its_options() -> None:
    options = [option("Active", "active"), option("Archived", "archived")]
    chosen = choice_input("s", options, initial=option("Archived", "archived")).to_dict()
    assert chosen["initial_option"] == chosen["options"][1]
    with pytest.raises(ValueError, match="not one of the options"):
        choice_input("s", options, initial=option("Deleted", "deleted"))
