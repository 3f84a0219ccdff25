"""Partner surveys end to end: ``/partner survey`` sends "Give feedback" invitations, the button
opens the feedback modal, answers are stored once per person, results summarise them, and a
closed survey says so.

Runs against the real server on SQLite and PostgreSQL; each test has its own workspace, and the
people and channels in it are named after it (the stand-in's call log is shared by the module).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from bot.standin.http import HttpStandIn
from bot.standin.records import Call

from .conftest import new_team_id, run_cli
from .slack_client import SlackClient, SlackResult, button_value, partner_option

pytestmark = pytest.mark.e2e


def ids(team: str, *names: str) -> list[str]:
    """User IDs (``U…``) and channel IDs (``C…``) that belong to this test only."""
    return [f"{name}{team[1:]}" for name in names]


def texts(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def send_survey(slack: SlackClient, team: str, text: str, user: str) -> SlackResult:
    """``/partner survey <text>``: acknowledged at once, invitations posted after."""
    ack = slack.send_command(f"survey {text}", team=team, user=user)
    assert ack.status == 200 and ack.elapsed < 3, (ack.status, ack.elapsed)
    assert ack.text == "", f"the survey is saved and acknowledged before posting: {ack.text!r}"
    return ack


def posted_to(standin: HttpStandIn, channel: str) -> Call:
    call = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == channel)
    assert call.ok, call.response
    return call


def open_modal(
    slack: SlackClient, value: str, *, user: str, team: str, channel: str
) -> tuple[SlackResult, dict[str, Any]]:
    """Click "Give feedback" in an invitation; the click and the modal it opened."""
    click = slack.click("give_feedback", value, user=user, team=team, channel=channel)
    assert click.status == 200 and click.text == "", click.text
    opened = slack.standin.wait_for(
        "views.open", where=lambda c: c.args.get("trigger_id") == click.trigger_id
    )
    assert opened.ok, opened.response
    return click, opened.response["view"]


def answer(
    slack: SlackClient,
    view: dict[str, Any],
    *,
    user: str,
    team: str,
    csat: str,
    nps: str | None = None,
    comment: str | None = None,
    anonymous: bool = False,
) -> SlackResult:
    changes = {"csat": csat, "nps": nps, "comment": comment, "anonymous": ["anonymous"] if anonymous else []}
    result = slack.submit_view(view, changes, user=user, team=team)
    assert result.status == 200, result.text
    return result


def survey_number(value: str) -> int:
    return int(value.partition(":")[2])


def results(slack: SlackClient, team: str, name: str) -> SlackResult:
    return slack.command_ok(f"survey results {name}", team=team)


def field_texts(reply: dict[str, Any]) -> dict[str, str]:
    """The results' summary fields: ``{"Responses": "3 (1 external)", …}``."""
    found = {}
    for block in reply.get("blocks", []):
        for field in block.get("fields", []):
            head, _, value = field["text"].partition("\n")
            found[head.strip("*")] = value
    return found


# --- sending ---------------------------------------------------------------------------------


def test_a_survey_goes_to_each_person_and_channel_with_a_give_feedback_button(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    manager, ann = ids(team, "UMGR", "UANN")
    (channel,) = ids(team, "CPART")
    slack.add_partner("Acme", team=team)
    ack = send_survey(slack, team, f"Acme <@{ann}|ann> <#{channel}|partners>", manager)

    dm, shared = posted_to(standin, ann), posted_to(standin, channel)
    value = button_value(dm.args, "give_feedback")
    assert value == button_value(shared.args, "give_feedback")
    survey_team, _, number = value.partition(":")
    assert survey_team == team and number.isdigit()
    invitation = texts(dm.args)
    assert f"<@{manager}>" in invitation and "*Acme*" in invitation and f"#{number}" in invitation

    summary = standin.wait_for_response(ack.response_url).args
    assert f"Sent survey #{number} about *Acme* to <@{ann}>, <#{channel}>." in summary["text"]
    assert f"/partner survey close {number}" in summary["text"]
    assert summary.get("response_type", "ephemeral") == "ephemeral"

    unknown = slack.command_ok("survey Acne", team=team, user=manager)
    assert "Did you mean *Acme*?" in unknown.json["text"]
    garbled = slack.command_ok(f"survey Acme <@{ann}|ann> and friends", team=team, user=manager)
    assert "couldn't read" in garbled.json["text"]


def test_a_survey_without_recipients_is_posted_in_the_channel(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    (manager,) = ids(team, "UMGR")
    slack.add_partner("Globex", team=team)
    ack = send_survey(slack, team, "Globex", manager)
    posted = standin.wait_for_response(ack.response_url).args
    assert posted["response_type"] == "in_channel"
    survey_team, _, number = button_value(posted, "give_feedback").partition(":")
    assert survey_team == team and number.isdigit()
    assert not standin.calls_to("chat.postMessage", lambda c: "Globex" in texts(c.args))


def test_a_problem_posting_to_one_channel_is_reported_and_the_rest_is_sent(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    manager, ann = ids(team, "UMGR", "UANN")
    (channel,) = ids(team, "CPRIV")
    slack.add_partner("Initech", team=team)
    standin.fail_next(
        "chat.postMessage", error="not_in_channel", where=lambda c: c.args.get("channel") == channel
    )
    ack = send_survey(slack, team, f"Initech <@{ann}> <#{channel}>", manager)
    posted_to(standin, ann)
    summary = standin.wait_for_response(ack.response_url).args["text"]
    assert f"to <@{ann}>." in summary
    assert f"I'm not in <#{channel}>" in summary and "/invite" in summary


# --- answering -------------------------------------------------------------------------------


def test_invitation_click_modal_submit_stored_once_replaced_then_summarised(
    slack: SlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    manager, ann, bob = ids(team, "UMGR", "UANN", "UBOB")
    (channel,) = ids(team, "CSHARED")
    external_team = new_team_id()
    xavier = "UX" + external_team[1:]  # someone in the partner's own workspace (Slack Connect)
    slack.add_partner("Acme", team=team)
    ack = send_survey(slack, team, f"Acme <@{ann}|ann> <#{channel}|acme-shared>", manager)
    value = button_value(posted_to(standin, ann).args, "give_feedback")
    posted_to(standin, channel)
    standin.wait_for_response(ack.response_url)

    # Ann answers from her DM; the modal is the feedback modal for Acme, tied to the survey.
    _, view = open_modal(slack, value, user=ann, team=team, channel="D" + ann[1:])
    assert view["callback_id"] == "partner_feedback" and "Acme" in texts(view["blocks"][0])
    meta = json.loads(view["private_metadata"])
    assert meta["team_id"] == team and meta["survey_id"] == survey_number(value)
    first = answer(slack, view, user=ann, team=team, csat="3", comment="first try")
    assert first.json["response_action"] == "update", first.json
    assert "replaces" not in texts(first.json["view"])

    # Slack delivers the same submission again: nothing new is stored.
    replay = answer(slack, view, user=ann, team=team, csat="3", comment="first try")
    assert replay.status == 200
    fields = field_texts(results(slack, team, "Acme").json)
    assert (fields["Responses"], fields["Average"]) == ("1", "3.0/5")

    # Ann answers again through a new modal: her answer is replaced, still one answer.
    _, second_view = open_modal(slack, value, user=ann, team=team, channel="D" + ann[1:])
    assert second_view["id"] != view["id"]
    second = answer(slack, second_view, user=ann, team=team, csat="5", nps="10", comment="Great partner")
    assert "This replaces your earlier answer" in texts(second.json["view"])
    fields = field_texts(results(slack, team, "Acme").json)
    assert (fields["Responses"], fields["Average"]) == ("1", "5.0/5")

    # Bob answers from the channel, anonymously; Xavier from the partner's side of the shared channel.
    first_call = len(standin.calls)
    _, bob_view = open_modal(slack, value, user=bob, team=team, channel=channel)
    bob_answer = answer(
        slack,
        bob_view,
        user=bob,
        team=team,
        csat="4",
        nps="6",
        comment="Slow <!channel> replies",
        anonymous=True,
    )
    assert "kept off (anonymous)" in texts(bob_answer.json["view"])
    _, x_view = open_modal(slack, value, user=xavier, team=external_team, channel=channel)
    x_answer = answer(slack, x_view, user=xavier, team=external_team, csat="2", nps="9")
    assert x_answer.json["response_action"] == "update", x_answer.json

    summary = results(slack, team, "Acme")
    fields = field_texts(summary.json)
    assert fields["Responses"] == "3 (1 external)"
    assert fields["Average"] == "3.7/5"
    assert fields["CSAT (4-5)"] == "67%"
    assert fields["NPS"] == "+33 (few responses: 3)"  # promoters 10 and 9, detractor 6
    # Answer scores 100, 67.5 and 57.5 average 75, the workspace's mean: the damped mean is 75.
    assert fields["Satisfaction"] == "75/100 — neutral"
    shown = summary.blocks_text
    assert "“Great partner” — <@" + ann + ">" in shown
    assert "“Slow &lt;!channel&gt; replies” — anonymous," in shown
    assert f"#{survey_number(value)} (3 answers)" in shown

    profile = slack.command_ok("show Acme", team=team)
    assert "75/100 — neutral · average 3.7/5 from 3 answers" in profile.blocks_text
    assert "anonymous" in profile.blocks_text

    exported = run_cli(database_url, "export", "feedback", "--team", team).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert sorted((r["csat"], r["nps"], r["respondent"]) for r in rows) == [
        ("2", "9", xavier),
        ("4", "6", ""),
        ("5", "10", ann),
    ]
    said = texts([bob_answer.json, x_answer.json, summary.json, profile.json])
    said += texts([c.args for c in standin.calls[first_call:]])
    assert bob not in said and bob not in exported, "the anonymous respondent was revealed"
    assert "<!channel>" not in said


def test_an_anonymous_answer_is_still_one_per_person(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    manager, bob = ids(team, "UMGR", "UBOB")
    slack.add_partner("Hooli", team=team)
    ack = send_survey(slack, team, "Hooli", manager)
    value = button_value(standin.wait_for_response(ack.response_url).args, "give_feedback")
    for csat in ("2", "4"):
        _, view = open_modal(slack, value, user=bob, team=team, channel="C1")
        answer(slack, view, user=bob, team=team, csat=csat, anonymous=True)
    fields = field_texts(results(slack, team, "Hooli").json)
    assert (fields["Responses"], fields["Average"]) == ("1", "4.0/5")


def test_a_late_replay_of_an_earlier_answer_does_not_undo_the_newer_one(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    manager, ann = ids(team, "UMGR", "UANN")
    slack.add_partner("Vandelay", team=team)
    ack = send_survey(slack, team, "Vandelay", manager)
    value = button_value(standin.wait_for_response(ack.response_url).args, "give_feedback")
    _, old_view = open_modal(slack, value, user=ann, team=team, channel="C1")
    answer(slack, old_view, user=ann, team=team, csat="1", comment="old")
    _, new_view = open_modal(slack, value, user=ann, team=team, channel="C1")
    answer(slack, new_view, user=ann, team=team, csat="5", comment="new")
    answer(slack, old_view, user=ann, team=team, csat="1", comment="old")  # Slack's replay of the first
    fields = field_texts(results(slack, team, "Vandelay").json)
    assert (fields["Responses"], fields["Average"]) == ("1", "5.0/5"), "the old answer came back"


# --- closing ---------------------------------------------------------------------------------


def test_closing_a_survey_updates_its_invitations_and_the_button_says_closed(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    manager, ann, other, admin = ids(team, "UMGR", "UANN", "UOTHER", "UADMIN")
    (channel,) = ids(team, "CPART")
    standin.set_user(admin, is_admin=True)
    slack.add_partner("Acme", team=team)
    ack = send_survey(slack, team, f"Acme <@{ann}> <#{channel}>", manager)
    value = button_value(posted_to(standin, ann).args, "give_feedback")
    posted_to(standin, channel)
    standin.wait_for_response(ack.response_url)
    number = survey_number(value)
    _, view = open_modal(slack, value, user=ann, team=team, channel=channel)
    answer(slack, view, user=ann, team=team, csat="4")
    _, late_view = open_modal(slack, value, user=manager, team=team, channel=channel)  # open at closing

    refused = slack.command_ok(f"survey close {number}", team=team, user=other)
    assert f"Only <@{manager}>" in refused.json["text"]
    assert not standin.calls_to("chat.update", lambda c: c.args.get("channel") in ("D" + ann[1:], channel))

    closing = slack.send_command(f"survey close #{number}", team=team, user=manager)
    assert closing.status == 200
    said = standin.wait_for_response(closing.response_url).args["text"]
    assert f"Closed survey #{number} about *Acme* with 1 answer." in said
    for where in ("D" + ann[1:], channel):
        update = standin.wait_for("chat.update", where=lambda c, w=where: c.args.get("channel") == w)
        assert update.ok, update.response
        assert "closed" in texts(update.args)
        assert not [b for b in update.args.get("blocks", []) if b["type"] == "actions"], "a button remains"

    click = slack.click("give_feedback", value, user=ann, team=team, channel=channel)
    closed = standin.wait_for_response(click.response_url).args
    assert "is closed" in closed["text"] and closed.get("replace_original") is False
    assert closed.get("response_type", "ephemeral") == "ephemeral"
    assert not standin.calls_to("views.open", lambda c: c.args.get("trigger_id") == click.trigger_id)

    late = answer(slack, late_view, user=manager, team=team, csat="1")
    assert late.json["response_action"] == "push" and "was closed" in texts(late.json["view"])
    assert field_texts(results(slack, team, "Acme").json)["Responses"] == "1"
    assert (
        "already closed" in slack.command_ok(f"survey close {number}", team=team, user=manager).json["text"]
    )
    assert "There is no survey #999999" in slack.command_ok("survey close 999999", team=team).json["text"]

    # A workspace admin may close anyone's survey.
    again = send_survey(slack, team, "Acme", manager)
    second = survey_number(button_value(standin.wait_for_response(again.response_url).args, "give_feedback"))
    by_admin = slack.send_command(f"survey close {second}", team=team, user=admin)
    assert "Closed survey" in standin.wait_for_response(by_admin.response_url).args["text"]


def test_a_survey_of_another_workspace_cannot_be_closed_or_answered_through_tampering(
    slack: SlackClient, team: str
) -> None:
    manager, ann = ids(team, "UMGR", "UANN")
    slack.add_partner("Acme", team=team)
    slack.add_partner("Globex", team=team)
    acme = send_survey(slack, team, "Acme", manager)
    acme_value = button_value(slack.standin.wait_for_response(acme.response_url).args, "give_feedback")
    globex = send_survey(slack, team, "Globex", manager)
    globex_value = button_value(slack.standin.wait_for_response(globex.response_url).args, "give_feedback")

    other = new_team_id()
    slack.add_partner("Theirs", team=other)
    theirs_id = int(partner_option(slack, other, "Theirs")["value"])
    theirs = send_survey(slack, other, "Theirs", manager)
    theirs_value = button_value(slack.standin.wait_for_response(theirs.response_url).args, "give_feedback")
    refused = slack.command_ok(f"survey close {survey_number(theirs_value)}", team=team, user=manager)
    assert "There is no survey" in refused.json["text"]

    _, view = open_modal(slack, acme_value, user=ann, team=team, channel="C1")
    meta = json.loads(view["private_metadata"])
    forged = [
        {**meta, "survey_id": survey_number(globex_value)},  # a survey about another partner
        {**meta, "survey_id": survey_number(theirs_value)},  # another workspace's survey
        {**meta, "partner_id": theirs_id, "survey_id": survey_number(theirs_value)},
        {**meta, "survey_id": "1"},
    ]
    for metadata in forged:
        result = answer(
            slack, {**view, "private_metadata": json.dumps(metadata)}, user=ann, team=team, csat="1"
        )
        assert result.json and result.json.get("response_action") == "push", (metadata, result.text)
        assert "start again" in texts(result.json["view"]), result.json
    for where, name in ((team, "Acme"), (team, "Globex"), (other, "Theirs")):
        assert "No feedback in the last 90 days yet." in results(slack, where, name).blocks_text


def test_a_partner_named_like_a_mention_is_escaped_in_invitations_and_results(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    manager, ann = ids(team, "UMGR", "UANN")
    name = "<!channel> *Co*"
    slack.add_partner(name, team=team)
    first_call = len(standin.calls)
    ack = send_survey(slack, team, f'"{name}" <@{ann}>', manager)
    value = button_value(posted_to(standin, ann).args, "give_feedback")
    summary = standin.wait_for_response(ack.response_url)
    _, view = open_modal(slack, value, user=ann, team=team, channel="C1")
    thanks = answer(slack, view, user=ann, team=team, csat="5", comment="<!here> hi")
    shown = slack.command_ok(f'survey results "{name}"', team=team)
    sent = texts([thanks.json, shown.json] + [c.args for c in standin.calls[first_call:]])
    assert "&lt;!channel&gt;" in sent
    assert "<!channel>" not in sent and "<!here>" not in sent
    assert summary.ok
