"""Partner needs through the real server (issue 13): the command, the form, the Met and Declined
buttons, the ranked list with its summary, the partner's record, questions in plain words, and
what bad input gets. On SQLite and PostgreSQL (conftest's module-scoped server)."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import new_team_id
from .slack_client import SlackClient, SlackResult, button_value, opened_view, partner_option, text_of

pytestmark = pytest.mark.e2e


def need_number(said: str) -> int:
    match = re.search(r"Need #(\d+)", said)
    assert match, said
    return int(match.group(1))


def add_need(slack: SlackClient, team: str, text: str, *, user: str = "U1") -> tuple[int, SlackResult]:
    result = slack.command_ok(f"need {text}", team=team, user=user)
    said = text_of(result.json)
    assert "Recorded Need #" in said, said
    return need_number(said), result


def test_a_need_is_recorded_listed_and_closed_by_its_buttons(slack: SlackClient, team: str) -> None:
    slack.command_ok("add Acme tier:gold owner:<@UOWNER|ann>", team=team)
    number, added = add_need(slack, team, "Acme discount priority:high Volume <b>discount</b> & more")
    said = text_of(added.json)
    assert f"Recorded Need #{number} for *Acme*" in said and "pricing · priority *high*" in said
    assert "difficulty medium" in said and "owner <@UOWNER>" in said and "raised today" in said
    assert "“Volume &lt;b&gt;discount&lt;/b&gt; &amp; more”" in said  # escaped, never markup
    assert button_value(added.json, "need_met") == button_value(added.json, "need_declined") == str(number)

    listed = slack.command_ok("needs", team=team).blocks_text
    assert f"*#{number}* *Acme* · pricing" in listed and "1 open need: all partners" in listed

    clicked = slack.click("need_met", str(number), team=team, user="UOWNER")  # the partner's owner
    assert clicked.status == 200 and clicked.elapsed < 1.0
    closed = slack.standin.wait_for_response(clicked.response_url)
    assert closed.args.get("replace_original") is True  # the buttons no longer apply
    assert f"Closed Need #{number} for *Acme* as *met*" in text_of(closed.args)

    again = slack.click("need_declined", str(number), team=team)
    already = text_of(slack.standin.wait_for_response(again.response_url).args)
    assert f"Need #{number} was already closed as *met* on " in already and "<@UOWNER>" in already
    typed = slack.command_ok(f"need declined #{number} too late", team=team).json["text"]
    assert f"Need #{number} was already closed as *met*" in typed and "nothing changed" in typed
    assert "0 open needs" in slack.command_ok("needs", team=team).blocks_text
    assert "· *met* " in slack.command_ok("needs Acme all", team=team).blocks_text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Acmee pricing x", "Did you mean *Acme*?"),
        ("Acme pricng Volume discount", "Did you mean `pricing`?"),
        ("Acme lunch Volume discount", "The type of need can be: pricing, technical, integration"),
        ("Acme pricing priority:asap x", "The priority can be: high, medium, low."),
        ("Acme pricing difficulty:hrd x", "Did you mean `hard`?"),
        ("Acme pricing priorty:high x", "did you mean `priority:high`?"),
        ("Acme pricing", "Say what *Acme* needs"),
        ("Acme", "What does *Acme* need?"),
        ("done", "Which need?"),
        ("Old pricing x", "*Old* is archived"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_stores_nothing(
    slack: SlackClient, team: str, typed: str, expected: str
) -> None:
    slack.add_partner("Acme", team=team)
    slack.command_ok("add Old owner:<@U1>", team=team)
    slack.command_ok("archive Old", team=team)
    said = slack.command_ok(f"need {typed}", team=team).json["text"]
    assert expected in said, said
    assert "0 needs, open and closed" in slack.command_ok("needs all", team=team).blocks_text
    assert "0 needs, open and closed" in slack.command_ok("needs Old all", team=team).blocks_text


def test_the_new_need_form_checks_its_fields_records_once_and_confirms(slack: SlackClient, team: str) -> None:
    slack.add_partner("Initech", team=team)
    opened = slack.send_command("need", team=team)
    view = opened_view(slack, opened)
    option = partner_option(slack, team, "Initech", view)
    bad = slack.submit_view(view, {"partner": option, "need_type": "bribery"}, team=team)
    assert bad.json["response_action"] == "errors"
    assert set(bad.json["errors"]) == {"need_type", "need_description"}, bad.json
    changes = {
        "partner": option,
        "need_type": "integration",
        "need_difficulty": "hard",
        "need_description": "A Salesforce connector",
    }
    good = slack.submit_view(view, changes, team=team)
    assert good.status == 200 and good.text == ""
    confirmed = text_of(slack.standin.wait_for_response(opened.response_url).args)
    assert "Recorded Need #" in confirmed and "for *Initech*" in confirmed
    assert "integration · priority medium · difficulty hard" in confirmed
    replayed = slack.submit_view(view, changes, team=team)  # Slack retrying the same submission
    assert replayed.status == 200
    assert "1 open need: Initech" in slack.command_ok("needs Initech", team=team).blocks_text


def test_another_workspaces_need_is_no_such_need(slack: SlackClient, team: str) -> None:
    other_team = new_team_id()
    slack.add_partner("Acme", team=other_team)
    number, _ = add_need(slack, other_team, "Acme pricing Secret discount")
    for typed in (f"need done {number}", f"need declined #{number} no", "need done 99999999999999999999"):
        said = slack.command_ok(typed, team=team).json["text"]
        assert "There is no need #" in said and "Secret" not in said and "Acme" not in said, said
    clicked = slack.click("need_met", str(number), team=team)
    said = text_of(slack.standin.wait_for_response(clicked.response_url).args)
    assert f"There is no need #{number}" in said and "Secret" not in said
    assert "1 open need: Acme" in slack.command_ok("needs Acme", team=other_team).blocks_text


def test_needs_are_ranked_summarised_shown_and_answered_in_plain_words(slack: SlackClient, team: str) -> None:
    slack.command_ok("add Acme tier:gold", team=team)
    slack.command_ok("add Globex tier:silver", team=team)
    low, _ = add_need(slack, team, "Acme support priority:low Slow tickets")
    hard, _ = add_need(slack, team, "Acme api priority:high difficulty:hard Webhooks")
    easy, _ = add_need(slack, team, "Acme discount priority:high difficulty:easy 10% off")
    mdf, _ = add_need(slack, team, "Globex mdf Budget for the Q3 event")
    met, _ = add_need(slack, team, "Globex training Certification")
    declined, _ = add_need(slack, team, "Globex leads More leads")
    slack.command_ok(f"need done {met}", team=team)
    slack.command_ok(f"need declined {declined} not this year", team=team)

    listed = slack.command_ok("needs", team=team).blocks_text
    order = [listed.index(f"*#{n}*") for n in (easy, hard, mdf, low)]
    assert order == sorted(order), listed  # high before medium before low; easy before hard
    assert f"*#{met}*" not in listed and "4 open needs: all partners" in listed
    assert "*Open needs by type:* pricing 1 · technical 1 · funding 1 · support 1" in listed
    assert "gold: pricing (1)" in listed and "silver: funding (1)" in listed
    assert "*Met in the last 90 days:* 50% (1 of 2 closed; 1 declined)" in listed
    assert "(last 90 days): 0 days" in listed

    shown = slack.command_ok("show Acme", team=team).blocks_text
    assert "*Open needs* (3)" in shown
    assert shown.index(f"*#{easy}*") < shown.index(f"*#{hard}*") < shown.index(f"*#{low}*")

    acme = slack.ask("what does Acme need?", team=team)
    assert "3 open needs: Acme" in acme and f"*#{easy}*" in acme and "Globex" not in acme
    most = slack.ask("what do our partners need most?", team=team)
    assert "4 open needs: all partners" in most and "*Open needs by type:*" in most
    assert "<!" not in json.dumps(most).replace("<!date^", "")
