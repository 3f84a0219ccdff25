"""``/partner log <partner> <kind> <notes…> [follow up <when>]``: logs a communication at once and
confirms it with Edit and Undo buttons; ``/partner log`` alone opens the form (handlers.log.form)."""

from __future__ import annotations

import re

from handlers.log.follow_ups import open_with_partner, promise
from handlers.log.form import open_log_form
from handlers.log.views import NOTES_REQUIRED, LogDraft, LogMetadata, logged_confirmation
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.parsing import first_word
from handlers.shared.partner_names import partner_project, require_active, resolve_partner
from handlers.shared.replies import Reply
from handlers.shared.text import escape
from handlers.shared.when import check_new_date, take_follow_up
from storage import interactions as interaction_store
from storage.kinds import parse_kind
from storage.models import InteractionKind

KINDS_TEXT = ", ".join(k.value for k in InteractionKind)
# ``project:12`` anywhere in the notes names the joint project the communication was about.
_PROJECT = re.compile(r"(?<!\S)project:#?(\d+)(?!\S) ?", re.IGNORECASE)


def take_project(notes: str) -> tuple[str, str | None]:
    """The notes without their ``project:<id>`` (the rest kept exactly as typed), and the id.

    >>> take_project("kickoff project:12 went well")
    ('kickoff went well', '12')
    """
    match = _PROJECT.search(notes)
    if match is None:
        return notes, None
    return (notes[: match.start()] + notes[match.end() :]).strip(), match.group(1)


@subcommand("log", "l")
def log_command(request: CommandRequest, rest: str) -> Reply | None:
    if not rest.strip():
        request.ack()
        draft = LogDraft(today=request.deps.now().astimezone(request.zone()).date())
        return open_log_form(
            request.client, request.trigger_id, draft, LogMetadata(response_url=request.response_url)
        )
    with request.deps.db.transaction() as session:
        match = resolve_partner(
            session, request.team_id, rest, ends_name=lambda word: parse_kind(word) is not None
        )
        require_active(match.partner)
        kind_word, notes = first_word(match.rest)
        kind = parse_kind(kind_word) if kind_word else None
        if kind is None:
            name = escape(match.partner.name)
            if not kind_word:
                raise UserError(
                    f"What kind of communication? e.g. `/partner log {name} call Renewal talk` "
                    f"(kinds: {KINDS_TEXT})."
                )
            raise UserError(
                f"“{escape(kind_word[:40])}” isn't a kind I know. Use one of: {KINDS_TEXT} — "
                f"e.g. `/partner log {name} call Renewal talk`."
            )
        notes, project_number = take_project(notes)
        project = partner_project(session, request.team_id, match.partner, project_number)
        today = request.deps.now().astimezone(request.zone()).date()
        notes, follow_up_on, _ = take_follow_up(notes, today=today)
        if follow_up_on is not None and (problem := check_new_date(follow_up_on, today=today)):
            raise UserError(f"The follow-up: {problem}")
        if kind in NOTES_REQUIRED and not notes:
            raise UserError(
                f"A {kind.value} needs a few words: `/partner log {escape(match.partner.name)} "
                f"{kind.value} what happened…`"
            )
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
        )
        follow_up = promise(session, logged.interaction, follow_up_on)
        offered = open_with_partner(session, logged.interaction, besides=follow_up)
        reply = logged_confirmation(
            logged.interaction, match.partner, follow_up=follow_up, offered=offered, today=today
        )
    request.send(reply)  # the confirmation first; the Home tab is republished after it
    request.deps.changes.data_changed(request.team_id, request.user_id)
    return None
