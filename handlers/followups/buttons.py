"""Done, Snooze 1 day and Snooze 1 week: on a reminder, a confirmation, a list, a log's
confirmation or the Home tab. On a message the answer replaces it (its buttons no longer apply);
from the Home tab the tab is republished through the change notice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from handlers.followups.views import already_done, done_reply, snoozed_reply
from handlers.shared.deps import deps_of, user_zone, workspace
from handlers.shared.errors import UserError
from handlers.shared.parsing import action_value, record_id
from handlers.shared.permissions import Act, person, require
from handlers.shared.replies import Reply
from storage import followups as follow_up_store
from storage.followups import FollowUpDone
from storage.models import FollowUp

NO_SUCH = "There is no such follow-up."


def _answer(body: dict[str, Any], respond: Respond, reply: Reply | str) -> None:
    """Replace the message whose button was used; in the Home tab there is none to replace."""
    if (body.get("container") or {}).get("type") == "view" or not body.get("response_url"):
        return
    if isinstance(reply, str):
        reply = Reply(reply)
    respond(**reply.as_ack(), replace_original=True)


def _change(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    change: Callable[[Any, FollowUp, date], Reply],
) -> None:
    ack()
    deps, team_id, user_id = deps_of(context), workspace(context), body["user"]["id"]
    today = deps.now().astimezone(user_zone(deps, client, team_id, user_id)).date()
    follow_up_id = record_id(action_value(body))
    with deps.db.transaction(actor=user_id) as session:
        follow_up = follow_up_store.get_follow_up(session, team_id, follow_up_id) if follow_up_id else None
        if follow_up is None:
            raise UserError(NO_SUCH)
        for_whom = follow_up.owner or follow_up.created_by
        require(
            person(body, client, context),
            Act.CHANGE_FOLLOW_UP,
            follow_up.partner,
            creator=for_whom,
            session=session,
        )
        try:
            reply: Reply | str = change(session, follow_up, today)
        except FollowUpDone as done:
            reply = already_done(done.follow_up)
    deps.changes.data_changed(team_id, user_id)
    _answer(body, respond, reply)


def on_done_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    user_id = body["user"]["id"]

    def done(session: Any, follow_up: FollowUp, today: date) -> Reply:
        follow_up_store.mark_done(session, follow_up, on=today, by=user_id)
        return done_reply(follow_up)

    _change(ack, body, client, context, respond, done)


def _snooze_clicked(days: int) -> Callable[..., None]:
    def on_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        def snooze(session: Any, follow_up: FollowUp, today: date) -> Reply:
            follow_up_store.snooze(session, follow_up, days=days, today=today)
            return snoozed_reply(follow_up, today=today)

        _change(ack, body, client, context, respond, snooze)

    on_clicked.__name__ = f"on_snooze_{days}_days_clicked"
    return on_clicked


on_snooze_day_clicked = _snooze_clicked(1)
on_snooze_week_clicked = _snooze_clicked(7)
