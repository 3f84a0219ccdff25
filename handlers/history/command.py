"""``/partner history <partner>``: the partner's audit trail, newest first, ten changes a page;
"Older" replaces the message with the next page."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from handlers.history.views import PER_PAGE, history_reply
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.deps import deps_of, workspace
from handlers.shared.errors import UserError
from handlers.shared.parsing import action_value
from handlers.shared.partner_names import resolve_partner
from handlers.shared.replies import Reply
from storage import audit
from storage import partners as partner_store


@subcommand("history", "audit")
def history(request: CommandRequest, rest: str) -> Reply:
    if not rest.strip():
        raise UserError("Which partner? e.g. `/partner history Acme`.")
    with request.deps.db.read() as session:
        partner = resolve_partner(session, request.team_id, rest, whole=True).partner
        page = audit.partner_trail(session, request.team_id, partner.id, page=1, per_page=PER_PAGE)
        return history_reply(partner.id, partner.name, page)


def _page_of(value: str) -> tuple[int, int] | None:
    partner, _, page = value.partition(":")
    if not (partner.isdigit() and page.isdigit()) or int(page) < 1:
        return None
    return int(partner), int(page)


def on_older_clicked(ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond) -> None:
    ack()
    deps, team_id = deps_of(context), workspace(context)
    wanted = _page_of(action_value(body))
    with deps.db.read() as session:
        partner = partner_store.get_partner(session, team_id, wanted[0]) if wanted else None
        if wanted is None or partner is None:
            reply = Reply("That partner is gone: `/partner history <partner>` shows another's changes.")
        else:
            page = audit.partner_trail(session, team_id, partner.id, page=wanted[1], per_page=PER_PAGE)
            reply = history_reply(partner.id, partner.name, page)
    respond(**reply.as_ack(), replace_original=True)
