"""Joint projects and the resources committed to partnerships, always within one workspace."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Float, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session, joinedload

from storage.frames import frame_of
from storage.models import Partner, PartnerStatus, Project, ProjectStatus, Resource, ResourceKind
from storage.once import add_once

OPEN_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE)
# Fields a person may change on a project (closing goes through close_project).
EDITABLE = ("name", "goal", "plan", "status", "progress", "started_on", "due_on", "value", "result")


class ProjectClosed(Exception):
    """The project is closed already; carries how and when, for the person's message."""

    def __init__(self, project: Project) -> None:
        super().__init__(project.status)
        self.status = project.status
        self.closed_on = project.closed_on
        self.closed_by = project.closed_by


def add_project(
    session: Session,
    team_id: str,
    *,
    partner_id: int,
    name: str,
    created_by: str | None,
    goal: str = "",
    plan: str = "",
    status: ProjectStatus = ProjectStatus.PLANNED,
    progress: int = 0,
    started_on: date | None = None,
    due_on: date | None = None,
    value: Decimal | None = None,
    request_key: str | None = None,
) -> tuple[Project, bool]:
    """A new project of one of the workspace's partners; (project, created)."""
    project = Project(
        team_id=team_id,
        partner_id=partner_id,
        name=name,
        goal=goal,
        plan=plan,
        status=status,
        progress=progress,
        started_on=started_on,
        due_on=due_on,
        value=value,
        result="",
        created_by=created_by,
        updated_by=created_by,
        request_key=request_key,
    )
    return add_once(session, project)


def get_project(session: Session, team_id: str, project_id: int) -> Project | None:
    return session.scalar(
        select(Project)
        .options(joinedload(Project.partner))
        .where(Project.team_id == team_id, Project.id == project_id)
    )


def projects(
    session: Session,
    team_id: str,
    *,
    partner_id: int | None = None,
    closed: bool | None = None,
    limit: int = 50,
) -> tuple[list[Project], int]:
    """The workspace's (or one partner's) projects, open ones by due date, closed ones newest
    first; at most ``limit`` and how many there are in all. ``closed`` None means both."""
    conditions = [Project.team_id == team_id]
    if partner_id is not None:
        conditions.append(Project.partner_id == partner_id)
    if closed is True:
        conditions.append(Project.status.not_in(OPEN_STATUSES))
    elif closed is False:
        conditions.append(Project.status.in_(OPEN_STATUSES))
    total = session.scalar(select(func.count()).select_from(Project).where(*conditions)) or 0
    is_open = case((Project.status.in_(OPEN_STATUSES), 0), else_=1)
    found = session.scalars(
        select(Project)
        .options(joinedload(Project.partner))
        .where(*conditions)
        .order_by(
            is_open,
            Project.due_on.is_(None),
            Project.due_on,
            Project.closed_on.desc(),
            Project.id.desc(),
        )
        .limit(limit)
    )
    return list(found), int(total)


def update_project(session: Session, project: Project, *, by: str | None, **fields: object) -> Project:
    """Change a project's fields; moving it to won, lost or cancelled closes it (see close_project)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown project fields {sorted(unknown)}")
    for key, value in fields.items():
        setattr(project, key, value)
    project.updated_by = by
    session.flush()
    return project


def close_project(
    session: Session,
    project: Project,
    status: ProjectStatus,
    *,
    on: date,
    by: str | None,
    result: str | None = None,
) -> Project:
    """Close a project as won, lost or cancelled; ProjectClosed when it is closed already."""
    if not status.closed:
        raise ValueError(f"{status} does not close a project")
    if project.status.closed:
        raise ProjectClosed(project)
    project.status = status
    project.closed_on = on
    project.closed_by = by
    project.updated_by = by
    if status is ProjectStatus.WON:
        project.progress = 100
    if result:
        project.result = result
    session.flush()
    return project


def add_resource(
    session: Session,
    team_id: str,
    *,
    partner_id: int,
    kind: ResourceKind,
    amount: Decimal,
    committed_on: date,
    created_by: str | None,
    project_id: int | None = None,
    unit: str | None = None,
    notes: str = "",
    request_key: str | None = None,
) -> tuple[Resource, bool]:
    """Record a commitment of people (hours), funds or technology; (resource, created)."""
    resource = Resource(
        team_id=team_id,
        partner_id=partner_id,
        project_id=project_id,
        kind=kind,
        amount=amount,
        unit=unit,
        committed_on=committed_on,
        notes=notes,
        created_by=created_by,
        request_key=request_key,
    )
    return add_once(session, resource)


# --- the numbers scoring and the partner's record need -----------------------------------------


OUTCOME_COLUMNS = (
    "partner_id",
    "won",
    "lost",
    "won_before",
    "lost_before",
    "won_12m",
    "lost_12m",
    "won_value_12m",
)


def _won(value: Any = 1) -> Any:
    return func.sum(case((Project.status == ProjectStatus.WON, value), else_=0))


def _lost() -> Any:
    return func.sum(case((Project.status == ProjectStatus.LOST, 1), else_=0))


def outcome_counts(
    session: Session,
    team_id: str,
    *,
    until: date,
    before: date,
    year_since: date,
    partner_ids: Collection[int] | None = None,
) -> pd.DataFrame:
    """Per partner, in one pass over the outcomes index, the projects closed won and lost:

    - ``won``, ``lost``: on or before ``until`` (scoring's delivery now);
    - ``won_before``, ``lost_before``: on or before ``before`` (delivery as the previous window saw it);
    - ``won_12m``, ``lost_12m``, ``won_value_12m``: from ``year_since`` to ``until`` (loyalty).
    """

    def counted(status: ProjectStatus, *when: Any, value: Any = 1) -> Any:
        return func.sum(case((and_(Project.status == status, *when), value), else_=0))

    in_year = Project.closed_on >= year_since
    by_before = Project.closed_on <= before
    query = (
        select(
            Project.partner_id,
            counted(ProjectStatus.WON),
            counted(ProjectStatus.LOST),
            counted(ProjectStatus.WON, by_before),
            counted(ProjectStatus.LOST, by_before),
            counted(ProjectStatus.WON, in_year),
            counted(ProjectStatus.LOST, in_year),
            counted(ProjectStatus.WON, in_year, value=func.coalesce(cast(Project.value, Float), 0.0)),
        )
        .where(
            Project.team_id == team_id,
            Project.status.in_((ProjectStatus.WON, ProjectStatus.LOST)),
            Project.closed_on <= until,
        )
        .group_by(Project.partner_id)
    )
    if partner_ids is not None:
        query = query.where(Project.partner_id.in_(partner_ids))
    frame = frame_of(session.execute(query).all(), list(OUTCOME_COLUMNS))
    counts = [column for column in OUTCOME_COLUMNS[1:] if column != "won_value_12m"]
    return frame.astype(dict.fromkeys(counts, "int64") | {"won_value_12m": float})


def workspace_outcomes(session: Session, team_id: str) -> tuple[int, int]:
    """(won, lost) over the workspace's active partners: the rate delivery is damped toward."""
    active = select(Partner.id).where(Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)
    won, lost = session.execute(
        select(_won(), _lost()).where(
            Project.team_id == team_id,
            Project.status.in_((ProjectStatus.WON, ProjectStatus.LOST)),
            Project.partner_id.in_(active),
        )
    ).one()
    return int(won or 0), int(lost or 0)


@dataclass(frozen=True)
class ProjectNumbers:
    """What a partner's (or a workspace's) projects add up to."""

    projects: int
    open: int
    won: int
    lost: int
    cancelled: int
    won_value: Decimal
    people_hours: Decimal
    funds: Decimal
    technology: Decimal


def project_numbers(session: Session, team_id: str, *, partner_id: int | None = None) -> ProjectNumbers:
    """Counts of projects by outcome, the won value, and the resources committed, in two queries."""
    conditions = [Project.team_id == team_id]
    resource_conditions = [Resource.team_id == team_id]
    if partner_id is not None:
        conditions.append(Project.partner_id == partner_id)
        resource_conditions.append(Resource.partner_id == partner_id)
    else:  # the workspace: its active partners' projects, as the relationship degree counts them
        active = select(Partner.id).where(Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)
        conditions.append(Project.partner_id.in_(active))
        resource_conditions.append(Resource.partner_id.in_(active))
    total, open_, won, lost, cancelled, won_value = session.execute(
        select(
            func.count(),
            func.sum(case((Project.status.in_(OPEN_STATUSES), 1), else_=0)),
            _won(),
            _lost(),
            func.sum(case((Project.status == ProjectStatus.CANCELLED, 1), else_=0)),
            _won(func.coalesce(Project.value, 0)),
        ).where(*conditions)
    ).one()
    sums = dict(
        session.execute(
            select(Resource.kind, func.sum(Resource.amount))
            .where(*resource_conditions)
            .group_by(Resource.kind)
        ).all()
    )
    return ProjectNumbers(
        projects=int(total or 0),
        open=int(open_ or 0),
        won=int(won or 0),
        lost=int(lost or 0),
        cancelled=int(cancelled or 0),
        won_value=Decimal(won_value or 0),
        people_hours=Decimal(sums.get(ResourceKind.PEOPLE) or 0),
        funds=Decimal(sums.get(ResourceKind.FUNDS) or 0),
        technology=Decimal(sums.get(ResourceKind.TECHNOLOGY) or 0),
    )


def active_partner_count(session: Session, team_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Partner)
            .where(Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)
        )
        or 0
    )


def open_projects_of(session: Session, team_id: str, user_id: str, *, limit: int = 10) -> list[Project]:
    """Open projects a person looks after: ones they created, or of partners they own."""
    owned = select(Partner.id).where(Partner.team_id == team_id, Partner.owner == user_id)
    return list(
        session.scalars(
            select(Project)
            .options(joinedload(Project.partner))
            .where(
                Project.team_id == team_id,
                Project.status.in_(OPEN_STATUSES),
                or_(Project.created_by == user_id, Project.partner_id.in_(owned)),
            )
            .order_by(Project.due_on.is_(None), Project.due_on, Project.id)
            .limit(limit)
        )
    )


def closed_between(session: Session, team_id: str, *, since: date, until: date) -> list[Project]:
    """Projects won or lost in [since, until] (a digest's "won / lost this period"), newest first."""
    return list(
        session.scalars(
            select(Project)
            .options(joinedload(Project.partner))
            .where(
                Project.team_id == team_id,
                Project.status.in_((ProjectStatus.WON, ProjectStatus.LOST)),
                and_(Project.closed_on >= since, Project.closed_on <= until),
            )
            .order_by(Project.closed_on.desc(), Project.id.desc())
        )
    )


@dataclass(frozen=True)
class OutcomeRow:
    """Won and lost projects (and the won value) of a group: a tier, or a partner."""

    key: str | None
    partner_id: int | None
    won: int
    lost: int
    won_value: Decimal


def outcomes_by_tier(session: Session, team_id: str) -> list[OutcomeRow]:
    """Per tier of the active partners: projects won and lost, and the won value."""
    rows = session.execute(
        select(Partner.tier, _won(), _lost(), _won(func.coalesce(Project.value, 0)))
        .join(Partner, Partner.id == Project.partner_id)
        .where(Project.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)
        .group_by(Partner.tier)
    ).all()
    return [OutcomeRow(tier, None, int(w or 0), int(lo or 0), Decimal(v or 0)) for tier, w, lo, v in rows]


def biggest_winners(session: Session, team_id: str, *, since: date, limit: int = 10) -> list[OutcomeRow]:
    """The active partners that won the most projects since ``since`` (then the most value)."""
    won = _won()
    value = _won(func.coalesce(Project.value, 0))
    rows = session.execute(
        select(Partner.name, Partner.id, won, _lost(), value)
        .join(Partner, Partner.id == Project.partner_id)
        .where(
            Project.team_id == team_id,
            Partner.status == PartnerStatus.ACTIVE,
            Project.closed_on >= since,
            Project.status.in_((ProjectStatus.WON, ProjectStatus.LOST)),
        )
        .group_by(Partner.name, Partner.id)
        .having(won > 0)
        .order_by(won.desc(), value.desc(), Partner.name)
        .limit(limit)
    ).all()
    return [OutcomeRow(name, pid, int(w or 0), int(lo or 0), Decimal(v or 0)) for name, pid, w, lo, v in rows]
