"""Needs and follow-ups through the CSV CLI end to end: ``partnerbot import`` from a file and from
standard input, ``partnerbot export`` to standard output and to a file, refused files that change
nothing, and imported needs as Slack shows them.

Runs ``partnerbot`` as a subprocess against the real server's database, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .conftest import new_team_id, refused_import, run_cli
from .slack_client import SlackClient

pytestmark = pytest.mark.e2e

NEED_HEADER = "partner,type,priority,difficulty,description,status,raised_on,closed_on\n"
FOLLOW_UP_HEADER = "partner,owner,due_on,what,status,done_on\n"
NEEDS = (
    NEED_HEADER + "acme,discount,high,easy,=Volume discount,,2024-01-15,\n"
    "Acme,api,,hard,Webhooks,met,2024-02-01,2024-03-01\n"
    "Globex,mdf,low,,Event budget,,2024-02-01,\n"
)


def test_needs_go_in_and_out_through_the_cli_and_show_in_slack(
    slack: SlackClient, team: str, database_url: str, tmp_path: Path
) -> None:
    run_cli(
        database_url, "import", "partners", "-", "--team", team, input="name,owner\nAcme,U0ANN\nGlobex,\n"
    )
    source = tmp_path / "needs.csv"
    source.write_text(NEEDS, encoding="utf-8")
    done = run_cli(database_url, "import", "needs", str(source), "--team", team)
    assert f"imported 3 needs into team {team}" in done.stderr
    exported = run_cli(database_url, "export", "needs", "--team", team).stdout
    assert exported == (
        NEED_HEADER + "Acme,pricing,high,easy,'=Volume discount,open,2024-01-15,\n"
        "Acme,technical,medium,hard,Webhooks,met,2024-02-01,2024-03-01\n"
        "Globex,funding,low,medium,Event budget,open,2024-02-01,\n"
    )

    listed = slack.command_ok("needs Acme all", team=team).blocks_text
    assert "2 needs, open and closed: Acme" in listed and "owner <@U0ANN>" in listed
    assert "“=Volume discount”" in listed and "*met* 2024-03-01" in listed
    assert "*Open needs* (1)" in slack.command_ok("show Acme", team=team).blocks_text

    assert refused_import(database_url, "needs", team, NEEDS + "Acme,pricing,,,x,met,,\n") == (
        "partnerbot: import failed, nothing was written: line 5: closed_on is required when the status is met"
    )
    assert run_cli(database_url, "export", "needs", "--team", team).stdout == exported

    copy = new_team_id()
    run_cli(database_url, "import", "partners", "-", "--team", copy, input="name\nAcme\nGlobex\n")
    target = tmp_path / "copy.csv"
    target.write_text(exported, encoding="utf-8")
    run_cli(database_url, "import", "needs", str(target), "--team", copy)
    run_cli(database_url, "export", "needs", "--team", copy, "-o", str(tmp_path / "again.csv"))
    assert (tmp_path / "again.csv").read_text(encoding="utf-8") == exported


def test_follow_ups_go_in_and_out_through_the_cli(team: str, database_url: str) -> None:
    run_cli(
        database_url, "import", "partners", "-", "--team", team, input="name,owner\nAcme,U0ANN\nGlobex,\n"
    )
    soon = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    follow_ups = (
        FOLLOW_UP_HEADER + f"Acme,,{soon},Send the quote,,\n"
        "Globex,<@U0BOB|bob>,2024-01-10,+Renewal call,done,2024-01-09\n"
        "Globex,,2024-02-01,Nobody's,,\n"
    )
    done = run_cli(database_url, "import", "followups", "-", "--team", team, input=follow_ups)
    assert f"imported 3 followups into team {team}" in done.stderr
    exported = run_cli(database_url, "export", "followups", "--team", team).stdout
    assert (
        exported
        == (
            FOLLOW_UP_HEADER + f"Acme,U0ANN,{soon},Send the quote,open,\n"  # the partner's owner
            "Globex,U0BOB,2024-01-10,'+Renewal call,done,2024-01-09\n"
            "Globex,,2024-02-01,Nobody's,open,\n"  # unowned: listed, reminded to nobody
        )
    )
    assert refused_import(
        database_url, "followups", team, FOLLOW_UP_HEADER + "Acme,ann,2030-01-01,x,,\n"
    ) == (
        "partnerbot: import failed, nothing was written: line 2: owner must be a Slack user ID like "
        "U0123ABCD or <@U0123ABCD>, got 'ann'"
    )
    copy = new_team_id()
    run_cli(database_url, "import", "partners", "-", "--team", copy, input="name\nAcme\nGlobex\n")
    run_cli(database_url, "import", "followups", "-", "--team", copy, input=exported)
    assert run_cli(database_url, "export", "followups", "--team", copy).stdout == exported
