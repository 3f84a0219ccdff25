"""A partner's (or the workspace's) joint projects as the record shows them: what is open, how the
closed ones ended, and the seeds' measures — success rate, relationship degree, resource
efficiency — each None where there is nothing to divide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scoring.projects import (
    damped_success_rate,
    relationship_degree,
    success_rate,
    value_per_fund,
    wins_per_100_hours,
)
from storage import projects as project_store
from storage.db import Database
from storage.models import Project
from storage.projects import OutcomeRow, ProjectNumbers

OPEN_SHOWN = 5
OUTCOMES_SHOWN = 3


@dataclass(frozen=True)
class Measures:
    """The seeds' measures of one partnership or of the whole programme."""

    numbers: ProjectNumbers
    success_rate: float | None  # won / (won + lost), percent
    damped_success_rate: float | None  # the delivery component: toward the workspace's rate
    value_per_fund: float | None  # won value per unit of funds committed
    wins_per_100_hours: float | None  # projects won per 100 people-hours committed


@dataclass(frozen=True)
class PartnerProjects:
    """What /partner show says about a partner's projects."""

    open: list[Project]
    open_total: int
    outcomes: list[Project]  # the latest closed ones
    measures: Measures


@dataclass(frozen=True)
class ProgrammeProjects:
    """The workspace's partner programme in numbers."""

    partners: int
    relationship_degree: float | None  # projects per active partner
    measures: Measures
    by_tier: list[OutcomeRow]


def _measures(numbers: ProjectNumbers, workspace_rate: float | None) -> Measures:
    return Measures(
        numbers=numbers,
        success_rate=success_rate(numbers.won, numbers.lost),
        damped_success_rate=damped_success_rate(numbers.won, numbers.lost, workspace_rate=workspace_rate),
        value_per_fund=value_per_fund(numbers.won_value, numbers.funds),
        wins_per_100_hours=wins_per_100_hours(numbers.won, numbers.people_hours),
    )


def partner_projects(database: Database, team_id: str, partner_id: int) -> PartnerProjects:
    with database.read() as session:
        open_, open_total = project_store.projects(
            session, team_id, partner_id=partner_id, closed=False, limit=OPEN_SHOWN
        )
        outcomes, _ = project_store.projects(
            session, team_id, partner_id=partner_id, closed=True, limit=OUTCOMES_SHOWN
        )
        numbers = project_store.project_numbers(session, team_id, partner_id=partner_id)
        rate = success_rate(*project_store.workspace_outcomes(session, team_id))
    return PartnerProjects(
        open=open_,
        open_total=open_total,
        outcomes=outcomes,
        measures=_measures(numbers, None if rate is None else rate / 100.0),
    )


def programme(database: Database, team_id: str) -> ProgrammeProjects:
    with database.read() as session:
        numbers = project_store.project_numbers(session, team_id)
        partners = project_store.active_partner_count(session, team_id)
        by_tier = project_store.outcomes_by_tier(session, team_id)
    rate = success_rate(numbers.won, numbers.lost)
    return ProgrammeProjects(
        partners=partners,
        relationship_degree=relationship_degree(numbers.projects, partners),
        measures=_measures(numbers, None if rate is None else rate / 100.0),
        by_tier=by_tier,
    )


def overdue(project: Project, today: date) -> bool:
    return project.due_on is not None and project.due_on < today and not project.status.closed
