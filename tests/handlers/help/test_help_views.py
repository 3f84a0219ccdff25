"""``/partner help`` is valid Block Kit and lists every sub-command."""

from __future__ import annotations

import json

from bot.standin.blockkit import validate_message_payload
from handlers.help.views import help_reply


def test_help_is_valid_and_lists_every_subcommand() -> None:
    reply = help_reply()
    validate_message_payload(reply.as_ack())
    for word in ("add", "edit", "archive", "log", "show"):
        assert f"/partner {word}" in json.dumps(reply.blocks)
