"""Typed ``private_metadata`` for modals: written as JSON, read back and checked.

A modal's metadata comes back from Slack with the submission; anything that does not parse into
the expected shape (tampered, or from an older version of the app) raises StaleMetadata and the
person is asked to start again, rather than the app acting on guessed values.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, TypeVar

from handlers.shared.errors import UserError
from handlers.shared.limits import METADATA_LIMIT
from handlers.shared.parsing import MAX_RECORD_ID

T = TypeVar("T")


class StaleMetadata(UserError):
    def __init__(self) -> None:
        super().__init__(
            "This form is out of date or was changed on the way, so I didn't act on it. "
            "Please close it and start again."
        )


def dump(value: Any) -> str:
    text = json.dumps(dataclasses.asdict(value), separators=(",", ":"), sort_keys=True)
    if len(text) > METADATA_LIMIT:
        raise ValueError(f"private_metadata is {len(text)} characters; Slack allows {METADATA_LIMIT}")
    return text


def _accepts(annotation: Any, value: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(arg, value) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is int:
        # Every int kept in metadata is a record's ID: anything beyond the database's range is stale.
        return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_RECORD_ID
    if annotation in (str, bool):
        return isinstance(value, annotation)
    raise TypeError(f"unsupported metadata field type {annotation!r}")


def load(cls: type[T], text: str | None) -> T:
    """Parse metadata into ``cls`` (a dataclass of str/int/bool/None fields) or raise StaleMetadata."""
    if not isinstance(text, str) or len(text) > METADATA_LIMIT:
        raise StaleMetadata()
    try:
        raw = json.loads(text or "")
    except (ValueError, RecursionError):
        raise StaleMetadata() from None
    if not isinstance(raw, dict):
        raise StaleMetadata()
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    if set(raw) - set(fields):
        raise StaleMetadata()
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in raw:
            if field.default is dataclasses.MISSING:
                raise StaleMetadata()
            continue
        if not _accepts(hints[name], raw[name]):
            raise StaleMetadata()
        values[name] = raw[name]
    return cls(**values)
