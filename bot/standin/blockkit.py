"""Block Kit checks: every message, modal and Home view the app builds, as Slack would take it.

The tests call the helpers directly; the stand-in calls them through :class:`BlockKit`::

    from bot.standin.blockkit import assert_valid_blocks, assert_valid_modal, validate_message_payload

What is checked, in two layers:

1. the vendored Block Kit JSON Schema (``bot/standin/schemas/slack-block-kit.schema.json``,
   draft 2020-12; third-party and advisory — see its README; compiled in ``bot.standin.schema``):
   the top-level array for a message's blocks, ``$defs/modal_view`` and ``$defs/home_view`` for views;
2. Slack limits the schema does not enforce, or enforces only for some paths, checked here
   directly so they hold even if the schema changes: 50 blocks per message, 100 per view,
   text object lengths, section fields, header/button text, ``block_id``/``action_id`` length and
   uniqueness, context elements, the 12,000-character total of ``markdown`` blocks, modal
   title/submit/close, ``private_metadata`` and ``callback_id``.

Every check raises :class:`AssertionError` with a readable list of the first few problems, each as
``path: message`` (``blocks[3].text.text: 'xxxx…'… is too long (3001 characters; at most 3000)``).

The validators are built once, on first use, and shared: the helpers are cheap enough to call on
every payload in a property-based test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from bot.standin.schema import fail, merge, schema_problems, short, too_long, validators

__all__ = [
    "MAX_MESSAGE_BLOCKS",
    "MAX_VIEW_BLOCKS",
    "BlockKit",
    "assert_valid_blocks",
    "assert_valid_home",
    "assert_valid_modal",
    "validate_message_payload",
    "validate_view",
]

# Slack's limits (https://docs.slack.dev/reference/block-kit).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_OBJECT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_ID = 255  # block_id, action_id, callback_id, external_id
MAX_CONTEXT_ELEMENTS = 10
MAX_MARKDOWN_TOTAL = 12000  # all `markdown` blocks of one payload together
MAX_VIEW_BUTTON_TEXT = 24  # modal title, submit, close
MAX_PRIVATE_METADATA = 3000
MAX_MESSAGE_TEXT = 40000  # Slack truncates a message's text beyond this
RESPONSE_TYPES = frozenset({"in_channel", "ephemeral"})
RESPONSE_ACTIONS = frozenset({"errors", "update", "push", "clear"})


# ---------------------------------------------------------------------------------------------
# Slack limits, checked directly


def _text_of(obj: Any) -> str | None:
    return obj.get("text") if isinstance(obj, dict) and isinstance(obj.get("text"), str) else None


def _limit_problems(node: Any, path: str, problems: list[str], block_ids: dict[str, str]) -> None:
    """Walk a block, element or view and record every limit it breaks."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _limit_problems(item, f"{path}[{i}]", problems, block_ids)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    text = _text_of(node)
    if kind in ("plain_text", "mrkdwn") and text is not None and len(text) > MAX_TEXT_OBJECT:
        problems.append(f"{path}.text: {too_long(text, MAX_TEXT_OBJECT)}")
    # (type, list key, most items) and (type, text object key, longest text) for the rest
    for of_kind, key, most in (
        ("section", "fields", MAX_SECTION_FIELDS),
        ("context", "elements", MAX_CONTEXT_ELEMENTS),
    ):
        items = node.get(key)
        if kind == of_kind and isinstance(items, list) and len(items) > most:
            problems.append(f"{path}.{key}: {len(items)} {key}; a {kind} allows at most {most}")
    for of_kind, key, longest in (("header", "text", MAX_HEADER_TEXT), ("button", "text", MAX_BUTTON_TEXT)):
        inner = _text_of(node.get(key))
        if kind == of_kind and inner is not None and len(inner) > longest:
            problems.append(f"{path}.{key}.text: {too_long(inner, longest)}")
    if kind == "section" and isinstance(node.get("fields"), list):
        for i, field in enumerate(node["fields"]):
            inner = _text_of(field)
            if inner is not None and len(inner) > MAX_SECTION_FIELD_TEXT:
                problems.append(f"{path}.fields[{i}].text: {too_long(inner, MAX_SECTION_FIELD_TEXT)}")
    for key in ("block_id", "action_id"):
        value = node.get(key)
        if isinstance(value, str) and len(value) > MAX_ID:
            problems.append(f"{path}.{key}: {too_long(value, MAX_ID)}")
    block_id = node.get("block_id")
    if isinstance(block_id, str):
        if block_id in block_ids:
            problems.append(f"{path}.block_id: {block_id!r} is also the block_id of {block_ids[block_id]}")
        else:
            block_ids[block_id] = path
    for key, value in node.items():
        if isinstance(value, dict | list):
            _limit_problems(value, f"{path}.{key}", problems, block_ids)


def _action_ids(block: dict[str, Any], path: str) -> Iterator[tuple[str, str]]:
    """``(path, action_id)`` of a block's own interactive elements (accessory, element, elements)."""
    for key in ("accessory", "element"):
        element = block.get(key)
        if isinstance(element, dict) and isinstance(element.get("action_id"), str):
            yield f"{path}.{key}", element["action_id"]
    elements = block.get("elements")
    if isinstance(elements, list):
        for i, element in enumerate(elements):
            if isinstance(element, dict) and isinstance(element.get("action_id"), str):
                yield f"{path}.elements[{i}]", element["action_id"]


def _blocks_limit_problems(blocks: list[Any], prefix: str, max_blocks: int, surface: str) -> list[str]:
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"{prefix}: {len(blocks)} blocks; a {surface} allows at most {max_blocks}")
    _limit_problems(blocks, prefix, problems, {})
    for i, block in enumerate(blocks):
        # action_ids must be unique within their block (state.values is keyed by block_id, action_id)
        if not isinstance(block, dict):
            continue
        seen: dict[str, str] = {}
        for path, action_id in _action_ids(block, f"{prefix}[{i}]"):
            if action_id in seen:
                problems.append(f"{path}.action_id: {action_id!r} is also the action_id of {seen[action_id]}")
            else:
                seen[action_id] = path
    markdown = sum(
        len(b["text"]) for b in blocks if isinstance(b, dict) and b.get("type") == "markdown" and _text_of(b)
    )
    if markdown > MAX_MARKDOWN_TOTAL:
        problems.append(
            f"{prefix}: markdown blocks total {markdown} characters; at most {MAX_MARKDOWN_TOTAL}"
        )
    return problems


# ---------------------------------------------------------------------------------------------
# Inputs: accept what the app hands to slack_sdk (lists, dicts, JSON strings, SDK model objects)


def _plain(value: Any) -> Any:
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            raise AssertionError(f"not JSON: {short(repr(value))}") from None
    if hasattr(value, "to_dict"):  # slack_sdk.models: Block, View, …
        return value.to_dict()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _plain_item(value: Any) -> Any:
    """A block inside a list: SDK objects become dicts; anything else is left for the schema to judge."""
    return value if isinstance(value, str | bytes) else _plain(value)


def _blocks_list(blocks: Any) -> list[Any]:
    blocks = _plain(blocks)
    if not isinstance(blocks, list):
        raise AssertionError(f"blocks must be a list of blocks, got {type(blocks).__name__}")
    return [_plain_item(b) for b in blocks]


# ---------------------------------------------------------------------------------------------
# Public API


def assert_valid_blocks(blocks: Any) -> None:
    """A message's top-level list of blocks (chat.postMessage, response_url, ack, …)."""
    blocks = _blocks_list(blocks)
    problems = merge(
        schema_problems(validators()["blocks"], blocks, "blocks"),
        _blocks_limit_problems(blocks, "blocks", MAX_MESSAGE_BLOCKS, "message"),
    )
    fail("invalid message blocks", problems)


def _view_problems(view: Any, kind: str) -> list[str]:
    view = _plain(view)
    if not isinstance(view, dict):
        raise AssertionError(f"a {kind} view must be an object, got {type(view).__name__}")
    if isinstance(view.get("blocks"), list | tuple):
        view = {**view, "blocks": [_plain_item(b) for b in view["blocks"]]}
    problems: list[str] = []
    blocks = view.get("blocks")
    if isinstance(blocks, list):
        problems += _blocks_limit_problems(blocks, "view.blocks", MAX_VIEW_BLOCKS, f"{kind} view")
    for key in ("private_metadata", "callback_id", "external_id"):
        value = view.get(key)
        limit = MAX_PRIVATE_METADATA if key == "private_metadata" else MAX_ID
        if isinstance(value, str) and len(value) > limit:
            problems.append(f"view.{key}: {too_long(value, limit)}")
    if kind == "modal":
        for key in ("title", "submit", "close"):
            text = _text_of(view.get(key))
            if text is not None and len(text) > MAX_VIEW_BUTTON_TEXT:
                problems.append(f"view.{key}.text: {too_long(text, MAX_VIEW_BUTTON_TEXT)}")
    return merge(schema_problems(validators()[kind], view, "view"), problems)


def assert_valid_modal(view: Any) -> None:
    """A modal for views.open / views.push / views.update or a ``response_action`` update/push."""
    fail("invalid modal view", _view_problems(view, "modal"))


def assert_valid_home(view: Any) -> None:
    """A Home tab view for views.publish."""
    fail("invalid home view", _view_problems(view, "home"))


def validate_view(view: Any) -> None:
    """A modal or Home view, told apart by its ``type``."""
    view = _plain(view)
    kind = view.get("type") if isinstance(view, dict) else None
    if kind == "modal":
        assert_valid_modal(view)
    elif kind == "home":
        assert_valid_home(view)
    else:
        raise AssertionError(f"view.type must be 'modal' or 'home', got {kind!r}")


def validate_message_payload(payload: Mapping[str, Any]) -> None:
    """The body of chat.postMessage / chat.postEphemeral / chat.update, a response_url POST or an ack.

    - with ``blocks``: the blocks are valid and there is a non-empty fallback ``text`` (Slack uses
      it for notifications and screen readers);
    - without: there is ``text`` (or ``attachments``, or it is a ``delete_original`` request);
    - ``text`` is at most 40,000 characters (Slack truncates beyond that);
    - ``response_type`` is in_channel or ephemeral; blocks inside ``attachments`` are valid too.

    A view_submission ack (``{"response_action": …}``) is checked as one: ``errors`` maps
    block_ids to messages, ``update``/``push`` carry a valid modal, ``clear`` stands alone.
    """
    payload = _plain(payload)
    if not isinstance(payload, dict):
        raise AssertionError(f"a message payload must be an object, got {type(payload).__name__}")
    if "response_action" in payload:
        _validate_response_action(payload)
        return

    problems: list[str] = []
    text = payload.get("text")
    if text is not None and not isinstance(text, str):
        problems.append(f"text: must be a string, got {type(text).__name__}")
        text = None
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        problems.append(f"text: {too_long(text, MAX_MESSAGE_TEXT)}")
    has_text = bool(text and text.strip())

    if payload.get("blocks") is not None:
        blocks = _blocks_list(payload["blocks"])
        try:
            assert_valid_blocks(blocks)
        except AssertionError as exc:
            problems.append(str(exc).replace("\n", "\n  "))
        if not has_text:
            problems.append("text: a message with blocks needs a non-empty fallback text for notifications")
    elif not has_text and not payload.get("attachments") and payload.get("delete_original") is not True:
        problems.append("text: a message needs text, blocks or attachments")

    response_type = payload.get("response_type")
    if response_type is not None and response_type not in RESPONSE_TYPES:
        problems.append(f"response_type: {response_type!r} is not one of {sorted(RESPONSE_TYPES)}")
    for key in ("replace_original", "delete_original"):
        if key in payload and not isinstance(payload[key], bool):
            problems.append(f"{key}: must be true or false, got {payload[key]!r}")

    attachments = _plain(payload.get("attachments")) if payload.get("attachments") is not None else []
    if not isinstance(attachments, list):
        problems.append("attachments: must be a list")
        attachments = []
    for i, attachment in enumerate(attachments):
        if isinstance(attachment, dict) and attachment.get("blocks") is not None:
            try:
                assert_valid_blocks(attachment["blocks"])
            except AssertionError as exc:
                problems.append(f"attachments[{i}].blocks: " + str(exc).replace("\n", "\n  "))
    fail("invalid message payload", problems)


def _validate_response_action(payload: dict[str, Any]) -> None:
    action = payload["response_action"]
    problems: list[str] = []
    if action not in RESPONSE_ACTIONS:
        problems.append(f"response_action: {action!r} is not one of {sorted(RESPONSE_ACTIONS)}")
    elif action == "errors":
        errors = payload.get("errors")
        if not isinstance(errors, dict) or not errors:
            problems.append("errors: must be a non-empty object of block_id → message")
        else:
            for block_id, message in errors.items():
                if not isinstance(message, str) or not message.strip():
                    problems.append(f"errors.{block_id}: must be a non-empty message, got {message!r}")
    elif action in ("update", "push"):
        if "view" not in payload:
            problems.append(f"view: response_action {action!r} needs a view")
        else:
            try:
                assert_valid_modal(payload["view"])
            except AssertionError as exc:
                problems.append(str(exc).replace("\n", "\n  "))
    extra = sorted(set(payload) - {"response_action", "errors", "view"})
    if extra:
        problems.append(f"unexpected keys next to response_action: {', '.join(extra)}")
    fail("invalid view_submission response", problems)


class BlockKit:
    """The stand-in's validator (``SlackStandIn(validator=BlockKit())``): what Slack refuses raises."""

    def view(self, view: Any) -> None:
        validate_view(view)

    def message(self, payload: Any) -> None:
        validate_message_payload(payload)
