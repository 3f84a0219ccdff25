"""Workflow Builder steps end to end: Slack's ``function_executed`` event for each of Partnerbot's
steps, sent signed to the real server, ends the run with ``functions.completeSuccess`` and the
step's outputs (the records they name visible through the CLI and /partner commands), or with
``functions.completeError`` and words a workflow author can act on, nothing written.

Runs against the real server on SQLite and PostgreSQL; each test has its own workspace.
"""

from __future__ import annotations

import re

import pytest

from bot.standin.http import HttpStandIn
from bot.standin.records import FunctionExecution
from handlers.shared.communications import KINDS_TEXT

from .conftest import export_rows
from .slack_client import SlackClient

pytestmark = pytest.mark.e2e

LOG = "log_partner_communication"
SURVEY = "send_partner_survey"
SCORE = "get_partner_score"
NASTY = "Kickoff & <!channel> *went* well"
SHOWN_SCORE = re.compile(r"\*Score (\d+)/100\* · rank (\d+) of \d+")


def ended_with(standin: HttpStandIn, run: FunctionExecution, method: str) -> None:
    """The run was ended by ``method``, once, with the run's own token (Bolt used bot_access_token)."""
    ends = standin.calls_to(method, where=lambda c: c.args.get("function_execution_id") == run.id)
    assert len(ends) == 1 and ends[0].ok, [c.response for c in ends]
    assert ends[0].token == run.token


def failed(standin: HttpStandIn, run: FunctionExecution) -> str:
    assert run.outputs is None, run.outputs
    ended_with(standin, run, "functions.completeError")
    assert run.error
    return run.error


# --- Log a partner communication ------------------------------------------------------------------


def test_log_step_logs_the_communication_as_the_log_command_does(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str, database_url: str
) -> None:
    slack.add_partner("Acme Corp", team=team)
    run = slack.run_step(
        LOG, {"partner": "acme corp", "kind": "Mtg", "notes": NASTY, "user": user}, team=team
    )

    assert run.error is None, run.error
    assert set(run.outputs or {}) == {"interaction_id"} and run.outputs["interaction_id"] > 0
    ended_with(standin, run, "functions.completeSuccess")
    rows = export_rows(database_url, "interactions", team)
    assert [(r["partner"], r["kind"], r["notes"], r["user"]) for r in rows] == [
        ("Acme Corp", "meeting", NASTY, user)
    ]
    # The person is optional: a workflow run by a trigger has nobody to name.
    second = slack.run_step(LOG, {"partner": "Acme Corp", "kind": "email"}, team=team)
    assert second.outputs and second.outputs["interaction_id"] > run.outputs["interaction_id"]
    assert [r["user"] for r in export_rows(database_url, "interactions", team)] == [user, ""]


def test_log_step_with_an_unknown_partner_fails_with_did_you_mean(
    slack: SlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    slack.add_partner("Acme Corp", team=team)
    run = slack.run_step(LOG, {"partner": "Acme Crop", "kind": "call"}, team=team)
    error = failed(standin, run)
    assert "I don't know a partner called “Acme Crop”" in error and "Did you mean *Acme Corp*?" in error
    assert export_rows(database_url, "interactions", team) == []


def test_log_step_with_a_bad_kind_fails_listing_the_kinds(
    slack: SlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    slack.add_partner("Acme Corp", team=team)
    run = slack.run_step(LOG, {"partner": "Acme Corp", "kind": "<chat>", "notes": "x"}, team=team)
    error = failed(standin, run)
    assert "“&lt;chat&gt;” isn't a kind I know" in error and KINDS_TEXT in error
    note = slack.run_step(LOG, {"partner": "Acme Corp", "kind": "note", "notes": "  "}, team=team)
    assert "A note needs a few words" in failed(standin, note)
    assert export_rows(database_url, "interactions", team) == []


def test_log_step_for_an_archived_partner_says_how_to_revive_it(
    slack: SlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    slack.command_ok('add "Old Co" owner:<@U1>', team=team)
    slack.command_ok("archive Old Co", team=team)
    run = slack.run_step(LOG, {"partner": "Old Co", "kind": "call"}, team=team)
    assert "*Old Co* is archived" in failed(standin, run)
    assert export_rows(database_url, "interactions", team) == []


def test_steps_are_scoped_to_the_events_workspace(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    slack.add_partner("Acme Corp", team=team)
    elsewhere = "T" + team[1:][::-1]
    run = slack.run_step(LOG, {"partner": "Acme Corp", "kind": "call"}, team=elsewhere)
    assert "I don't know a partner called “Acme Corp”" in failed(standin, run)


# --- Send a partner survey ------------------------------------------------------------------------


def test_survey_step_sends_the_invitation_to_each_recipient(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str
) -> None:
    slack.add_partner("Acme Corp", team=team)
    ann, bob = f"UANN{team[1:]}", f"UBOB{team[1:]}"
    run = slack.run_step(
        SURVEY, {"partner": "Acme Corp", "recipients": [ann, bob, ann], "sent_by": user}, team=team
    )

    assert run.error is None, run.error
    survey_id = (run.outputs or {})["survey_id"]
    ended_with(standin, run, "functions.completeSuccess")
    for person in (ann, bob):
        posted = standin.calls_to("chat.postMessage", where=lambda c, p=person: c.args.get("channel") == p)
        assert len(posted) == 1 and posted[0].ok, posted
        invitation = posted[0].args
        assert f"<@{user}> would like your view" in str(invitation["blocks"])
        assert f"{team}:{survey_id}" in str(invitation["blocks"])  # the Give feedback button's survey
    # The survey is the one /partner survey close knows.
    ack = slack.send_command(f"survey close {survey_id}", team=team, user=user)
    closed = standin.wait_for_response(ack.response_url or "")
    assert f"Closed survey #{survey_id} about *Acme Corp*" in closed.args["text"]


def test_survey_step_without_recipients_or_partner_fails_clearly(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    slack.add_partner("Acme Corp", team=team)
    empty = slack.run_step(SURVEY, {"partner": "Acme Corp", "recipients": []}, team=team)
    assert "Recipients is empty: choose at least one person" in failed(standin, empty)
    unknown = slack.run_step(SURVEY, {"partner": "Acme", "recipients": [f"UANN{team[1:]}"]}, team=team)
    assert "Did you mean *Acme Corp*?" in failed(standin, unknown)
    assert not standin.calls_to(
        "chat.postMessage", where=lambda c: c.args.get("channel") == f"UANN{team[1:]}"
    )


# --- Get a partner's score ------------------------------------------------------------------------


def test_score_step_gives_what_partner_show_says(slack: SlackClient, standin: HttpStandIn, team: str) -> None:
    for name in ("Acme Corp", "Beta Ltd"):
        slack.add_partner(name, team=team)
    for kind in ("meeting", "call", "qbr"):
        slack.run_step(LOG, {"partner": "Acme Corp", "kind": kind}, team=team)
    slack.run_step(LOG, {"partner": "Beta Ltd", "kind": "email"}, team=team)

    run = slack.run_step(SCORE, {"partner": "Acme Corp"}, team=team)
    assert run.error is None, run.error
    ended_with(standin, run, "functions.completeSuccess")
    shown = slack.command_ok("show Acme Corp", team=team).blocks_text
    score, rank = SHOWN_SCORE.search(shown).groups()  # type: ignore[union-attr]
    assert run.outputs is not None
    assert (run.outputs["score"], run.outputs["rank"]) == (int(score), int(rank)) == (run.outputs["score"], 1)
    loyalty = re.search(r"loyalty: \*(.+?)\*", shown)
    assert run.outputs.get("category") == (loyalty.group(1) if loyalty else None)


def test_score_step_for_an_unknown_partner_fails_with_did_you_mean(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    slack.add_partner("Beta Ltd", team=team)
    run = slack.run_step(SCORE, {"partner": "Betta Ltd"}, team=team)
    assert "Did you mean *Beta Ltd*?" in failed(standin, run)
