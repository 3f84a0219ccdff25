"""``/partner survey``: send "Give feedback" invitations to people and channels, see the results,
close a survey."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.feedback.views import survey_results
from handlers.services.satisfaction import SATISFACTION_WINDOW_DAYS, partner_satisfaction
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.deps import deps_of, workspace
from handlers.shared.errors import UserError
from handlers.shared.parsing import CHANNEL_MENTION, MENTION, action_value, first_word, record_id
from handlers.shared.partner_names import require_active, resolve_partner
from handlers.shared.permissions import Act, person, require
from handlers.shared.replies import Reply
from handlers.shared.survey_invitations import MAX_RECIPIENTS, deliver_survey, survey_invitation
from handlers.shared.text import escape, literal, mention, plural
from storage import feedback as feedback_store
from storage import partners as partner_store
from storage.models import SurveyStatus
from storage.slack_ids import USER_MENTION

log = logging.getLogger(__name__)


# Sending and closing a survey suit a shared channel (partners are asked there); its results do not.
@subcommand("survey", "surveys", internal=lambda rest: first_word(rest)[0].casefold() == "results")
def survey_command(request: CommandRequest, rest: str) -> Reply | None:
    action, after = first_word(rest)
    if action.casefold() == "results":
        return results(request, after)
    if action.casefold() == "close":
        return close(request, after)
    return send(request, rest)


def _recipients(rest: str) -> tuple[str, list[str], list[str]]:
    """Split ``Acme <@U1|ann> <#C1|general>`` into the partner text, user IDs and channel IDs."""
    first = MENTION.search(rest)
    name = (rest[: first.start()] if first else rest).strip()
    tail = rest[first.start() :] if first else ""
    users = list(dict.fromkeys(USER_MENTION.findall(tail)))
    channels = list(dict.fromkeys(m[0] for m in CHANNEL_MENTION.findall(tail)))
    leftover = MENTION.sub(" ", tail).split()
    if leftover:
        raise UserError(
            f"I couldn't read “{escape(' '.join(leftover)[:60])}”: mention people as @name and channels as "
            "#channel, after the partner's name."
        )
    if len(users) + len(channels) > MAX_RECIPIENTS:
        raise UserError(
            f"That's more than {MAX_RECIPIENTS} people and channels: post it in a channel instead."
        )
    return name, users, channels


def send(request: CommandRequest, rest: str) -> Reply | None:
    name, users, channels = _recipients(rest)
    if not name:
        raise UserError("Which partner? e.g. `/partner survey Acme @ann #partners`.")
    with request.deps.db.transaction(actor=request.user_id) as session:
        partner = resolve_partner(session, request.team_id, name, whole=True).partner
        require_active(partner)
        require(request, Act.FEEDBACK, partner, session=session)
        survey, created = feedback_store.create_survey(
            session,
            request.team_id,
            partner_id=partner.id,
            created_by=request.user_id,
            request_key=f"command:{request.trigger_id}" if request.trigger_id else None,
        )
        if not created:
            return Reply(f"Survey #{survey.id} about *{literal(partner.name)}* was already sent.")
        invitation = survey_invitation(survey, partner.name)
        survey_id, partner_name = survey.id, partner.name
    # Saved; the posting (one Web API call per recipient) happens after the acknowledgement.
    request.ack()
    if not users and not channels:
        return invitation  # posted where the command was typed, for everyone there
    delivery = deliver_survey(
        request.client,
        request.deps,
        request.team_id,
        survey_id,
        invitation,
        users=users,
        channels=channels,
        actor=request.user_id,
    )
    sent, problems = delivery.sent, delivery.problems
    lines = []
    if sent:
        lines.append(f"Sent survey #{survey_id} about *{literal(partner_name)}* to {', '.join(sent)}.")
    lines.extend(problems)
    lines.append(
        f"Results: `/partner survey results {escape(partner_name)}` · "
        f"close it: `/partner survey close {survey_id}`"
    )
    return Reply("\n".join(lines))


def results(request: CommandRequest, rest: str) -> Reply:
    now = request.deps.now()
    with request.deps.db.read() as session:
        partner = resolve_partner(session, request.team_id, rest, whole=True).partner
        since = now - timedelta(days=SATISFACTION_WINDOW_DAYS)
        summary = feedback_store.partner_summary(session, request.team_id, partner.id, since=since)
        satisfaction, category = partner_satisfaction(session, request.team_id, summary, since=since)
        comments = feedback_store.latest_comments(session, request.team_id, partner.id, limit=5)
        surveys = feedback_store.open_surveys(session, request.team_id, partner.id)
        return survey_results(
            partner.name,
            summary,
            satisfaction,
            category,
            comments,
            surveys,
            window_days=SATISFACTION_WINDOW_DAYS,
        )


def close(request: CommandRequest, rest: str) -> Reply:
    number = rest.strip().removeprefix("#")
    if not (number.isascii() and number.isdigit()):
        raise UserError("Which survey? Give its number, e.g. `/partner survey close 12`.")
    survey_id = record_id(number)
    with request.deps.db.transaction(actor=request.user_id) as session:
        survey = (
            feedback_store.get_survey(session, request.team_id, survey_id) if survey_id is not None else None
        )
        if survey is None:
            raise UserError(f"There is no survey #{escape(number[:25])} in this workspace.")
        if survey.status == SurveyStatus.CLOSED:
            return Reply(f"Survey #{survey.id} is already closed.")
        if request.user_id != survey.created_by and not request.is_admin():
            raise UserError(
                f"Only {mention(survey.created_by)}, who sent survey #{survey.id}, or an admin can close it."
            )
        feedback_store.close_survey(session, survey, now=request.deps.now())
        answered = feedback_store.partner_summary(
            session, request.team_id, survey.partner_id, survey_id=survey.id
        ).count
        closed = survey_invitation(survey, survey.partner.name, closed=True)
        posted = [(i.channel_id, i.message_ts) for i in feedback_store.invitations(session, survey)]
        name = survey.partner.name
        survey_id = survey.id
    request.ack()
    for channel_id, ts in posted:  # the buttons already out there now say the survey is closed
        try:
            request.client.chat_update(channel=channel_id, ts=ts, **closed.as_message())
        except SlackApiError as exc:
            log.warning(
                "could not mark survey %s closed in %s: %s", survey_id, channel_id, exc.response.get("error")
            )
    return Reply(f"Closed survey #{survey_id} about *{literal(name)}* with {plural(answered, 'answer')}.")


def on_alert_survey_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """A drop alert's "Send survey": a survey about the partner, its invitation posted in the
    conversation the alert is in, to forward or to send on with ``/partner survey``."""
    ack()
    deps, team_id, user_id = deps_of(context), workspace(context), body["user"]["id"]
    partner_id = record_id(action_value(body))
    action_ts = (body.get("actions") or [{}])[0].get("action_ts", "")
    try:
        with deps.db.transaction(actor=user_id) as session:
            partner = partner_store.get_partner(session, team_id, partner_id) if partner_id else None
            if partner is None:
                raise UserError("That partner is no longer in this workspace.")
            require_active(partner)
            require(person(body, client, context), Act.FEEDBACK, partner, session=session)
            survey, _ = feedback_store.create_survey(
                session,
                team_id,
                partner_id=partner.id,
                created_by=user_id,
                request_key=f"alert:{user_id}:{action_ts}" if action_ts else None,
            )
            invitation = survey_invitation(survey, partner.name)
            name = partner.name
    except UserError as error:
        respond(text=error.message, response_type="ephemeral", replace_original=False)
        return
    respond(**invitation.as_message(), response_type="in_channel", replace_original=False)
    respond(
        text=(
            f"Forward the survey above to the people who work with *{literal(name)}*, or send it to them "
            f"with `/partner survey {escape(name)} @people #channel`."
        ),
        response_type="ephemeral",
        replace_original=False,
    )
