"""A survey's "Give feedback" invitation and its delivery to people and channels: the same
message and the same record of where it went, whether ``/partner survey`` sent it or the Workflow
Builder step "Send a partner survey" did."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.shared.blocks import SlackBlock, actions, button, context_block, section
from handlers.shared.deps import Deps
from handlers.shared.ids import FeedbackIds
from handlers.shared.replies import Reply
from handlers.shared.text import literal, mention, shorten
from storage import feedback as feedback_store
from storage.models import Survey

log = logging.getLogger(__name__)
MAX_RECIPIENTS = 50  # people and channels one survey is sent to at once
CHANNEL_PROBLEMS = {
    "not_in_channel": "I'm not in <#{channel}>: add me with `/invite @Partnerbot` there, then send it again.",
    "channel_not_found": "I can't see <#{channel}> (private, or I'm not in it): invite me there first.",
    "is_archived": "<#{channel}> is archived.",
}


def invitation_button_value(survey: Survey) -> str:
    # The survey's own workspace travels with the button: a Slack Connect click comes from another.
    return f"{survey.team_id}:{survey.id}"


def survey_invitation(survey: Survey, partner_name: str, *, closed: bool = False) -> Reply:
    name = literal(shorten(partner_name, 200))
    ask = (
        f"{mention(survey.created_by)} would like your view of our relationship with *{name}*. "
        "It takes a minute."
    )
    blocks: list[SlackBlock] = [section(ask)]
    if closed:
        blocks.append(
            context_block(f"Survey #{survey.id} · this survey is closed; thank you to everyone who answered.")
        )
    else:
        value = invitation_button_value(survey)
        blocks.append(actions(button("Give feedback", FeedbackIds.GIVE_BUTTON.value, value, style="primary")))
        blocks.append(context_block(f"Survey #{survey.id} · you can answer again to change your answer"))
    fallback = f"Feedback survey about {name}" + (" (closed)" if closed else "")
    return Reply(fallback, blocks, in_channel=True)


@dataclass
class Delivery:
    """Where a survey's invitation went (``sent``: mentions) and, in words, where it could not."""

    sent: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def deliver_survey(
    client: WebClient,
    deps: Deps,
    team_id: str,
    survey_id: int,
    invitation: Reply,
    *,
    users: Sequence[str],
    channels: Sequence[str] = (),
    actor: str,
) -> Delivery:
    """Post the invitation to each person (a direct message) and channel, one Web API call each,
        and record every posted message so closing the survey can mark it closed. ``actor``: who sent it
    (the audit trail's who)."""
    delivery = Delivery()
    for target in [*users, *channels]:
        try:
            posted = client.chat_postMessage(channel=target, **invitation.as_message())
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            log.warning("survey %s not delivered to %s: %s", survey_id, target, error)
            if target in channels:
                delivery.problems.append(
                    CHANNEL_PROBLEMS.get(error, "I couldn't post in <#{channel}> ({error}).").format(
                        channel=target, error=error
                    )
                )
            else:
                delivery.problems.append(f"I couldn't message {mention(target)} ({error}).")
            continue
        delivery.sent.append(mention(target) if target in users else f"<#{target}>")
        if not posted.get("ts"):
            continue
        with deps.db.transaction(actor=actor) as session:
            survey = feedback_store.get_survey(session, team_id, survey_id)
            if survey is not None:
                feedback_store.add_invitation(
                    session,
                    survey,
                    channel_id=posted.get("channel") or target,
                    message_ts=posted["ts"],
                    recipient=target if target in users else None,
                )
    return delivery
