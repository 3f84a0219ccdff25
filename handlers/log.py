"""Logging communications: ``/partner log`` (inline or modal), the "Log to partner" message
shortcut, the partner type-ahead, and the Edit / Undo buttons on the confirmation."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import metadata
from handlers.command import CommandRequest, subcommand
from handlers.errors import UserError
from handlers.form import Form
from handlers.home import republish_home
from handlers.ids import Action, Block, Callback
from handlers.log_views import (
    NOTES_REQUIRED,
    LogDraft,
    LogMetadata,
    log_modal,
    logged_confirmation,
    partner_option,
)
from handlers.modals import open_modal
from handlers.notify import tell
from handlers.parsing import action_value, first_word, record_id
from handlers.partner_names import resolve_partner
from handlers.people import People
from handlers.rankings import changed
from handlers.replies import Reply
from handlers.services import Services, services
from handlers.text import escape, literal
from storage import interactions as interaction_store
from storage import partners as partner_store
from storage.kinds import parse_kind
from storage.models import Interaction, InteractionKind, Partner, PartnerStatus

log = logging.getLogger(__name__)
KINDS_TEXT = ", ".join(k.value for k in InteractionKind)
PEOPLE_KEY = "people"


def people(svc: Services) -> People:
    return svc.extras.setdefault(PEOPLE_KEY, People())


def user_zone(svc: Services, client: WebClient, team_id: str, user_id: str) -> ZoneInfo:
    return people(svc).lookup(client, team_id, user_id).zone


def require_active(partner: Partner) -> None:
    if partner.status != PartnerStatus.ACTIVE.value:
        raise UserError(
            f"*{literal(partner.name)}* is archived. `/partner edit {escape(partner.name)}` "
            "makes it active again."
        )


# --- /partner log -------------------------------------------------------------------------


@subcommand("log", "l")
def log_command(request: CommandRequest, rest: str) -> Reply | None:
    if not rest.strip():
        request.ack()
        zone = user_zone(request.services, request.client, request.team_id, request.user_id)
        draft = LogDraft(today=request.services.now().astimezone(zone).date())
        return open_log_modal(
            request.client, request.trigger_id, draft, LogMetadata(response_url=request.response_url)
        )
    with request.services.db.transaction() as session:
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
            occurred_at=request.services.now(),
            notes=notes,
            user_id=request.user_id,
            request_key=f"command:{request.trigger_id}" if request.trigger_id else None,
        )
        reply = logged_confirmation(logged.interaction, match.partner)
    changed(request.services, request.team_id)
    request.ack(reply)  # the confirmation first; the Home tab is published after it
    republish_home(request.client, request.services, request.team_id, request.user_id)
    return None


def open_log_modal(client: WebClient, trigger_id: str, draft: LogDraft, meta: LogMetadata) -> Reply | None:
    """Open the modal; if Slack's trigger window has closed, say so instead of failing silently."""
    return open_modal(client, trigger_id, log_modal(draft, meta))


# --- the modal's submission ---------------------------------------------------------------


def moment_for(day: date, *, zone: ZoneInfo, now: datetime) -> datetime:
    """Today means now; an earlier day means midday of that day in the person's time zone."""
    if day == now.astimezone(zone).date():
        return now
    return datetime.combine(day, time(12, 0), tzinfo=zone).astimezone(UTC)


def on_log_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    svc = services(context)
    meta = metadata.load(LogMetadata, view.get("private_metadata"))
    user_id = body["user"]["id"]
    team_id = context.team_id or ""
    zone = user_zone(svc, client, team_id, user_id)
    now = svc.now()
    today = now.astimezone(zone).date()

    form = Form(view)
    partner_id = form.record(Block.PARTNER, Action.PARTNER_SELECT, missing="Choose a partner from the list.")
    kind_value = form.choice(
        Block.KIND,
        Action.KIND_SELECT,
        allowed={k.value for k in InteractionKind},
        missing="Choose what kind of communication this was.",
    )
    kind = InteractionKind(kind_value) if kind_value else None
    day = form.date(Block.DATE, Action.DATE_PICK, today=today, missing="Choose the date it happened.")
    follow_up = form.date(Block.FOLLOW_UP, Action.FOLLOW_UP_PICK, today=today)
    notes = form.text(Block.NOTES, Action.NOTES_INPUT)
    if day is not None and day > today:
        form.error(Block.DATE, "That date is in the future: log communications once they've happened.")
    if follow_up and day and follow_up < day:
        form.error(Block.FOLLOW_UP, "The follow-up can't be before the communication itself.")
    if kind in NOTES_REQUIRED and not notes:
        form.error(Block.NOTES, f"Add a few words: a {kind.value if kind else 'note'} is its notes.")
    if form.errors:
        ack(response_action="errors", errors=form.errors)
        return

    assert kind is not None and day is not None and partner_id is not None
    with svc.db.transaction() as session:
        partner = partner_store.get_partner(session, team_id, partner_id)
        if partner is None or partner.status != PartnerStatus.ACTIVE.value:
            ack(
                response_action="errors",
                errors={Block.PARTNER.value: "That partner is archived or gone: choose another."},
            )
            return
        if meta.interaction_id is not None:
            reply = _save_edit(
                session,
                team_id,
                user_id,
                meta.interaction_id,
                partner,
                kind,
                day,
                notes,
                follow_up,
                zone,
                now,
            )
            if isinstance(reply, str):
                ack(response_action="errors", errors={Block.NOTES.value: reply})
                return
            interaction_id = None
        else:
            logged = interaction_store.log_interaction(
                session,
                team_id,
                partner_id=partner.id,
                kind=kind,
                occurred_at=moment_for(day, zone=zone, now=now),
                notes=notes,
                user_id=user_id,
                follow_up_on=follow_up,
                request_key=f"view:{view['id']}",
            )
            reply = logged_confirmation(logged.interaction, partner)
            interaction_id = logged.interaction.id if logged.created else None
    # Saved and committed: only now tell Slack the modal may close.
    ack()
    changed(svc, team_id)
    republish_home(client, svc, team_id, user_id)
    if interaction_id is not None and meta.channel_id and meta.message_ts:
        reply = _attach_permalink(svc, client, team_id, interaction_id, meta) or reply
    tell(client, user_id=user_id, reply=reply, response_url=meta.response_url)


def _save_edit(
    session: Any,
    team_id: str,
    user_id: str,
    interaction_id: int,
    partner: Partner,
    kind: InteractionKind,
    day: date,
    notes: str,
    follow_up: date | None,
    zone: ZoneInfo,
    now: datetime,
) -> Reply | str:
    interaction = interaction_store.get_interaction(session, team_id, interaction_id)
    if interaction is None:
        return "This communication was removed in the meantime, so there is nothing to edit."
    if interaction.user_id != user_id:
        return "Only the person who logged this communication can change it."
    # Keep the exact time when the day is unchanged, so ordering by time stays true.
    same_day = interaction.occurred_at.astimezone(zone).date() == day
    occurred_at = interaction.occurred_at if same_day else moment_for(day, zone=zone, now=now)
    interaction_store.update_interaction(
        session,
        interaction,
        partner_id=partner.id,
        kind=kind,
        occurred_at=occurred_at,
        notes=notes,
        follow_up_on=follow_up,
    )
    return logged_confirmation(interaction, partner, updated=True)


def _attach_permalink(
    svc: Services, client: WebClient, team_id: str, interaction_id: int, meta: LogMetadata
) -> Reply | None:
    """After the ack: remember a link to the message a shortcut was used on."""
    try:
        permalink = client.chat_getPermalink(channel=meta.channel_id, message_ts=meta.message_ts)["permalink"]
    except (SlackApiError, KeyError) as exc:
        log.warning("could not get the message's permalink: %s", exc)
        return None
    with svc.db.transaction() as session:
        interaction = interaction_store.get_interaction(session, team_id, interaction_id)
        if interaction is None:
            return None
        interaction.permalink = permalink
        return logged_confirmation(interaction, interaction.partner)


# --- type-ahead, shortcut, Edit and Undo ----------------------------------------------------


def on_partner_options(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    team_id = (body.get("team") or {}).get("id") or context.team_id
    with services(context).db.read() as session:
        found = partner_store.search_partners(session, team_id, body.get("value", ""), limit=100)
        ack(options=[partner_option(p) for p in found])


def on_log_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    svc = services(context)
    message = shortcut.get("message") or {}
    zone = user_zone(svc, client, context.team_id or "", shortcut["user"]["id"])
    draft = LogDraft(today=svc.now().astimezone(zone).date(), notes=message.get("text", ""))
    meta = LogMetadata(
        response_url=shortcut.get("response_url"),
        channel_id=(shortcut.get("channel") or {}).get("id"),
        message_ts=message.get("ts") or shortcut.get("message_ts"),
    )
    reply = open_log_modal(client, shortcut["trigger_id"], draft, meta)
    if reply is not None:
        tell(client, user_id=shortcut["user"]["id"], reply=reply, response_url=meta.response_url)


def _own_interaction(session: Any, body: dict[str, Any], context: BoltContext) -> Interaction:
    interaction_id = record_id(action_value(body))
    interaction = (
        interaction_store.get_interaction(session, context.team_id or "", interaction_id)
        if interaction_id is not None
        else None
    )
    if interaction is None:
        raise UserError("That communication has already been removed.")
    if interaction.user_id != body["user"]["id"]:
        raise UserError("Only the person who logged this communication can change it.")
    return interaction


def on_edit_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    svc = services(context)
    zone = user_zone(svc, client, context.team_id or "", body["user"]["id"])
    try:
        with svc.db.read() as session:
            interaction = _own_interaction(session, body, context)
            draft = LogDraft(
                today=svc.now().astimezone(zone).date(),
                partner=interaction.partner,
                kind=InteractionKind(interaction.kind),
                day=interaction.occurred_at.astimezone(zone).date(),
                notes=interaction.notes,
                follow_up_on=interaction.follow_up_on,
            )
            meta = LogMetadata(interaction_id=interaction.id, response_url=body.get("response_url"))
    except UserError as error:
        respond(text=error.message, response_type="ephemeral", replace_original=False)
        return
    reply = open_log_modal(client, body["trigger_id"], draft, meta)
    if reply is not None:
        respond(text=reply.text, response_type="ephemeral", replace_original=False)


def on_undo_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    try:
        with services(context).db.transaction() as session:
            interaction = _own_interaction(session, body, context)
            what = f"the {interaction.kind} with *{literal(interaction.partner.name)}*"
            interaction_store.delete_interaction(session, interaction.team_id, interaction.id)
        changed(services(context), interaction.team_id)
        republish_home(client, services(context), interaction.team_id, body["user"]["id"])
    except UserError as error:
        respond(text=error.message, response_type="ephemeral", replace_original=False)
        return
    respond(
        text=f"Removed {what}; it is no longer in the log.", response_type="ephemeral", replace_original=True
    )


def register(app: App) -> None:
    app.view(Callback.LOG_MODAL.value)(on_log_submitted)
    app.options(Action.PARTNER_SELECT.value)(on_partner_options)
    app.shortcut(Callback.LOG_SHORTCUT.value)(on_log_shortcut)
    app.action(Action.EDIT_LOGGED.value)(on_edit_clicked)
    app.action(Action.UNDO_LOGGED.value)(on_undo_clicked)
