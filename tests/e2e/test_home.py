"""The App Home tab end to end: ``app_home_opened`` in, ``views.publish`` out (checked against the
Block Kit schema by the stand-in), and the three buttons on it, against the real server on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.standin.blockkit import MAX_VIEW_BLOCKS
from bot.standin.http import HttpStandIn
from bot.standin.records import Call
from bot.standin.texts import iter_texts

from .conftest import export_rows, run_cli
from .slack_client import SlackClient, partner_option

pytestmark = pytest.mark.e2e


def open_home(slack: SlackClient, *, user: str, team: str, tab: str = "home") -> None:
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D" + user[1:],
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    result = slack.send_event(event, team=team)
    assert result.status == 200, result.text


def published(standin: HttpStandIn, user: str, count: int = 1, timeout: float = 10) -> Call:
    call = standin.wait_for(
        "views.publish", where=lambda c: c.args.get("user_id") == user, count=count, timeout=timeout
    )
    assert call.ok, (call.response, call.invalid)  # the stand-in refuses what Slack would refuse
    return call


def shown(call: Call) -> str:
    return "\n".join(text for _, _, text in iter_texts(call.args["view"]))


def click_home(slack: SlackClient, view: dict[str, Any], action_id: str, *, user: str, team: str) -> Any:
    """Press a button on the Home tab, as Slack sends it (container: the view)."""
    element, block = next(
        (e, b)
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    payload = {
        "type": "block_actions",
        "user": slack.user(user, team),
        "api_app_id": slack.standin.app_id,
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": slack.standin.new_trigger_id(),
        "team": {"id": team, "domain": team.lower()},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": view,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block["block_id"],
                "text": element["text"],
                "value": element["value"],
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    result = slack.send_interaction(payload)
    assert result.status == 200 and result.text == "", result.text
    return result


def opened_view(standin: HttpStandIn, trigger_id: str) -> dict[str, Any]:
    call = standin.wait_for("views.open", where=lambda c: c.args.get("trigger_id") == trigger_id)
    assert call.ok, (call.response, call.invalid)
    return call.response["view"]  # type: ignore[index]


def test_opening_the_home_tab_publishes_the_dashboard(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str
) -> None:
    slack.command_ok(f'add "Acme Corp" tier:gold owner:<@{user}|me>', team=team, user=user)
    slack.command_ok('add "Globex" owner:<@U777|other>', team=team, user=user)
    slack.command_ok("log Acme Corp call Renewal talk, they want a Q3 pilot", team=team, user=user)

    started = time.monotonic()
    open_home(slack, user=user, team=team)
    call = published(standin, user)
    assert time.monotonic() - started < 3
    view = call.args["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= MAX_VIEW_BLOCKS
    text = shown(call)
    assert "*Your partners* (1)" in text and "*Acme Corp* — score " in text
    assert "*Top 5 in the workspace*" in text and "*1.* *Acme Corp*" in text
    assert "*Needs attention* (1)" in text and "*Globex* — never contacted · <@U777>" in text
    assert "Call with *Acme Corp*: “Renewal talk, they want a Q3 pilot”" in text
    buttons = [e["text"]["text"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Log communication", "Add partner", "Give feedback"]


def test_the_messages_tab_publishes_nothing(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str
) -> None:
    open_home(slack, user=user, team=team, tab="messages")
    open_home(slack, user=user, team=team)
    published(standin, user)
    standin.assert_no_call(
        "views.publish", where=lambda c: c.args.get("user_id") == user, beyond=1, within=0.5
    )


def test_add_partner_from_home_checks_like_the_command_and_republishes(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str, database_url: str
) -> None:
    slack.add_partner("Globex", team=team, user=user)
    open_home(slack, user=user, team=team)
    home_view = published(standin, user).response["view"]  # type: ignore[index]

    clicked = click_home(slack, home_view, "home_add_partner", user=user, team=team)
    form = opened_view(standin, clicked.trigger_id)
    assert form["callback_id"] == "home_add_partner_modal"
    owner = next(b for b in form["blocks"] if b["block_id"] == "owner")
    assert owner["element"]["initial_user"] == user

    refused = slack.submit_view(form, {"name": "Initech", "revenue": "-5"}, team=team, user=user)
    assert refused.json == {
        "response_action": "errors",
        "errors": {"revenue": "Revenue must be zero or more — got “-5”."},
    }
    taken = slack.submit_view(form, {"name": " globex "}, team=team, user=user)
    assert taken.json["response_action"] == "errors" and list(taken.json["errors"]) == ["name"]
    assert taken.json["errors"]["name"].startswith("Globex is already a partner, so I changed nothing.")

    saved = slack.submit_view(
        form, {"name": "Initech", "tier": "platinum", "revenue": "1200.50"}, team=team, user=user
    )
    assert saved.status == 200 and saved.text == "", saved.text
    told = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == user)
    assert "Added *Initech* (tier platinum · owner <@" in told.args["text"]
    again = published(standin, user, count=2)
    assert "*Your partners* (1)" in shown(again) and "*Initech* — score" in shown(again)
    rows = export_rows(database_url, "partners", team)
    assert sorted((r["name"], r["tier"], r["owner"], r["revenue"]) for r in rows) == [
        ("Globex", "", "", ""),
        ("Initech", "platinum", user, "1200.50"),
    ]


def test_log_communication_from_home_opens_the_log_modal(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str, database_url: str
) -> None:
    slack.add_partner("Acme", team=team, user=user)
    open_home(slack, user=user, team=team)
    home_view = published(standin, user).response["view"]  # type: ignore[index]
    clicked = click_home(slack, home_view, "home_log", user=user, team=team)
    form = opened_view(standin, clicked.trigger_id)
    assert form["callback_id"] == "log_interaction"
    option = partner_option(slack, team, "Acme", view=form)
    saved = slack.submit_view(form, {"partner": option, "notes": "From the Home tab"}, team=team, user=user)
    assert saved.status == 200 and saved.text == "", saved.text
    # No response_url on the Home tab: the confirmation is a direct message.
    told = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == user)
    assert "Logged a call with Acme" in told.args["text"]
    assert [r["notes"] for r in export_rows(database_url, "interactions", team)] == ["From the Home tab"]


def test_give_feedback_from_home_picks_a_partner_then_shows_the_feedback_form(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str, database_url: str
) -> None:
    slack.add_partner("Acme", team=team, user=user)
    open_home(slack, user=user, team=team)
    home_view = published(standin, user).response["view"]  # type: ignore[index]
    clicked = click_home(slack, home_view, "home_give_feedback", user=user, team=team)
    picker = opened_view(standin, clicked.trigger_id)
    assert picker["callback_id"] == "home_feedback_partner"

    empty = slack.submit_view(picker, {"partner": None}, team=team, user=user)
    assert empty.json == {
        "response_action": "errors",
        "errors": {"partner": "Choose a partner from the list."},
    }
    option = partner_option(slack, team, "Acme", view=picker)  # the log modal's type-ahead answers it
    chosen = slack.submit_view(picker, {"partner": option}, team=team, user=user)
    assert chosen.json["response_action"] == "update"  # validated as a modal by the harness
    form = {**chosen.json["view"], "id": picker["id"]}
    assert form["callback_id"] == "partner_feedback"

    state = {
        "csat": {
            "csat_input": {
                "type": "radio_buttons",
                "selected_option": {"text": {"type": "plain_text", "text": "4 — Satisfied"}, "value": "4"},
            }
        },
        "nps": {"nps_input": {"type": "number_input", "value": "9"}},
        "comment": {"comment_input": {"type": "plain_text_input", "value": "Great QBR"}},
        "anonymous": {"anonymous_input": {"type": "checkboxes", "selected_options": []}},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": team, "domain": team.lower()},
        "user": slack.user(user, team),
        "api_app_id": standin.app_id,
        "token": "legacy-verification-token",
        "trigger_id": standin.new_trigger_id(),
        "view": {**form, "state": {"values": state}},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    thanks = slack.send_interaction(payload)
    assert thanks.json["response_action"] == "update" and "Thank you" in thanks.blocks_text
    rows = export_rows(database_url, "feedback", team)
    assert [(r["partner"], r["csat"], r["nps"], r["comment"]) for r in rows] == [
        ("Acme", "4", "9", "Great QBR")
    ]


def test_thousands_of_partners_stay_within_limits(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str, database_url: str
) -> None:
    lines = ["name,owner,tier"] + [f"Partner {i:04d},{user if i % 2 else 'U777'},gold" for i in range(3000)]
    run_cli(database_url, "import", "partners", "-", "--team", team, input="\n".join(lines) + "\n")
    slack.command_ok("log Partner 0001 meeting Kickoff", team=team, user=user)
    open_home(slack, user=user, team=team)
    call = published(standin, user, timeout=20)
    view = call.args["view"]
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    text = shown(call)
    assert "*Your partners* (1,500)" in text and "…and 1,485 more of yours." in text
    assert "*Needs attention* (2,999)" in text and "…and 2,989 more." in text
    assert "*1.* *Partner 0001*" in text
