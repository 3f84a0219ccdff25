"""Block Kit built through slack_sdk's models: the few shapes every surface uses, each one capped
against Slack's limits (handlers.shared.limits) so that building a message or a form never raises.

Builders return slack_sdk objects; they become the JSON Slack is sent at the edge: a ``Reply``
keeps its blocks as dicts, and :func:`modal` and :func:`home_tab` return the view's dict.

Text objects are always built explicitly: given a bare string, slack_sdk adds ``"emoji": true`` to
plain text, which the app has never sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    BlockElement,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers.shared.limits import (
    BUTTON_TEXT_LIMIT,
    CONTEXT_ELEMENTS,
    HEADER_LIMIT,
    MODAL_TITLE_LIMIT,
    OPTION_TEXT_LIMIT,
    SECTION_FIELD_LIMIT,
    SECTION_FIELDS,
    TEXT_LIMIT,
)
from handlers.shared.text import escaped_shortened, shorten

# Ten list lines (a name shortened to 80, a score, a date, a mark) stay far below TEXT_LIMIT.
LINES_PER_SECTION = 10

# Any block, for the lists views build (named apart from handlers.shared.ids.Block, the block IDs).
SlackBlock = Block

# --- text --------------------------------------------------------------------------------------


def plain(text: str) -> PlainTextObject:
    """Plain text as the app writes it: a label, a title, a placeholder (not user text)."""
    return PlainTextObject(text=text)


def mrkdwn(text: str, *, limit: int = TEXT_LIMIT) -> MarkdownTextObject:
    """mrkdwn (already escaped), shortened to ``limit`` as a last guard: callers keep far below it."""
    return MarkdownTextObject(text=shorten(text, limit))


# --- message blocks ----------------------------------------------------------------------------


def section(text: str) -> SectionBlock:
    return SectionBlock(text=mrkdwn(text))


def section_with(text: str, accessory: BlockElement) -> SectionBlock:
    """A section with one element beside it (a button)."""
    return SectionBlock(text=mrkdwn(text), accessory=accessory)


def sections(lines: Sequence[str], *, per: int = LINES_PER_SECTION) -> list[SectionBlock]:
    """``lines`` in sections of ``per`` lines each, so that no section comes near Slack's limit."""
    return [section("\n".join(lines[start : start + per])) for start in range(0, len(lines), per)]


def fields_section(*texts: str) -> SectionBlock:
    """Short mrkdwn texts side by side, two to a row (a figure and its label)."""
    fields = [mrkdwn(text, limit=SECTION_FIELD_LIMIT) for text in texts[:SECTION_FIELDS]]
    return SectionBlock(fields=fields)


def context_block(*texts: str) -> ContextBlock:
    """Small print: each non-empty text one element."""
    return ContextBlock(elements=[mrkdwn(text) for text in texts if text][:CONTEXT_ELEMENTS])


def header(text: str) -> HeaderBlock:
    # Slack decodes &amp; &lt; &gt; in plain_text too, so user text is escaped here as everywhere;
    # emoji off, so a partner called ":fire:" is shown as typed.
    shown = escaped_shortened(text, HEADER_LIMIT, mrkdwn=False)
    return HeaderBlock(text=PlainTextObject(text=shown, emoji=False))


def divider() -> DividerBlock:
    return DividerBlock()


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=plain(shorten(text, BUTTON_TEXT_LIMIT)), action_id=action_id, value=value, style=style
    )


def actions(*elements: BlockElement, block_id: str | None = None) -> ActionsBlock:
    return ActionsBlock(elements=list(elements), block_id=block_id)


# --- forms -------------------------------------------------------------------------------------


def option(text: str, value: str, *, description: str | None = None) -> Option:
    """One choice of a select, radio buttons or checkboxes (its text shortened to fit)."""
    return Option(
        text=plain(shorten(text, OPTION_TEXT_LIMIT)),
        value=value,
        description=plain(description) if description else None,
    )


def form_field(
    block_id: str,
    label: str,
    element: BlockElement,
    *,
    optional: bool | None = None,
    hint: str | None = None,
) -> InputBlock:
    """One labelled field of a modal; its ``block_id`` is what handlers.shared.form reads back."""
    return InputBlock(
        block_id=block_id,
        label=plain(label),
        element=element,
        optional=optional,
        hint=plain(hint) if hint else None,
    )


def text_input(
    action_id: str,
    *,
    max_length: int,
    initial: str | None = None,
    multiline: bool | None = None,
    placeholder: str | None = None,
) -> PlainTextInputElement:
    """A text box; what it opens with is cut to ``max_length``, or Slack refuses the whole form."""
    return PlainTextInputElement(
        action_id=action_id,
        max_length=max_length,
        multiline=multiline,
        initial_value=initial[:max_length] if initial else None,
        placeholder=plain(placeholder) if placeholder else None,
    )


def number_input(
    action_id: str,
    *,
    decimals: bool,
    lowest: str | None = None,
    highest: str | None = None,
    initial: str | None = None,
) -> NumberInputElement:
    return NumberInputElement(
        action_id=action_id,
        is_decimal_allowed=decimals,
        min_value=lowest,
        max_value=highest,
        initial_value=initial,
    )


def date_input(action_id: str, initial: date | None = None) -> DatePickerElement:
    return DatePickerElement(action_id=action_id, initial_date=initial.isoformat() if initial else None)


def choice_input(
    action_id: str, options: list[Option], *, initial: Option | None = None
) -> StaticSelectElement:
    """A drop-down of ``options``; ``initial`` must be one of them (Slack refuses the form otherwise)."""
    if initial is not None and initial not in options:
        raise ValueError(f"initial option {initial.value!r} is not one of the options")
    return StaticSelectElement(action_id=action_id, options=options, initial_option=initial)


# --- views and the edge ------------------------------------------------------------------------


def modal(
    title: str,
    blocks: Sequence[Block],
    *,
    callback_id: str | None = None,
    submit: str | None = None,
    close: str | None = None,
    private_metadata: str | None = None,
) -> dict[str, Any]:
    """A modal's view, as the dict views.open/update/push and response_action send."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=plain(shorten(title, MODAL_TITLE_LIMIT)),
        submit=plain(shorten(submit, MODAL_TITLE_LIMIT)) if submit else None,
        close=plain(shorten(close, MODAL_TITLE_LIMIT)) if close else None,
        private_metadata=private_metadata,
        blocks=list(blocks),
    ).to_dict()


def home_tab(blocks: Sequence[Block], *, callback_id: str) -> dict[str, Any]:
    """The Home tab's view, as the dict views.publish sends."""
    return View(type="home", callback_id=callback_id, blocks=list(blocks)).to_dict()


def as_dicts(blocks: Iterable[Block | dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks as the JSON Slack is sent (blocks that are dicts already are kept as they are)."""
    return [block.to_dict() if isinstance(block, JsonObject) else block for block in blocks]
