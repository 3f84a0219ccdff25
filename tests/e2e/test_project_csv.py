"""Projects and resources through the CSV CLI end to end: ``partnerbot import`` from a file and from
standard input, ``partnerbot export`` to standard output and to a file, refused files that change
nothing, and the imported projects as Slack shows them, with the ids the export wrote.

Runs ``partnerbot`` as a subprocess against the real server's database, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from .conftest import new_team_id, refused_import, run_cli
from .slack_client import SlackClient

pytestmark = pytest.mark.e2e

PROJECT_HEADER = "partner,name,status,goal,started_on,due_on,closed_on,value,progress,result\n"
RESOURCE_HEADER = "partner,project,kind,amount,unit,committed_on,notes\n"
PROJECTS = (
    PROJECT_HEADER + 'acme,Pilot,won,=SUM(A1),2024-01-15,2024-06-01,2024-06-30,"12,500",,Signed\n'
    "Acme,Rollout,active,,2024-07-01,2099-12-31,,,35,\n"
    "Globex,Study,,,,,,,,\n"
)
RESOURCES = (
    RESOURCE_HEADER + "Acme,pilot,people,40,hours,2024-01-20,two engineers\n"
    'ACME,Rollout,funds,"25,000",EUR,2024-07-01,\n'
    "Globex,,technology,3,licences,2024-07-02,@team\n"
)


def import_all(database_url: str, team: str, tmp_path: Path) -> None:
    run_cli(database_url, "import", "partners", "-", "--team", team, input="name\nAcme\nGlobex\n")
    source = tmp_path / f"projects-{team}.csv"
    source.write_text(PROJECTS, encoding="utf-8")
    done = run_cli(database_url, "import", "projects", str(source), "--team", team)
    assert f"imported 3 projects into team {team}" in done.stderr
    done = run_cli(database_url, "import", "resources", "-", "--team", team, input=RESOURCES)
    assert f"imported 3 resources into team {team}" in done.stderr


def test_projects_and_resources_go_in_and_out_through_the_cli(
    slack: SlackClient, team: str, database_url: str, tmp_path: Path
) -> None:
    import_all(database_url, team, tmp_path)
    projects = run_cli(database_url, "export", "projects", "--team", team).stdout
    assert projects == (
        PROJECT_HEADER + "Acme,Pilot,won,'=SUM(A1),2024-01-15,2024-06-01,2024-06-30,12500.00,100,Signed\n"
        "Acme,Rollout,active,,2024-07-01,2099-12-31,,,35,\n"
        "Globex,Study,planned,,,,,,0,\n"
    )
    target = tmp_path / "resources.csv"
    run_cli(database_url, "export", "resources", "--team", team, "-o", str(target))
    resources = target.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(resources, newline="")))
    assert [(r["partner"], r["kind"], r["amount"], r["unit"], r["notes"]) for r in rows] == [
        ("Acme", "people", "40.00", "hours", "two engineers"),
        ("Acme", "funds", "25000.00", "EUR", ""),
        ("Globex", "technology", "3.00", "licences", "'@team"),
    ]

    # The project column holds the ids Slack shows for the same projects.
    pilot, rollout = rows[0]["project"], rows[1]["project"]
    listed = slack.command_ok("project list Acme all", team=team).blocks_text
    assert f"#{pilot}* *Pilot*" in listed and f"#{rollout}* *Rollout*" in listed
    assert rows[2]["project"] == ""
    shown = slack.command_ok("show Acme", team=team).blocks_text
    assert "1 of 1 won" in shown and "40 people-hours" in shown

    # Refused files name the line and change nothing.
    assert refused_import(database_url, "resources", team, RESOURCES + "Acme,Study,people,1,,,\n") == (
        "partnerbot: import failed, nothing was written: line 5: 'Acme' has no project named 'Study'"
    )
    assert refused_import(database_url, "projects", team, PROJECT_HEADER + "Acme,Late,won,,,,,,,\n") == (
        "partnerbot: import failed, nothing was written: line 2: closed_on is required when the status is won"
    )
    assert run_cli(database_url, "export", "projects", "--team", team).stdout == projects
    assert run_cli(database_url, "export", "resources", "--team", team).stdout == resources

    # The export's ids import back into the same workspace …
    run_cli(database_url, "import", "resources", str(target), "--team", team)
    again = run_cli(database_url, "export", "resources", "--team", team).stdout
    assert sorted(again.splitlines()[1:]) == sorted(resources.splitlines()[1:] * 2)

    # … but not into another, where they would mean other projects: there, projects go by name.
    copy = new_team_id()
    run_cli(database_url, "import", "partners", "-", "--team", copy, input="name\nAcme\nGlobex\n")
    run_cli(database_url, "import", "projects", "-", "--team", copy, input=projects)
    assert refused_import(database_url, "resources", copy, resources) == (
        "partnerbot: import failed, nothing was written: line 2: no project "
        f"#{pilot} in this workspace (ids differ between workspaces: a file from another workspace must "
        "give project names)"
    )
    run_cli(database_url, "import", "resources", "-", "--team", copy, input=RESOURCES)
    assert run_cli(database_url, "export", "projects", "--team", copy).stdout == projects
