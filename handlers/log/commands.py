"""``/partner log <partner> <kind> <notes…>``: logs a communication at once and confirms it with
Edit and Undo buttons; ``/partner log`` alone opens the form (handlers.log.form)."""

from __future__ import annotations

from handlers.log.form import open_log_form
from handlers.log.views import NOTES_REQUIRED, LogDraft, LogMetadata, logged_confirmation
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.parsing import first_word
from handlers.shared.partner_names import require_active, resolve_partner
from handlers.shared.replies import Reply
from handlers.shared.text import escape
from storage import interactions as interaction_store
from storage.kinds import parse_kind
from storage.models import InteractionKind

KINDS_TEXT = ", ".join(k.value for k in InteractionKind)


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
        )
        reply = logged_confirmation(logged.interaction, match.partner)
    request.ack(reply)  # the confirmation first; the Home tab is republished after it
    request.deps.changes.data_changed(request.team_id, request.user_id)
    return None
