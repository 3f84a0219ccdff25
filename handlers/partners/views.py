"""Block Kit for partner records: the profile fields, the edit form and the Home tab's add form."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import InputBlock, UserSelectElement

from handlers.shared import metadata
from handlers.shared.blocks import (
    choice_input,
    form_field,
    modal,
    number_input,
    option,
    plain,
    text_input,
)
from handlers.shared.ids import Action, Block, Callback, HomeIds
from storage.models import Partner, PartnerStatus
from storage.partners import NAME_MAX_LENGTH
from storage.slack_ids import FORMER_USER

# A tier, region or category: a word or two, as its column holds.
PROFILE_TEXT_LIMIT = 80


@dataclass(frozen=True)
class EditPartnerMetadata:
    partner_id: int
    response_url: str | None = None


def _text_field(
    block: Block,
    action: Action,
    label: str,
    value: str | None,
    *,
    optional: bool,
    max_length: int = PROFILE_TEXT_LIMIT,
    hint: str | None = None,
) -> InputBlock:
    box = text_input(action.value, max_length=max_length, initial=value)
    return form_field(block.value, label, box, optional=optional, hint=hint)


def _money_field(block: Block, action: Action, label: str, value: Decimal | None) -> InputBlock:
    # Written out in full ("1200", not "1.2E+3"): Slack shows the number input's text as it is.
    initial = format(value.normalize(), "f") if value is not None else None
    amount = number_input(action.value, decimals=True, lowest="0", initial=initial)
    return form_field(block.value, label, amount, optional=True)


def _owner_field(owner: str | None) -> InputBlock:
    who = UserSelectElement(
        action_id=Action.OWNER_SELECT.value,
        placeholder=plain("Who looks after this partner"),
        # A former user (forget-user) is nobody Slack can pick: the field starts empty.
        initial_user=owner if owner and owner != FORMER_USER else None,
    )
    return form_field(Block.OWNER.value, "Owner", who, optional=True)


def profile_inputs(
    *,
    name: str | None = None,
    tier: str | None = None,
    region: str | None = None,
    category: str | None = None,
    owner: str | None = None,
    revenue: Decimal | None = None,
    cost: Decimal | None = None,
) -> list[InputBlock]:
    """The partner's profile fields as modal inputs (the edit form, and the Home tab's add form)."""
    return [
        _text_field(Block.NAME, Action.NAME_INPUT, "Name", name, optional=False, max_length=NAME_MAX_LENGTH),
        _text_field(
            Block.TIER, Action.TIER_INPUT, "Tier", tier, optional=True, hint="e.g. gold, silver, strategic"
        ),
        _text_field(Block.REGION, Action.REGION_INPUT, "Region", region, optional=True),
        _text_field(
            Block.CATEGORY,
            Action.CATEGORY_INPUT,
            "Category",
            category,
            optional=True,
            hint="e.g. reseller, technology, referral",
        ),
        _owner_field(owner),
        _money_field(Block.REVENUE, Action.REVENUE_INPUT, "Revenue", revenue),
        _money_field(Block.COST, Action.COST_INPUT, "Cost", cost),
    ]


def _status_field(status: str) -> InputBlock:
    statuses = [option(s.value.capitalize(), s.value) for s in PartnerStatus]
    current = next(o for o in statuses if o.value == status)
    return form_field(
        Block.STATUS.value, "Status", choice_input(Action.STATUS_SELECT.value, statuses, initial=current)
    )


def edit_partner_modal(partner: Partner, *, response_url: str | None = None) -> dict[str, Any]:
    fields = profile_inputs(
        name=partner.name,
        tier=partner.tier,
        region=partner.region,
        category=partner.category,
        owner=partner.owner,
        revenue=partner.revenue,
        cost=partner.cost,
    )
    return modal(
        "Edit partner",
        [*fields, _status_field(partner.status)],
        callback_id=Callback.EDIT_PARTNER_MODAL.value,
        submit="Save",
        close="Cancel",
        private_metadata=metadata.dump(EditPartnerMetadata(partner.id, response_url)),
    )


def add_partner_modal(owner: str | None = None) -> dict[str, Any]:
    """The form behind the Home tab's "Add partner": the fields ``/partner add`` takes, the owner
    preset to ``owner``."""
    return modal(
        "Add partner",
        profile_inputs(owner=owner),
        callback_id=HomeIds.ADD_MODAL.value,
        submit="Add",
        close="Cancel",
    )
