"""Satisfaction feedback: ``/partner feedback <partner>``, the "Give feedback" button on survey
invitations, and the modal both open."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers import metadata
from handlers.command import CommandRequest, subcommand
from handlers.errors import UserError
from handlers.feedback_views import (
    CSAT_LABELS,
    FeedbackMetadata,
    feedback_modal,
    parse_invitation_value,
    thanks_view,
)
from handlers.form import Form
from handlers.ids import FeedbackIds as Ids
from handlers.log import require_active
from handlers.modals import open_modal
from handlers.parsing import action_value, whole_number
from handlers.partner_names import resolve_partner
from handlers.rankings import changed
from handlers.replies import Reply
from handlers.services import services
from handlers.text import literal
from storage import feedback as feedback_store
from storage import partners as partner_store
from storage.models import PartnerStatus, SurveyStatus

log = logging.getLogger(__name__)


@subcommand("feedback", "rate")
def feedback_command(request: CommandRequest, rest: str) -> Reply | None:
    with request.services.db.read() as session:
        partner = resolve_partner(session, request.team_id, rest, whole=True).partner
        require_active(partner)
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
    with services(context).db.read() as session:
        survey = feedback_store.get_survey(session, *target) if target else None
        if survey is None:
            message = "This survey no longer exists."
        elif survey.status != SurveyStatus.OPEN.value:
            name = literal(survey.partner.name)
            message = f"Survey #{survey.id} about *{name}* is closed, so it takes no more answers."
        elif survey.partner.status != PartnerStatus.ACTIVE.value:
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


def on_feedback_submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    meta = metadata.load(FeedbackMetadata, view.get("private_metadata"))
    answers, errors = _answers(view)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    user = body["user"]
    svc = services(context)
    submitter_team = (body.get("team") or {}).get("id") or user.get("team_id")
    if meta.survey_id is None and meta.team_id != submitter_team:
        # Only a survey invitation lets people of another workspace (Slack Connect) answer.
        raise metadata.StaleMetadata()
    with svc.db.transaction() as session:
        partner = partner_store.get_partner(session, meta.team_id, meta.partner_id)
        if partner is None:
            raise metadata.StaleMetadata()
        if meta.survey_id is not None:
            survey = feedback_store.get_survey(session, meta.team_id, meta.survey_id)
            if survey is None or survey.partner_id != partner.id:
                raise metadata.StaleMetadata()
            if survey.status != SurveyStatus.OPEN.value:
                raise UserError(
                    f"Survey #{survey.id} was closed while you were answering, so it was not recorded."
                )
        recorded = feedback_store.record_feedback(
            session,
            meta.team_id,
            partner_id=partner.id,
            survey_id=meta.survey_id,
            user_team_id=user.get("team_id") or meta.team_id,
            user_id=user["id"],
            submitted_at=svc.now(),
            request_key=f"view:{view['id']}",
            **answers,
        )
        thanks = thanks_view(partner.name, replaced=recorded.replaced, **answers)
    ack(response_action="update", view=thanks)
    changed(svc, meta.team_id)


def register(app: App) -> None:
    app.view(Ids.MODAL.value)(on_feedback_submitted)
    app.action(Ids.GIVE_BUTTON.value)(on_give_feedback)
