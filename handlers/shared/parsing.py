"""Reading what a partner manager typed after ``/partner``: sub-command, names, options, mentions.

Pure functions, no Slack calls and no database: the handlers look names up afterwards.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from storage.slack_ids import USER_MENTION

# Slack escapes mentions in command text when "escape channels, users and links" is on:
# <@U123|name>, <#C123|general>. Plain @name and #name are left as typed. User mentions and IDs
# are read by storage.slack_ids (CSV imports read them too).
CHANNEL_MENTION = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
# Any mention of a person or a channel (no groups of its own to rely on: for search and sub).
MENTION = re.compile(f"{USER_MENTION.pattern}|{CHANNEL_MENTION.pattern}")
_WORD = re.compile(r"\S+")
_OPTION = re.compile(r"(?P<key>[a-z_]+):(?P<value>\"[^\"]*\"|'[^']*'|\S*)", re.IGNORECASE)


# The largest number a record's ID can be in either database (a signed 64-bit integer).
MAX_RECORD_ID = 2**63 - 1
# At most 18 digits: always an int Python converts at once, and larger than any count we accept.
_WHOLE_NUMBER = re.compile(r"\d{1,3}(?:,\d{3}){1,5}|\d{1,18}", re.ASCII)


def whole_number(text: str | None) -> int | None:
    """``"12"`` or ``"1,000"`` → the number; None for anything else (``"1.5"``, ``"²"``, ``"-3"``).

    >>> whole_number("1,000"), whole_number("²"), whole_number("1.5")
    (1000, None, None)
    """
    cleaned = (text or "").strip()
    if not _WHOLE_NUMBER.fullmatch(cleaned):
        return None
    return int(cleaned.replace(",", ""))


def record_id(text: str | None) -> int | None:
    """``"12"`` or ``"#12"`` → 12; None when it cannot be any record's number (not digits, or larger
    than the database stores), so callers answer "there is no …" as for any unknown number.

    >>> record_id("#12"), record_id("99999999999999999999"), record_id("T1:²")
    (12, None, None)
    """
    cleaned = (text or "").strip().removeprefix("#")
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 19:
        return None
    number = int(cleaned)
    return number if 0 < number <= MAX_RECORD_ID else None


def action_value(body: dict[str, Any]) -> str:
    """The value of the button clicked in a block_actions payload ("" when it has none or no text)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    value = first.get("value") if isinstance(first, dict) else None
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Subcommand:
    name: str  # lower-cased first word, "" when nothing was typed
    rest: str  # the text after it, as typed


def split_subcommand(text: str) -> Subcommand:
    text = (text or "").strip()
    if not text:
        return Subcommand("", "")
    head, _, rest = text.partition(" ")
    # A newline right after the sub-command is a separator too.
    head, _, rest2 = head.partition("\n")
    rest = (rest2 + " " + rest).strip() if rest2 else rest.strip()
    return Subcommand(head.casefold(), rest)


def quoted_name(text: str) -> tuple[str, str] | None:
    """``"Acme Corp" call …`` → ("Acme Corp", "call …"); None when the text does not start with a quote."""
    text = text.lstrip()
    for quote in ('"', "'", "“", "‘"):
        if text.startswith(quote):
            closing = {"“": "”", "‘": "’"}.get(quote, quote)
            end = text.find(closing, 1)
            if end == -1:
                return None
            return text[1:end].strip(), text[end + 1 :].strip()
    return None


def word_prefixes(text: str, max_words: int = 12) -> list[tuple[str, str]]:
    """Every way to cut the text after its first 1…max_words words: (prefix, rest as typed)."""
    cuts: list[tuple[str, str]] = []
    for i, match in enumerate(_WORD.finditer(text)):
        if i >= max_words:
            break
        cuts.append((" ".join(text[: match.end()].split()), text[match.end() :].strip()))
    return cuts


def first_word(text: str) -> tuple[str, str]:
    text = text.strip()
    match = _WORD.match(text)
    if not match:
        return "", ""
    return match.group(0), text[match.end() :].strip()


@dataclass
class Options:
    """``key:value`` options pulled out of free text, and the text that remains."""

    values: dict[str, str] = field(default_factory=dict)
    remainder: str = ""


def extract_options(text: str, allowed: set[str]) -> Options:
    """Pull ``tier:gold region:"North America"`` style options out of the text.

    Keys outside ``allowed`` are left in the remainder (a partner may be called "Acme: EU").
    """
    values: dict[str, str] = {}
    kept: list[str] = []
    last = 0
    for match in _OPTION.finditer(text):
        key = match.group("key").casefold()
        if key not in allowed:
            continue
        # Only a whole word counts as an option: "Acme:x" inside a name does not.
        if match.start() > 0 and not text[match.start() - 1].isspace():
            continue
        kept.append(text[last : match.start()])
        value = match.group("value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value.strip()
        last = match.end()
    kept.append(text[last:])
    return Options(values, " ".join(" ".join(kept).split()))


def split_words(text: str) -> list[str]:
    """Shell-like split that tolerates an unmatched quote (treated as a literal)."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()
