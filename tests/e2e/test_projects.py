"""Joint projects and committed resources through the real server (issue 12): commands, forms,
buttons, the partner's record, rankings by delivery and loyalty, questions in plain words, and
what bad input gets. On SQLite and PostgreSQL (conftest's module-scoped server)."""

from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta

import pytest

from bot.standin.http import HttpStandIn

from .conftest import new_team_id
from .slack_client import SlackClient, SlackResult, opened_view, partner_option, text_of

pytestmark = pytest.mark.e2e


def answer(slack: SlackClient, result: SlackResult) -> str:
    """The reply: in the acknowledgement, or what followed through the response_url."""
    if isinstance(result.json, dict) and (result.json.get("text") or result.json.get("blocks")):
        return text_of(result.json)
    assert result.response_url
    return text_of(slack.standin.wait_for_response(result.response_url, timeout=5).args)


def project_number(said: str) -> int:
    match = re.search(r"Project #(\d+)", said)
    assert match, said
    return int(match.group(1))


def add_project(slack: SlackClient, team: str, text: str, *, user: str = "U1") -> tuple[int, SlackResult]:
    result = slack.command_ok(f"project add {text}", team=team, user=user)
    said = text_of(result.json)
    assert "Added Project #" in said, said
    return project_number(said), result


def test_a_project_is_added_listed_and_closed_by_its_buttons(slack: SlackClient, team: str) -> None:
    slack.add_partner("Acme", team=team)
    number, added = add_project(
        slack, team, 'Acme Q3 pilot due:2030-09-30 value:50,000 goal:"Land 3 customers"'
    )
    said = text_of(added.json)
    assert "*Q3 pilot* with *Acme*" in said and "due 2030-09-30" in said and "value 50,000.00" in said
    assert "Goal: Land 3 customers" in said
    buttons = [e["action_id"] for b in added.json["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["project_update_open", "project_close_won", "project_close_lost"]

    listed = slack.command_ok("project list Acme", team=team).blocks_text
    assert f"*#{number}* *Q3 pilot*" in listed and "planned · 0%" in listed

    refused = slack.click("project_close_won", str(number), team=team, user="UCLOSER")
    said = text_of(slack.standin.wait_for_response(refused.response_url).args)
    assert "Only whoever created it (<@U1>) or an admin can update or close" in said  # not its creator
    clicked = slack.click("project_close_won", str(number), team=team, user="U1")
    assert clicked.status == 200 and clicked.elapsed < 1.0
    closed = slack.standin.wait_for_response(clicked.response_url)
    assert closed.args.get("replace_original") is True  # the buttons no longer apply
    assert f"Closed Project *#{number}*" in text_of(closed.args) and "won" in text_of(closed.args)

    again = slack.command_ok(f"project close {number} lost", team=team)
    assert f"Project #{number} was already closed as *won* on " in again.json["text"]
    assert "<@U1>" in again.json["text"]
    assert f"*#{number}*" in slack.command_ok("project list Acme closed", team=team).blocks_text
    assert "No open projects" in slack.command_ok("project list Acme", team=team).json["text"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Acmee Pilot", "Did you mean *Acme*?"),
        ("Acme", "What is the project called?"),
        ("Acme Pilot due:2030-02-30", "YYYY-MM-DD"),
        ("Acme Pilot due:1980-01-01", "out of range"),
        ("Acme Pilot start:2030-06-01 due:2030-01-01", "can't be before the start"),
        ("Acme Pilot value:-5", "zero or more"),
        ("Acme Pilot owner:@x", "I can't set “owner:@x” on a project"),
    ],
)
def test_bad_input_on_add_is_refused_with_the_reason(
    slack: SlackClient, team: str, database_url: str, typed: str, expected: str
) -> None:
    slack.add_partner("Acme", team=team)
    said = slack.command_ok(f"project add {typed}", team=team).json["text"]
    assert expected in said, said
    assert "No open projects" in slack.command_ok("project list", team=team).json["text"]


def test_the_new_project_form_checks_its_fields_and_adds(slack: SlackClient, team: str) -> None:
    slack.add_partner("Initech", team=team)
    opened = slack.send_command("project", team=team)
    view = opened_view(slack, opened)
    option = partner_option(slack, team, "Initech", view)
    bad = slack.submit_view(
        view,
        {
            "partner": option,
            "project_name": "Rollout",
            "started_on": "2030-06-01",
            "due_on": "2030-01-01",
            "value": "-3",
        },
        team=team,
    )
    assert bad.json["response_action"] == "errors"
    assert set(bad.json["errors"]) == {"due_on", "value"}, bad.json
    good = slack.submit_view(
        view,
        {
            "partner": option,
            "project_name": "Rollout",
            "goal": "Go live in EMEA",
            "due_on": "2030-09-01",
            "value": "1200.5",
        },
        team=team,
    )
    assert good.status == 200 and good.text == ""
    confirmed = text_of(slack.standin.wait_for_response(opened.response_url).args)
    assert (
        "Added Project *#" in confirmed
        and "*Rollout* with *Initech*" in confirmed
        and "value 1,200.50" in confirmed
    )


def test_the_update_form_changes_progress_and_can_close(slack: SlackClient, team: str) -> None:
    slack.add_partner("Globex", team=team)
    number, _ = add_project(slack, team, "Globex Migration due:2030-03-01")
    opened = slack.send_command(f"project update {number}", team=team)
    view = opened_view(slack, opened)
    assert view["title"]["text"] == f"Project #{number}"
    too_far = slack.submit_view(view, {"progress": "150"}, team=team)
    assert "from 0 to 100" in too_far.json["errors"]["progress"]
    saved = slack.submit_view(view, {"progress": "60", "project_status": "active"}, team=team)
    assert saved.status == 200 and saved.text == ""
    assert "active · 60%" in text_of(slack.standin.wait_for_response(opened.response_url).args)
    reopened = slack.send_command(f"project update {number}", team=team)
    view = opened_view(slack, reopened)
    lost = slack.submit_view(view, {"project_status": "lost", "result": "Chose a competitor"}, team=team)
    assert lost.status == 200
    closed = text_of(slack.standin.wait_for_response(reopened.response_url).args)
    assert "Closed Project" in closed and "lost" in closed and "Chose a competitor" in closed


def test_another_workspaces_project_is_no_such_project(slack: SlackClient, team: str) -> None:
    other_team = new_team_id()
    slack.add_partner("Acme", team=other_team)
    number, _ = add_project(slack, other_team, "Acme Secret")
    for typed in (
        f"project close {number} won",
        f"project update {number}",
        "project close 99999999999999999999 won",
    ):
        said = slack.command_ok(typed, team=team).json["text"]
        assert "There is no project #" in said and "Secret" not in said, said
    clicked = slack.click("project_close_won", str(number), team=team)
    assert "no project" in text_of(slack.standin.wait_for_response(clicked.response_url).args)


def test_resources_and_communications_name_the_partners_own_projects(slack: SlackClient, team: str) -> None:
    slack.add_partner("Acme", team=team)
    slack.add_partner("Globex", team=team)
    acme, _ = add_project(slack, team, "Acme Pilot")
    globex, _ = add_project(slack, team, "Globex Rollout")
    hours = slack.command_ok(f"resource Acme people 40 hours project:{acme} onboarding", team=team).json[
        "text"
    ]
    assert (
        "Resource #" in hours
        and "40 hours" in hours
        and f"project #{acme}" in hours
        and "onboarding" in hours
    )
    days = slack.command_ok("resource Acme people 2 days workshop", team=team).json["text"]
    assert "16 hours" in days and "workshop" in days  # people are counted in hours
    licences = slack.command_ok("resource Acme technology 3 licences sandbox", team=team).json["text"]
    assert "3 licences" in licences and "sandbox" in licences
    funds = slack.command_ok("resource Acme funds 5,000 EUR co-marketing", team=team).json["text"]
    assert "5,000.00 EUR" in funds
    wrong = slack.command_ok(f"resource Acme funds 10 project:{globex}", team=team).json["text"]
    assert f"There is no project #{globex} with *Acme*" in wrong
    assert "must be more than 0" in slack.command_ok("resource Acme funds 0", team=team).json["text"]
    logged = slack.command_ok(f"log Acme meeting project:{acme} kickoff", team=team)
    assert f"Project #{acme} Pilot" in logged.blocks_text and "“kickoff”" in logged.blocks_text
    refused = slack.command_ok(f"log Acme call project:{globex} wrong one", team=team).json["text"]
    assert f"There is no project #{globex} with *Acme*" in refused


def test_the_log_form_takes_a_project_number(slack: SlackClient, team: str) -> None:
    slack.add_partner("Hooli", team=team)
    slack.add_partner("Other", team=team)
    hooli, _ = add_project(slack, team, "Hooli Integration")
    other, _ = add_project(slack, team, "Other Thing")
    ack, view = slack.open_log_modal(team=team)
    option = partner_option(slack, team, "Hooli", view)
    wrong = slack.submit_view(view, {"partner": option, "project": str(other)}, team=team)
    assert "There is no project" in wrong.json["errors"]["project"]
    ok = slack.submit_view(view, {"partner": option, "project": str(hooli)}, team=team)
    assert ok.status == 200 and ok.text == ""
    assert f"Project #{hooli} Integration" in text_of(slack.standin.wait_for_response(ack.response_url).args)


def test_show_top_weights_and_questions_know_projects(slack: SlackClient, team: str) -> None:
    for name in ("Winner", "Loser"):
        slack.add_partner(name, team=team)
        slack.command_ok(f"log {name} call hello", team=team)
    for i in range(3):
        won, _ = add_project(slack, team, f"Winner Deal {i} value:1000")
        slack.command_ok(f"project close {won} won", team=team)
        lost, _ = add_project(slack, team, f"Loser Deal {i}")
        slack.command_ok(f"project close {lost} lost", team=team)
    add_project(slack, team, "Winner Late due:2001-01-01")  # overdue, refused? no: 2001 is in range
    slack.command_ok("resource Winner funds 1,500", team=team)
    shown = slack.command_ok('show "Winner"', team=team).blocks_text
    assert "*Projects* · 1 open · 3 of 3 won (100%) · won value 3,000.00" in shown
    assert "(*overdue*)" in shown and "*Latest outcomes*" in shown
    assert "2.00 won per unit of funds" in shown
    assert "*Delivery*" in shown and "3 of 3 closed joint projects won" in shown
    assert "loyalty: *champion*" in shown

    top = slack.send_command("top by delivery", team=team)
    ranked = answer(slack, top)
    assert ranked.index("Winner") < ranked.index("Loser") and "delivery (projects won)" in ranked
    by_loyalty = answer(slack, slack.send_command("top by loyalty", team=team))
    assert "champion" in by_loyalty and "at risk" in by_loyalty
    assert "*delivery*: 0.15" in slack.command_ok("weights", team=team).blocks_text

    for asked, expected in (
        ("what projects do we have with Winner?", "projects with Winner"),
        ("success rate by tier", "50% (3 of 6 won)"),
        ("which partners won the most this year?", "*Winner* — 3 projects won"),
    ):
        reply = slack.ask(asked, team=team)
        assert expected in reply, (asked, reply)


def test_the_home_tab_lists_the_persons_open_projects(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str
) -> None:
    slack.command_ok(f"add Mine owner:<@{user}>", team=team)
    soon = (date.today() + timedelta(days=20)).isoformat()
    add_project(slack, team, f"Mine Launch due:{soon}")
    ts = f"{time.time():.6f}"
    slack.send_event(
        {"type": "app_home_opened", "user": user, "tab": "home", "channel": "D" + team[1:], "event_ts": ts},
        team=team,
    )
    published = standin.wait_for("views.publish", where=lambda c: c.args.get("user_id") == user)
    home = text_of(published.args["view"])
    assert "*Your open projects* (1)" in home and "*Launch* with *Mine*" in home and f"due {soon}" in home


def test_a_digest_says_what_was_won_and_lost(slack: SlackClient, standin: HttpStandIn, team: str) -> None:
    slack.add_partner("Acme", team=team)
    slack.command_ok("log Acme call hi", team=team)
    won, _ = add_project(slack, team, "Acme Big deal value:9000")
    slack.command_ok(f"project close {won} won", team=team)
    channel = "C" + team[1:]
    slack.command_ok(f"digest add <#{channel}|partners> daily 09:00 no chart", team=team)
    slack.send_command(f"digest now <#{channel}|partners>", team=team)
    posted = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == channel)
    said = text_of(posted.args)
    assert "*Won / lost this period:* 1 won, 0 lost" in said and "*Big deal* with *Acme* · 9,000.00" in said
    assert "<!" not in json.dumps(posted.args).replace("<!date^", "")
