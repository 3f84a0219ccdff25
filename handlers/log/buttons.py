"""The Edit and Undo buttons on a logged communication's confirmation: by default whoever logged
it, the partner's owner and admins may use them (``Act.CHANGE_COMMUNICATION``)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from handlers.log.form import open_log_form
from handlers.log.views import LogDraft, LogMetadata
from handlers.shared.deps import deps_of, user_zone, workspace
from handlers.shared.errors import UserError
from handlers.shared.parsing import action_value, record_id
from handlers.shared.permissions import Act, person, require
from handlers.shared.text import literal
from storage import followups as follow_up_store
from storage import interactions as interaction_store
from storage.models import Interaction


def _own_interaction(
    session: Any, body: dict[str, Any], client: WebClient, context: BoltContext
) -> Interaction:
    interaction_id = record_id(action_value(body))
    interaction = (
        interaction_store.get_interaction(session, workspace(context), interaction_id)
        if interaction_id is not None
        else None
    )
    if interaction is None:
        raise UserError("That communication has already been removed.")
    require(
        person(body, client, context),
        Act.CHANGE_COMMUNICATION,
        interaction.partner,
        creator=interaction.user_id,
        session=session,
    )
    return interaction


def on_edit_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    deps = deps_of(context)
    zone = user_zone(deps, client, workspace(context), body["user"]["id"])
    try:
        with deps.db.read() as session:
            interaction = _own_interaction(session, body, client, context)
            draft = LogDraft(
                today=deps.now().astimezone(zone).date(),
                partner=interaction.partner,
                kind=interaction.kind,
                day=interaction.occurred_at.astimezone(zone).date(),
                notes=interaction.notes,
                follow_up_on=interaction.follow_up_on,
                project_id=interaction.project_id,
            )
            meta = LogMetadata(interaction_id=interaction.id, response_url=body.get("response_url"))
    except UserError as error:
        respond(text=error.message, response_type="ephemeral", replace_original=False)
        return
    reply = open_log_form(client, body["trigger_id"], draft, meta)
    if reply is not None:
        respond(text=reply.text, response_type="ephemeral", replace_original=False)


def on_undo_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    try:
        with deps_of(context).db.transaction(actor=body["user"]["id"]) as session:
            interaction = _own_interaction(session, body, client, context)
            what = f"the {interaction.kind} with *{literal(interaction.partner.name)}*"
            # Undone, it promised nothing either: its open follow-up goes with it.
            follow_up_store.remove_open_of_interaction(session, interaction.team_id, interaction.id)
            interaction_store.delete_interaction(session, interaction.team_id, interaction.id)
        deps_of(context).changes.data_changed(interaction.team_id, body["user"]["id"])
    except UserError as error:
        respond(text=error.message, response_type="ephemeral", replace_original=False)
        return
    respond(
        text=f"Removed {what}; it is no longer in the log.", response_type="ephemeral", replace_original=True
    )
