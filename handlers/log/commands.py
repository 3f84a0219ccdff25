"""``/partner log <partner> <kind> <notes…> [follow up <when>]``: logs a communication at once and
confirms it with Edit and Undo buttons; ``/partner log`` alone opens the form (handlers.log.form)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.log.follow_ups import open_with_partner, promise
from handlers.log.form import open_log_form
from handlers.log.views import LogDraft, LogMetadata, logged_confirmation
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.communications import read_kind, require_notes, take_project
from handlers.shared.errors import UserError
from handlers.shared.parsing import first_word
from handlers.shared.partner_names import partner_project, require_active, resolve_partner
from handlers.shared.permissions import Act, require
from handlers.shared.replies import Reply
from handlers.shared.text import escape
from handlers.shared.when import check_new_date, take_follow_up
from storage import interactions as interaction_store
from storage.kinds import parse_kind


@subcommand("log", "l")
def log_command(request: CommandRequest, rest: str) -> Reply | None:
    if not rest.strip():
        request.ack()
        draft = LogDraft(today=request.deps.now().astimezone(request.zone()).date())
        return open_log_form(
            request.client, request.trigger_id, draft, LogMetadata(response_url=request.response_url)
        )
    today = request.deps.now().astimezone(request.zone()).date()

    def log(session: Session) -> Reply:
        match = resolve_partner(
            session, request.team_id, rest, ends_name=lambda word: parse_kind(word) is not None
        )
        require_active(match.partner)
        require(request, Act.LOG, match.partner, session=session)
        kind_word, notes = first_word(match.rest)
        name = escape(match.partner.name)
        kind = read_kind(kind_word, example=f"`/partner log {name} call Renewal talk`")
        notes, project_number = take_project(notes)
        project = partner_project(session, request.team_id, match.partner, project_number)
        notes, follow_up_on, _ = take_follow_up(notes, today=today)
        if follow_up_on is not None and (problem := check_new_date(follow_up_on, today=today)):
            raise UserError(f"The follow-up: {problem}")
        require_notes(kind, notes, example=f"`/partner log {name} {kind.value} what happened…`")
        logged = interaction_store.log_interaction(
            session,
            request.team_id,
            partner_id=match.partner.id,
            kind=kind,
            occurred_at=request.deps.now(),
            notes=notes,
            user_id=request.user_id,
            request_key=f"command:{request.trigger_id}" if request.trigger_id else None,
            project_id=project.id if project else None,
            follow_up_on=follow_up_on,
            rerun_on_conflict=True,
        )
        follow_up = promise(session, logged.interaction, follow_up_on)
        offered = open_with_partner(session, logged.interaction, besides=follow_up)
        return logged_confirmation(
            logged.interaction, match.partner, follow_up=follow_up, offered=offered, today=today
        )

    # Committed together with the other logs arriving now (one disk flush for all), before the ack.
    reply = request.deps.db.grouped(log, actor=request.user_id)
    request.send(reply)  # the confirmation first; the Home tab is republished after it
    request.deps.changes.data_changed(request.team_id, request.user_id)
    return None
