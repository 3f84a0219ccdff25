"""What a partner's name is, once the invisible is taken out of what was typed.

``\\u200bAcme Corp`` (a zero-width space in front), ``Acme\\u200bCorp``, ``\\ufeffAcme Corp`` and
``Ａｃｍｅ Corp`` (full-width letters) all look like "Acme Corp" in Slack; stored as typed they would
be four partners nobody can tell apart. Every name is normalised before it is stored and before it
is looked up: Unicode NFKC, terminal escape sequences and control/format/private-use characters
removed, runs of white space folded into one space. A name that is empty after that is no name.

>>> normalise_name("\\u200bAcme\\u00a0 Corp\\x1b[31m")
'Acme Corp'
>>> name_key("  ＡＣＭＥ  corp ")
'acme corp'
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ … final byte) and OSC (ESC ] … BEL or ESC \) sequences, then any other ESC pair.
_TERMINAL_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?", re.S)
# Control, format (zero-width, byte order mark, bidi overrides, soft hyphen), surrogate and
# private-use characters: none of them is visible in a name.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co"}


def normalise_name(text: str) -> str:
    """The name as stored and shown: visible characters only, single spaces, NFKC."""
    text = unicodedata.normalize("NFKC", text)
    text = _TERMINAL_ESCAPES.sub("", text).replace("\u200b", " ")  # a zero-width space separates words
    # White space (tabs, line breaks) becomes a space; other invisible characters go.
    kept = [
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
    ]
    return " ".join("".join(kept).split())


def name_key(name: str) -> str:
    """The form a partner name is compared in: normalised, case-insensitive."""
    return normalise_name(name).casefold()
