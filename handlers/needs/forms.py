"""The new-need form's submission, and the Met and Declined buttons on a need's confirmation, which
close it at once."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from handlers.needs.commands import close_need
from handlers.needs.views import NeedMetadata, need_reply, no_such_need
from handlers.shared import metadata
from handlers.shared.deps import Deps, deps_of, user_zone, workspace
from handlers.shared.errors import UserError
from handlers.shared.form import Form
from handlers.shared.ids import Action, Block
from handlers.shared.ids import NeedIds as Ids
from handlers.shared.notify import tell
from handlers.shared.parsing import action_value, record_id
from handlers.shared.partner_picker import PICK_ANOTHER, active_partner
from handlers.shared.permissions import Act, form_text, person, require
from storage import needs as need_store
from storage.models import NeedDifficulty, NeedPriority, NeedStatus, NeedType


def _today(deps: Deps, client: WebClient, team_id: str, user_id: str) -> date:
    return deps.now().astimezone(user_zone(deps, client, team_id, user_id)).date()


def on_new_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = metadata.load(NeedMetadata, view.get("private_metadata"))
    deps, team_id, user_id = deps_of(context), workspace(context), body["user"]["id"]
    form = Form(view)
    partner_id = form.record(Block.PARTNER, Action.PARTNER_SELECT, missing="Choose a partner from the list.")
    kind = form.choice(
        Ids.TYPE_BLOCK, Ids.TYPE_INPUT, allowed={t.value for t in NeedType}, missing="Choose a type."
    )
    priority = form.choice(
        Ids.PRIORITY_BLOCK,
        Ids.PRIORITY_INPUT,
        allowed={p.value for p in NeedPriority},
        missing="Choose a priority.",
    )
    difficulty = form.choice(
        Ids.DIFFICULTY_BLOCK,
        Ids.DIFFICULTY_INPUT,
        allowed={d.value for d in NeedDifficulty},
        missing="Choose a difficulty.",
    )
    description = form.text(Ids.DESCRIPTION_BLOCK, Ids.DESCRIPTION_INPUT)
    if not description:
        form.error(Ids.DESCRIPTION_BLOCK, "Say what the partner needs.")
    if form.errors or None in (partner_id, kind, priority, difficulty):
        ack(response_action="errors", errors=form.errors)
        return
    assert partner_id is not None and kind and priority and difficulty  # checked just above
    today = _today(deps, client, team_id, user_id)
    with deps.db.transaction(actor=user_id) as session:
        partner = active_partner(session, team_id, partner_id)
        if partner is None:
            ack(response_action="errors", errors=PICK_ANOTHER)
            return
        try:
            require(person(body, client, context), Act.ADD_NEED, partner, session=session)
        except UserError as error:
            ack(response_action="errors", errors={Block.PARTNER.value: form_text(error.message)})
            return
        need, _ = need_store.add_need(
            session,
            team_id,
            partner_id=partner.id,
            type=NeedType(kind),
            priority=NeedPriority(priority),
            difficulty=NeedDifficulty(difficulty),
            description=description,
            raised_on=today,
            created_by=user_id,
            request_key=f"view:{view.get('id')}",
        )
        session.refresh(need, ["partner"])
        reply = need_reply(need, "Recorded", today=today)
    ack()
    tell(client, user_id=user_id, reply=reply, response_url=meta.response_url)


def _close_clicked(status: NeedStatus) -> Any:
    def on_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        deps, team_id, user_id = deps_of(context), workspace(context), body["user"]["id"]
        need_id = record_id(action_value(body))
        if need_id is None:
            raise UserError(no_such_need(action_value(body)[:25]))
        today = _today(deps, client, team_id, user_id)
        reply = close_need(person(body, client, context), need_id, status, today=today)
        # The answer replaces the message whose buttons were used: they no longer apply.
        respond(**reply.as_ack(), replace_original=True)

    on_clicked.__name__ = f"on_{status.value}_clicked"
    return on_clicked


on_met_clicked = _close_clicked(NeedStatus.MET)
on_declined_clicked = _close_clicked(NeedStatus.DECLINED)
