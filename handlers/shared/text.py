"""Making user-typed text safe and short enough for Slack.

Everything a person typed goes through :func:`escape` before Slack shows it, so a partner named
``<!channel>`` is shown literally and never pings anyone, and ``*bold*`` stays as typed.
"""

from __future__ import annotations

from handlers.shared.limits import TEXT_LIMIT
from storage.slack_ids import FORMER_USER

__all__ = [
    "TEXT_LIMIT",
    "escape",
    "escaped_shortened",
    "first_words",
    "literal",
    "mention",
    "plural",
    "shorten",
]
ELLIPSIS = "…"

# Characters Slack's mrkdwn reads as formatting. A zero-width joiner after them breaks the
# formatting without changing what a reader sees.
_FORMATTING = {"*": "*\u200d", "_": "_\u200d", "~": "~\u200d", "`": "`\u200d"}


def escape(text: str | None) -> str:
    """Escape ``&``, ``<`` and ``>`` (Slack's control characters) for any text field."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    """A person named in a message: their Slack mention, or "a former user" once they were
    forgotten (``partnerbot forget-user`` leaves their records attributed to ``FORMER_USER``)."""
    return "a former user" if user_id == FORMER_USER else f"<@{escape(user_id)}>"


def literal(text: str | None) -> str:
    """Escape for mrkdwn and also neutralise *bold*, _italic_, ~strike~ and `code` markers."""
    escaped = escape(text)
    return "".join(_FORMATTING.get(ch, ch) for ch in escaped)


def shorten(text: str | None, limit: int) -> str:
    """Cut text to at most ``limit`` characters, ending with … when anything was cut.

    Cuts at a word boundary when one is near, so a note reads naturally.
    """
    if not text:
        return ""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def escaped_shortened(text: str | None, limit: int, *, mrkdwn: bool = True) -> str:
    """Shorten first, then escape, keeping the escaped result within ``limit`` characters.

    Escaping lengthens text (``<`` becomes ``&lt;``), so the cut is repeated until it fits.
    """
    render = literal if mrkdwn else escape
    budget = limit
    while True:
        rendered = render(shorten(text, budget))
        if len(rendered) <= limit or budget <= 1:
            return rendered[:limit]
        budget -= len(rendered) - limit


def first_words(text: str | None, limit: int = 80) -> str:
    """The start of a note on one line, for confirmations."""
    return shorten(" ".join((text or "").split()), limit)


def plural(count: int, word: str) -> str:
    """``1 answer``, ``3 answers``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
