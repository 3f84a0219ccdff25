"""``/partner stale [days]``: active partners with no logged contact for that long."""

from __future__ import annotations

from datetime import timedelta

from handlers.rankings.views import stale_reply
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.parsing import whole_number
from handlers.shared.replies import Reply
from handlers.shared.text import escape, shorten
from scoring import ATTENTION_STALE_DAYS
from storage import ranking as ranking_store

STALE_LIST_LIMIT = 45


@subcommand("stale", "neglected")
def stale(request: CommandRequest, rest: str) -> Reply:
    text = rest.strip().removesuffix("days").removesuffix("day").removesuffix("d").strip()
    days = whole_number(text) if text else ATTENTION_STALE_DAYS
    if days is None:
        raise UserError(
            "Give the number of days, e.g. `/partner stale 45` "
            f"(I couldn't read “{escape(shorten(text, 30))}”)."
        )
    if not 1 <= days <= 3650:
        raise UserError(f"The number of days must be between 1 and 3650 (you gave {days:,}).")
    before = request.deps.now() - timedelta(days=days)
    with request.deps.db.read() as session:
        found, total = ranking_store.stale_partners(
            session, request.team_id, before=before, limit=STALE_LIST_LIMIT
        )
    return stale_reply(found, total, days)
