"""What people type that several commands read the same way: the one name a command creates
something with (a partner, a project) — quoted to be exact, never two names, never a stray option
glued onto it — and amounts of money, worded for the person when they are wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from handlers.shared.errors import UserError
from handlers.shared.parsing import quoted_name
from handlers.shared.text import escape, shorten
from storage.money import AMOUNT_LIMIT, BadAmount, parse_amount

QUOTES = ('"', "'", "“", "‘")
# A word like ``foo:bar``: an option, or (unquoted) part of a name that looks like one.
_OPTION_LIKE = re.compile(r"(?<!\S)([A-Za-z_]+):(\S+)")


def one_name(
    text: str,
    *,
    what: str,
    example: str,
    options: Sequence[str],
    hints: Mapping[str, str] | None = None,
) -> str:
    """The name in ``text``. ``what`` names the thing ("partner"), ``example`` shows the command
    with a quoted name, ``options`` are the keys it takes (for the message), ``hints`` words the
    answer to a known mistake (``status:`` on a partner, say)."""
    text = text.strip()
    if text[:1] in QUOTES:
        quoted = quoted_name(text)
        if quoted is None:
            raise UserError(
                f"The name starts with a quote that is never closed: “{escape(shorten(text, 80))}”. "
                f"Put the whole name in quotes, e.g. `{example}`."
            )
        name, rest = quoted
        if rest:
            raise UserError(
                f"I can add one {what} at a time, and “{escape(shorten(rest, 80))}” came after the name "
                f"“{escape(shorten(name, 80))}”."
            )
        return name
    unknown = _OPTION_LIKE.search(text)
    if unknown is not None:
        key = unknown.group(1).casefold()
        hint = (hints or {}).get(key) or f"A {what} can have " + ", ".join(f"`{k}:`" for k in options) + "."
        raise UserError(
            f"I can't set “{escape(shorten(unknown.group(0), 60))}” on a {what}. {hint} "
            "If it is part of the name, put the name in quotes."
        )
    return text


def parse_money(label: str, text: str) -> Decimal:
    """An amount typed in a command or a form (storage.money's rules), or a UserError naming ``label``."""
    try:
        return parse_amount(text)
    except BadAmount as bad:
        typed = escape(shorten(text.strip(), 40))
        words = {
            "negative": f"must be zero or more — got “{typed}”",
            "too precise": f"can have at most 2 decimals — got “{typed}”",
            "too large": f"is too large: keep it below {AMOUNT_LIMIT:,}",
        }.get(bad.problem, f"must be a number, like `12500` or `12,500.50` — got “{typed}”")
        raise UserError(f"{label} {words}.") from None
