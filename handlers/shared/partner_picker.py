"""The partner type-ahead: one select element, used by every form that asks "which partner?",
and the one listener that answers its searches (so each form's select finds the same names)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.models.blocks import ExternalDataSelectElement, InputBlock, Option
from sqlalchemy.orm import Session

from handlers.shared.blocks import form_field, option, plain
from handlers.shared.deps import deps_of, workspace
from handlers.shared.ids import Action, Block
from handlers.shared.limits import OPTION_TEXT_LIMIT, OPTIONS_LIMIT
from handlers.shared.text import escaped_shortened
from storage import partners as partner_store
from storage.models import Partner, PartnerStatus


def partner_option(partner: Partner) -> Option:
    """The partner as a choice: its name shown (escaped, as Slack decodes &lt; in plain text), its ID sent."""
    return option(escaped_shortened(partner.name, OPTION_TEXT_LIMIT, mrkdwn=False), str(partner.id))


def partner_select(partner: Partner | None = None) -> ExternalDataSelectElement:
    """An external select that searches the workspace's active partners as the person types."""
    return ExternalDataSelectElement(
        action_id=Action.PARTNER_SELECT.value,
        placeholder=plain("Type a partner's name"),
        min_query_length=0,  # the list shows before anything is typed
        initial_option=partner_option(partner) if partner is not None else None,
    )


def partner_input(partner: Partner | None = None) -> InputBlock:
    return form_field(Block.PARTNER.value, "Partner", partner_select(partner))


# What a form says when the partner picked was archived or removed while it was open.
PICK_ANOTHER = {Block.PARTNER.value: "That partner is archived or gone: choose another."}


def active_partner(session: Session, team_id: str, partner_id: int) -> Partner | None:
    """The partner a form's type-ahead picked, if it is still active in this workspace."""
    partner = partner_store.get_partner(session, team_id, partner_id)
    return partner if partner is not None and partner.status == PartnerStatus.ACTIVE else None


def on_partner_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    typed = body.get("value")
    with deps_of(context).db.read() as session:
        found = partner_store.search_partners(
            session, workspace(context), typed if isinstance(typed, str) else "", limit=OPTIONS_LIMIT
        )
        ack(options=[partner_option(p).to_dict() for p in found])


def register(app: App) -> None:
    app.options(Action.PARTNER_SELECT.value)(on_partner_options)
