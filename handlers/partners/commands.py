"""``/partner add``, ``/partner edit`` (opens the form) and ``/partner archive``, and the checks
every way of entering a profile shares (names, short texts, amounts)."""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import Any

from handlers.partners.views import PROFILE_TEXT_LIMIT, edit_partner_modal
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.lines import profile_line
from handlers.shared.modals import open_modal
from handlers.shared.parsing import extract_options, quoted_name
from handlers.shared.partner_names import resolve_partner
from handlers.shared.replies import Reply
from handlers.shared.text import escape, literal, shorten
from storage import partners as partner_store
from storage.models import Partner, PartnerStatus
from storage.money import AMOUNT_LIMIT, BadAmount, parse_amount
from storage.names import normalise_name
from storage.slack_ids import parse_user_id

log = logging.getLogger(__name__)
ADD_OPTION_ORDER = ("tier", "region", "category", "owner", "revenue", "cost")
ADD_OPTIONS = set(ADD_OPTION_ORDER)
QUOTES = ('"', "'", "“", "‘")


def parse_money(label: str, text: str) -> Decimal:
    """An amount typed in a command or a form (storage.money's rules), or a UserError naming ``label``."""
    try:
        return parse_amount(text)
    except BadAmount as bad:
        typed = escape(shorten(text.strip(), 40))
        words = {
            "negative": f"must be zero or more — got “{typed}”",
            "too precise": f"can have at most 2 decimals — got “{typed}”",
            "too large": f"is too large: keep it below {AMOUNT_LIMIT:,}",
        }.get(bad.problem, f"must be a number, like `12500` or `12,500.50` — got “{typed}”")
        raise UserError(f"{label} {words}.") from None


def check_name(name: str) -> str:
    """The partner name as it will be stored (storage.names), or a UserError saying what is wrong."""
    name = normalise_name(name)
    if not name:
        raise UserError("Give the partner a name, e.g. `/partner add Acme tier:gold`.")
    if len(name) > partner_store.NAME_MAX_LENGTH:
        raise UserError(f"That name is too long: keep it to {partner_store.NAME_MAX_LENGTH} characters.")
    return name


# A word like ``foo:bar``: an option, or (unquoted) part of a name that looks like one.
_OPTION_LIKE = re.compile(r"(?<!\S)([A-Za-z_]+):(\S+)")


def _one_name(text: str) -> str:
    """The one partner name in what is left of ``/partner add`` once its options are taken out."""
    text = text.strip()
    if text[:1] in QUOTES:
        quoted = quoted_name(text)
        if quoted is None:
            raise UserError(
                f"The name starts with a quote that is never closed: “{escape(shorten(text, 80))}”. "
                'Put the whole name in quotes, e.g. `/partner add "Acme Corp" tier:gold`.'
            )
        name, rest = quoted
        if rest:
            raise UserError(
                f"I can add one partner at a time, and “{escape(shorten(rest, 80))}” came after the name "
                f"“{escape(shorten(name, 80))}”. Add each with its own `/partner add`."
            )
        return name
    unknown = _OPTION_LIKE.search(text)
    if unknown is not None:
        key = unknown.group(1).casefold()
        if key == "status":
            hint = "To archive a partner, add it and then use `/partner archive <name>`."
        else:
            hint = "A partner can have " + ", ".join(f"`{k}:`" for k in ADD_OPTION_ORDER) + "."
        raise UserError(
            f"I can't set “{escape(shorten(unknown.group(0), 60))}” on a partner. {hint} "
            "If it is part of the name, put the name in quotes."
        )
    return text


@subcommand("add", "new", "create")
def add(request: CommandRequest, rest: str) -> Reply:
    options = extract_options(rest, ADD_OPTIONS)
    name = check_name(_one_name(options.remainder))
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
    with request.deps.db.transaction() as session:
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
    with request.deps.db.transaction() as session:
        partner = resolve_partner(session, request.team_id, rest, whole=True).partner
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
        view = edit_partner_modal(partner, response_url=request.response_url)
    request.ack()
    return open_modal(request.client, request.trigger_id, view)
