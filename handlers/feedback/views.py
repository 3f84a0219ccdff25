"""Block Kit for satisfaction feedback: the modal, its thank-you, survey invitations and results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.shared import metadata
from handlers.shared.ids import FeedbackIds as Ids
from handlers.shared.ids import HomeIds
from handlers.shared.lines import comment_lines, satisfaction_line
from handlers.shared.parsing import record_id
from handlers.shared.partner_picker import partner_input
from handlers.shared.replies import Reply, button, context_block, header, plain, section
from handlers.shared.text import escaped_shortened, literal, plural, shorten
from storage.feedback import Comment, FeedbackSummary
from storage.models import Survey

CSAT_LABELS = {
    5: "5 — Very satisfied",
    4: "4 — Satisfied",
    3: "3 — Neutral",
    2: "2 — Dissatisfied",
    1: "1 — Very dissatisfied",
}
# Below this many answers an NPS swings too much to mean anything; say so next to it.
NPS_FEW_RESPONSES = 30
COMMENT_LIMIT = 3000


@dataclass(frozen=True)
class FeedbackMetadata:
    team_id: str  # the workspace the partner belongs to (differs from the respondent's in Slack Connect)
    partner_id: int
    survey_id: int | None = None


def feedback_modal(partner_name: str, meta: FeedbackMetadata) -> dict[str, Any]:
    csat_options = [{"text": plain(label), "value": str(value)} for value, label in CSAT_LABELS.items()]
    return {
        "type": "modal",
        "callback_id": Ids.MODAL.value,
        "title": plain("Partner feedback"),
        "submit": plain("Send"),
        "close": plain("Cancel"),
        "private_metadata": metadata.dump(meta),
        "blocks": [
            section(f"How is the relationship with *{literal(shorten(partner_name, 200))}* going?"),
            {
                "type": "input",
                "block_id": Ids.CSAT_BLOCK.value,
                "label": plain("Overall satisfaction"),
                "element": {
                    "type": "radio_buttons",
                    "action_id": Ids.CSAT_INPUT.value,
                    "options": csat_options,
                },
            },
            {
                "type": "input",
                "block_id": Ids.NPS_BLOCK.value,
                "optional": True,
                "label": plain("How likely would you recommend them? (0-10)"),
                "hint": plain("0 = not at all likely, 10 = extremely likely"),
                "element": {
                    "type": "number_input",
                    "action_id": Ids.NPS_INPUT.value,
                    "is_decimal_allowed": False,
                    "min_value": "0",
                    "max_value": "10",
                },
            },
            {
                "type": "input",
                "block_id": Ids.COMMENT_BLOCK.value,
                "optional": True,
                "label": plain("Comment"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": Ids.COMMENT_INPUT.value,
                    "multiline": True,
                    "max_length": COMMENT_LIMIT,
                    "placeholder": plain("What is going well, what isn't"),
                },
            },
            {
                "type": "input",
                "block_id": Ids.ANONYMOUS_BLOCK.value,
                "optional": True,
                "label": plain("Privacy"),
                "element": {
                    "type": "checkboxes",
                    "action_id": Ids.ANONYMOUS_INPUT.value,
                    "options": [
                        {
                            "text": plain("Keep my name off this"),
                            "value": "anonymous",
                            "description": plain("Your answer counts, but nobody sees who gave it"),
                        }
                    ],
                },
            },
        ],
    }


def thanks_view(
    partner_name: str, *, csat: int, nps: int | None, comment: str, anonymous: bool, replaced: bool
) -> dict[str, Any]:
    """Replaces the modal after a valid answer: what was recorded, visible to any respondent."""
    lines = [f"*Satisfaction:* {CSAT_LABELS[csat]}"]
    lines.append(f"*Would recommend:* {nps}/10" if nps is not None else "*Would recommend:* not answered")
    if comment:
        lines.append(f"*Comment:* {escaped_shortened(comment, 1500)}")
    lines.append("*Name:* kept off (anonymous)" if anonymous else "*Name:* shown with your answer")
    note = "This replaces your earlier answer to this survey." if replaced else ""
    blocks = [
        section(f"Thank you — your feedback about *{literal(shorten(partner_name, 200))}* is recorded."),
        section("\n".join(lines)),
    ]
    if note:
        blocks.append(context_block(note))
    return {"type": "modal", "title": plain("Thank you"), "close": plain("Done"), "blocks": blocks}


def invitation_button_value(survey: Survey) -> str:
    # The survey's own workspace travels with the button: a Slack Connect click comes from another.
    return f"{survey.team_id}:{survey.id}"


def parse_invitation_value(value: object) -> tuple[str, int] | None:
    if not isinstance(value, str):
        return None
    team_id, _, survey_text = value.partition(":")
    survey_id = record_id(survey_text)
    return (team_id, survey_id) if team_id and survey_id is not None else None


def survey_invitation(survey: Survey, partner_name: str, *, closed: bool = False) -> Reply:
    name = literal(shorten(partner_name, 200))
    ask = f"<@{survey.created_by}> would like your view of our relationship with *{name}*. It takes a minute."
    blocks: list[dict[str, Any]] = [section(ask)]
    if closed:
        blocks.append(
            context_block(f"Survey #{survey.id} · this survey is closed; thank you to everyone who answered.")
        )
    else:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button(
                        "Give feedback",
                        Ids.GIVE_BUTTON.value,
                        invitation_button_value(survey),
                        style="primary",
                    )
                ],
            }
        )
        blocks.append(context_block(f"Survey #{survey.id} · you can answer again to change your answer"))
    fallback = f"Feedback survey about {name}" + (" (closed)" if closed else "")
    return Reply(fallback, blocks, in_channel=True)


def nps_text(summary: FeedbackSummary) -> str:
    if summary.nps is None:
        return "no answers yet"
    text = f"{summary.nps:+.0f}"
    if summary.nps_count < NPS_FEW_RESPONSES:
        text += f" (few responses: {summary.nps_count})"
    return text


def summary_fields(
    summary: FeedbackSummary, satisfaction: float | None, category: str | None
) -> dict[str, Any]:
    responses = f"{summary.count}" + (
        f" ({summary.external_count} external)" if summary.external_count else ""
    )
    average = f"{summary.csat_average:.1f}/5" if summary.csat_average is not None else "—"
    csat = f"{summary.csat_share:.0%}" if summary.csat_share is not None else "—"
    return {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": f"*Responses*\n{responses}"},
            {"type": "mrkdwn", "text": f"*Average*\n{average}"},
            {"type": "mrkdwn", "text": f"*CSAT (4-5)*\n{csat}"},
            {"type": "mrkdwn", "text": f"*NPS*\n{nps_text(summary)}"},
            {"type": "mrkdwn", "text": f"*Satisfaction*\n{satisfaction_line(satisfaction, category)}"},
        ],
    }


def survey_results(
    partner_name: str,
    summary: FeedbackSummary,
    satisfaction: float | None,
    category: str | None,
    comments: list[Comment],
    open_surveys: list[tuple[Survey, int]],
    *,
    window_days: int,
) -> Reply:
    name = shorten(partner_name, 120)
    blocks: list[dict[str, Any]] = [header(f"Feedback about {name}")]
    if summary.count == 0:
        blocks.append(section(f"No feedback in the last {window_days} days yet."))
    else:
        blocks.append(summary_fields(summary, satisfaction, category))
        blocks.append(context_block(f"Last {window_days} days, every survey and direct feedback."))
    if comments:
        blocks.append(section("*Latest comments*\n" + comment_lines(comments)))
    if open_surveys:
        listed = ", ".join(f"#{s.id} ({plural(n, 'answer')})" for s, n in open_surveys[:10])
        blocks.append(context_block(f"Open surveys: {listed} · close one with `/partner survey close <id>`"))
    fallback = f"Feedback about {literal(name)}: {summary.count} responses"
    return Reply(fallback, blocks)


def feedback_partner_modal() -> dict[str, Any]:
    """The first step of the Home tab's "Give feedback": which partner (the shared type-ahead)."""
    return {
        "type": "modal",
        "callback_id": HomeIds.FEEDBACK_PICK_MODAL.value,
        "title": plain("Give feedback"),
        "submit": plain("Next"),
        "close": plain("Cancel"),
        "blocks": [partner_input()],
    }
