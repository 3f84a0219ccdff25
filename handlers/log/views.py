"""Block Kit for logging a communication: the modal and the confirmation with Edit / Undo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from handlers.shared import metadata
from handlers.shared.ids import Action, Block, Callback
from handlers.shared.limits import PLAIN_TEXT_INPUT_LIMIT
from handlers.shared.lines import KIND_LABELS
from handlers.shared.partner_picker import partner_input
from handlers.shared.replies import Reply, button, context_block, plain, section, slack_date
from handlers.shared.text import first_words, literal, shorten
from storage.models import Interaction, InteractionKind, Partner

# Kinds that say nothing on their own, so the notes are what is being logged.
NOTES_REQUIRED = {InteractionKind.NOTE, InteractionKind.OTHER}


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


def kind_option(kind: InteractionKind) -> dict[str, Any]:
    return {"text": plain(KIND_LABELS[kind]), "value": kind.value}


def log_modal(draft: LogDraft, meta: LogMetadata) -> dict[str, Any]:
    notes: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": Action.NOTES_INPUT.value,
        "multiline": True,
        "max_length": PLAIN_TEXT_INPUT_LIMIT,
        "placeholder": plain("What was discussed, agreed, asked for"),
    }
    if draft.notes:
        notes["initial_value"] = draft.notes[:PLAIN_TEXT_INPUT_LIMIT]
    follow_up: dict[str, Any] = {"type": "datepicker", "action_id": Action.FOLLOW_UP_PICK.value}
    if draft.follow_up_on:
        follow_up["initial_date"] = draft.follow_up_on.isoformat()
    blocks: list[dict[str, Any]] = [
        partner_input(draft.partner),
        {
            "type": "input",
            "block_id": Block.KIND.value,
            "label": plain("Kind"),
            "element": {
                "type": "static_select",
                "action_id": Action.KIND_SELECT.value,
                "options": [kind_option(k) for k in InteractionKind],
                "initial_option": kind_option(draft.kind),
            },
        },
        {
            "type": "input",
            "block_id": Block.DATE.value,
            "label": plain("Date"),
            "element": {
                "type": "datepicker",
                "action_id": Action.DATE_PICK.value,
                "initial_date": (draft.day or draft.today).isoformat(),
            },
        },
        {
            "type": "input",
            "block_id": Block.NOTES.value,
            "label": plain("Notes"),
            "element": notes,
            "optional": True,
            "hint": plain("Required for notes and “other”; stored in full."),
        },
        {
            "type": "input",
            "block_id": Block.FOLLOW_UP.value,
            "label": plain("Follow up on"),
            "element": follow_up,
            "optional": True,
        },
    ]
    if meta.channel_id and meta.message_ts:
        blocks.append(context_block(f"From a message in <#{meta.channel_id}>; a link to it is saved too."))
    editing = meta.interaction_id is not None
    return {
        "type": "modal",
        "callback_id": Callback.LOG_MODAL.value,
        "title": plain("Edit communication" if editing else "Log communication"),
        "submit": plain("Save" if editing else "Log it"),
        "close": plain("Cancel"),
        "private_metadata": metadata.dump(meta),
        "blocks": blocks,
    }


def logged_confirmation(interaction: Interaction, partner: Partner, *, updated: bool = False) -> Reply:
    kind = KIND_LABELS[InteractionKind(interaction.kind)].split(" (")[0].lower()
    verb = "Updated" if updated else "Logged"
    when = slack_date(interaction.occurred_at)
    article = "an" if kind[0] in "aeiou" else "a"
    summary = f"{verb} {article} *{kind}* with *{literal(partner.name)}* on {when}"
    words = first_words(interaction.notes, 120)
    text = summary + (f": “{literal(words)}”" if words else ".")
    extra = []
    if interaction.follow_up_on:
        extra.append(f"Follow up on {interaction.follow_up_on.isoformat()}")
    if interaction.permalink:
        extra.append(f"<{interaction.permalink}|the message>")
    value = str(interaction.id)
    blocks = [
        section(text),
        {
            "type": "actions",
            "elements": [
                button("Edit", Action.EDIT_LOGGED.value, value),
                button("Undo", Action.UNDO_LOGGED.value, value, style="danger"),
            ],
        },
    ]
    if extra:
        blocks.insert(1, context_block(" · ".join(extra)))
    return Reply(f"{verb} {article} {kind} with {literal(shorten(partner.name, 100))}", blocks)
