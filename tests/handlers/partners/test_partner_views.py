"""The edit form is valid Block Kit, prefilled with the partner's profile."""

from __future__ import annotations

from decimal import Decimal

from records import NASTY, partner

from bot.standin.blockkit import assert_valid_modal
from handlers.partners.views import EditPartnerMetadata, add_partner_modal, edit_partner_modal
from handlers.shared import metadata
from storage.slack_ids import FORMER_USER


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


def test_a_partner_owned_by_a_former_user_opens_with_no_owner_picked() -> None:
    view = edit_partner_modal(partner("Acme", owner=FORMER_USER))
    assert_valid_modal(view)
    owner = next(b for b in view["blocks"] if b["block_id"] == "owner")
    assert "initial_user" not in owner["element"]


USER = "U1"


def test_add_partner_modal_is_valid_and_preset_to_the_user() -> None:
    view = add_partner_modal(owner=USER)
    assert_valid_modal(view)
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["name", "tier", "region", "category", "owner", "revenue", "cost"]
    assert inputs["owner"]["element"]["initial_user"] == USER
    assert not inputs["name"]["optional"] and all(inputs[k]["optional"] for k in list(inputs)[1:])
    assert_valid_modal(add_partner_modal())
