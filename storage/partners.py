"""Questions and changes about partner records, always within one workspace (``team_id``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz, process, utils
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Partner, PartnerStatus
from storage.names import name_key, normalise_name

NAME_MAX_LENGTH = 200
# Fields a partner manager may set with /partner add and the edit modal.
PROFILE_FIELDS = ("tier", "region", "category", "owner", "revenue", "cost")


class PartnerExists(Exception):
    """The name is taken. Carries plain values: the session may be rolled back by the time it is read."""

    def __init__(self, existing: Partner) -> None:
        super().__init__(existing.name)
        self.name = existing.name
        self.partner_id = existing.id


@dataclass(frozen=True)
class NameMatch:
    partner: Partner
    rest: str  # the text after the partner's name, as typed


def get_partner(session: Session, team_id: str, partner_id: int) -> Partner | None:
    return session.scalar(select(Partner).where(Partner.team_id == team_id, Partner.id == partner_id))


def get_partner_by_name(session: Session, team_id: str, name: str) -> Partner | None:
    return session.scalar(
        select(Partner).where(Partner.team_id == team_id, Partner.name_key == name_key(name))
    )


def match_partner_at_start(session: Session, team_id: str, cuts: list[tuple[str, str]]) -> NameMatch | None:
    """The partner whose name is the longest of the given word prefixes (case-insensitive).

    ``cuts`` are (prefix, rest) pairs from ``handlers.parsing.word_prefixes``; one indexed query.
    """
    if not cuts:
        return None
    by_key = {name_key(prefix): rest for prefix, rest in cuts}
    partners = session.scalars(
        select(Partner).where(Partner.team_id == team_id, Partner.name_key.in_(list(by_key)))
    ).all()
    if not partners:
        return None
    best = max(partners, key=lambda p: len(p.name_key))
    return NameMatch(best, by_key[best.name_key])


def suggest_names(session: Session, team_id: str, typed: str, *, limit: int = 3) -> list[str]:
    """The partner names closest to what was typed, best first (for "did you mean …?")."""
    names = session.scalars(
        select(Partner.name).where(Partner.team_id == team_id).order_by(Partner.name)
    ).all()
    if not names or not typed.strip():
        return []
    found = process.extract(
        typed, names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit, score_cutoff=60
    )
    return [name for name, _score, _index in found]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_partners(
    session: Session, team_id: str, typed: str, *, limit: int = 100, include_archived: bool = False
) -> list[Partner]:
    """Type-ahead: names starting with what was typed first, then names containing it."""
    key = name_key(typed)
    base = select(Partner).where(Partner.team_id == team_id)
    if not include_archived:
        base = base.where(Partner.status == PartnerStatus.ACTIVE)
    if not key:
        return list(session.scalars(base.order_by(Partner.name_key).limit(limit)))
    pattern = _like_escape(key)
    starts = Partner.name_key.like(pattern + "%", escape="\\")
    contains = Partner.name_key.like("%" + pattern + "%", escape="\\")
    query = (
        base.where(or_(starts, contains)).order_by(case((starts, 0), else_=1), Partner.name_key).limit(limit)
    )
    return list(session.scalars(query))


def add_partner(
    session: Session,
    team_id: str,
    name: str,
    *,
    tier: str | None = None,
    region: str | None = None,
    category: str | None = None,
    owner: str | None = None,
    revenue: Decimal | None = None,
    cost: Decimal | None = None,
) -> Partner:
    """Create a partner; raise PartnerExists (and change nothing) if the name is taken.

    The name is stored normalised (storage.names); it must not be empty after that."""
    name = normalise_name(name)
    if not name:
        raise ValueError("a partner name must have visible characters")
    existing = get_partner_by_name(session, team_id, name)
    if existing is not None:
        raise PartnerExists(existing)
    partner = Partner(
        team_id=team_id,
        name=name,
        name_key=name_key(name),
        tier=tier,
        region=region,
        category=category,
        owner=owner,
        revenue=revenue,
        cost=cost,
        status=PartnerStatus.ACTIVE,
    )
    try:
        with session.begin_nested():
            session.add(partner)
    except IntegrityError:
        # Someone added the same name between our check and insert (or Slack replayed the request).
        existing = get_partner_by_name(session, team_id, name)
        if existing is None:
            raise
        raise PartnerExists(existing) from None
    return partner


def update_partner(
    session: Session, partner: Partner, *, name: str | None = None, **fields: object
) -> Partner:
    """Change a partner's name and profile; raise PartnerExists if the new name is taken by another."""
    if name is not None:
        name = normalise_name(name)
        if not name:
            raise ValueError("a partner name must have visible characters")
        other = get_partner_by_name(session, partner.team_id, name)
        if other is not None and other.id != partner.id:
            raise PartnerExists(other)
        partner.name = name
        partner.name_key = name_key(name)
    for key, value in fields.items():
        if key not in (*PROFILE_FIELDS, "status"):
            raise TypeError(f"unknown partner field {key}")
        setattr(partner, key, value)
    session.flush()
    return partner


def set_status(session: Session, partner: Partner, status: PartnerStatus) -> None:
    partner.status = status
    session.flush()


def count_partners(session: Session, team_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Partner).where(Partner.team_id == team_id)) or 0


def largest_teams(session: Session, *, at_least: int, limit: int) -> list[str]:
    """The workspaces with at least ``at_least`` active partners, largest first (at most ``limit``)."""
    count = func.count()
    return list(
        session.scalars(
            select(Partner.team_id)
            .where(Partner.status == PartnerStatus.ACTIVE)
            .group_by(Partner.team_id)
            .having(count >= at_least)
            .order_by(count.desc(), Partner.team_id)
            .limit(limit)
        )
    )
