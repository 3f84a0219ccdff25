"""Joint projects and committed resources, on SQLite and PostgreSQL (the ``database`` fixture runs
each test on both); one workspace never sees another's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from storage import partners
from storage import projects as project_store
from storage.db import Database
from storage.models import ProjectStatus, ResourceKind

DAY = date(2026, 6, 15)


def partner(database: Database, team_id: str, name: str, **fields: object) -> int:
    with database.transaction() as session:
        return partners.add_partner(session, team_id, name, **fields).id


def project(database: Database, team_id: str, partner_id: int, name: str, **fields: object) -> int:
    with database.transaction() as session:
        found, _ = project_store.add_project(
            session, team_id, partner_id=partner_id, name=name, created_by="U1", **fields
        )
        return found.id


def close(database: Database, team_id: str, project_id: int, status: ProjectStatus, on: date = DAY) -> None:
    with database.transaction() as session:
        found = project_store.get_project(session, team_id, project_id)
        assert found is not None
        project_store.close_project(session, found, status, on=on, by="U2")


def test_a_project_is_created_once_per_request(database: Database, team_id: str) -> None:
    acme = partner(database, team_id, "Acme")
    with database.transaction() as session:
        first, created = project_store.add_project(
            session, team_id, partner_id=acme, name="Pilot", created_by="U1", request_key="command:1"
        )
        again, created_again = project_store.add_project(
            session, team_id, partner_id=acme, name="Pilot", created_by="U1", request_key="command:1"
        )
        assert created and not created_again and again.id == first.id
        assert (first.status, first.progress, first.created_by) == (ProjectStatus.PLANNED, 0, "U1")


def test_closing_records_how_when_and_by_whom_and_only_once(database: Database, team_id: str) -> None:
    acme = partner(database, team_id, "Acme")
    pilot = project(database, team_id, acme, "Pilot", value=Decimal("5000"))
    close(database, team_id, pilot, ProjectStatus.WON)
    with database.read() as session:
        found = project_store.get_project(session, team_id, pilot)
        assert found is not None
        assert (found.status, found.closed_on, found.closed_by, found.progress) == (
            ProjectStatus.WON,
            DAY,
            "U2",
            100,
        )
    with pytest.raises(project_store.ProjectClosed) as closed:
        close(database, team_id, pilot, ProjectStatus.LOST)
    assert (closed.value.status, closed.value.closed_on, closed.value.closed_by) == (
        ProjectStatus.WON,
        DAY,
        "U2",
    )


def test_another_workspace_never_sees_a_project(database: Database, team_id: str, other_team_id: str) -> None:
    acme = partner(database, team_id, "Acme")
    pilot = project(database, team_id, acme, "Pilot")
    with database.read() as session:
        assert project_store.get_project(session, other_team_id, pilot) is None
        assert project_store.projects(session, other_team_id) == ([], 0)
        assert project_store.project_numbers(session, other_team_id).projects == 0


def test_open_projects_come_first_by_due_date(database: Database, team_id: str) -> None:
    acme = partner(database, team_id, "Acme")
    late = project(database, team_id, acme, "Late", due_on=date(2026, 9, 1))
    soon = project(database, team_id, acme, "Soon", due_on=date(2026, 7, 1))
    undated = project(database, team_id, acme, "Undated")
    done = project(database, team_id, acme, "Done")
    close(database, team_id, done, ProjectStatus.LOST)
    with database.read() as session:
        found, total = project_store.projects(session, team_id, partner_id=acme)
        assert [p.id for p in found] == [soon, late, undated, done] and total == 4
        open_only, open_total = project_store.projects(session, team_id, closed=False)
        assert [p.id for p in open_only] == [soon, late, undated] and open_total == 3
        closed_only, _ = project_store.projects(session, team_id, closed=True)
        assert [p.id for p in closed_only] == [done]


def test_numbers_for_scoring_loyalty_and_the_record(database: Database, team_id: str) -> None:
    acme = partner(database, team_id, "Acme", tier="gold", owner="UOWN")
    globex = partner(database, team_id, "Globex", tier="silver")
    for name, status, value, on in (
        ("A1", ProjectStatus.WON, "1000", date(2026, 5, 1)),
        ("A2", ProjectStatus.WON, "3000", date(2025, 1, 1)),  # more than 12 months before DAY
        ("A3", ProjectStatus.LOST, None, date(2026, 6, 1)),
        ("A4", ProjectStatus.CANCELLED, None, date(2026, 6, 1)),
        ("A5", ProjectStatus.WON, "500", date(2026, 7, 1)),  # after DAY
    ):
        close(
            database,
            team_id,
            project(database, team_id, acme, name, value=Decimal(value) if value else None),
            status,
            on,
        )
    close(database, team_id, project(database, team_id, globex, "G1"), ProjectStatus.LOST, date(2026, 6, 10))
    project(database, team_id, acme, "Open", due_on=date(2026, 8, 1))
    with database.transaction() as session:
        project_store.add_resource(
            session,
            team_id,
            partner_id=acme,
            kind=ResourceKind.FUNDS,
            amount=Decimal("2000"),
            committed_on=DAY,
            created_by="U1",
        )
        project_store.add_resource(
            session,
            team_id,
            partner_id=acme,
            kind=ResourceKind.PEOPLE,
            amount=Decimal("40"),
            unit="hours",
            committed_on=DAY,
            created_by="U1",
        )
    with database.read() as session:
        counts = project_store.outcome_counts(
            session, team_id, until=DAY, before=date(2025, 6, 14), year_since=date(2025, 6, 15)
        ).set_index("partner_id")
        assert counts.loc[acme, "won"] == 2 and counts.loc[acme, "lost"] == 1  # A5 closes later
        assert counts.loc[globex, "won"] == 0 and counts.loc[globex, "lost"] == 1
        assert (counts.loc[acme, "won_12m"], counts.loc[acme, "lost_12m"]) == (1, 1)
        assert counts.loc[acme, "won_value_12m"] == pytest.approx(1000)
        assert (counts.loc[acme, "won_before"], counts.loc[acme, "lost_before"]) == (1, 0)
        numbers = project_store.project_numbers(session, team_id, partner_id=acme)
        assert (numbers.projects, numbers.open, numbers.won, numbers.lost, numbers.cancelled) == (
            6,
            1,
            3,
            1,
            1,
        )
        assert numbers.won_value == Decimal("4500") and numbers.funds == Decimal("2000")
        assert numbers.people_hours == Decimal("40") and numbers.technology == 0
        workspace = project_store.project_numbers(session, team_id)
        assert (workspace.projects, workspace.won, workspace.lost) == (7, 3, 2)
        assert project_store.workspace_outcomes(session, team_id) == (3, 2)
        assert project_store.workspace_outcomes(session, "TNOBODY") == (0, 0)
        assert project_store.active_partner_count(session, team_id) == 2
        by_tier = {row.key: (row.won, row.lost) for row in project_store.outcomes_by_tier(session, team_id)}
        assert by_tier == {"gold": (3, 1), "silver": (0, 1)}
        winners = project_store.biggest_winners(session, team_id, since=date(2026, 1, 1))
        assert [(w.key, w.won) for w in winners] == [("Acme", 2)]
        mine = project_store.open_projects_of(session, team_id, "UOWN")
        assert [p.name for p in mine] == ["Open"]
        period = project_store.closed_between(session, team_id, since=date(2026, 6, 1), until=DAY)
        assert {p.name for p in period} == {"A3", "G1"}


def test_a_replayed_resource_is_stored_once(database: Database, team_id: str) -> None:
    acme = partner(database, team_id, "Acme")
    with database.transaction() as session:
        for _ in range(2):
            project_store.add_resource(
                session,
                team_id,
                partner_id=acme,
                kind=ResourceKind.TECHNOLOGY,
                amount=Decimal("3"),
                committed_on=DAY,
                created_by="U1",
                request_key="command:9",
            )
    with database.read() as session:
        assert project_store.project_numbers(session, team_id, partner_id=acme).technology == Decimal("3")
