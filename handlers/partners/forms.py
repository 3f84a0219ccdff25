"""The partner forms' submissions: the edit form (``/partner edit``) and the Home tab's "Add
partner" button and form. Both read the same profile fields with the same checks as the command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from handlers.partners.commands import added, check_name, check_text
from handlers.partners.views import EditPartnerMetadata, add_partner_modal
from handlers.shared import metadata
from handlers.shared.deps import deps_of, workspace
from handlers.shared.errors import UserError
from handlers.shared.form import Form
from handlers.shared.ids import Action, Block
from handlers.shared.lines import profile_line
from handlers.shared.modals import open_modal
from handlers.shared.notify import tell
from handlers.shared.permissions import Act, form_text, person, require
from handlers.shared.replies import Reply
from handlers.shared.text import literal, shorten
from handlers.shared.typed import parse_money
from storage import partners as partner_store
from storage.models import PartnerStatus


def read_profile(form: Form) -> dict[str, Any]:
    """The profile fields of the edit form and the Home tab's add form; problems go to form.errors."""
    fields: dict[str, Any] = {}
    try:
        fields["name"] = check_name(form.text(Block.NAME, Action.NAME_INPUT))
    except UserError as error:
        form.error(Block.NAME, error.message)
    for key, block, action in (
        ("tier", Block.TIER, Action.TIER_INPUT),
        ("region", Block.REGION, Action.REGION_INPUT),
        ("category", Block.CATEGORY, Action.CATEGORY_INPUT),
    ):
        try:
            fields[key] = check_text(key, form.text(block, action))
        except UserError as error:
            form.error(block, error.message)
    fields["owner"] = form.user(Block.OWNER, Action.OWNER_SELECT)
    for key, block, action in (
        ("revenue", Block.REVENUE, Action.REVENUE_INPUT),
        ("cost", Block.COST, Action.COST_INPUT),
    ):
        raw = form.number(block, action)
        try:
            fields[key] = parse_money(key.capitalize(), raw) if raw else None
        except UserError as error:
            form.error(block, error.message)
    return fields


def on_edit_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = metadata.load(EditPartnerMetadata, view.get("private_metadata"))
    team_id, user_id = workspace(context), body["user"]["id"]
    form = Form(view)
    fields = read_profile(form)
    status = form.choice(
        Block.STATUS,
        Action.STATUS_SELECT,
        allowed={s.value for s in PartnerStatus},
        missing="Choose active or archived.",
    )
    if form.errors:
        ack(response_action="errors", errors=form.errors)
        return
    deps = deps_of(context)
    with deps.db.transaction(actor=user_id) as session:
        partner = partner_store.get_partner(session, team_id, meta.partner_id)
        if partner is None:
            ack(response_action="errors", errors={Block.NAME.value: "This partner no longer exists."})
            return
        refused = _refusal(person(body, client, context), partner, fields, PartnerStatus(status), session)
        if refused:
            ack(response_action="errors", errors=refused)
            return
        try:
            partner_store.update_partner(session, partner, status=PartnerStatus(status), **fields)
        except partner_store.PartnerExists as exists:
            ack(
                response_action="errors",
                errors={Block.NAME.value: f"{exists.name[:100]} is another partner's name."},
            )
            return
        reply = Reply(f"Saved *{literal(partner.name)}*: {profile_line(partner)}.")
    ack()
    deps.changes.data_changed(team_id, user_id)
    tell(client, user_id=user_id, reply=reply, response_url=meta.response_url)


def _refusal(
    who: Any, partner: Any, fields: dict[str, Any], status: PartnerStatus, session: Any
) -> dict[str, str] | None:
    """The form's errors when the person may not make these changes (checked against the partner
    as stored, before anything changes): archiving and changing the owner may need more than editing."""
    checks = [(Act.EDIT_PARTNER, Block.NAME)]
    if status != partner.status and status == PartnerStatus.ARCHIVED:
        checks.append((Act.ARCHIVE_PARTNER, Block.STATUS))
    if fields.get("owner") != partner.owner:
        checks.append((Act.CHANGE_OWNER, Block.OWNER))
    for act, block in checks:
        try:
            require(who, act, partner, session=session)
        except UserError as error:
            return {block.value: form_text(error.message)}
    return None


def on_add_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """The Home tab's "Add partner": the form, the owner preset to whoever clicked."""
    ack()
    user_id = body["user"]["id"]
    reply = open_modal(client, body["trigger_id"], add_partner_modal(owner=user_id))
    if reply is not None:  # the Home tab has no response_url
        tell(client, user_id=user_id, reply=reply)


def on_add_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The add form: the checks and the answers of ``/partner add``."""
    deps, team_id, user_id = deps_of(context), workspace(context), body["user"]["id"]
    form = Form(view)
    fields = read_profile(form)
    try:
        require(person(body, client, context), Act.ADD_PARTNER)
    except UserError as error:
        form.error(Block.NAME, form_text(error.message))
    if form.errors:
        ack(response_action="errors", errors=form.errors)
        return
    name = fields.pop("name")
    with deps.db.transaction(actor=user_id) as session:
        try:
            partner = partner_store.add_partner(session, team_id, name, **fields)
        except partner_store.PartnerExists as exists:
            name = shorten(exists.name, 100)
            message = (
                f"{name} is already a partner, so I changed nothing. Use `/partner edit {name}` to change it."
            )
            ack(response_action="errors", errors={Block.NAME.value: message})
            return
        reply = added(partner)
    # Saved and committed: only now may the modal close.
    ack()
    deps.changes.data_changed(team_id, user_id)
    tell(client, user_id=user_id, reply=reply)
