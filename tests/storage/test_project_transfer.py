"""CSV import and export of projects and resources (storage.csv.project_files): every column
stored, exports the same from both databases, formulas neutralised, and a round trip into another
workspace where project ids differ; on both databases. Refused files are in
test_project_import_refusals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from transfers import SEED_PARTNERS, dump, load

from storage.db import Database
from storage.models import Partner, Project, ProjectStatus, Resource, ResourceKind
from storage.transfer import ImportFailed, ImportResult

PROJECT_HEADER = "partner,name,status,goal,started_on,due_on,closed_on,value,progress,result\n"
RESOURCE_HEADER = "partner,project,kind,amount,unit,committed_on,notes\n"


def projects_of(database: Database, team_id: str) -> dict[str, Project]:
    with database.read() as session:
        found = session.scalars(select(Project).where(Project.team_id == team_id)).all()
        return {project.name: project for project in found}


def resources_of(database: Database, team_id: str) -> list[Resource]:
    with database.read() as session:
        query = select(Resource).where(Resource.team_id == team_id).order_by(Resource.id)
        return list(session.scalars(query))


def project_ids(database: Database, team_id: str) -> dict[tuple[str, str], int]:
    """(partner name, project name) → the project's id, for the workspace's projects."""
    with database.read() as session:
        rows = session.execute(
            select(Partner.name, Project.name, Project.id)
            .join(Partner, Project.partner_id == Partner.id)
            .where(Project.team_id == team_id)
        )
        return {(partner, name): project_id for partner, name, project_id in rows}


def project_names(database: Database, team_id: str) -> dict[str, str]:
    """Each of the workspace's project ids (as a CSV cell) → the project's name."""
    with database.read() as session:
        rows = session.execute(select(Project.id, Project.name).where(Project.team_id == team_id))
        return {str(project_id): name for project_id, name in rows}


def with_project_names(database: Database, team_id: str, resources_csv: str) -> str:
    """A resources export of ``team_id`` with each project id replaced by the project's name: the
    file a person takes to another workspace, where the ids mean nothing."""
    names = project_names(database, team_id)
    rows = list(csv.reader(io.StringIO(resources_csv, newline="")))
    column = rows[0].index("project")
    target = io.StringIO(newline="")
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        row[column] = names.get(row[column], row[column])
        writer.writerow(row)
    return target.getvalue()


# --- Import --------------------------------------------------------------------------------------


def test_import_projects_stores_every_column(database: Database, team_id: str) -> None:
    csv_text = (
        "\ufeffResult,progress,Value,closed_on,due_on,started_on,goal,status,name,partner\n"  # any order
        'Signed for 2 years,,"12,500.5",2024-06-30,2024-06-01,2024-01-15,"Prove it\nin EMEA  ",WON,'
        " Pilot   EMEA ,acme corp\n"
        ",40,,,2024-12-31,,,Active,Rollout,Globex\n"
        ",,0,,,,,,Idea,Globex\n"
        "Budget cut,10,,2024-03-01,,,,cancelled,Stopped,Globex\n"
    )
    assert load(database, "partners", SEED_PARTNERS, team_id).rows == 2
    assert load(database, "projects", csv_text, team_id) == ImportResult(kind="projects", rows=4)
    found = projects_of(database, team_id)
    assert sorted(found) == ["Idea", "Pilot EMEA", "Rollout", "Stopped"]
    pilot = found["Pilot EMEA"]  # white space folded as /partner project add folds it
    assert (pilot.status, pilot.progress, pilot.value) == (ProjectStatus.WON, 100, Decimal("12500.50"))
    assert (pilot.started_on, pilot.due_on, pilot.closed_on) == (
        date(2024, 1, 15),
        date(2024, 6, 1),
        date(2024, 6, 30),
    )
    assert (pilot.goal, pilot.result, pilot.plan) == ("Prove it\nin EMEA  ", "Signed for 2 years", "")
    rollout, idea, stopped = found["Rollout"], found["Idea"], found["Stopped"]
    assert (rollout.status, rollout.progress, rollout.due_on, rollout.value) == (
        "active",
        40,
        date(2024, 12, 31),
        None,
    )
    assert (idea.status, idea.progress, idea.value, idea.closed_on) == ("planned", 0, Decimal("0"), None)
    assert (stopped.status, stopped.progress, stopped.result) == ("cancelled", 10, "Budget cut")
    for project in found.values():  # nobody in Slack made them
        assert (project.created_by, project.updated_by, project.closed_by, project.request_key) == (None,) * 4
        assert project.created_at.tzinfo is not None and project.updated_at == project.created_at


def test_import_resources_stores_every_column(database: Database, team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    load(database, "projects", PROJECT_HEADER + "Acme Corp,Pilot,,,,,,,,\nGlobex,Pilot,,,,,,,,\n", team_id)
    ids = project_ids(database, team_id)
    acme, globex = ids["Acme Corp", "Pilot"], ids["Globex", "Pilot"]
    csv_text = (
        "notes,committed_on,unit,amount,kind,project,partner\n"
        f'"two engineers,\nhalf time",2024-05-01,hours,"1,200",People,{acme},Acme Corp\n'
        f",,EUR,5000.5,funds,#{globex},globex\n"
        ",2024-05-03,,3,TECHNOLOGY,  PILOT ,Globex\n"  # by name, among Globex's projects
        ",2024-05-04,licences,1,technology,,Acme Corp\n"
    )
    before = datetime.now(UTC).date()
    assert load(database, "resources", csv_text, team_id) == ImportResult(kind="resources", rows=4)
    first, second, third, fourth = resources_of(database, team_id)
    assert (first.kind, first.amount, first.unit, first.committed_on) == (
        ResourceKind.PEOPLE,
        Decimal("1200"),
        "hours",
        date(2024, 5, 1),
    )
    assert first.notes == "two engineers,\nhalf time" and first.project_id == acme
    assert (second.project_id, second.amount, second.unit) == (globex, Decimal("5000.50"), "EUR")
    assert before <= second.committed_on <= datetime.now(UTC).date()  # empty: the day of the import
    assert (third.kind, third.project_id, third.unit, third.notes) == ("technology", globex, None, "")
    assert fourth.project_id is None
    for resource in (first, second, third, fourth):
        assert (resource.created_by, resource.request_key) == (None, None)
        assert resource.created_at.tzinfo is not None


def test_a_project_named_like_a_number_is_found_by_its_id(database: Database, team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    load(database, "projects", PROJECT_HEADER + "Acme Corp,2025,,,,,,,,\n", team_id)
    (project,) = projects_of(database, team_id).values()
    load(database, "resources", RESOURCE_HEADER + f"Acme Corp,{project.id},funds,10,,,\n", team_id)
    assert [resource.project_id for resource in resources_of(database, team_id)] == [project.id]


# --- Export --------------------------------------------------------------------------------------


def test_exports_are_in_code_point_order_the_same_on_both_databases(database: Database, team_id: str) -> None:
    # A locale collation would ignore "_" and sort "É" with "e": code point order does neither.
    load(database, "partners", "name\nÉmile\nzeta\n_under\nAcme\n", team_id)
    load(
        database,
        "projects",
        PROJECT_HEADER
        + "zeta,Z2,,,,,,,,\nÉmile,E1,,,,,,,,\nzeta,Z1,,,,,,,,\n_under,U1,,,,,,,,\nacme,A1,,,,,,,,\n",
        team_id,
    )
    assert [line.split(",")[:2] for line in dump(database, "projects", team_id).splitlines()[1:]] == [
        ["_under", "U1"],
        ["Acme", "A1"],
        ["zeta", "Z2"],  # then in the order they were added
        ["zeta", "Z1"],
        ["Émile", "E1"],
    ]
    load(
        database,
        "resources",
        RESOURCE_HEADER
        + "zeta,,funds,2,,2024-05-02,\nacme,,funds,1,,2024-05-02,\nÉmile,,people,3,,2024-05-01,\n",
        team_id,
    )
    assert (
        dump(database, "resources", team_id)
        == (
            RESOURCE_HEADER + "Émile,,people,3.00,,2024-05-01,\n"
            "zeta,,funds,2.00,,2024-05-02,\n"  # the same day: in the order they were added
            "Acme,,funds,1.00,,2024-05-02,\n"
        )
    )


def test_exports_show_only_their_own_workspace(database: Database, team_id: str, other_team_id: str) -> None:
    for team, name in ((team_id, "Ours"), (other_team_id, "Theirs")):
        load(database, "partners", SEED_PARTNERS, team)
        load(database, "projects", PROJECT_HEADER + f"Acme Corp,{name},,,,,,,,\n", team)
        load(database, "resources", RESOURCE_HEADER + f"Acme Corp,{name},funds,1,,2024-05-01,{name}\n", team)
    ours = projects_of(database, team_id)["Ours"].id
    assert dump(database, "projects", team_id) == PROJECT_HEADER + "Acme Corp,Ours,planned,,,,,,0,\n"
    assert (
        dump(database, "resources", team_id)
        == RESOURCE_HEADER + f"Acme Corp,{ours},funds,1.00,,2024-05-01,Ours\n"
    )
    assert dump(database, "resources", "TNOBODY") == RESOURCE_HEADER


FORMULAS = (
    PROJECT_HEADER + '=HYPERLINK("x"),+Plan,,-goal,,,,,,@result\n'
    "'@handle,'-Minus,active,'=1+1,,,,1000,5,\"\r\nCR\"\n"
)


def test_formula_looking_text_is_neutralised_on_export_and_restored_on_import(
    database: Database, team_id: str
) -> None:
    load(database, "partners", 'name\n=HYPERLINK("x")\n@handle\n', team_id)
    load(database, "projects", FORMULAS, team_id)
    found = projects_of(database, team_id)
    assert (found["+Plan"].goal, found["+Plan"].result) == ("-goal", "@result")
    assert (found["-Minus"].goal, found["-Minus"].result) == ("=1+1", "\r\nCR")
    assert dump(database, "projects", team_id) == (
        PROJECT_HEADER + '"\'=HYPERLINK(""x"")",\'+Plan,planned,\'-goal,,,,,0,\'@result\n'
        "'@handle,'-Minus,active,'=1+1,,,,1000.00,5,\"'\r\nCR\"\n"
    )
    # A project named in a resources file may come escaped, like any text a spreadsheet saved.
    load(
        database,
        "resources",
        RESOURCE_HEADER
        + "'@handle,'-Minus,funds,1,=EUR,2024-05-01,+notes\n@handle,-minus,funds,2,,2024-05-02,\n",
        team_id,
    )
    minus = found["-Minus"].id
    assert [(r.project_id, r.unit, r.notes) for r in resources_of(database, team_id)] == [
        (minus, "=EUR", "+notes"),
        (minus, None, ""),
    ]
    assert dump(database, "resources", team_id) == (
        RESOURCE_HEADER + f"'@handle,{minus},funds,1.00,'=EUR,2024-05-01,'+notes\n"
        f"'@handle,{minus},funds,2.00,,2024-05-02,\n"
    )


# --- The round trip ------------------------------------------------------------------------------

ROUND_TRIP_PROJECTS = (
    PROJECT_HEADER
    + 'Acme Corp,Pilot,won,"Prove it, in EMEA",2024-01-15,2024-06-01,2024-06-30,"12,500",,Signed\n'
    "Acme Corp,Rollout,active,,2024-07-01,2024-12-31,,,35,\n"
    'Globex,=Pilot,lost,"multi\nline ""goal""",,,2024-02-01,0.5,60,-price\n'
    "Globex,Ünïcødé 株式会社,planned,,,,,,,\n"
    "Globex,Later,cancelled,,,,2024-03-01,,,\n"
)
ROUND_TRIP_RESOURCES = (
    RESOURCE_HEADER + "Acme Corp,pilot,people,40,hours,2024-01-20,'=2 engineers\n"
    'Acme Corp,Rollout,funds,"25,000",EUR,2024-07-01,\n'
    "Acme Corp,,technology,3,licences,2024-07-01,shared\n"
    'Globex,\'=Pilot,funds,999.99,,2024-01-05,"line\nbreak"\n'
    "Globex,ünïcødé 株式会社,people,8,,2024-08-01,\n"
)


def test_round_trip_into_another_workspace_follows_each_project(
    database: Database, team_id: str, other_team_id: str
) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    load(database, "projects", ROUND_TRIP_PROJECTS, team_id)
    load(database, "resources", ROUND_TRIP_RESOURCES, team_id)
    projects = dump(database, "projects", team_id)
    resources = dump(database, "resources", team_id)
    cells = {row["project"] for row in csv.DictReader(io.StringIO(resources, newline=""))}
    assert cells - {""} <= set(project_names(database, team_id))  # the projects' ids in this workspace

    load(database, "partners", dump(database, "partners", team_id), other_team_id)
    assert load(database, "projects", projects, other_team_id).rows == 5
    # Ids belong to a workspace: the other refuses them rather than guess which project is meant.
    with pytest.raises(ImportFailed) as refused:
        load(database, "resources", resources, other_team_id)
    assert refused.value.line == 2 and "ids differ between workspaces" in refused.value.reason
    copied = with_project_names(database, team_id, resources)
    assert load(database, "resources", copied, other_team_id).rows == 5

    assert dump(database, "projects", other_team_id) == projects
    theirs = dump(database, "resources", other_team_id)
    assert theirs != resources  # the other workspace's own ids …
    assert with_project_names(database, other_team_id, theirs) == copied  # … of the same projects


def test_an_export_imports_back_into_its_own_workspace_by_id(database: Database, team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    load(database, "projects", ROUND_TRIP_PROJECTS, team_id)
    load(database, "resources", ROUND_TRIP_RESOURCES, team_id)
    exported = dump(database, "resources", team_id)
    assert load(database, "resources", exported, team_id).rows == 5
    rows = dump(database, "resources", team_id).splitlines()
    assert sorted(rows[1:]) == sorted(exported.splitlines()[1:] * 2)
