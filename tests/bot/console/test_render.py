"""The console's text: mrkdwn and blocks read as a person would see them, and typed text escaped as
Slack escapes a slash command's."""

from __future__ import annotations

from typing import Any

import pytest

from bot.console.render import Renderer, Style, mrkdwn_to_plain
from bot.console.typed import escape_typed
from handlers.shared.text import literal


@pytest.mark.parametrize(
    ("mrkdwn", "plain"),
    [
        ("Logged a *call* with *Acme*.", "Logged a call with Acme."),
        ("*1.* *Acme* — 87 · _new_ ~old~", "1. Acme — 87 · new old"),
        ("owner <@U42> and <@U43|ana> in <#C1|general> or <#C2>", "owner @U42 and @U43 in #general or #C2"),
        ("in <#CCONSOLE>", "in #console"),
        ("on <!date^1700000000^{date_short_pretty}|2023-11-14 22:13 UTC>", "on 2023-11-14 22:13 UTC"),
        ("<!here> <!channel>", "@here @channel"),
        (
            "<https://x.example/p?a=1&amp;b=2|the message> <mailto:a@b.c>",
            "the message (https://x.example/p?a=1&b=2) a@b.c",
        ),
        ("&lt;b&gt; &amp; &amp;lt;", "<b> & &lt;"),
        ("use `/partner edit *Acme*` now", "use `/partner edit *Acme*` now"),
        ("2*3*4 and snake_case_name", "2*3*4 and snake_case_name"),
    ],
)
def test_mrkdwn_reads_as_plain_text(mrkdwn: str, plain: str) -> None:
    assert mrkdwn_to_plain(mrkdwn, {"CCONSOLE": "console"}) == plain


def test_slash_command_text_is_escaped_as_slack_escapes_it() -> None:
    channels: dict[str, str] = {}
    typed = "digest add #sales-emea daily 09:00 owner:@U01 mail me@U01.com about #1"
    assert escape_typed(typed, channels) == (
        "digest add <#CSALESEMEA|sales-emea> daily 09:00 owner:<@U01|u01> mail me@U01.com about #1"
    )
    assert channels == {"CSALESEMEA": "sales-emea"}


def test_user_text_escaped_for_slack_reads_as_typed() -> None:
    typed = "<!channel> *Acme* & _co_ `x`"
    assert mrkdwn_to_plain(f"Added *{literal(typed)}*.") == f"Added {typed}."


def test_blocks_render_with_numbered_buttons() -> None:
    pressed: list[str] = []

    def number(element: dict[str, Any], block: dict[str, Any]) -> str:
        pressed.append(element["action_id"])
        return f"[{len(pressed)}] {element['text']['text']}"

    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Top &amp; more"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Score*"},
            "fields": [{"type": "mrkdwn", "text": "*Responses*\n5"}],
        },
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "last 90 days"}]},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Edit"},
                    "action_id": "e",
                    "value": "1",
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Undo"},
                    "action_id": "u",
                    "value": "1",
                },
            ],
        },
    ]
    lines = Renderer(Style(color=False), number).message({"text": "fallback", "blocks": blocks})
    assert lines == [
        "=== Top & more ===",
        "Score",
        "  Responses: 5",
        "-" * 30,
        "  last 90 days",
        "[1] Edit  [2] Undo",
    ]
    assert pressed == ["e", "u"]
    assert Renderer(Style()).message({"text": "*only* text"}) == ["only text"]
