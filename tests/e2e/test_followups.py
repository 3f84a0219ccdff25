"""Follow-ups through the real server (issue 13): ``/partner followup`` and ``followups``, follow-ups
promised by a log (inline and in the form), Done and Snooze on messages and in the Home tab, a
reminder sent by a server that was down at 09:00, and what bad input gets. On SQLite and
PostgreSQL (conftest's module-scoped server)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.standin.http import HttpStandIn
from bot.standin.texts import iter_texts
from handlers.shared.when import parse_when

from .conftest import new_team_id
from .slack_client import SlackClient, SlackResult, partner_option, today_in
from .test_home import open_home, published, shown

pytestmark = pytest.mark.e2e
ZONE = "America/New_York"  # the stand-in's users' time zone


def text_of(payload: Any) -> str:
    return "\n".join(text for _, _, text in iter_texts(payload))


def number_in(said: str) -> int:
    match = re.search(r"Follow-up #(\d+)", said)
    assert match, said
    return int(match.group(1))


def add_follow_up(slack: SlackClient, team: str, text: str, *, user: str = "U1") -> tuple[int, SlackResult]:
    result = slack.command_ok(f"followup {text}", team=team, user=user)
    return number_in(text_of(result.json)), result


def test_a_follow_up_is_added_listed_and_done_by_its_button(slack: SlackClient, team: str, user: str) -> None:
    slack.add_partner("Acme Corp", team=team)
    number, added = add_follow_up(slack, team, "Acme Corp in 3 days Send the <b>pricing</b> deck", user=user)
    expected = today_in(ZONE) + timedelta(days=3)
    said = text_of(added.json)
    assert f"({expected.isoformat()})" in said and "with *Acme Corp*" in said
    assert "Send the &lt;b&gt;pricing&lt;/b&gt; deck" in said  # shown literally
    assert "09:00 your time" in said

    mine = slack.command_ok("followups", team=team, user=user).blocks_text
    assert f"*#{number}* *Acme Corp*: Send the" in mine and "*Your open follow-ups* (1)" in mine
    assert "Nobody" in slack.command_ok("followups all", team=new_team_id()).json["text"]
    assert "No follow-up is overdue" in slack.command_ok("followups overdue", team=team).json["text"]

    clicked = slack.click("followup_done", str(number), team=team, user=user)
    done = slack.standin.wait_for_response(clicked.response_url)
    assert done.args.get("replace_original") is True
    assert f"Done: Follow-up #{number} with *Acme Corp*" in text_of(done.args)
    again = slack.click("followup_done", str(number), team=team, user=user)
    repeated = text_of(slack.standin.wait_for_response(again.response_url).args)
    assert (
        f"Follow-up #{number} with *Acme Corp* was already done on {today_in(ZONE).isoformat()}" in repeated
    )
    assert f"by <@{user}>" in repeated  # who closed it, and when
    assert "no open follow-ups" in slack.command_ok("followups", team=team, user=user).json["text"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Acmee tomorrow Call", "Did you mean *Acme*?"),
        ("Acme someday Call back", "“someday” isn't a date I can read"),
        ("Acme 2001-01-01 Call back", "2001-01-01 is in the past"),
        ("Acme tomorrow", "What is there to do?"),
        ("Acme 2099-01-01 Call", "Pick a date between"),
    ],
)
def test_bad_input_gets_the_reason_and_adds_nothing(
    slack: SlackClient, team: str, database_url: str, typed: str, expected: str
) -> None:
    slack.add_partner("Acme", team=team)
    said = slack.command_ok(f"followup {typed}", team=team).json["text"]
    assert expected in said, said
    assert "Nobody has an open follow-up" in slack.command_ok("followups all", team=team).json["text"]


def test_snooze_buttons_move_the_date_and_the_list_shows_it(slack: SlackClient, team: str) -> None:
    slack.add_partner("Globex", team=team)
    number, _ = add_follow_up(slack, team, "Globex today Ask about the renewal")
    clicked = slack.click("followup_snooze_day", str(number), team=team)
    snoozed = text_of(slack.standin.wait_for_response(clicked.response_url).args)
    tomorrow = today_in(ZONE) + timedelta(days=1)
    assert f"Snoozed *Follow-up #{number}* with *Globex* to *tomorrow* ({tomorrow.isoformat()})" in snoozed
    clicked = slack.click("followup_snooze_week", str(number), team=team)
    week = text_of(slack.standin.wait_for_response(clicked.response_url).args)
    assert f"({(tomorrow + timedelta(days=7)).isoformat()})" in week


def test_another_workspaces_follow_up_is_no_such_follow_up(slack: SlackClient, team: str) -> None:
    slack.add_partner("Secret", team=team)
    number, _ = add_follow_up(slack, team, "Secret tomorrow Hidden plan")
    stranger = new_team_id()
    clicked = slack.click("followup_done", str(number), team=stranger)
    said = text_of(slack.standin.wait_for_response(clicked.response_url).args)
    assert "There is no such follow-up" in said and "Hidden" not in said
    assert "Hidden plan" in slack.command_ok("followups all", team=team).blocks_text  # still open


@pytest.mark.parametrize(
    ("ending", "phrase"),
    [
        ("follow up next friday", "next friday"),
        ("follow-up in 2 weeks", "in 2 weeks"),
        ("followup on tomorrow", "tomorrow"),
        ("follow up by {in_40_days}", "{in_40_days}"),
    ],
)
def test_a_log_ending_in_follow_up_when_promises_a_follow_up(
    slack: SlackClient, team: str, user: str, ending: str, phrase: str
) -> None:
    slack.add_partner("Initech", team=team)
    in_40_days = (today_in(ZONE) + timedelta(days=40)).isoformat()
    ending, phrase = ending.format(in_40_days=in_40_days), phrase.format(in_40_days=in_40_days)
    logged = slack.command_ok(f"log Initech call pricing talk {ending}", team=team, user=user)
    expected = parse_when(phrase, today=today_in(ZONE))
    assert expected is not None
    text = logged.blocks_text
    assert "“pricing talk”" in text and ending not in text  # the phrase is not in the notes
    assert f"({expected.isoformat()}), reminded at 09:00 your time" in text
    listed = slack.command_ok("followups", team=team, user=user).blocks_text
    assert "Follow up on the call: pricing talk" in listed


def test_a_log_that_mentions_following_up_without_a_date_is_just_notes(slack: SlackClient, team: str) -> None:
    slack.add_partner("Hooli", team=team)
    logged = slack.command_ok("log Hooli call they will follow up with legal", team=team)
    assert (
        "“they will follow up with legal”" in logged.blocks_text and "Follow-up #" not in logged.blocks_text
    )
    past = slack.command_ok("log Hooli call chat follow up 2001-01-01", team=team).json["text"]
    assert "The follow-up: 2001-01-01 is in the past" in past


def test_the_log_form_date_promises_one_and_the_next_log_offers_to_close_it(
    slack: SlackClient, team: str, user: str
) -> None:
    slack.add_partner("Umbrella", team=team)
    ack, view = slack.open_log_modal(team=team, user=user)
    option = partner_option(slack, team, "Umbrella", view)
    soon = today_in(ZONE) + timedelta(days=2)
    yesterday = today_in(ZONE) - timedelta(days=1)
    earlier = (today_in(ZONE) - timedelta(days=3)).isoformat()  # logged late: a follow-up still can't be past
    late = slack.submit_view(
        view, {"partner": option, "date": earlier, "follow_up": yesterday.isoformat()}, team=team, user=user
    )
    assert "in the past" in late.json["errors"]["follow_up"]
    ok = slack.submit_view(view, {"partner": option, "follow_up": soon.isoformat()}, team=team, user=user)
    assert ok.status == 200 and ok.text == ""
    confirmed = text_of(slack.standin.wait_for_response(ack.response_url).args)
    number = number_in(confirmed)
    assert f"({soon.isoformat()}), reminded at 09:00 your time" in confirmed

    again = slack.command_ok("log Umbrella email sent the deck", team=team, user=user)
    assert "Your open follow-ups with them — done now?" in again.blocks_text
    buttons = [
        (e["action_id"], e["value"])
        for b in again.json["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert ("followup_done", str(number)) in buttons
    undo_value = next(value for action, value in buttons if action == "undo_logged")
    undo = slack.click("undo_logged", undo_value, team=team, user=user)
    slack.standin.wait_for_response(undo.response_url)  # undoing the later log leaves the promise alone
    assert f"*#{number}*" in slack.command_ok("followups", team=team, user=user).blocks_text


def test_show_and_the_home_tab_list_follow_ups_and_home_marks_them_done(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str
) -> None:
    slack.command_ok(f'add "Vandelay" owner:<@{user}|me>', team=team, user=user)
    number, _ = add_follow_up(slack, team, "Vandelay tomorrow Import the latex samples", user=user)
    shown_profile = slack.command_ok("show Vandelay", team=team).blocks_text
    assert (
        "*Follow-ups* · 1 open" in shown_profile and f"*#{number}* Import the latex samples" in shown_profile
    )
    assert f"<@{user}>" in shown_profile

    open_home(slack, user=user, team=team)
    view = published(standin, user).response["view"]  # type: ignore[index]
    home = shown(published(standin, user))
    assert "*Your follow-ups* (1)" in home and "Import the latex samples · due tomorrow" in home
    accessory = next(
        b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "followup_done"
    )
    payload = {
        "type": "block_actions",
        "user": slack.user(user, team),
        "api_app_id": standin.app_id,
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": standin.new_trigger_id(),
        "team": {"id": team, "domain": team.lower()},
        "view": view,
        "actions": [
            {
                "action_id": "followup_done",
                "block_id": "b1",
                "text": accessory["text"],
                "value": accessory["value"],
                "type": "button",
                "action_ts": "1.0",
            }
        ],
    }
    result = slack.send_interaction(payload)
    assert result.status == 200 and result.text == ""
    republished = shown(published(standin, user, count=2))
    assert "*Your follow-ups*" not in republished  # done: gone from the tab
    assert "no open follow-ups" in slack.command_ok("followups", team=team, user=user).json["text"]


def test_a_reminders_log_button_opens_the_form_for_its_partner(
    slack: SlackClient, team: str, user: str
) -> None:
    slack.add_partner("Stark Industries", team=team)
    number, _ = add_follow_up(slack, team, "Stark Industries tomorrow Call Pepper", user=user)
    clicked = slack.click("followup_log", str(number), team=team, user=user)
    call = slack.standin.wait_for(
        "views.open", where=lambda c: c.args.get("trigger_id") == clicked.trigger_id
    )
    assert call.ok, call.response
    view = call.response["view"]
    partner = next(b for b in view["blocks"] if b.get("block_id") == "partner")
    assert partner["element"]["initial_option"]["text"]["text"] == "Stark Industries"


def test_a_server_that_was_down_at_nine_reminds_when_it_is_back(
    slack: SlackClient, standin: HttpStandIn, team: str, start_server: Any
) -> None:
    """A follow-up due today for someone whose 09:00 has passed: a server started afterwards (a
    restart) sends it at once, as its catch-up after start — or the running one's minute comes
    first. Either way it goes exactly once."""
    zone = next(
        z
        for z in ("Pacific/Kiritimati", "Asia/Tokyo", "Europe/London", "America/New_York", "Pacific/Honolulu")
        if datetime.now(ZoneInfo(z)).time() >= time(9, 1)
    )
    owner = "UREMIND" + team[1:]
    standin.set_user(owner, tz=zone)
    slack.add_partner("Wayne Enterprises", team=team)
    number, _ = add_follow_up(slack, team, "Wayne Enterprises today Check the batsuit order", user=owner)
    start_server()
    call = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == owner, timeout=30)
    assert f"Reminder: *Follow-up #{number}* with *Wayne Enterprises* is due today" in text_of(call.args)
    standin.assert_no_call(
        "chat.postMessage", where=lambda c: c.args.get("channel") == owner, beyond=1, within=2.0
    )
