"""``/partner add``, ``/partner edit`` (opens the form) and ``/partner archive``, and the checks
every way of entering a profile shares (names, short texts, amounts)."""

from __future__ import annotations

import logging
from typing import Any

from handlers.partners.views import PROFILE_TEXT_LIMIT, edit_partner_modal
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.lines import profile_line
from handlers.shared.modals import open_modal
from handlers.shared.parsing import extract_options
from handlers.shared.partner_names import resolve_partner
from handlers.shared.permissions import Act, require
from handlers.shared.replies import Reply
from handlers.shared.text import escape, literal
from handlers.shared.typed import one_name, parse_money
from storage import partners as partner_store
from storage.models import Partner, PartnerStatus
from storage.names import normalise_name
from storage.slack_ids import parse_user_id

log = logging.getLogger(__name__)
ADD_OPTION_ORDER = ("tier", "region", "category", "owner", "revenue", "cost")
ADD_OPTIONS = set(ADD_OPTION_ORDER)


def check_name(name: str) -> str:
    """The partner name as it will be stored (storage.names), or a UserError saying what is wrong."""
    name = normalise_name(name)
    if not name:
        raise UserError("Give the partner a name, e.g. `/partner add Acme tier:gold`.")
    if len(name) > partner_store.NAME_MAX_LENGTH:
        raise UserError(f"That name is too long: keep it to {partner_store.NAME_MAX_LENGTH} characters.")
    return name


@subcommand("add", "new", "create")
def add(request: CommandRequest, rest: str) -> Reply:
    require(request, Act.ADD_PARTNER)
    options = extract_options(rest, ADD_OPTIONS)
    name = check_name(
        one_name(
            options.remainder,
            what="partner",
            example='/partner add "Acme Corp" tier:gold',
            options=ADD_OPTION_ORDER,
            hints={"status": "To archive a partner, add it and then use `/partner archive &lt;name&gt;`."},
        )
    )
    fields: dict[str, Any] = {
        k: check_text(k, options.values[k]) for k in ("tier", "region", "category") if k in options.values
    }
    if options.values.get("owner"):
        owner = parse_user_id(options.values["owner"])
        if owner is None:
            raise UserError("I couldn't tell who the owner is: mention them, like `owner:@ana`.")
        fields["owner"] = owner
    for key in ("revenue", "cost"):
        if options.values.get(key):
            fields[key] = parse_money(key.capitalize(), options.values[key])
    with request.deps.db.transaction(actor=request.user_id) as session:
        try:
            partner = partner_store.add_partner(session, request.team_id, name, **fields)
        except partner_store.PartnerExists as exists:
            return Reply(already_a_partner(exists.name))
        reply = added(partner)
    request.deps.changes.data_changed(request.team_id, request.user_id)
    return reply


def added(partner: Partner) -> Reply:
    """The confirmation of a new partner (from the command and from the Home tab's form)."""
    return Reply(
        f"Added *{literal(partner.name)}* ({profile_line(partner)}). "
        f"Log a communication with `/partner log {escape(partner.name)} call …`."
    )


def already_a_partner(name: str) -> str:
    return (
        f"*{literal(name)}* is already a partner, so I changed nothing. "
        f"Use `/partner edit {escape(name)}` to change it."
    )


def check_text(field: str, value: str) -> str | None:
    """A short profile text (tier, region, category): normalised like names, at most 80 characters."""
    text = normalise_name(value)
    if len(text) > PROFILE_TEXT_LIMIT:
        raise UserError(f"The {field} is too long: keep it to {PROFILE_TEXT_LIMIT} characters.")
    return text or None


@subcommand("archive")
def archive(request: CommandRequest, rest: str) -> Reply:
    with request.deps.db.transaction(actor=request.user_id) as session:
        partner = resolve_partner(session, request.team_id, rest, whole=True).partner
        require(request, Act.ARCHIVE_PARTNER, partner, session=session)
        if partner.status == PartnerStatus.ARCHIVED:
            return Reply(f"*{literal(partner.name)}* is already archived.")
        partner_store.set_status(session, partner, PartnerStatus.ARCHIVED)
        reply = Reply(
            f"Archived *{literal(partner.name)}*. Its history is kept; "
            f"`/partner edit {escape(partner.name)}` makes it active again."
        )
    request.deps.changes.data_changed(request.team_id, request.user_id)
    return reply


@subcommand("edit", "update")
def edit(request: CommandRequest, rest: str) -> Reply | None:
    with request.deps.db.read() as session:
        partner = resolve_partner(session, request.team_id, rest, whole=True).partner
        require(request, Act.EDIT_PARTNER, partner, session=session)
        view = edit_partner_modal(partner, response_url=request.response_url)
    request.ack()
    return open_modal(request.client, request.trigger_id, view)
