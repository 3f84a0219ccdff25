"""Slack user IDs as people and Slack write them: ``U0123ABCD``, ``@U0123ABCD``, ``<@U0123ABCD|ann>``.

The one definition of the pattern, for CSV cells here and for command text in the handlers.
"""

from __future__ import annotations

import re

# U, or W for Enterprise Grid users, then upper-case letters and digits. At most 31 characters in
# all, so that every ID read fits the 32-character columns that store user IDs.
USER_ID = r"[UW][A-Z0-9]{1,30}"
# How Slack writes a mention in message and command text: <@U123> or <@U123|name>. Group 1 is the ID.
USER_MENTION = re.compile(rf"<@({USER_ID})(?:\|[^>]*)?>")
# An ID typed by hand, with or without @. Three characters at least (the lookahead), so that words
# like "UK" or "W2" are never taken for people. Group 1 is the ID.
BARE_USER_ID = re.compile(rf"@?(?=.{{3}})({USER_ID})")


def parse_user_id(text: str) -> str | None:
    """The user ID in ``text`` when all of it is one user (surrounding spaces aside), else None.

    >>> parse_user_id("<@U123ABC|ann>"), parse_user_id(" @W0AB12 "), parse_user_id("@ann")
    ('U123ABC', 'W0AB12', None)
    """
    text = text.strip()
    match = USER_MENTION.fullmatch(text) or BARE_USER_ID.fullmatch(text)
    return match.group(1) if match else None


# Who a record names once its person asked to be forgotten (``partnerbot forget-user``): shaped
# like a user ID so it fits every column that holds one, and shown as "a former user". No Slack
# ID is this (real ones are longer and random).
FORMER_USER = "U0FORMER"
