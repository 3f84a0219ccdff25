"""Partner records end to end: ``/partner edit`` (the modal and its submission) and ``/partner archive``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.standin.http import HttpStandIn

from .conftest import export_rows
from .slack_client import SlackClient, counts_90_days, partner_option

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", autouse=True)
def _u1_is_an_admin(standin: HttpStandIn) -> None:
    """These tests are about the forms and the profile, so U1 may edit any partner (an admin);
    who may edit is tests/e2e/test_permissions.py's."""
    standin.set_user("U1", is_admin=True)


def open_edit_modal(slack: SlackClient, team: str, name: str) -> tuple[Any, dict[str, Any]]:
    ack = slack.send_command(f'edit "{name}"', team=team)
    assert ack.status == 200 and ack.text == "", ack.text
    opened = slack.standin.wait_for("views.open", where=lambda c: c.args.get("trigger_id") == ack.trigger_id)
    assert opened.ok, opened.response
    return ack, opened.response["view"]


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def test_edit_opens_the_profile_prefilled_and_saves_changes(
    slack: SlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    slack.command_ok('add "Acme Corp" tier:gold region:EMEA owner:<@U42|ana> revenue:1200.50', team=team)
    ack, view = open_edit_modal(slack, team, "acme corp")
    fields = inputs(view)
    assert fields["name"]["initial_value"] == "Acme Corp"
    assert fields["tier"]["initial_value"] == "gold" and fields["region"]["initial_value"] == "EMEA"
    assert fields["owner"]["initial_user"] == "U42"
    assert fields["revenue"]["initial_value"] == "1200.5"
    assert fields["status"]["initial_option"]["value"] == "active"

    changes = {"name": "Acme Corporation", "tier": "platinum", "owner": "U43", "cost": "300"}
    saved = slack.submit_view(view, changes, team=team)
    assert saved.status == 200 and saved.text == "", saved.text
    said = standin.wait_for_response(ack.response_url).args
    assert "Saved *Acme Corporation*" in said["text"] and "platinum" in said["text"]
    rows = export_rows(database_url, "partners", team)
    assert [(r["name"], r["tier"], r["region"], r["owner"], r["revenue"], r["cost"]) for r in rows] == [
        ("Acme Corporation", "platinum", "EMEA", "U43", "1200.50", "300.00")
    ]
    assert "I don't know a partner" in slack.command_ok('show "Acme Corp"', team=team).json["text"]


@pytest.mark.parametrize(
    ("changes", "block"),
    [
        ({"name": "  "}, "name"),
        ({"name": "globex"}, "name"),  # another partner's name, in another case
        ({"revenue": "-5"}, "revenue"),
        ({"status": "deleted"}, "status"),
    ],
    ids=["blank-name", "taken-name", "negative-revenue", "unknown-status"],
)
def test_edit_refuses_bad_input_per_field_and_changes_nothing(
    slack: SlackClient, team: str, database_url: str, changes: dict, block: str
) -> None:
    slack.add_partner("Acme", team=team)
    slack.add_partner("Globex", team=team)
    _, view = open_edit_modal(slack, team, "Acme")
    answer = slack.submit_view(view, changes, team=team)
    assert answer.json["response_action"] == "errors", answer.json
    assert block in answer.json["errors"], answer.json
    names = sorted(r["name"] for r in export_rows(database_url, "partners", team))
    assert names == ["Acme", "Globex"]


def test_archive_keeps_history_hides_the_partner_and_edit_brings_it_back(
    slack: SlackClient, team: str
) -> None:
    slack.add_partner("Oldco", team=team)
    slack.add_partner("Oldcorp", team=team)
    slack.command_ok("log Oldco call before archiving", team=team)
    archived = slack.command_ok("archive oldco", team=team)
    assert "Archived *Oldco*" in archived.json["text"]
    assert "already archived" in slack.command_ok("archive Oldco", team=team).json["text"]

    refused = slack.command_ok("log Oldco call after archiving", team=team)
    assert "is archived" in refused.json["text"]
    assert counts_90_days(slack, team, "Oldco") == "1 call"
    offered = [o["text"]["text"] for o in slack.send_options("old", team=team).json["options"]]
    assert offered == ["Oldcorp"], "an archived partner is offered in the log modal"

    # A modal opened before the archive cannot log to it either.
    _, log_view = slack.open_log_modal(team=team)
    option = partner_option(slack, team, "Oldcorp", log_view)
    slack.command_ok("archive Oldcorp", team=team)
    late = slack.submit_view(log_view, {"partner": option}, team=team)
    assert late.json["response_action"] == "errors" and "partner" in late.json["errors"]

    _, view = open_edit_modal(slack, team, "Oldco")
    assert inputs(view)["status"]["initial_option"]["value"] == "archived"
    assert slack.submit_view(view, {"status": "active"}, team=team).status == 200
    logged = slack.command_ok("log Oldco call back again", team=team)
    assert "Logged a *call*" in logged.json["blocks"][0]["text"]["text"]


def test_a_log_modal_cannot_log_to_another_workspaces_partner(slack: SlackClient, team: str) -> None:
    other = team + "X"
    slack.add_partner("Theirs Inc", team=other)
    foreign = partner_option(slack, other, "Theirs Inc")
    slack.add_partner("Mine Inc", team=team)
    _, view = slack.open_log_modal(team=team)
    answer = slack.submit_view(view, {"partner": foreign, "notes": "sneaky"}, team=team)
    assert answer.json["response_action"] == "errors" and "partner" in answer.json["errors"]
    assert counts_90_days(slack, other, "Theirs Inc") == "none"
    assert "sneaky" not in json.dumps(slack.command_ok('show "Theirs Inc"', team=other).json)
