"""Block Kit for partner records: the profile fields, the edit form and the Home tab's add form."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from handlers.shared import metadata
from handlers.shared.ids import Action, Block, Callback, HomeIds
from handlers.shared.replies import plain
from storage.models import Partner, PartnerStatus


@dataclass(frozen=True)
class EditPartnerMetadata:
    partner_id: int
    response_url: str | None = None


def _text_input(
    block: Block,
    action: Action,
    label: str,
    value: str | None,
    *,
    optional: bool,
    max_length: int,
    hint: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action.value,
        "max_length": max_length,
    }
    if value:
        element["initial_value"] = value[:max_length]
    block_dict: dict[str, Any] = {
        "type": "input",
        "block_id": block.value,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block_dict["hint"] = plain(hint)
    return block_dict


def _money_input(block: Block, action: Action, label: str, value: Decimal | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "number_input",
        "action_id": action.value,
        "is_decimal_allowed": True,
        "min_value": "0",
    }
    if value is not None:
        element["initial_value"] = format(value.normalize(), "f")
    return {
        "type": "input",
        "block_id": block.value,
        "label": plain(label),
        "element": element,
        "optional": True,
    }


def profile_inputs(
    *,
    name: str | None = None,
    tier: str | None = None,
    region: str | None = None,
    category: str | None = None,
    owner: str | None = None,
    revenue: Decimal | None = None,
    cost: Decimal | None = None,
) -> list[dict[str, Any]]:
    """The partner's profile fields as modal inputs (the edit form, and the Home tab's add form)."""
    owner_select: dict[str, Any] = {
        "type": "users_select",
        "action_id": Action.OWNER_SELECT.value,
        "placeholder": plain("Who looks after this partner"),
    }
    if owner:
        owner_select["initial_user"] = owner
    return [
        _text_input(Block.NAME, Action.NAME_INPUT, "Name", name, optional=False, max_length=200),
        _text_input(
            Block.TIER,
            Action.TIER_INPUT,
            "Tier",
            tier,
            optional=True,
            max_length=80,
            hint="e.g. gold, silver, strategic",
        ),
        _text_input(Block.REGION, Action.REGION_INPUT, "Region", region, optional=True, max_length=80),
        _text_input(
            Block.CATEGORY,
            Action.CATEGORY_INPUT,
            "Category",
            category,
            optional=True,
            max_length=80,
            hint="e.g. reseller, technology, referral",
        ),
        {
            "type": "input",
            "block_id": Block.OWNER.value,
            "label": plain("Owner"),
            "element": owner_select,
            "optional": True,
        },
        _money_input(Block.REVENUE, Action.REVENUE_INPUT, "Revenue", revenue),
        _money_input(Block.COST, Action.COST_INPUT, "Cost", cost),
    ]


def edit_partner_modal(partner: Partner, *, response_url: str | None = None) -> dict[str, Any]:
    statuses = [{"text": plain(s.value.capitalize()), "value": s.value} for s in PartnerStatus]
    status = {
        "type": "static_select",
        "action_id": Action.STATUS_SELECT.value,
        "options": statuses,
        "initial_option": next(o for o in statuses if o["value"] == partner.status),
    }
    fields = profile_inputs(
        name=partner.name,
        tier=partner.tier,
        region=partner.region,
        category=partner.category,
        owner=partner.owner,
        revenue=partner.revenue,
        cost=partner.cost,
    )
    return {
        "type": "modal",
        "callback_id": Callback.EDIT_PARTNER_MODAL.value,
        "title": plain("Edit partner"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": metadata.dump(EditPartnerMetadata(partner.id, response_url)),
        "blocks": [
            *fields,
            {"type": "input", "block_id": Block.STATUS.value, "label": plain("Status"), "element": status},
        ],
    }


def add_partner_modal(owner: str | None = None) -> dict[str, Any]:
    """The form behind the Home tab's "Add partner": the fields ``/partner add`` takes, the owner
    preset to ``owner``."""
    return {
        "type": "modal",
        "callback_id": HomeIds.ADD_MODAL.value,
        "title": plain("Add partner"),
        "submit": plain("Add"),
        "close": plain("Cancel"),
        "blocks": profile_inputs(owner=owner),
    }
