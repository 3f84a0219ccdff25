"""Follow-ups: what a person promised to do with a partner by a date, per workspace, and the
claims that make each reminder go out exactly once across processes (the reminder job asks
across workspaces; everything else within one)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from storage import audit
from storage.models import FollowUp, FollowUpStatus, Interaction
from storage.once import add_once
from storage.slack_ids import FORMER_USER

# Longest a reminder may stay claimed by a process that then went silent (died mid-send): after
# it, another process takes the reminder over, so none is lost.
CLAIM_LEASE = timedelta(minutes=5)
WHAT_LIMIT = 500


class FollowUpDone(Exception):
    """The follow-up is done already; carries when and by whom, for the person's message."""

    def __init__(self, follow_up: FollowUp) -> None:
        super().__init__(follow_up.id)
        self.follow_up = follow_up
        self.done_on = follow_up.done_on
        self.done_by = follow_up.done_by


def add_follow_up(
    session: Session,
    team_id: str,
    *,
    partner_id: int,
    owner: str | None,
    what: str,
    due_on: date,
    created_by: str | None,
    interaction_id: int | None = None,
    request_key: str | None = None,
) -> tuple[FollowUp, bool]:
    """A new open follow-up; (follow-up, created). The same ``request_key`` twice adds it once."""
    follow_up = FollowUp(
        team_id=team_id,
        partner_id=partner_id,
        owner=owner,
        what=what[:WHAT_LIMIT],
        due_on=due_on,
        status=FollowUpStatus.OPEN,
        snoozes=0,
        interaction_id=interaction_id,
        created_by=created_by,
        request_key=request_key,
    )
    return add_once(session, follow_up)


def get_follow_up(session: Session, team_id: str, follow_up_id: int) -> FollowUp | None:
    return session.scalar(
        select(FollowUp)
        .options(joinedload(FollowUp.partner))
        .where(FollowUp.team_id == team_id, FollowUp.id == follow_up_id)
    )


def mark_done(session: Session, follow_up: FollowUp, *, on: date, by: str | None) -> FollowUp:
    """Close an open follow-up; a done one raises FollowUpDone (saying when and by whom)."""
    if not follow_up.is_open:
        raise FollowUpDone(follow_up)
    follow_up.status = FollowUpStatus.DONE
    follow_up.done_on = on
    follow_up.done_by = by
    session.flush()
    return follow_up


def snooze(session: Session, follow_up: FollowUp, *, days: int, today: date) -> FollowUp:
    """Move an open follow-up ``days`` past today (or past its date, when that is later). Its
    reminder goes out again on the new date."""
    if not follow_up.is_open:
        raise FollowUpDone(follow_up)
    follow_up.due_on = max(follow_up.due_on, today) + timedelta(days=days)
    follow_up.snoozes += 1
    follow_up.reminder_claimed_at = None
    session.flush()
    return follow_up


def follow_up_of_interaction(session: Session, team_id: str, interaction_id: int) -> FollowUp | None:
    """The open follow-up promised in a communication, if any."""
    return session.scalar(
        select(FollowUp).where(
            FollowUp.team_id == team_id,
            FollowUp.interaction_id == interaction_id,
            FollowUp.status == FollowUpStatus.OPEN,
        )
    )


def remove_open_of_interaction(session: Session, team_id: str, interaction_id: int) -> int:
    """Forget the open follow-ups a communication promised (the communication is being undone)."""
    # Through the unit of work, so the audit trail records each one removed.
    promised = session.scalars(
        select(FollowUp).where(
            FollowUp.team_id == team_id,
            FollowUp.interaction_id == interaction_id,
            FollowUp.status == FollowUpStatus.OPEN,
        )
    ).all()
    for follow_up in promised:
        session.delete(follow_up)
    session.flush()
    return len(promised)


# --- lists -----------------------------------------------------------------------------------------


def follow_ups(
    session: Session,
    team_id: str,
    *,
    owner: str | None = None,
    partner_id: int | None = None,
    due_before: date | None = None,
    limit: int = 50,
) -> tuple[list[FollowUp], int]:
    """Open follow-ups, earliest date first (then oldest); (the first ``limit``, how many in all).
    ``due_before`` keeps the overdue ones: due before that day."""
    conditions = [FollowUp.team_id == team_id, FollowUp.status == FollowUpStatus.OPEN]
    if owner is not None:
        conditions.append(FollowUp.owner == owner)
    if partner_id is not None:
        conditions.append(FollowUp.partner_id == partner_id)
    if due_before is not None:
        conditions.append(FollowUp.due_on < due_before)
    total = session.scalar(select(func.count()).select_from(FollowUp).where(*conditions)) or 0
    found = session.scalars(
        select(FollowUp)
        .options(joinedload(FollowUp.partner))
        .where(*conditions)
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(limit)
    ).all()
    return list(found), int(total)


def first_open(session: Session, team_id: str, *, owner: str, partner_id: int, limit: int) -> list[FollowUp]:
    """``owner``'s open follow-ups with one partner, earliest date first: one query, no count
    (a log's confirmation offers them, on the acknowledgement's hot path)."""
    return list(
        session.scalars(
            select(FollowUp)
            .options(joinedload(FollowUp.partner))
            .where(
                FollowUp.team_id == team_id,
                FollowUp.status == FollowUpStatus.OPEN,
                FollowUp.owner == owner,
                FollowUp.partner_id == partner_id,
            )
            .order_by(FollowUp.due_on, FollowUp.id)
            .limit(limit)
        )
    )


def overdue_by_partner(session: Session, team_id: str, *, today: date) -> dict[int, tuple[int, date]]:
    """partner_id → (open follow-ups due before today, the earliest date), for needs-attention."""
    rows = session.execute(
        select(FollowUp.partner_id, func.count(), func.min(FollowUp.due_on))
        .where(
            FollowUp.team_id == team_id,
            FollowUp.status == FollowUpStatus.OPEN,
            FollowUp.due_on < today,
        )
        .group_by(FollowUp.partner_id)
    ).all()
    return {partner_id: (int(count), earliest) for partner_id, count, earliest in rows}


# --- reminders: exactly once, whichever process gets there first --------------------------------


@dataclass(frozen=True)
class ReminderCandidate:
    id: int
    team_id: str
    owner: str
    due_on: date


def _unreminded(now: datetime, lease: timedelta) -> list:
    return [
        FollowUp.status == FollowUpStatus.OPEN,
        FollowUp.owner.is_not(None),
        FollowUp.owner != FORMER_USER,  # a forgotten person is reminded of nothing
        or_(FollowUp.reminded_for.is_(None), FollowUp.reminded_for < FollowUp.due_on),
        or_(FollowUp.reminder_claimed_at.is_(None), FollowUp.reminder_claimed_at < now - lease),
    ]


def reminder_candidates(
    session: Session,
    *,
    through: date,
    now: datetime,
    lease: timedelta = CLAIM_LEASE,
    team_ids: Sequence[str] | None = None,
) -> list[ReminderCandidate]:
    """Open follow-ups due on or before ``through`` whose reminder for their current date has not
    gone out and is not being sent: of every workspace, or of ``team_ids`` only."""
    conditions = [FollowUp.due_on <= through, *_unreminded(now, lease)]
    if team_ids is not None:
        conditions.append(FollowUp.team_id.in_(list(team_ids)))
    rows = session.execute(
        select(FollowUp.id, FollowUp.team_id, FollowUp.owner, FollowUp.due_on)
        .where(*conditions)
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    return [ReminderCandidate(*row) for row in rows]


def claim_reminders(
    session: Session, ids: Sequence[int], *, now: datetime, lease: timedelta = CLAIM_LEASE
) -> list[int]:
    """Claim these reminders for this process; the ids it got. One UPDATE: of two processes
    claiming the same follow-up, the database lets exactly one see it unclaimed."""
    if not ids:
        return []
    claimed = session.scalars(
        update(FollowUp)
        .where(FollowUp.id.in_(ids), *_unreminded(now, lease))
        .values(reminder_claimed_at=now)
        .returning(FollowUp.id)
        .execution_options(synchronize_session=False, **audit.BOOKKEEPING)
    ).all()
    return sorted(claimed)


def claimed_follow_ups(session: Session, ids: Iterable[int]) -> list[FollowUp]:
    """The claimed follow-ups with their partners, to write the reminders."""
    return list(
        session.scalars(
            select(FollowUp)
            .options(joinedload(FollowUp.partner))
            .where(FollowUp.id.in_(list(ids)))
            .order_by(FollowUp.due_on, FollowUp.id)
        ).all()
    )


@dataclass(frozen=True)
class Reminded:
    """A reminder that went out: for which date, under which claim, as which message."""

    follow_up_id: int
    due_on: date
    claimed_at: datetime
    channel: str | None
    ts: str | None


def record_reminded(session: Session, reminded: Sequence[Reminded]) -> int:
    """These reminders went out: never again for their dates. One statement for them all; returns
    how many claims still held (a claim lost in the meantime — the lease ran out and another
    process took over — records nothing)."""
    if not reminded:
        return 0
    table = FollowUp.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.reminder_claimed_at == bindparam("b_claimed"))
        .values(
            reminded_for=bindparam("b_due"),
            reminder_claimed_at=None,
            reminder_channel=bindparam("b_channel"),
            reminder_ts=bindparam("b_ts"),
        )
        .execution_options(**audit.BOOKKEEPING)
    )
    rows = [
        {
            "b_id": r.follow_up_id,
            "b_claimed": r.claimed_at,
            "b_due": r.due_on,
            "b_channel": r.channel,
            "b_ts": r.ts,
        }
        for r in reminded
    ]
    result = session.execute(statement, rows)
    return result.rowcount if result.rowcount is not None and result.rowcount >= 0 else len(rows)


def release_claim(session: Session, follow_up_id: int, *, claimed_at: datetime) -> None:
    """Give a claim back (Slack asked us to slow down): the next round tries again."""
    session.execute(
        update(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.reminder_claimed_at == claimed_at)
        .values(reminder_claimed_at=None)
        .execution_options(synchronize_session=False, **audit.BOOKKEEPING)
    )


def last_communications(session: Session, team_id: str, partner_ids: Iterable[int]) -> dict[int, Interaction]:
    """partner_id → its latest communication, for the partners named (one query)."""
    ids = sorted(set(partner_ids))
    if not ids:
        return {}
    latest = (
        select(Interaction.partner_id, func.max(Interaction.occurred_at).label("at"))
        .where(Interaction.team_id == team_id, Interaction.partner_id.in_(ids))
        .group_by(Interaction.partner_id)
        .subquery()
    )
    rows = session.scalars(
        select(Interaction)
        .join(
            latest,
            and_(Interaction.partner_id == latest.c.partner_id, Interaction.occurred_at == latest.c.at),
        )
        .where(Interaction.team_id == team_id)
        .order_by(Interaction.id)
    ).all()
    return {row.partner_id: row for row in rows}
