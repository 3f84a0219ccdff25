"""The log form and a logged communication's confirmation are valid Block Kit within Slack's
limits, and show what people typed literally."""

from __future__ import annotations

from datetime import date

import pytest
from records import NASTY, interaction, partner, sent

from bot.standin.blockkit import assert_valid_modal, validate_message_payload
from handlers.log.views import LogDraft, LogMetadata, log_modal, logged_confirmation
from handlers.shared import metadata
from storage.models import InteractionKind


@pytest.mark.parametrize("name", ["Acme", NASTY, "a" * 200])
def test_confirmation_is_valid_and_escapes_names(name: str) -> None:
    reply = logged_confirmation(
        interaction(
            "Renewal talk " * 400,
            follow_up_on=date(2026, 7, 1),
            permalink="https://x.slack.com/archives/C1/p1",
        ),
        partner(name),
    )
    validate_message_payload(reply.as_ack())
    assert "<!channel>" not in sent(reply)
    assert [e["action_id"] for e in reply.blocks[-1]["elements"]] == ["edit_logged", "undo_logged"]


@pytest.mark.parametrize(
    "draft",
    [
        LogDraft(today=date(2026, 6, 15)),
        LogDraft(
            today=date(2026, 6, 15),
            partner=partner("p" * 200),
            kind=InteractionKind.QBR,
            day=date(2026, 6, 1),
            notes="n" * 5000,
            follow_up_on=date(2026, 7, 1),
        ),
    ],
)
def test_log_modal_is_valid(draft: LogDraft) -> None:
    meta = LogMetadata(
        response_url="https://hooks.slack.com/commands/T1/1/abc", channel_id="C1", message_ts="1.2"
    )
    view = log_modal(draft, meta)
    assert_valid_modal(view)
    assert metadata.load(LogMetadata, view["private_metadata"]) == meta
