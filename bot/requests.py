"""Reading Slack's HTTP requests correctly, and refusing what Slack never sends.

Bolt decides that a form body is an interactivity payload whenever the word "payload" appears
anywhere in it, so ``/partner log Acme note payload sizes`` would arrive as an empty request.
We parse form bodies by their keys instead, and hand Bolt the same raw body to verify.

Bolt also trusts the payload's shape: ``"event": null``, ``"actions": []`` or ``"team": 5`` make
it (or our listeners) raise deep inside. :func:`parse_slack_body` checks the few shapes that
everything downstream relies on and raises :class:`MalformedRequest` for anything else, so the
front door (``bot.gate``) answers 400 instead of a traceback.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.context.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context

# Fields that Bolt and the listeners read as an object (or a plain ID string, or nothing).
_OBJECT_FIELDS = ("team", "user", "channel", "enterprise", "container", "message", "view")
# Interactivity payload types that come from a person and name them.
_FROM_A_PERSON = {"block_actions", "block_suggestion", "view_submission", "view_closed", "shortcut"}


class MalformedRequest(ValueError):
    """A signed request whose body is not something Slack sends; the message names what is wrong."""


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except RecursionError:
        raise MalformedRequest(f"{what} is nested too deeply") from None
    except ValueError as error:
        raise MalformedRequest(f"{what} is not JSON ({error.msg})") from None
    if not isinstance(value, dict):
        raise MalformedRequest(f"{what} is a JSON {type(value).__name__}, not an object")
    return value


def _check_shape(body: dict[str, Any]) -> None:
    for name in _OBJECT_FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, dict | str):
            raise MalformedRequest(f"'{name}' is a {type(value).__name__}")
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        raise MalformedRequest("'type' is not text")
    if "event" in body and not isinstance(body["event"], dict):
        raise MalformedRequest("'event' is not an object")
    actions = body.get("actions")
    if actions is not None and (
        not isinstance(actions, list)
        or not all(isinstance(a, dict) and isinstance(a.get("action_id", ""), str) for a in actions)
    ):
        raise MalformedRequest("'actions' is not a list of actions")
    authorizations = body.get("authorizations")
    if authorizations is not None and (
        not isinstance(authorizations, list) or not all(isinstance(a, dict) for a in authorizations)
    ):
        raise MalformedRequest("'authorizations' is not a list of objects")
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise MalformedRequest("an event callback without an event")
        for name in ("channel", "user", "team", "message", "previous_message"):
            value = event.get(name)
            if value is not None and not isinstance(value, dict | str):
                raise MalformedRequest(f"the event's '{name}' is a {type(value).__name__}")
        if event["type"] == "function_executed":  # a Workflow Builder step: Bolt reads these three
            function = event.get("function")
            if (
                not isinstance(function, dict)
                or not isinstance(function.get("callback_id"), str)
                or not isinstance(event.get("function_execution_id"), str)
            ):
                raise MalformedRequest("a function_executed event without its function or execution")
            if event.get("inputs") is not None and not isinstance(event["inputs"], dict):
                raise MalformedRequest("the function's 'inputs' is not an object")
    if kind in _FROM_A_PERSON or kind == "message_action":
        user = body.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
            raise MalformedRequest(f"a {kind} payload without a user")
        for name in ("team", "channel", "view", "message"):
            if body.get(name) is not None and not isinstance(body[name], dict):
                raise MalformedRequest(f"a {kind} payload whose '{name}' is not an object")
    if kind == "block_actions":
        actions = body.get("actions")
        if (
            not isinstance(actions, list)
            or not actions
            or not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions)
        ):
            raise MalformedRequest("block_actions without actions")
    if kind in ("view_submission", "view_closed") and not isinstance(body.get("view"), dict):
        raise MalformedRequest(f"a {kind} payload without a view")


def parse_slack_body(raw_body: str, content_type: str | None, *, strict: bool = False) -> dict[str, Any]:
    """The payload of a Slack request body ({} for none). ``strict`` (the front door): a
    MalformedRequest when it is not one Slack would send; otherwise only unparseable bodies raise."""
    if not raw_body:
        if strict:
            raise MalformedRequest("empty body")
        return {}
    if content_type == "application/json" or raw_body.startswith("{"):
        body = _json_object(raw_body, "the body")
    else:
        params = dict(parse_qsl(raw_body, keep_blank_values=True))
        if "payload" in params:  # interactivity: the whole payload is JSON in one form field
            body = _json_object(params["payload"], "the payload")
        elif not strict:
            return params
        elif "command" in params:
            if not params.get("user_id") or not params.get("team_id"):
                raise MalformedRequest("a slash command without a user or workspace")
            body = params
        elif "ssl_check" in params:
            body = params
        else:
            raise MalformedRequest("a form body that is neither a command nor a payload")
    if strict:
        _check_shape(body)
    return body


class SlackRequest(BoltRequest):
    """A BoltRequest whose form parsing looks for the ``payload`` field, not the word.

    ``body`` may be given already parsed (``parsed``), as the front door has done so.
    """

    def __init__(self, *, parsed: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.mode == "http" and self.raw_body:
            body = parsed if parsed is not None else parse_slack_body(self.raw_body, self.content_type)
            if body != self.body:
                self.body = body
                self.context = build_context(BoltContext(kwargs.get("context") or {}), self.body)

    def to_copyable(self) -> BoltRequest:
        copied = super().to_copyable()
        copied.body = self.body
        copied.context = self.context.to_copyable()
        return copied
