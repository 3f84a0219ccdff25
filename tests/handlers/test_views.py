"""Every message and modal the first slice builds is valid Block Kit within Slack's limits,
and shows user text literally."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from blockkit import assert_valid_modal, validate_message_payload

from handlers import metadata
from handlers.help import help_reply
from handlers.log_views import LogDraft, LogMetadata, log_modal, logged_confirmation
from handlers.partner_views import EditPartnerMetadata, edit_partner_modal
from handlers.show import partner_profile
from storage.interactions import ContactSummary
from storage.models import Interaction, InteractionKind, Partner

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
NASTY = "<!channel> *bold* & _it_ " + "x" * 300


def partner(name: str = "Acme", **fields: object) -> Partner:
    return Partner(id=7, team_id="T1", name=name, name_key=name.casefold(), status="active", **fields)


def interaction(notes: str, days_ago: int = 0, **fields: object) -> Interaction:
    return Interaction(
        id=3,
        team_id="T1",
        partner_id=7,
        kind="call",
        occurred_at=NOW - timedelta(days=days_ago),
        notes=notes,
        user_id="U1",
        **fields,
    )


def sent(reply) -> str:
    return json.dumps(reply.as_ack())


def test_help_is_valid_and_lists_every_subcommand() -> None:
    reply = help_reply()
    validate_message_payload(reply.as_ack())
    for word in ("add", "edit", "archive", "log", "show"):
        assert f"/partner {word}" in json.dumps(reply.blocks)


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


def test_profile_with_long_notes_stays_within_limits() -> None:
    summary = ContactSummary(NOW, {"call": 3}, {"call": 3, "meeting": 1})
    recent = [interaction(NASTY * 20, days_ago=d, permalink="https://x/p") for d in range(5)]
    reply = partner_profile(partner(NASTY, tier="gold", owner="U9"), summary, recent)
    validate_message_payload(reply.as_ack())
    assert "<!channel>" not in sent(reply)
    assert "3 calls" in json.dumps(reply.blocks)


def test_profile_without_history_invites_a_first_log() -> None:
    reply = partner_profile(partner(), ContactSummary(None, {}, {}), [])
    validate_message_payload(reply.as_ack())
    assert "Nothing logged yet" in json.dumps(reply.blocks)


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


def test_edit_partner_modal_is_valid_and_prefilled() -> None:
    view = edit_partner_modal(
        partner(NASTY[:200], tier="gold", owner="U2", revenue=Decimal("1200.50")),
        response_url="https://hooks.slack.com/x",
    )
    assert_valid_modal(view)
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["name"]["element"]["initial_value"] == NASTY[:200]
    assert blocks["revenue"]["element"]["initial_value"] == "1200.5"
    assert blocks["owner"]["element"]["initial_user"] == "U2"
    assert metadata.load(EditPartnerMetadata, view["private_metadata"]).partner_id == 7
