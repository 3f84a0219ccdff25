"""Reading Slack's HTTP requests correctly.

Bolt decides that a form body is an interactivity payload whenever the word "payload" appears
anywhere in it, so ``/partner log Acme note payload sizes`` would arrive as an empty request.
We parse form bodies by their keys instead, and hand Bolt the same raw body to verify.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.context.context import BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context


def parse_slack_body(raw_body: str, content_type: str | None) -> dict[str, Any]:
    if not raw_body:
        return {}
    if content_type == "application/json" or raw_body.startswith("{"):
        return json.loads(raw_body)
    params = dict(parse_qsl(raw_body, keep_blank_values=True))
    if "payload" in params:  # interactivity: the whole payload is JSON in one form field
        return json.loads(params["payload"])
    return params


class SlackRequest(BoltRequest):
    """A BoltRequest whose form parsing looks for the ``payload`` field, not the word."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.mode == "http" and self.raw_body:
            body = parse_slack_body(self.raw_body, self.content_type)
            if body != self.body:
                self.body = body
                self.context = build_context(BoltContext(kwargs.get("context") or {}), self.body)

    def to_copyable(self) -> BoltRequest:
        copied = super().to_copyable()
        copied.body = self.body
        copied.context = self.context.to_copyable()
        return copied
