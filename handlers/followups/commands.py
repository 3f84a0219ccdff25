"""``/partner followup <partner> <when> <what…>`` and ``/partner followups [mine|all|overdue]``."""

from __future__ import annotations

from handlers.followups.views import created_reply, list_reply
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.parsing import first_word
from handlers.shared.partner_names import require_active, resolve_partner
from handlers.shared.permissions import Act, require
from handlers.shared.replies import Reply, with_ignored
from handlers.shared.text import escape, escaped_shortened
from handlers.shared.when import FORMATS, check_new_date, split_when, starts_when
from storage import followups as follow_up_store

USAGE = "`/partner followup Acme friday Send the pricing deck`"
SCOPES = ("mine", "all", "overdue")


@subcommand("followup", "follow-up", "fu")
def followup(request: CommandRequest, rest: str) -> Reply:
    today = request.deps.now().astimezone(request.zone()).date()
    with request.deps.db.transaction(actor=request.user_id) as session:
        match = resolve_partner(session, request.team_id, rest, ends_name=starts_when)
        require_active(match.partner)
        require(request, Act.ADD_FOLLOW_UP, match.partner, session=session)
        due_on, what = split_when(match.rest, today=today)
        if due_on is None:
            typed = first_word(match.rest)[0]
            said = f"“{escaped_shortened(typed, 40)}” isn't a date I can read. " if typed else "When? "
            raise UserError(f"{said}Write it as one of: {FORMATS} — e.g. {USAGE}.")
        if problem := check_new_date(due_on, today=today):
            raise UserError(problem)
        if not what:
            raise UserError(f"What is there to do? e.g. {USAGE}.")
        follow_up, _ = follow_up_store.add_follow_up(
            session,
            request.team_id,
            partner_id=match.partner.id,
            owner=request.user_id,
            what=what,
            due_on=due_on,
            created_by=request.user_id,
            request_key=f"command:{request.trigger_id}" if request.trigger_id else None,
        )
        session.refresh(follow_up, ["partner"])
        reply = created_reply(follow_up, today=today)
    request.deps.changes.data_changed(request.team_id, request.user_id)
    return reply


@subcommand("followups", "follow-ups")
def followups(request: CommandRequest, rest: str) -> Reply:
    scope, leftover = first_word(rest)
    scope = scope.casefold() or "mine"
    if scope not in SCOPES:
        raise UserError(
            f"“{escape(scope[:40])}” isn't a list I have: `/partner followups` (yours), "
            "`/partner followups all` or `/partner followups overdue`."
        )
    today = request.deps.now().astimezone(request.zone()).date()
    with request.deps.db.read() as session:
        if scope == "mine":
            found, total = follow_up_store.follow_ups(session, request.team_id, owner=request.user_id)
            reply = list_reply(
                "Your open follow-ups",
                found,
                total,
                today=today,
                with_owner=False,
                empty=f"You have no open follow-ups. Add one: {USAGE}.",
            )
        elif scope == "all":
            found, total = follow_up_store.follow_ups(session, request.team_id)
            reply = list_reply(
                "Open follow-ups",
                found,
                total,
                today=today,
                with_owner=True,
                empty=f"Nobody has an open follow-up. Add one: {USAGE}.",
            )
        else:
            found, total = follow_up_store.follow_ups(session, request.team_id, due_before=today)
            reply = list_reply(
                "Overdue follow-ups",
                found,
                total,
                today=today,
                with_owner=True,
                empty="No follow-up is overdue.",
            )
    return with_ignored(reply, leftover)
