"""Block Kit for satisfaction feedback: the modal, its thank-you, survey invitations and results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import CheckboxesElement, InputBlock, RadioButtonsElement, SectionBlock

from handlers.shared import metadata
from handlers.shared.blocks import (
    SlackBlock,
    context_block,
    fields_section,
    form_field,
    header,
    modal,
    number_input,
    option,
    section,
    text_input,
)
from handlers.shared.ids import FeedbackIds as Ids
from handlers.shared.ids import HomeIds
from handlers.shared.limits import PLAIN_TEXT_INPUT_LIMIT
from handlers.shared.lines import comment_lines, satisfaction_line
from handlers.shared.parsing import record_id
from handlers.shared.partner_picker import partner_input
from handlers.shared.replies import Reply
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


@dataclass(frozen=True)
class FeedbackMetadata:
    team_id: str  # the workspace the partner belongs to (differs from the respondent's in Slack Connect)
    partner_id: int
    survey_id: int | None = None


def _csat_field() -> InputBlock:
    options = [option(label, str(value)) for value, label in CSAT_LABELS.items()]
    buttons = RadioButtonsElement(action_id=Ids.CSAT_INPUT.value, options=options)
    return form_field(Ids.CSAT_BLOCK.value, "Overall satisfaction", buttons)


def _nps_field() -> InputBlock:
    scale = number_input(Ids.NPS_INPUT.value, decimals=False, lowest="0", highest="10")
    return form_field(
        Ids.NPS_BLOCK.value,
        "How likely would you recommend them? (0-10)",
        scale,
        optional=True,
        hint="0 = not at all likely, 10 = extremely likely",
    )


def _comment_field() -> InputBlock:
    box = text_input(
        Ids.COMMENT_INPUT.value,
        max_length=PLAIN_TEXT_INPUT_LIMIT,
        multiline=True,
        placeholder="What is going well, what isn't",
    )
    return form_field(Ids.COMMENT_BLOCK.value, "Comment", box, optional=True)


def _anonymous_field() -> InputBlock:
    keep_off = option(
        "Keep my name off this", "anonymous", description="Your answer counts, but nobody sees who gave it"
    )
    tick = CheckboxesElement(action_id=Ids.ANONYMOUS_INPUT.value, options=[keep_off])
    return form_field(Ids.ANONYMOUS_BLOCK.value, "Privacy", tick, optional=True)


def feedback_modal(partner_name: str, meta: FeedbackMetadata) -> dict[str, Any]:
    question = f"How is the relationship with *{literal(shorten(partner_name, 200))}* going?"
    return modal(
        "Partner feedback",
        [section(question), _csat_field(), _nps_field(), _comment_field(), _anonymous_field()],
        callback_id=Ids.MODAL.value,
        submit="Send",
        close="Cancel",
        private_metadata=metadata.dump(meta),
    )


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
    blocks: list[SlackBlock] = [
        section(f"Thank you — your feedback about *{literal(shorten(partner_name, 200))}* is recorded."),
        section("\n".join(lines)),
    ]
    if note:
        blocks.append(context_block(note))
    return modal("Thank you", blocks, close="Done")


def parse_invitation_value(value: object) -> tuple[str, int] | None:
    if not isinstance(value, str):
        return None
    team_id, _, survey_text = value.partition(":")
    survey_id = record_id(survey_text)
    return (team_id, survey_id) if team_id and survey_id is not None else None


def nps_text(summary: FeedbackSummary) -> str:
    if summary.nps is None:
        return "no answers yet"
    text = f"{summary.nps:+.0f}"
    if summary.nps_count < NPS_FEW_RESPONSES:
        text += f" (few responses: {summary.nps_count})"
    return text


def summary_fields(
    summary: FeedbackSummary, satisfaction: float | None, category: str | None
) -> SectionBlock:
    responses = f"{summary.count}" + (
        f" ({summary.external_count} external)" if summary.external_count else ""
    )
    average = f"{summary.csat_average:.1f}/5" if summary.csat_average is not None else "—"
    csat = f"{summary.csat_share:.0%}" if summary.csat_share is not None else "—"
    return fields_section(
        f"*Responses*\n{responses}",
        f"*Average*\n{average}",
        f"*CSAT (4-5)*\n{csat}",
        f"*NPS*\n{nps_text(summary)}",
        f"*Satisfaction*\n{satisfaction_line(satisfaction, category)}",
    )


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
    blocks: list[SlackBlock] = [header(f"Feedback about {name}")]
    if summary.count == 0:
        blocks.append(section(f"No feedback in the last {window_days} days yet."))
    else:
        blocks.append(summary_fields(summary, satisfaction, category))
        blocks.append(context_block(f"Last {window_days} days, every survey and direct feedback."))
    if comments:
        blocks.append(section("*Latest comments*\n" + comment_lines(comments)))
    if open_surveys:
        listed = ", ".join(f"#{s.id} ({plural(n, 'answer')})" for s, n in open_surveys[:10])
        blocks.append(
            context_block(f"Open surveys: {listed} · close one with `/partner survey close &lt;id&gt;`")
        )
    fallback = f"Feedback about {literal(name)}: {summary.count} responses"
    return Reply(fallback, blocks)


def feedback_partner_modal() -> dict[str, Any]:
    """The first step of the Home tab's "Give feedback": which partner (the shared type-ahead)."""
    return modal(
        "Give feedback",
        [partner_input()],
        callback_id=HomeIds.FEEDBACK_PICK_MODAL.value,
        submit="Next",
        close="Cancel",
    )
