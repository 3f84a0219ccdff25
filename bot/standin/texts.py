"""Reading what the app sent: every text a Slack payload would show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def iter_texts(payload: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """Every string Slack would show from a payload: (path, kind, text), kind ``mrkdwn`` or ``plain``.

    A message's top-level ``text`` and ``mrkdwn`` text objects are read as mrkdwn (Slack parses
    ``<!channel>``, ``<@U…>``, ``*bold*`` in them); ``plain_text`` objects are shown as typed.
    """
    if isinstance(payload, dict):
        kind = payload.get("type")
        if kind in ("mrkdwn", "plain_text") and isinstance(payload.get("text"), str):
            yield path, "mrkdwn" if kind == "mrkdwn" else "plain", payload["text"]
        for key, value in payload.items():
            sub = f"{path}.{key}" if path else key
            if key == "text" and isinstance(value, str) and kind not in ("mrkdwn", "plain_text"):
                yield sub, "mrkdwn", value
            elif isinstance(value, dict | list):
                yield from iter_texts(value, sub)
    elif isinstance(payload, list):
        for i, item in enumerate(payload):
            yield from iter_texts(item, f"{path}[{i}]")


def texts(payload: Any) -> list[str]:
    """Just the strings of :func:`iter_texts`, in order."""
    return [text for _, _, text in iter_texts(payload)]
