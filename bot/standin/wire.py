"""Requests read the way Slack reads them: Web API arguments from a query string and a JSON, form
or multipart body, and the answers a transport sends back."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

# Arguments Slack accepts as JSON text inside form-encoded bodies.
JSON_ARGS = ("blocks", "attachments", "view", "metadata")
JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Reply:
    """What a transport sends back for one request; nothing at all when ``abandoned``."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    abandoned: bool = False

    @classmethod
    def json(cls, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        return cls(status, json.dumps(body).encode("utf-8"), JSON_TYPE, dict(headers or {}))

    @classmethod
    def text(cls, status: int, text: str) -> Reply:
        return cls(status, text.encode("utf-8"), "text/plain; charset=utf-8")


def decode_json_args(args: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # left as text, the validator refuses it
                args[key] = json.loads(value)
    return args


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """Arguments from a request body the way Slack reads them: JSON, form or multipart."""
    if not raw:
        return {}
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json":
        body = json.loads(raw.decode("utf-8"))
        return body if isinstance(body, dict) else {"_body": body}
    if media == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
        )
        args: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            args[str(name)] = payload if part.get_filename() else payload.decode("utf-8", "replace")
        return args
    return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))


def parse_args(query: str, raw: bytes, content_type: str) -> dict[str, Any]:
    """A Web API call's arguments: the query string's, then the body's; a body that cannot be read
    is kept as ``_unparsed`` (the method then finds its arguments missing, as Slack would)."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    try:
        args.update(parse_body(raw, content_type))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError included
        args["_unparsed"] = raw.decode("utf-8", "replace")
    return decode_json_args(args)
