"""The workspace of record in a channel shared with another organisation (Slack Connect).

There the person clicking may belong to another workspace: their ``user.team_id`` (and the
payload's ``team``) is their own, while a form the app opened carries the installing workspace in
``view.app_installed_team_id``. Records must go to the workspace that installed Partnerbot, worked
out once per request (bot.app.workspace_of_request), never to the clicker's own.
"""

from __future__ import annotations

import copy
import time

import pytest

from bot.standin.texts import iter_texts

from .conftest import export_rows
from .slack_client import SlackClient, SlackResult, partner_option

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
    # The guest owns the partner (an owner may edit it); an admin of the installing workspace opens the form.
    slack.command_ok('add "Edited Co" owner:<@UGUEST2>', team=team)
    slack.standin.set_user("U0CONNADMIN", is_admin=True)
    edit = slack.send_command('edit "Edited Co"', team=team, user="U0CONNADMIN")
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


# --- nothing internal in a channel shared with another organisation --------------------------------

SHARED_NOTE = "This channel is shared with another organisation, so only you can see this."


def shared_channel(slack: SlackClient, team: str, suffix: str = "X") -> str:
    """A channel of this test's own, shared with another organisation as conversations.info says."""
    channel = f"C{team[1:9]}{suffix}"
    slack.standin.set_channel(channel, ext_shared=True)
    return channel


def scored_workspace(slack: SlackClient, team: str) -> None:
    """Two partners with a score: Acme (met yesterday, noted) and Globex (never contacted)."""
    slack.add_partner("Acme", team=team)
    slack.add_partner("Globex", team=team)
    slack.command_ok("log Acme meeting Renewal at 40% discount, secret", team=team)


def answer_of(slack: SlackClient, result: SlackResult) -> dict:
    """What the person was answered: in the acknowledgement, else through the response_url."""
    assert result.status == 200, result.text
    if isinstance(result.json, dict):
        return result.json
    call = slack.standin.wait_for_response(result.response_url, timeout=10)
    return call.args


def everything_posted_in(slack: SlackClient, channel: str) -> list[str]:
    """The text of every message and file the app made visible to everyone in ``channel``."""
    posted = [
        " ".join(t for _, _, t in iter_texts(c.args))
        for c in slack.standin.calls_to("chat.postMessage", lambda c: c.args.get("channel") == channel)
    ]
    return posted + [f"file {f.filename}" for f in slack.standin.shared_files(channel)]


def assert_no_score_reached(slack: SlackClient, channel: str) -> None:
    """A shared channel never receives a score: whatever was posted there for everyone is a survey
    invitation, and no file (a chart) was shared there."""
    for text in everything_posted_in(slack, channel):
        assert "Give feedback" in text and "score" not in text.casefold(), text
        assert "Renewal" not in text and "#1" not in text, text


@pytest.mark.parametrize("command", ["top", "show Acme", "stale 1", "needs", "followups all"])
def test_internal_answers_in_a_shared_channel_are_the_persons_only_and_say_why(
    slack: SlackClient, team: str, command: str
) -> None:
    scored_workspace(slack, team)
    channel = shared_channel(slack, team)
    result = slack.send_command(command, team=team, channel=channel, ext_shared=True)
    answer = answer_of(slack, result)
    assert answer["response_type"] == "ephemeral", answer
    assert answer["blocks"][-1]["elements"][0]["text"] == SHARED_NOTE
    assert_no_score_reached(slack, channel)


def test_slacks_own_flag_is_enough_and_without_it_conversations_info_decides(
    slack: SlackClient, team: str
) -> None:
    scored_workspace(slack, team)
    channel = shared_channel(slack, team)
    asked = len(slack.standin.calls_to("conversations.info", lambda c: c.args.get("channel") == channel))
    flagged = answer_of(slack, slack.send_command("stale 1", team=team, channel=channel, ext_shared=True))
    assert SHARED_NOTE in str(flagged)
    unflagged = answer_of(
        slack, slack.send_command("stale 1", team=team, channel=f"{channel}2", ext_shared=None)
    )
    assert SHARED_NOTE not in str(unflagged)  # conversations.info: an ordinary channel
    assert (
        len(slack.standin.calls_to("conversations.info", lambda c: c.args.get("channel") == channel)) == asked
    )
    # The same channel typed in an ordinary one gets its answer without the line.
    plain = answer_of(slack, slack.send_command("stale 1", team=team, channel="C1"))
    assert plain["response_type"] == "ephemeral" and SHARED_NOTE not in str(plain)


def test_a_digest_for_a_shared_channel_is_refused(slack: SlackClient, team: str) -> None:
    scored_workspace(slack, team)
    channel = shared_channel(slack, team)
    refused = slack.command_ok(f"digest add <#{channel}|partners-ext> daily 09:00", team=team)
    assert "shared with another organisation" in refused.json["text"], refused.json
    # Typed in the shared channel itself, Slack's flag says so.
    here = slack.command_ok(
        f"digest add <#{channel}|partners-ext>", team=team, channel=channel, ext_shared=True
    )
    assert "shared with another organisation" in here.json["text"], here.json
    listed = slack.command_ok("digest list", team=team)
    assert "No channel gets a digest yet" in listed.json["text"]
    assert_no_score_reached(slack, channel)


def test_a_digest_whose_channel_became_shared_posts_nothing(slack: SlackClient, team: str) -> None:
    scored_workspace(slack, team)
    channel = f"C{team[1:9]}L"
    added = slack.command_ok(f"digest add <#{channel}|partners> daily 09:00 no chart", team=team)
    assert "Subscribed" in added.json["text"], added.json
    slack.standin.set_channel(channel, ext_shared=True)  # shared after it subscribed
    now = slack.send_command(f"digest now <#{channel}|partners>", team=team, user="UOWNER1")
    outcome = answer_of(slack, now)
    assert "not posted: the channel is shared with another organisation" in outcome["text"], outcome
    told = slack.standin.wait_for(
        "chat.postMessage", where=lambda c: c.args.get("channel") == "U1" and channel in str(c.args)
    )
    assert "shared with another organisation" in told.args["text"]
    assert everything_posted_in(slack, channel) == []


def test_a_question_in_a_shared_channel_is_answered_to_the_asker_only(slack: SlackClient, team: str) -> None:
    scored_workspace(slack, team)
    channel = shared_channel(slack, team)
    ts = f"{time.time():.6f}"
    event = {
        "type": "app_mention",
        "user": "UASKER",
        "text": f"<@{slack.standin.bot_user_id}> top 5 partners",
        "channel": channel,
        "ts": ts,
        "event_ts": ts,
    }
    assert slack.send_event(event, team=team, ext_shared=True).status == 200
    private = slack.standin.wait_for("chat.postEphemeral", where=lambda c: c.args.get("channel") == channel)
    assert private.ok and private.args["user"] == "UASKER"
    shown = " ".join(t for _, _, t in iter_texts(private.args))
    assert "Acme" in shown and SHARED_NOTE in shown
    slack.standin.assert_no_call(
        "chat.postMessage", within=1.0, where=lambda c: c.args.get("channel") == channel
    )
    assert_no_score_reached(slack, channel)


def test_a_survey_still_works_in_a_shared_channel_and_nothing_else_reaches_it(
    slack: SlackClient, team: str
) -> None:
    scored_workspace(slack, team)
    channel = shared_channel(slack, team)
    here = slack.send_command("survey Acme", team=team, channel=channel, ext_shared=True)
    invitation = answer_of(slack, here)
    assert invitation["response_type"] == "in_channel" and SHARED_NOTE not in str(invitation)
    assert "give_feedback" in str(invitation)
    sent = answer_of(slack, slack.send_command(f"survey Globex <#{channel}|partners-ext>", team=team))
    assert f"<#{channel}>" in sent["text"], sent
    results = answer_of(
        slack, slack.send_command("survey results Acme", team=team, channel=channel, ext_shared=True)
    )
    assert results["response_type"] == "ephemeral" and SHARED_NOTE in str(results)
    # Everything of this module's workspace that could reach the channel, once more, then the check.
    for command in ("top", "show Acme", "stale 1", "trend Acme", "insights", "weights", "digest now"):
        answer_of(slack, slack.send_command(command, team=team, channel=channel, ext_shared=True))
    [posted] = everything_posted_in(slack, channel)  # the survey sent by name; the other was a reply
    assert "Give feedback" in posted
    assert_no_score_reached(slack, channel)
