"""Block Kit for logging a communication: the modal and the confirmation with Edit / Undo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import InputBlock, Option

from handlers.shared import metadata
from handlers.shared.blocks import (
    SlackBlock,
    actions,
    button,
    choice_input,
    context_block,
    date_input,
    form_field,
    modal,
    number_input,
    option,
    section,
    text_input,
)
from handlers.shared.follow_up_parts import done_button, due_text, follow_up_line
from handlers.shared.ids import Action, Block, Callback, ProjectIds
from handlers.shared.limits import PLAIN_TEXT_INPUT_LIMIT
from handlers.shared.lines import KIND_LABELS
from handlers.shared.partner_picker import partner_input
from handlers.shared.replies import Reply, slack_date
from handlers.shared.text import first_words, literal, shorten
from storage.models import FollowUp, Interaction, InteractionKind, Partner


@dataclass(frozen=True)
class LogMetadata:
    interaction_id: int | None = None  # set when editing an earlier record
    response_url: str | None = None  # where to confirm (the command's or the message's)
    channel_id: str | None = None  # the message a shortcut was used on
    message_ts: str | None = None


@dataclass(frozen=True)
class LogDraft:
    """What the modal opens with."""

    today: date
    partner: Partner | None = None
    kind: InteractionKind = InteractionKind.CALL
    day: date | None = None
    notes: str = ""
    follow_up_on: date | None = None
    project_id: int | None = None


def kind_option(kind: InteractionKind) -> Option:
    return option(KIND_LABELS[kind], kind.value)


def _kind_field(kind: InteractionKind) -> InputBlock:
    options = [kind_option(k) for k in InteractionKind]
    return form_field(
        Block.KIND.value,
        "Kind",
        choice_input(Action.KIND_SELECT.value, options, initial=kind_option(kind)),
    )


def _notes_field(notes: str) -> InputBlock:
    box = text_input(
        Action.NOTES_INPUT.value,
        max_length=PLAIN_TEXT_INPUT_LIMIT,
        initial=notes,
        multiline=True,
        placeholder="What was discussed, agreed, asked for",
    )
    # Optional for Slack; the submission asks for notes when the kind needs them (NOTES_REQUIRED).
    hint = "Required for notes and “other”; stored in full."
    return form_field(Block.NOTES.value, "Notes", box, optional=True, hint=hint)


def log_modal(draft: LogDraft, meta: LogMetadata) -> dict[str, Any]:
    blocks: list[SlackBlock] = [
        partner_input(draft.partner),
        _kind_field(draft.kind),
        form_field(Block.DATE.value, "Date", date_input(Action.DATE_PICK.value, draft.day or draft.today)),
        _notes_field(draft.notes),
        form_field(
            Block.FOLLOW_UP.value,
            "Follow up on",
            date_input(Action.FOLLOW_UP_PICK.value, draft.follow_up_on),
            optional=True,
        ),
        form_field(
            ProjectIds.LOG_PROJECT_BLOCK.value,
            "Joint project number",
            number_input(
                ProjectIds.LOG_PROJECT_INPUT.value,
                decimals=False,
                lowest="1",
                initial=str(draft.project_id) if draft.project_id else None,
            ),
            optional=True,
            hint="If it was about one of the partner's projects: its number from /partner project list",
        ),
    ]
    if meta.channel_id and meta.message_ts:
        blocks.append(context_block(f"From a message in <#{meta.channel_id}>; a link to it is saved too."))
    editing = meta.interaction_id is not None
    return modal(
        "Edit communication" if editing else "Log communication",
        blocks,
        callback_id=Callback.LOG_MODAL.value,
        submit="Save" if editing else "Log it",
        close="Cancel",
        private_metadata=metadata.dump(meta),
    )


def logged_confirmation(
    interaction: Interaction,
    partner: Partner,
    *,
    updated: bool = False,
    follow_up: FollowUp | None = None,
    offered: Sequence[FollowUp] = (),
    today: date | None = None,
) -> Reply:
    """The confirmation, with Edit and Undo; the follow-up it promised, and the person's other
    open follow-ups with the partner, each with a Done button (logging may be what they awaited)."""
    kind = KIND_LABELS[InteractionKind(interaction.kind)].split(" (")[0].lower()
    verb = "Updated" if updated else "Logged"
    when = slack_date(interaction.occurred_at)
    article = "an" if kind[0] in "aeiou" else "a"
    summary = f"{verb} {article} *{kind}* with *{literal(partner.name)}* on {when}"
    words = first_words(interaction.notes, 120)
    text = summary + (f": “{literal(words)}”" if words else ".")
    extra = []
    if follow_up is not None and today is not None:
        extra.append(
            f"Follow-up #{follow_up.id}: {due_text(follow_up, today=today)} ({follow_up.due_on.isoformat()}),"
            " reminded at 09:00 your time"
        )
    elif interaction.follow_up_on:
        extra.append(f"Follow up on {interaction.follow_up_on.isoformat()}")
    if interaction.permalink:
        extra.append(f"<{interaction.permalink}|the message>")
    if interaction.project is not None:
        extra.append(f"Project #{interaction.project.id} {literal(shorten(interaction.project.name, 80))}")
    value = str(interaction.id)
    blocks: list[SlackBlock] = [
        section(text),
        actions(
            button("Edit", Action.EDIT_LOGGED.value, value),
            button("Undo", Action.UNDO_LOGGED.value, value, style="danger"),
        ),
    ]
    if extra:
        blocks.insert(1, context_block(" · ".join(extra)))
    if offered and today is not None:
        lines = [follow_up_line(f, today=today, with_partner=False) for f in offered]
        blocks.append(section("Your open follow-ups with them — done now?\n" + "\n".join(lines)))
        blocks.append(actions(*(done_button(f) for f in offered)))
    return Reply(f"{verb} {article} {kind} with {literal(shorten(partner.name, 100))}", blocks)
