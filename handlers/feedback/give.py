"""Satisfaction feedback: ``/partner feedback <partner>``, the "Give feedback" button on survey
invitations, the Home tab's "Give feedback" (pick a partner, then the form), and the form they
all open."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from handlers.feedback.views import (
    CSAT_LABELS,
    FeedbackMetadata,
    feedback_modal,
    feedback_partner_modal,
    parse_invitation_value,
    thanks_view,
)
from handlers.shared import metadata
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.deps import deps_of, workspace
from handlers.shared.errors import UserError
from handlers.shared.form import Form
from handlers.shared.ids import Action, Block
from handlers.shared.ids import FeedbackIds as Ids
from handlers.shared.modals import open_modal
from handlers.shared.notify import tell
from handlers.shared.parsing import action_value, whole_number
from handlers.shared.partner_names import require_active, resolve_partner
from handlers.shared.partner_picker import PICK_ANOTHER, active_partner
from handlers.shared.permissions import Act, person, require
from handlers.shared.replies import Reply
from handlers.shared.text import literal
from storage import feedback as feedback_store
from storage import partners as partner_store
from storage.audit import ANONYMOUS
from storage.models import PartnerStatus, SurveyStatus

log = logging.getLogger(__name__)


@subcommand("feedback", "rate")
def feedback_command(request: CommandRequest, rest: str) -> Reply | None:
    with request.deps.db.read() as session:
        partner = resolve_partner(session, request.team_id, rest, whole=True).partner
        require_active(partner)
        require(request, Act.FEEDBACK, partner, session=session)
        view = feedback_modal(partner.name, FeedbackMetadata(team_id=request.team_id, partner_id=partner.id))
    request.ack()
    return open_modal(request.client, request.trigger_id, view)


def on_give_feedback(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """The survey button: opens the modal, or says the survey is closed."""
    ack()
    target = parse_invitation_value(action_value(body))
    message = None
    with deps_of(context).db.read() as session:
        survey = feedback_store.get_survey(session, *target) if target else None
        if survey is None:
            message = "This survey no longer exists."
        elif survey.status != SurveyStatus.OPEN:
            name = literal(survey.partner.name)
            message = f"Survey #{survey.id} about *{name}* is closed, so it takes no more answers."
        elif survey.partner.status != PartnerStatus.ACTIVE:
            message = f"*{literal(survey.partner.name)}* is archived, so this survey takes no more answers."
        else:
            view = feedback_modal(
                survey.partner.name,
                FeedbackMetadata(team_id=survey.team_id, partner_id=survey.partner_id, survey_id=survey.id),
            )
    if message is None:
        reply = open_modal(client, body["trigger_id"], view)
        message = reply.text if reply else None
    if message is not None:
        respond(text=message, response_type="ephemeral", replace_original=False)


def _answers(view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    form = Form(view)
    csat_text = form.choice(
        Ids.CSAT_BLOCK,
        Ids.CSAT_INPUT,
        allowed={str(value) for value in CSAT_LABELS},
        missing="Choose how satisfied you are, from 1 to 5.",
    )
    nps_text = form.number(Ids.NPS_BLOCK, Ids.NPS_INPUT)
    nps = whole_number(nps_text) if nps_text else None
    if nps_text and (nps is None or not 0 <= nps <= 10):
        form.error(Ids.NPS_BLOCK, "Give a whole number from 0 (not at all likely) to 10 (extremely likely).")
    anonymous = "anonymous" in form.choices(Ids.ANONYMOUS_BLOCK, Ids.ANONYMOUS_INPUT, allowed={"anonymous"})
    answers = {
        "csat": int(csat_text) if csat_text else None,
        "nps": nps,
        "comment": form.text(Ids.COMMENT_BLOCK, Ids.COMMENT_INPUT),
        "anonymous": anonymous,
    }
    return answers, form.errors


def on_feedback_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = metadata.load(FeedbackMetadata, view.get("private_metadata"))
    answers, errors = _answers(view)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    user = body["user"]
    deps = deps_of(context)
    if meta.survey_id is None and meta.team_id != workspace(context):
        # Only a survey invitation lets people of another workspace (Slack Connect) answer.
        raise metadata.StaleMetadata()
    # An anonymous answer is recorded in the audit trail as by "anonymous", never by the person.
    actor = ANONYMOUS if answers["anonymous"] else user["id"]
    with deps.db.transaction(actor=actor) as session:
        partner = partner_store.get_partner(session, meta.team_id, meta.partner_id)
        if partner is None:
            raise metadata.StaleMetadata()
        if meta.survey_id is not None:
            survey = feedback_store.get_survey(session, meta.team_id, meta.survey_id)
            if survey is None or survey.partner_id != partner.id:
                raise metadata.StaleMetadata()
            if survey.status != SurveyStatus.OPEN:
                raise UserError(
                    f"Survey #{survey.id} was closed while you were answering, so it was not recorded."
                )
        else:  # an invitation to a survey is its own permission: only feedback given unasked needs one
            require(person(body, client, context), Act.FEEDBACK, partner, session=session)
        recorded = feedback_store.record_feedback(
            session,
            meta.team_id,
            partner_id=partner.id,
            survey_id=meta.survey_id,
            user_team_id=user.get("team_id") or meta.team_id,
            user_id=user["id"],
            submitted_at=deps.now(),
            request_key=f"view:{view['id']}",
            **answers,
        )
        thanks = thanks_view(partner.name, replaced=recorded.replaced, **answers)
    ack(response_action="update", view=thanks)
    deps.changes.data_changed(meta.team_id, user["id"])


def on_home_feedback_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """The Home tab's "Give feedback": first, which partner."""
    ack()
    reply = open_modal(client, body["trigger_id"], feedback_partner_modal())
    if reply is not None:  # the Home tab has no response_url
        tell(client, user_id=body["user"]["id"], reply=reply)


def on_feedback_partner_chosen(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext
) -> None:
    """The Home tab's "Give feedback", step two: the partner is chosen, so the modal becomes the
    feedback form (whose submission is :func:`on_feedback_submitted`, as for the command)."""
    team_id = workspace(context)
    form = Form(view)
    partner_id = form.record(Block.PARTNER, Action.PARTNER_SELECT, missing="Choose a partner from the list.")
    if form.errors or partner_id is None:
        ack(response_action="errors", errors=form.errors)
        return
    with deps_of(context).db.read() as session:
        partner = active_partner(session, team_id, partner_id)
        if partner is None:
            ack(response_action="errors", errors=PICK_ANOTHER)
            return
        form_view = feedback_modal(partner.name, FeedbackMetadata(team_id=team_id, partner_id=partner.id))
    ack(response_action="update", view=form_view)
