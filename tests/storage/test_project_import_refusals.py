"""Projects and resources files an import refuses: each with the line and reason a person can act
on, and nothing written; on both databases. ``{pilot}`` and the like stand for project ids, which
each database gives out its own way."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from transfers import SEED_PARTNERS, count, load

from storage.db import Database
from storage.models import Project, Resource
from storage.transfer import ImportFailed

PROJECTS = "partner,name,status,started_on,due_on,closed_on,value,progress\n"
RESOURCES = "partner,project,kind,amount,unit,committed_on\n"
GOOD_PROJECT = "Globex,Fine,,,,,,\n"  # line 2: the bad row is line 3
GOOD_RESOURCE = "Globex,,funds,1,,\n"
PROJECT_COLUMNS = "partner, name, status, goal, started_on, due_on, closed_on, value, progress, result"
SETUP = "partner,name\nAcme Corp,Pilot\nGlobex,Rollout\nGlobex,Twin\nGlobex,twin\nAcme Corp,99999999999\n"
ONLY_CLOSED = "(only won, lost and cancelled projects are closed)"
UNKNOWN_ID = 99_999_999_999  # never given out: every test database together holds far fewer

BAD_FILES = [
    # --- projects
    pytest.param(
        "projects",
        "partner,name,owner\nGlobex,X,U1\n",
        1,
        f"unknown column 'owner'; projects files have: {PROJECT_COLUMNS}",
        id="unknown-column",
    ),
    pytest.param(
        "projects", "partner,status\nGlobex,active\n", 1, "missing required column 'name'", id="no-name"
    ),
    pytest.param(
        "projects",
        PROJECTS + GOOD_PROJECT + "Globex,  ,,,,,,\n",
        3,
        "name is required but empty",
        id="empty-name",
    ),
    pytest.param(
        "projects",
        PROJECTS + f"Globex,{'x' * 201},,,,,,\n",
        2,
        "name is longer than 200 characters",
        id="name-too-long",
    ),
    pytest.param(
        "projects",
        PROJECTS + GOOD_PROJECT + "Globx,X,,,,,,\n",
        3,
        "no partner named 'Globx' in this workspace — did you mean 'Globex'?",
        id="unknown-partner",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,done,,,,,\n",
        2,
        "status must be one of planned, active, won, lost, cancelled, got 'done'",
        id="bad-status",
    ),
    pytest.param(
        "projects",
        PROJECTS + GOOD_PROJECT + "Globex,X,Won,,,,,\n",
        3,
        "closed_on is required when the status is won",
        id="won-without-closed-on",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,cancelled,,,,,\n",
        2,
        "closed_on is required when the status is cancelled",
        id="cancelled-without-closed-on",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,active,,,2024-05-01,,\n",
        2,
        f"closed_on must be empty when the status is active {ONLY_CLOSED}",
        id="active-with-closed-on",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,,,,2024-05-01,,\n",
        2,
        f"closed_on must be empty when the status is planned {ONLY_CLOSED}",
        id="empty-status-is-planned",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,,2024-02-01,2024-01-31,,,\n",
        2,
        "due_on 2024-01-31 is before started_on 2024-02-01",
        id="due-before-start",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,lost,2024-02-01,,2024-01-31,,\n",
        2,
        "closed_on 2024-01-31 is before started_on 2024-02-01",
        id="closed-before-start",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,,,31/12/2024,,,\n",
        2,
        "due_on must be a date like 2024-05-01, got '31/12/2024'",
        id="bad-date",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,,,,,,101\n",
        2,
        "progress must be a whole number from 0 to 100, got '101'",
        id="progress-above-100",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,,,,,,-1\n",
        2,
        "progress must be a whole number from 0 to 100, got '-1'",
        id="progress-negative",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,,,,,,50%\n",
        2,
        "progress must be a whole number from 0 to 100, got '50%'",
        id="progress-not-a-number",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,,,,,-5,\n",
        2,
        "value must be an amount of 0 or more like 1234.50, got '-5'",
        id="value-negative",
    ),
    pytest.param(
        "projects",
        PROJECTS + "Globex,X,,,,,12.345,\n",
        2,
        "value can have at most 2 decimals, got '12.345'",
        id="value-too-precise",
    ),
    pytest.param(
        "projects",
        'partner,name,goal,status\nGlobex,X,"one\ntwo\n\nthree",\nGlobex,Y,,open\n',
        6,
        "status must be one of planned, active, won, lost, cancelled, got 'open'",
        id="line-after-multiline-goal",
    ),
    # --- resources
    pytest.param(
        "resources",
        "partner,project\nGlobex,\n",
        1,
        "missing required columns 'kind', 'amount'",
        id="missing-columns",
    ),
    pytest.param(
        "resources",
        RESOURCES + GOOD_RESOURCE + "Globex,,hours,1,,\n",
        3,
        "kind must be one of people, funds, technology, got 'hours'",
        id="bad-kind",
    ),
    pytest.param("resources", RESOURCES + "Globex,,,1,,\n", 2, "kind is required but empty", id="no-kind"),
    pytest.param(
        "resources", RESOURCES + "Globex,,funds,,,\n", 2, "amount is required but empty", id="no-amount"
    ),
    pytest.param(
        "resources",
        RESOURCES + "Globex,,funds,0.00,,\n",
        2,
        "amount must be more than 0, got '0.00'",
        id="zero",
    ),
    pytest.param(
        "resources",
        RESOURCES + "Globex,,funds,-3,,\n",
        2,
        "amount must be more than 0, got '-3'",
        id="negative",
    ),
    pytest.param(
        "resources",
        RESOURCES + "Globex,,funds,lots,,\n",
        2,
        "amount must be an amount of 0 or more like 1234.50, got 'lots'",
        id="amount-not-a-number",
    ),
    pytest.param(
        "resources",
        RESOURCES + f"Globex,,people,1,{'h' * 41},\n",
        2,
        "unit is longer than 40 characters",
        id="unit-too-long",
    ),
    pytest.param(
        "resources",
        RESOURCES + "Globex,,people,1,,today\n",
        2,
        "committed_on must be a date like 2024-05-01, got 'today'",
        id="bad-committed-on",
    ),
    pytest.param(
        "resources",
        RESOURCES + GOOD_RESOURCE + "Initech,Pilot,people,1,,\n",
        3,
        "no partner named 'Initech' in this workspace",
        id="unknown-partner",
    ),
    pytest.param(
        "resources",
        RESOURCES + GOOD_RESOURCE + "Acme Corp,{rollout},people,1,,\n",
        3,
        "project #{rollout} is not a project of 'Acme Corp'",
        id="project-of-another-partner",
    ),
    pytest.param(
        "resources",
        RESOURCES + "Acme Corp,#{theirs},people,1,,\n",
        2,
        "no project #{theirs} in this workspace (ids differ between workspaces: a file from another "
        "workspace must give project names)",
        id="project-of-another-workspace",
    ),
    pytest.param(
        "resources",
        RESOURCES + f"Acme Corp,{UNKNOWN_ID + 1},people,1,,\n",
        2,
        f"no project #{UNKNOWN_ID + 1} in this workspace (ids differ between workspaces: a file from "
        "another workspace must give project names)",
        id="unknown-project-id",
    ),
    pytest.param(
        "resources",
        RESOURCES + "Acme Corp,Pilto,people,1,,\n",
        2,
        "'Acme Corp' has no project named 'Pilto' — did you mean 'Pilot'?",
        id="unknown-project-name",
    ),
    pytest.param(
        "resources",
        RESOURCES + "acme corp,Rollout,people,1,,\n",
        2,
        "'acme corp' has no project named 'Rollout'",
        id="name-of-another-partners-project",
    ),
    pytest.param(
        "resources",
        RESOURCES + "Globex,TWIN,people,1,,\n",
        2,
        "'Globex' has 2 projects named 'TWIN'; give the id: #{twin}, #{twin2}",
        id="ambiguous-project-name",
    ),
    pytest.param(
        "resources",
        RESOURCES + f"Acme Corp,{UNKNOWN_ID},people,1,,\n",  # also the name of one of its projects
        2,
        f"no project #{UNKNOWN_ID} in this workspace (ids differ between workspaces: a file from "
        "another workspace must give project names)",
        id="a-number-is-an-id-not-a-name",
    ),
]


@pytest.mark.parametrize(("kind", "csv_text", "line", "reason"), BAD_FILES)
def test_a_bad_projects_or_resources_file_is_refused_with_its_line_and_writes_nothing(
    database: Database,
    team_id: str,
    other_team_id: str,
    kind: str,
    csv_text: str,
    line: int,
    reason: str,
) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    load(database, "projects", SETUP, team_id)
    load(database, "partners", SEED_PARTNERS, other_team_id)
    load(database, "projects", "partner,name\nAcme Corp,Pilot\n", other_team_id)
    ids = {**project_ids(database, team_id), "theirs": project_ids(database, other_team_id)["pilot"]}
    with pytest.raises(ImportFailed) as failure:
        load(database, kind, csv_text.format(**ids), team_id)
    assert (failure.value.line, failure.value.reason) == (line, reason.format(**ids))
    assert (count(database, Project, team_id), count(database, Resource, team_id)) == (5, 0)


def project_ids(database: Database, team_id: str) -> dict[str, int]:
    """The workspace's projects by lower-case name (a second of the same name as ``<name>2``)."""
    with database.read() as session:
        found: dict[str, int] = {}
        for project_id, name in session.execute(
            select(Project.id, Project.name).where(Project.team_id == team_id).order_by(Project.id)
        ):
            key = name.casefold()
            found[key + "2" if key in found else key] = project_id
        return found
