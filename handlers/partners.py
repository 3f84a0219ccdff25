"""``/partner add``, ``/partner edit`` (a modal) and ``/partner archive``."""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers import metadata
from handlers.command import CommandRequest, subcommand
from handlers.errors import UserError
from handlers.ids import Action, Block, Callback
from handlers.modals import open_modal
from handlers.notify import tell
from handlers.parsing import extract_options, quoted_name, slack_user_id
from handlers.partner_names import resolve_partner
from handlers.partner_views import EditPartnerMetadata, edit_partner_modal, profile_line
from handlers.rankings import changed
from handlers.replies import Reply
from handlers.services import services
from handlers.text import escape, literal
from storage import partners as partner_store
from storage.models import PartnerStatus

log = logging.getLogger(__name__)
ADD_OPTIONS = {"tier", "region", "category", "owner", "revenue", "cost"}


def parse_money(label: str, text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise UserError(f"{label} must be a number, like `12500` — got “{escape(text)}”.") from None
    if not value.is_finite() or value < 0:
        raise UserError(f"{label} must be zero or more — got “{escape(text)}”.")
    if value >= Decimal("1e16"):
        raise UserError(f"{label} is too large.")
    return value.quantize(Decimal("0.01"))


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("Give the partner a name, e.g. `/partner add Acme tier:gold`.")
    if len(name) > partner_store.NAME_MAX_LENGTH:
        raise UserError(f"That name is too long: keep it to {partner_store.NAME_MAX_LENGTH} characters.")
    return name


@subcommand("add", "new", "create")
def add(request: CommandRequest, rest: str) -> Reply:
    options = extract_options(rest, ADD_OPTIONS)
    quoted = quoted_name(options.remainder)
    name = check_name(quoted[0] if quoted else options.remainder)
    fields: dict[str, Any] = {
        k: options.values[k] or None for k in ("tier", "region", "category") if k in options.values
    }
    if options.values.get("owner"):
        owner = slack_user_id(options.values["owner"])
        if owner is None:
            raise UserError("I couldn't tell who the owner is: mention them, like `owner:@ana`.")
        fields["owner"] = owner
    for key in ("revenue", "cost"):
        if options.values.get(key):
            fields[key] = parse_money(key.capitalize(), options.values[key])
    with request.services.db.transaction() as session:
        try:
            partner = partner_store.add_partner(session, request.team_id, name, **fields)
        except partner_store.PartnerExists as exists:
            return Reply(
                f"*{literal(exists.name)}* is already a partner, so I changed nothing. "
                f"Use `/partner edit {escape(exists.name)}` to change it."
            )
        changed(request.services, request.team_id)
        text = (
            f"Added *{literal(partner.name)}* ({profile_line(partner)}). "
            f"Log a communication with `/partner log {escape(partner.name)} call …`."
        )
    return Reply(text)


@subcommand("archive")
def archive(request: CommandRequest, rest: str) -> Reply:
    with request.services.db.transaction() as session:
        partner = resolve_partner(session, request.team_id, rest, whole=True).partner
        if partner.status == PartnerStatus.ARCHIVED.value:
            return Reply(f"*{literal(partner.name)}* is already archived.")
        partner_store.set_status(session, partner, PartnerStatus.ARCHIVED)
        changed(request.services, request.team_id)
        return Reply(
            f"Archived *{literal(partner.name)}*. Its history is kept; "
            f"`/partner edit {escape(partner.name)}` makes it active again."
        )


@subcommand("edit", "update")
def edit(request: CommandRequest, rest: str) -> Reply | None:
    with request.services.db.read() as session:
        partner = resolve_partner(session, request.team_id, rest, whole=True).partner
        view = edit_partner_modal(partner, response_url=request.response_url)
    request.ack()
    return open_modal(request.client, request.trigger_id, view)


def _value(state: dict[str, Any], block: Block, action: Action, key: str = "value") -> Any:
    return state.get(block.value, {}).get(action.value, {}).get(key)


def on_edit_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = metadata.load(EditPartnerMetadata, view.get("private_metadata"))
    state = view["state"]["values"]
    team_id = body["user"].get("team_id") or context.team_id
    errors: dict[str, str] = {}
    name = " ".join((_value(state, Block.NAME, Action.NAME_INPUT) or "").split())
    if not name:
        errors[Block.NAME.value] = "The partner needs a name."
    money: dict[str, Decimal | None] = {}
    for block, action, label in (
        (Block.REVENUE, Action.REVENUE_INPUT, "Revenue"),
        (Block.COST, Action.COST_INPUT, "Cost"),
    ):
        raw = _value(state, block, action)
        try:
            money[label.lower()] = parse_money(label, raw) if raw not in (None, "") else None
        except UserError as error:
            errors[block.value] = error.message
    status = (_value(state, Block.STATUS, Action.STATUS_SELECT, "selected_option") or {}).get("value")
    if status not in {s.value for s in PartnerStatus}:
        errors[Block.STATUS.value] = "Choose active or archived."
    if errors:
        ack(response_action="errors", errors=errors)
        return
    with services(context).db.transaction() as session:
        partner = partner_store.get_partner(session, team_id, meta.partner_id)
        if partner is None:
            ack(response_action="errors", errors={Block.NAME.value: "This partner no longer exists."})
            return
        try:
            partner_store.update_partner(
                session,
                partner,
                name=name,
                tier=_value(state, Block.TIER, Action.TIER_INPUT) or None,
                region=_value(state, Block.REGION, Action.REGION_INPUT) or None,
                category=_value(state, Block.CATEGORY, Action.CATEGORY_INPUT) or None,
                owner=_value(state, Block.OWNER, Action.OWNER_SELECT, "selected_user") or None,
                status=status,
                **money,
            )
        except partner_store.PartnerExists as exists:
            ack(
                response_action="errors",
                errors={Block.NAME.value: f"{exists.name[:100]} is another partner's name."},
            )
            return
        reply = Reply(f"Saved *{literal(partner.name)}*: {profile_line(partner)}.")
    ack()
    changed(services(context), team_id)
    tell(client, user_id=body["user"]["id"], reply=reply, response_url=meta.response_url)


def register(app: App) -> None:
    app.view(Callback.EDIT_PARTNER_MODAL.value)(on_edit_submitted)
