"""Reading what a partner manager typed after ``/partner``: sub-command, names, options, mentions.

Pure functions, no Slack calls and no database: the handlers look names up afterwards.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

# Slack escapes mentions in command text when "escape channels, users and links" is on:
# <@U123|name>, <#C123|general>. Plain @name and #name are left as typed.
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL_MENTION = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
BARE_USER_ID = re.compile(r"@?([UW][A-Z0-9]{2,})")
_WORD = re.compile(r"\S+")
_OPTION = re.compile(r"(?P<key>[a-z_]+):(?P<value>\"[^\"]*\"|'[^']*'|\S*)", re.IGNORECASE)


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


def slack_user_id(text: str) -> str | None:
    """``<@U123|ann>``, ``@U123`` or ``U123`` → ``U123``; anything else → None."""
    text = text.strip()
    match = USER_MENTION.fullmatch(text) or BARE_USER_ID.fullmatch(text)
    return match.group(1) if match else None


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
