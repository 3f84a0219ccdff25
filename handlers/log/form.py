"""The log form: opened by ``/partner log``, the "Log to partner" message shortcut and the Home
tab's "Log communication" button; its submission logs a communication or saves an edit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.log.follow_ups import keep_in_step, open_with_partner, promise
from handlers.log.views import LogDraft, LogMetadata, log_modal, logged_confirmation
from handlers.shared import metadata
from handlers.shared.communications import NOTES_REQUIRED
from handlers.shared.deps import Deps, deps_of, user_zone, workspace
from handlers.shared.errors import UserError
from handlers.shared.form import Form
from handlers.shared.ids import Action, Block, ProjectIds
from handlers.shared.modals import open_modal
from handlers.shared.notify import tell
from handlers.shared.parsing import action_value, record_id
from handlers.shared.partner_names import partner_project
from handlers.shared.partner_picker import PICK_ANOTHER, active_partner
from handlers.shared.permissions import Act, Person, form_text, person, require
from handlers.shared.replies import Reply
from storage import followups as follow_up_store
from storage import interactions as interaction_store
from storage import partners as partner_store
from storage.models import InteractionKind, Partner

log = logging.getLogger(__name__)


def open_log_form(client: WebClient, trigger_id: str, draft: LogDraft, meta: LogMetadata) -> Reply | None:
    """Open the form; if Slack's trigger window has closed, the message to show instead."""
    return open_modal(client, trigger_id, log_modal(draft, meta))


def moment_for(day: date, *, zone: ZoneInfo, now: datetime) -> datetime:
    """Today means now; an earlier day means midday of that day in the person's time zone."""
    if day == now.astimezone(zone).date():
        return now
    return datetime.combine(day, time(12, 0), tzinfo=zone).astimezone(UTC)


def on_log_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = deps_of(context)
    meta = metadata.load(LogMetadata, view.get("private_metadata"))
    user_id = body["user"]["id"]
    team_id = workspace(context)
    zone = user_zone(deps, client, team_id, user_id)
    now = deps.now()
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
    project_text = form.number(ProjectIds.LOG_PROJECT_BLOCK, ProjectIds.LOG_PROJECT_INPUT)
    if day is not None and day > today:
        form.error(Block.DATE, "That date is in the future: log communications once they've happened.")
    if follow_up and day and follow_up < day:
        form.error(Block.FOLLOW_UP, "The follow-up can't be before the communication itself.")
    elif follow_up is not None and meta.interaction_id is None and follow_up < today:
        form.error(Block.FOLLOW_UP, "That date is in the past: pick today or a later day to be reminded.")
    if kind in NOTES_REQUIRED and not notes:
        form.error(Block.NOTES, f"Add a few words: a {kind.value if kind else 'note'} is its notes.")
    if form.errors:
        ack(response_action="errors", errors=form.errors)
        return

    assert kind is not None and day is not None and partner_id is not None
    with deps.db.transaction(actor=user_id) as session:
        partner = active_partner(session, team_id, partner_id)
        if partner is None:
            ack(response_action="errors", errors=PICK_ANOTHER)
            return
        try:
            project = partner_project(session, team_id, partner, project_text)
        except UserError as error:
            ack(response_action="errors", errors={ProjectIds.LOG_PROJECT_BLOCK.value: error.message[:150]})
            return
        entry = LogEntry(kind, day, notes, follow_up, project.id if project else None)
        who = person(body, client, context)
        if meta.interaction_id is not None:
            reply = _save_edit(session, who, meta.interaction_id, partner, entry, zone, now)
            if isinstance(reply, str):
                ack(response_action="errors", errors={Block.NOTES.value: reply})
                return
            interaction_id = None
        else:
            try:
                require(who, Act.LOG, partner, session=session)
            except UserError as error:
                ack(response_action="errors", errors={Block.PARTNER.value: form_text(error.message)})
                return
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
                project_id=entry.project_id,
            )
            promised = promise(session, logged.interaction, follow_up)
            offered = open_with_partner(session, logged.interaction, besides=promised)
            reply = logged_confirmation(
                logged.interaction, partner, follow_up=promised, offered=offered, today=today
            )
            interaction_id = logged.interaction.id if logged.created else None
    # Saved and committed: only now tell Slack the modal may close.
    ack()
    deps.changes.data_changed(team_id, user_id)
    if interaction_id is not None and meta.channel_id and meta.message_ts:
        reply = _attach_permalink(deps, client, team_id, user_id, interaction_id, meta, today) or reply
    tell(client, user_id=user_id, reply=reply, response_url=meta.response_url)


@dataclass(frozen=True)
class LogEntry:
    """What the log form says happened, once checked."""

    kind: InteractionKind
    day: date
    notes: str
    follow_up: date | None
    project_id: int | None


def _save_edit(
    session: Any,
    who: Person,
    interaction_id: int,
    partner: Partner,
    entry: LogEntry,
    zone: ZoneInfo,
    now: datetime,
) -> Reply | str:
    interaction = interaction_store.get_interaction(session, who.team_id, interaction_id)
    if interaction is None:
        return "This communication was removed in the meantime, so there is nothing to edit."
    try:  # against the partner it is logged with now, before it moves anywhere
        require(
            who, Act.CHANGE_COMMUNICATION, interaction.partner, creator=interaction.user_id, session=session
        )
    except UserError as error:
        return form_text(error.message)
    # Keep the exact time when the day is unchanged, so ordering by time stays true.
    same_day = interaction.occurred_at.astimezone(zone).date() == entry.day
    occurred_at = interaction.occurred_at if same_day else moment_for(entry.day, zone=zone, now=now)
    interaction_store.update_interaction(
        session,
        interaction,
        partner_id=partner.id,
        kind=entry.kind,
        occurred_at=occurred_at,
        notes=entry.notes,
        follow_up_on=entry.follow_up,
        project_id=entry.project_id,
    )
    follow_up = keep_in_step(session, interaction, entry.follow_up)
    today = now.astimezone(zone).date()
    return logged_confirmation(interaction, partner, updated=True, follow_up=follow_up, today=today)


def _attach_permalink(
    deps: Deps,
    client: WebClient,
    team_id: str,
    user_id: str,
    interaction_id: int,
    meta: LogMetadata,
    today: date,
) -> Reply | None:
    """After the ack: remember a link to the message a shortcut was used on."""
    try:
        permalink = client.chat_getPermalink(channel=meta.channel_id, message_ts=meta.message_ts)["permalink"]
    except (SlackApiError, KeyError) as exc:
        log.warning("could not get the message's permalink: %s", exc)
        return None
    with deps.db.transaction(actor=user_id) as session:
        interaction = interaction_store.set_permalink(session, team_id, interaction_id, permalink)
        if interaction is None:
            return None
        follow_up = follow_up_store.follow_up_of_interaction(session, team_id, interaction_id)
        return logged_confirmation(interaction, interaction.partner, follow_up=follow_up, today=today)


def on_log_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    deps = deps_of(context)
    message = shortcut.get("message") or {}
    zone = user_zone(deps, client, workspace(context), shortcut["user"]["id"])
    draft = LogDraft(today=deps.now().astimezone(zone).date(), notes=message.get("text", ""))
    meta = LogMetadata(
        response_url=shortcut.get("response_url"),
        channel_id=(shortcut.get("channel") or {}).get("id"),
        message_ts=message.get("ts") or shortcut.get("message_ts"),
    )
    reply = open_log_form(client, shortcut["trigger_id"], draft, meta)
    if reply is not None:
        tell(client, user_id=shortcut["user"]["id"], reply=reply, response_url=meta.response_url)


def on_home_log_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The Home tab's "Log communication" button: the same form, with no response_url to answer
    through (the confirmation comes as a direct message)."""
    ack()
    deps, user_id = deps_of(context), body["user"]["id"]
    zone = user_zone(deps, client, workspace(context), user_id)
    draft = LogDraft(today=deps.now().astimezone(zone).date())
    reply = open_log_form(client, body["trigger_id"], draft, LogMetadata())
    if reply is not None:
        tell(client, user_id=user_id, reply=reply)


def on_follow_up_log_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A reminder's "Log communication": the form, filled with the follow-up's partner. The
    confirmation then offers to mark the follow-up done."""
    ack()
    deps, team_id, user_id = deps_of(context), workspace(context), body["user"]["id"]
    follow_up_id = record_id(action_value(body))
    with deps.db.read() as session:
        follow_up = follow_up_store.get_follow_up(session, team_id, follow_up_id) if follow_up_id else None
        if follow_up is None:
            raise UserError("There is no such follow-up.")
        partner = follow_up.partner
    zone = user_zone(deps, client, team_id, user_id)
    draft = LogDraft(today=deps.now().astimezone(zone).date(), partner=partner)
    reply = open_log_form(client, body["trigger_id"], draft, LogMetadata(response_url=None))
    if reply is not None:
        tell(client, user_id=user_id, reply=reply)


def on_alert_log_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A drop alert's "Log communication": the form, filled with the alert's partner."""
    ack()
    deps, team_id, user_id = deps_of(context), workspace(context), body["user"]["id"]
    partner_id = record_id(action_value(body))
    with deps.db.read() as session:
        partner = partner_store.get_partner(session, team_id, partner_id) if partner_id else None
        if partner is None:
            raise UserError("That partner is no longer in this workspace.")
    zone = user_zone(deps, client, team_id, user_id)
    draft = LogDraft(today=deps.now().astimezone(zone).date(), partner=partner)
    reply = open_log_form(client, body["trigger_id"], draft, LogMetadata(response_url=None))
    if reply is not None:
        tell(client, user_id=user_id, reply=reply)
