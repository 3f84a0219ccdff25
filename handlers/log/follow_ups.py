"""The follow-up a logged communication promises (the form's "Follow up on" date, or ``follow up
<when>`` ending the notes), kept in step when the communication is edited or undone, and the open
follow-ups a log confirmation offers to mark done."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from handlers.shared.lines import kind_label
from handlers.shared.text import first_words
from storage import followups as follow_up_store
from storage.models import FollowUp, Interaction

OFFERED = 3  # open follow-ups with the partner a confirmation offers to close


def what_of(interaction: Interaction) -> str:
    """``Follow up on the call: pricing talk``: what the reminder will say to do."""
    kind = kind_label(interaction.kind).split(" (")[0].lower()
    words = first_words(interaction.notes, 200)
    return f"Follow up on the {kind}: {words}" if words else f"Follow up on the {kind}"


def promise(session: Session, interaction: Interaction, due_on: date | None) -> FollowUp | None:
    """The follow-up a new communication promises, owned by whoever logged it; once per request."""
    if due_on is None:
        return None
    return _added(session, interaction, due_on, request_key=f"interaction:{interaction.id}")


def _added(session: Session, interaction: Interaction, due_on: date, *, request_key: str | None) -> FollowUp:
    """A new open follow-up of ``interaction``, owned by whoever logged it."""
    follow_up, _ = follow_up_store.add_follow_up(
        session,
        interaction.team_id,
        partner_id=interaction.partner_id,
        owner=interaction.user_id,
        what=what_of(interaction),
        due_on=due_on,
        created_by=interaction.user_id,
        interaction_id=interaction.id,
        request_key=request_key,
    )
    return follow_up


def keep_in_step(session: Session, interaction: Interaction, due_on: date | None) -> FollowUp | None:
    """After an edit: the communication's open follow-up moves to the new date (to be reminded
    again then), is added when a date was added, and goes when the date was cleared."""
    current = follow_up_store.follow_up_of_interaction(session, interaction.team_id, interaction.id)
    if due_on is None:
        if current is not None:
            follow_up_store.remove_open_of_interaction(session, interaction.team_id, interaction.id)
        return None
    if current is None:
        # No request key: a follow-up removed by an earlier edit must not come back instead.
        return _added(session, interaction, due_on, request_key=None)
    current.due_on = due_on
    current.partner_id = interaction.partner_id
    current.what = what_of(interaction)
    session.flush()
    return current


def open_with_partner(
    session: Session, interaction: Interaction, *, besides: FollowUp | None
) -> list[FollowUp]:
    """The logger's other open follow-ups with this partner, earliest first: logging a
    communication is often what they were waiting for."""
    if interaction.user_id is None:
        return []
    found = follow_up_store.first_open(
        session,
        interaction.team_id,
        owner=interaction.user_id,
        partner_id=interaction.partner_id,
        limit=OFFERED + 1,
    )
    return [f for f in found if besides is None or f.id != besides.id][:OFFERED]
