"""What partners need from us, always within one workspace: recording a need, closing it as met or
declined, the ranked lists and the numbers the workspace's summary is made of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from storage.models import (
    Need,
    NeedDifficulty,
    NeedPriority,
    NeedStatus,
    NeedType,
    Partner,
    PartnerStatus,
)
from storage.once import add_once


class NeedClosed(Exception):
    """The need is closed already: ``need`` says how, when and by whom, for the person's message."""

    def __init__(self, need: Need) -> None:
        super().__init__(f"need #{need.id} is {need.status} already")
        self.need = need


def add_need(
    session: Session,
    team_id: str,
    *,
    partner_id: int,
    type: NeedType,
    description: str,
    raised_on: date,
    created_by: str | None,
    priority: NeedPriority = NeedPriority.MEDIUM,
    difficulty: NeedDifficulty = NeedDifficulty.MEDIUM,
    request_key: str | None = None,
) -> tuple[Need, bool]:
    """A new open need of one of the workspace's partners; (need, created)."""
    need = Need(
        team_id=team_id,
        partner_id=partner_id,
        type=type,
        priority=priority,
        difficulty=difficulty,
        description=description,
        status=NeedStatus.OPEN,
        raised_on=raised_on,
        close_notes="",
        created_by=created_by,
        request_key=request_key,
    )
    return add_once(session, need)


def get_need(session: Session, team_id: str, need_id: int) -> Need | None:
    return session.scalar(
        select(Need).options(joinedload(Need.partner)).where(Need.team_id == team_id, Need.id == need_id)
    )


def close_need(
    session: Session, need: Need, status: NeedStatus, *, on: date, by: str | None, notes: str = ""
) -> Need:
    """Close a need as met or declined; NeedClosed when it is closed already."""
    if not status.closed:
        raise ValueError(f"{status} does not close a need")
    if need.status.closed:
        raise NeedClosed(need)
    need.status = status
    need.closed_on = on
    need.closed_by = by
    need.close_notes = notes
    session.flush()
    return need


def _rank(column: Any, members: type[NeedPriority] | type[NeedDifficulty]) -> Any:
    """0, 1, 2 … in the order the enum declares its members (high first, easy first)."""
    return case({member.value: position for position, member in enumerate(members)}, value=column)


# The seeds' ranking: priority (high first), then difficulty (easy first), then age (oldest first);
# the id settles ties, so both databases list the same needs in the same order.
RANKED = (_rank(Need.priority, NeedPriority), _rank(Need.difficulty, NeedDifficulty), Need.raised_on, Need.id)


def needs(
    session: Session,
    team_id: str,
    *,
    partner_id: int | None = None,
    include_closed: bool = False,
    limit: int = 50,
) -> tuple[list[Need], int]:
    """The open needs of one partner, or of the workspace's active partners, ranked (RANKED); with
    ``include_closed``, the closed ones after them, latest first. At most ``limit``, and how many
    there are in all."""
    conditions: list[Any] = [Need.team_id == team_id]
    if partner_id is not None:
        conditions.append(Need.partner_id == partner_id)
    else:  # an archived partner's needs are no longer the programme's
        conditions.append(Need.partner_id.in_(_active_partners(team_id)))
    if not include_closed:
        conditions.append(Need.status == NeedStatus.OPEN)
    total = session.scalar(select(func.count()).select_from(Need).where(*conditions)) or 0
    is_closed = case((Need.status == NeedStatus.OPEN, 0), else_=1)
    # Open needs have no closed_on; for the closed ones (after the open), the latest first.
    latest_closed = case((Need.status == NeedStatus.OPEN, None), else_=Need.closed_on)
    found = session.scalars(
        select(Need)
        .options(joinedload(Need.partner))
        .where(*conditions)
        .order_by(is_closed, latest_closed.desc().nulls_last(), *RANKED)
        .limit(limit)
    )
    return list(found), int(total)


def _active_partners(team_id: str) -> Any:
    return select(Partner.id).where(Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)


# --- the workspace's summary ---------------------------------------------------------------------


@dataclass(frozen=True)
class TierNeeds:
    """How many open needs of one type the active partners of one tier have."""

    tier: str | None
    type: NeedType
    count: int


def open_by_tier_and_type(session: Session, team_id: str) -> list[TierNeeds]:
    """Open needs of the active partners, counted per tier and type (the summary adds tiers up)."""
    rows = session.execute(
        select(Partner.tier, Need.type, func.count())
        .join(Partner, Partner.id == Need.partner_id)
        .where(
            Need.team_id == team_id,
            Need.status == NeedStatus.OPEN,
            Partner.team_id == team_id,
            Partner.status == PartnerStatus.ACTIVE,
        )
        .group_by(Partner.tier, Need.type)
    ).all()
    return [TierNeeds(tier, NeedType(kind), int(count)) for tier, kind, count in rows]


@dataclass(frozen=True)
class ClosedNeeds:
    """The active partners' needs closed in a period: how many were declined, and for each one met,
    how many days it took from raised to met."""

    declined: int
    days_to_meet: list[int]

    @property
    def met(self) -> int:
        return len(self.days_to_meet)


def closed_between(session: Session, team_id: str, *, since: date, until: date) -> ClosedNeeds:
    """Needs of the active partners closed from ``since`` to ``until`` (both included)."""
    rows = session.execute(
        select(Need.status, Need.raised_on, Need.closed_on).where(
            Need.team_id == team_id,
            Need.status.in_((NeedStatus.MET, NeedStatus.DECLINED)),
            Need.closed_on >= since,
            Need.closed_on <= until,
            Need.partner_id.in_(_active_partners(team_id)),
        )
    ).all()
    met = [max((closed_on - raised_on).days, 0) for status, raised_on, closed_on in rows if status == "met"]
    return ClosedNeeds(declined=len(rows) - len(met), days_to_meet=sorted(met))
