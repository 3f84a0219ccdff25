"""Logging communications with partners and the questions asked about them, per workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from storage import rollups
from storage.models import Interaction, InteractionKind


@dataclass(frozen=True)
class Logged:
    interaction: Interaction
    created: bool  # False when this request was already logged (a Slack retry or replay)


def find_by_request(session: Session, team_id: str, request_key: str) -> Interaction | None:
    return session.scalar(
        select(Interaction).where(Interaction.team_id == team_id, Interaction.request_key == request_key)
    )


def log_interaction(
    session: Session,
    team_id: str,
    *,
    partner_id: int,
    kind: InteractionKind,
    occurred_at: datetime,
    notes: str,
    user_id: str | None,
    follow_up_on: date | None = None,
    permalink: str | None = None,
    request_key: str | None = None,
    project_id: int | None = None,
    rerun_on_conflict: bool = False,
) -> Logged:
    """Store one communication. The same ``request_key`` twice stores it once.

    ``rerun_on_conflict``: the caller runs this again in a new transaction when it fails
    (``Database.grouped``), so a concurrent replay that wins the race is found by the check below
    then; no savepoint (two round trips on PostgreSQL) is needed to survive the conflict here."""
    if request_key is not None:
        earlier = find_by_request(session, team_id, request_key)
        if earlier is not None:
            return Logged(earlier, created=False)
    interaction = Interaction(
        team_id=team_id,
        partner_id=partner_id,
        kind=InteractionKind(kind),
        occurred_at=occurred_at,
        notes=notes,
        user_id=user_id,
        follow_up_on=follow_up_on,
        permalink=permalink,
        request_key=request_key,
        project_id=project_id,
    )
    if rerun_on_conflict:
        session.add(interaction)
        session.flush()  # the id, for the confirmation's buttons
        return _counted(session, interaction)
    try:
        with session.begin_nested():
            session.add(interaction)
    except IntegrityError:
        # A concurrent replay of the same request won the race: report its record.
        earlier = find_by_request(session, team_id, request_key) if request_key else None
        if earlier is None:
            raise
        return Logged(earlier, created=False)
    return _counted(session, interaction)


def _counted(session: Session, interaction: Interaction) -> Logged:
    team_id, partner_id, occurred_at = interaction.team_id, interaction.partner_id, interaction.occurred_at
    rollups.counted(session, team_id, partner_id, interaction.kind, occurred_at, +1)
    rollups.newer_contact(session, team_id, partner_id, occurred_at)
    return Logged(interaction, created=True)


def get_interaction(session: Session, team_id: str, interaction_id: int) -> Interaction | None:
    return session.scalar(
        select(Interaction).where(Interaction.team_id == team_id, Interaction.id == interaction_id)
    )


def update_interaction(
    session: Session,
    interaction: Interaction,
    *,
    partner_id: int,
    kind: InteractionKind,
    occurred_at: datetime,
    notes: str,
    follow_up_on: date | None,
    project_id: int | None = None,
) -> Interaction:
    before = (interaction.partner_id, interaction.kind, interaction.occurred_at)
    after = (partner_id, InteractionKind(kind), occurred_at)
    if before != after:
        # The communication moves between roll-up days (or kinds, or partners).
        rollups.counted(session, interaction.team_id, *before, -1)
        rollups.counted(session, interaction.team_id, *after, +1)
    interaction.partner_id = partner_id
    interaction.project_id = project_id
    interaction.kind = InteractionKind(kind)
    interaction.occurred_at = occurred_at
    interaction.notes = notes
    interaction.follow_up_on = follow_up_on
    session.flush()
    if before != after:
        rollups.recount_contact(session, interaction.team_id, {before[0], partner_id})
    return interaction


def set_permalink(session: Session, team_id: str, interaction_id: int, permalink: str) -> Interaction | None:
    """Remember the link to the Slack message a communication was logged from."""
    interaction = get_interaction(session, team_id, interaction_id)
    if interaction is not None:
        interaction.permalink = permalink
        session.flush()
    return interaction


def delete_interaction(session: Session, team_id: str, interaction_id: int) -> bool:
    # Through the unit of work, so the audit trail records what was removed.
    interaction = get_interaction(session, team_id, interaction_id)
    if interaction is None:
        return False
    partner_id, kind, occurred_at = interaction.partner_id, interaction.kind, interaction.occurred_at
    session.delete(interaction)
    session.flush()
    rollups.counted(session, team_id, partner_id, kind, occurred_at, -1)
    rollups.recount_contact(session, team_id, [partner_id])
    return True


def recent_interactions(
    session: Session, team_id: str, partner_id: int, *, limit: int = 5
) -> list[Interaction]:
    return list(
        session.scalars(
            select(Interaction)
            .where(Interaction.team_id == team_id, Interaction.partner_id == partner_id)
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(limit)
        )
    )


def recent_by_user(session: Session, team_id: str, user_id: str, *, limit: int = 5) -> list[Interaction]:
    """The communications ``user_id`` logged most recently, with their partners
    (ix_interaction_team_user_time)."""
    return list(
        session.scalars(
            select(Interaction)
            .options(joinedload(Interaction.partner))
            .where(Interaction.team_id == team_id, Interaction.user_id == user_id)
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class ContactSummary:
    """How often we talked to a partner recently, by kind, and when last."""

    last_contact: datetime | None
    last_30_days: dict[str, int]
    last_90_days: dict[str, int]

    @property
    def total_30(self) -> int:
        return sum(self.last_30_days.values())

    @property
    def total_90(self) -> int:
        return sum(self.last_90_days.values())


def contact_summary(session: Session, team_id: str, partner_id: int, *, now: datetime) -> ContactSummary:
    """Counts per kind over 30 and 90 days plus the last contact, in one grouped query."""
    since_30 = now - timedelta(days=30)
    since_90 = now - timedelta(days=90)
    rows = session.execute(
        select(
            Interaction.kind,
            func.sum(case((Interaction.occurred_at >= since_30, 1), else_=0)),
            func.sum(case((Interaction.occurred_at >= since_90, 1), else_=0)),
        )
        .where(Interaction.team_id == team_id, Interaction.partner_id == partner_id)
        .group_by(Interaction.kind)
    ).all()
    last = session.scalar(
        select(func.max(Interaction.occurred_at)).where(
            Interaction.team_id == team_id, Interaction.partner_id == partner_id
        )
    )
    return ContactSummary(
        last_contact=last,
        last_30_days={kind: int(n30) for kind, n30, _ in rows if n30},
        last_90_days={kind: int(n90) for kind, _, n90 in rows if n90},
    )
