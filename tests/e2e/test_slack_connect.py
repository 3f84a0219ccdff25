"""The workspace of record in a channel shared with another organisation (Slack Connect).

There the person clicking may belong to another workspace: their ``user.team_id`` (and the
payload's ``team``) is their own, while a form the app opened carries the installing workspace in
``view.app_installed_team_id``. Records must go to the workspace that installed Partnerbot, worked
out once per request (bot.app.workspace_of_request), never to the clicker's own.
"""

from __future__ import annotations

import copy

import pytest

from .conftest import export_rows
from .slack_client import SlackClient, partner_option

pytestmark = pytest.mark.e2e

THEIR_ORG = "TOTHERORG0001"


def from_another_org(view: dict, installed_in: str) -> dict:
    """The view as Slack sends it back from a Slack Connect channel: marked with the installing
    workspace."""
    shared = copy.deepcopy(view)
    shared["app_installed_team_id"] = installed_in
    return shared


def test_a_log_form_submitted_by_someone_of_another_org_is_stored_in_the_installing_workspace(
    slack: SlackClient, team: str, database_url: str
) -> None:
    slack.add_partner("Shared Co", team=team)
    _, view = slack.open_log_modal(team=team, user="UGUEST1")
    option = partner_option(slack, team, "Shared Co", view)
    submitted = slack.submit_view(
        from_another_org(view, team),
        {"partner": option, "notes": "from the shared channel"},
        user="UGUEST1",
        team=THEIR_ORG,
    )
    assert submitted.status == 200 and submitted.text == "", submitted.text
    rows = export_rows(database_url, "interactions", team)
    assert [(r["partner"], r["notes"], r["user"]) for r in rows] == [
        ("Shared Co", "from the shared channel", "UGUEST1")
    ]
    assert export_rows(database_url, "interactions", THEIR_ORG) == []


def test_an_edit_form_submitted_from_another_org_changes_the_installing_workspaces_partner(
    slack: SlackClient, team: str, database_url: str
) -> None:
    slack.add_partner("Edited Co", team=team)
    edit = slack.send_command('edit "Edited Co"', team=team)
    call = slack.standin.wait_for(
        "views.open", timeout=5, where=lambda c: c.args.get("trigger_id") == edit.trigger_id
    )
    view = call.response["view"]  # type: ignore[index]
    submitted = slack.submit_view(
        from_another_org(view, team), {"tier": "platinum"}, user="UGUEST2", team=THEIR_ORG
    )
    assert submitted.status == 200 and submitted.text == "", submitted.text
    partners = {r["name"]: r for r in export_rows(database_url, "partners", team)}
    assert partners["Edited Co"]["tier"] == "platinum"
    assert export_rows(database_url, "partners", THEIR_ORG) == []
