"""Satisfaction feedback end to end: ``/partner feedback`` opens the modal, its submission is
checked field by field and confirmed, anonymous answers stay anonymous everywhere, the modal's
``private_metadata`` cannot be bent, and feedback goes in and out through the CSV CLI.

Runs against the real server on SQLite and PostgreSQL; each test has its own workspace.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.standin.http import HttpStandIn

from .conftest import new_team_id, run_cli
from .slack_client import SlackClient, SlackResult, partner_option

pytestmark = pytest.mark.e2e

FEEDBACK_COLUMNS = ["partner", "csat", "nps", "comment", "respondent", "submitted_at"]


def open_feedback(
    slack: SlackClient, team: str, name: str, user: str = "U1"
) -> tuple[SlackResult, dict[str, Any]]:
    """``/partner feedback "<name>"``: the (empty) acknowledgement and the modal it opened."""
    ack = slack.send_command(f'feedback "{name}"', team=team, user=user)
    assert ack.status == 200 and ack.text == "", f"the modal opens; nothing is said: {ack.text!r}"
    opened = slack.standin.wait_for("views.open", where=lambda c: c.args.get("trigger_id") == ack.trigger_id)
    assert opened.ok, opened.response
    return ack, opened.response["view"]


def submit(
    slack: SlackClient,
    view: dict[str, Any],
    *,
    team: str,
    user: str = "U1",
    csat: str | None = "5",
    nps: str | None = None,
    comment: str | None = None,
    anonymous: bool = False,
) -> SlackResult:
    changes = {
        "csat": csat,
        "nps": nps,
        "comment": comment,
        "anonymous": ["anonymous"] if anonymous else [],
    }
    answer = slack.submit_view(view, changes, team=team, user=user)
    assert answer.status == 200, answer.text
    return answer


def texts(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def feedback_line(slack: SlackClient, team: str, name: str) -> str:
    """The feedback line of ``/partner show`` (what is stored, as people see it)."""
    shown = slack.command_ok(f'show "{name}"', team=team).blocks_text
    found = re.search(r"\*Feedback.*", shown)
    assert found, shown
    return found.group(0)


NO_FEEDBACK = "*Feedback:* none in the last 90 days"


# --- the modal -----------------------------------------------------------------------------


def test_feedback_opens_the_modal_with_the_trigger(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    slack.add_partner("Acme Corp", team=team)
    ack, view = open_feedback(slack, team, "acme corp")
    opened = standin.calls_to("views.open", lambda c: c.args.get("trigger_id") == ack.trigger_id)
    assert len(opened) == 1
    assert view["callback_id"] == "partner_feedback"
    assert "Acme Corp" in texts(view["blocks"][0])
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert set(blocks) == {"csat", "nps", "comment", "anonymous"}
    assert not blocks["csat"].get("optional"), "overall satisfaction is required"
    assert [o["value"] for o in blocks["csat"]["element"]["options"]] == ["5", "4", "3", "2", "1"]
    assert all(blocks[b].get("optional") for b in ("nps", "comment", "anonymous"))
    assert blocks["nps"]["element"]["type"] == "number_input"
    assert blocks["comment"]["element"]["multiline"] is True
    assert blocks["anonymous"]["element"]["type"] == "checkboxes"
    meta = json.loads(view["private_metadata"])
    assert meta["team_id"] == team and isinstance(meta["partner_id"], int) and meta["survey_id"] is None

    unknown = slack.command_ok("feedback Acme Crop", team=team)
    assert "Did you mean *Acme Corp*?" in unknown.json["text"]
    assert not standin.calls_to("views.open", lambda c: c.args.get("trigger_id") == unknown.trigger_id)


def test_invalid_answers_come_back_as_field_errors_and_nothing_is_stored(
    slack: SlackClient, team: str
) -> None:
    slack.add_partner("Umbrella", team=team)
    _, view = open_feedback(slack, team, "Umbrella")
    block_ids = {b["block_id"] for b in view["blocks"] if "block_id" in b}
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"csat": None}, {"csat"}),
        ({"nps": "11"}, {"nps"}),
        ({"nps": "abc"}, {"nps"}),
        ({"nps": "-1"}, {"nps"}),
        ({"nps": "7.5"}, {"nps"}),
        ({"csat": "9"}, {"csat"}),  # not one of the options: a forged submission
        ({"csat": None, "nps": "11"}, {"csat", "nps"}),
    ]
    for changes, expected in cases:
        answer = submit(slack, view, team=team, **changes)
        assert answer.json and answer.json.get("response_action") == "errors", (changes, answer.text)
        assert set(answer.json["errors"]) == expected, (changes, answer.json)
        assert set(answer.json["errors"]) <= block_ids
        assert all(answer.json["errors"].values())
    assert NO_FEEDBACK in feedback_line(slack, team, "Umbrella")


def test_a_valid_answer_is_thanked_with_what_was_recorded_and_shown(slack: SlackClient, team: str) -> None:
    slack.add_partner("Initech", team=team)
    _, view = open_feedback(slack, team, "Initech", user="UANA")
    comment = "Quick <!channel> replies, *great* pilot & more"
    answer = submit(slack, view, team=team, user="UANA", csat="5", nps="9", comment=comment)
    assert answer.json["response_action"] == "update", answer.json
    thanks = answer.json["view"]
    said = texts(thanks)
    assert "Initech" in said and "recorded" in said
    assert "5 — Very satisfied" in said and "9/10" in said and "shown with your answer" in said
    assert "Quick &lt;!channel&gt; replies" in said and "<!channel>" not in said
    assert thanks.get("submit") is None, "the thank-you has nothing to submit"

    shown = slack.command_ok("show Initech", team=team).blocks_text
    # One answer in the workspace: the damped mean is the answer's own score, (100 + 90) / 2.
    assert "*Feedback* (last 90 days): 95/100 — very satisfied · average 5.0/5 from 1 answer" in shown
    assert "“Quick &lt;!channel&gt; replies, *\u200dgreat*\u200d pilot &amp; more” — <@UANA>" in shown

    # Direct feedback (no survey) may be given again: each answer counts.
    _, again = open_feedback(slack, team, "Initech", user="UANA")
    assert submit(slack, again, team=team, user="UANA", csat="3").json["response_action"] == "update"
    assert "average 4.0/5 from 2 answers" in feedback_line(slack, team, "Initech")


def test_an_anonymous_answer_never_shows_who_gave_it(
    slack: SlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    respondent = "U" + team[1:] + "ANON"
    slack.add_partner("Hooli", team=team)
    first_call = len(standin.calls)
    _, view = open_feedback(slack, team, "Hooli", user=respondent)
    answer = submit(
        slack, view, team=team, user=respondent, csat="2", nps="3", comment="Slow answers", anonymous=True
    )
    assert answer.json["response_action"] == "update"
    assert "kept off (anonymous)" in texts(answer.json["view"])

    shown = slack.command_ok("show Hooli", team=team)
    assert "“Slow answers” — anonymous" in shown.blocks_text
    exported = run_cli(database_url, "export", "feedback", "--team", team).stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["csat"], r["nps"], r["comment"], r["respondent"]) for r in rows] == [
        ("2", "3", "Slow answers", "")
    ]
    said_to_slack = texts([answer.json, shown.json] + [c.args for c in standin.calls[first_call:]])
    assert respondent not in said_to_slack
    assert respondent not in exported


def test_did_you_mean_shows_a_suggested_name_literally(slack: SlackClient, team: str) -> None:
    slack.add_partner("Star *Co*", team=team)
    reply = slack.command_ok("feedback Star Cp", team=team)
    assert "Did you mean" in reply.json["text"], reply.json
    assert "*Star *\u200dCo*\u200d*" in reply.json["text"], reply.json["text"]


def test_a_partner_named_like_a_mention_is_escaped_in_the_modal_and_the_thanks(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    name = "<!channel> *Co*"
    slack.add_partner(name, team=team)
    _, view = open_feedback(slack, team, name)
    answer = submit(slack, view, team=team, csat="4")
    sent = texts([view, answer.json])
    assert "&lt;!channel&gt;" in sent and "<!channel>" not in sent


# --- private_metadata ----------------------------------------------------------------------


def test_tampered_metadata_is_refused_politely_and_nothing_is_stored(slack: SlackClient, team: str) -> None:
    other = new_team_id()
    slack.add_partner("Theirs Inc", team=other)
    theirs = int(partner_option(slack, other, "Theirs Inc")["value"])
    slack.add_partner("Mine Inc", team=team)
    _, view = open_feedback(slack, team, "Mine Inc")
    meta = json.loads(view["private_metadata"])
    forged = [
        {**meta, "partner_id": theirs},  # another workspace's partner, under this workspace
        {**meta, "partner_id": meta["partner_id"] + 10_000},  # no such partner
        {**meta, "partner_id": str(meta["partner_id"])},
        {**meta, "survey_id": 999_999},
        {**meta, "admin": True},
        {"partner_id": meta["partner_id"]},
    ]
    for metadata in [*(json.dumps(m) for m in forged), "not json", "[]", ""]:
        answer = submit(slack, {**view, "private_metadata": metadata}, team=team, csat="1")
        assert answer.json and answer.json.get("response_action") == "push", (metadata, answer.text)
        said = texts(answer.json["view"])
        assert "start again" in said, said
        assert "went wrong on Partnerbot's side" not in said, "a tampered form is not a crash"
    assert NO_FEEDBACK in feedback_line(slack, team, "Mine Inc")
    assert NO_FEEDBACK in feedback_line(slack, other, "Theirs Inc")


def test_metadata_naming_another_workspace_cannot_write_there(slack: SlackClient, team: str) -> None:
    other = new_team_id()
    slack.add_partner("Theirs Inc", team=other)
    theirs = int(partner_option(slack, other, "Theirs Inc")["value"])
    slack.add_partner("Mine Inc", team=team)
    _, view = open_feedback(slack, team, "Mine Inc")
    forged = json.dumps({"team_id": other, "partner_id": theirs, "survey_id": None})
    answer = submit(slack, {**view, "private_metadata": forged}, team=team, csat="1", comment="sabotage")
    assert NO_FEEDBACK in feedback_line(slack, other, "Theirs Inc"), "an answer went to another workspace"
    assert answer.json.get("response_action") == "push" and "start again" in texts(answer.json)


# --- CSV import and export -----------------------------------------------------------------


def test_feedback_csv_import_export_round_trip(slack: SlackClient, team: str, database_url: str) -> None:
    now = datetime.now(UTC)

    def day(days_ago: int) -> str:
        return (now - timedelta(days=days_ago)).date().isoformat()

    slack.add_partner("Acme", team=team)
    slack.add_partner("Globex", team=team)
    source = (
        "partner,csat,nps,comment,respondent,submitted_at\n"
        f'acme,5,10,"Great, ""fast"" team",<@U0AAA>,{day(5)}T10:00:00Z\n'
        f"Acme,2,,'=SUM(A1) looks wrong,,{day(3)}T09:30:00+02:00\n"
        f"Globex,4,7,,U0BBB,{day(2)}\n"
        f"Acme,3,5,old answer,@U0AAA,{day(120)}T12:00:00Z\n"
    )
    imported = run_cli(database_url, "import", "feedback", "-", "--team", team, input=source)
    assert "imported 4 feedback" in imported.stderr
    exported = run_cli(database_url, "export", "feedback", "--team", team).stdout
    assert exported.splitlines() == [
        ",".join(FEEDBACK_COLUMNS),
        f"Acme,3,5,old answer,U0AAA,{day(120)}T12:00:00Z",
        f'Acme,5,10,"Great, ""fast"" team",U0AAA,{day(5)}T10:00:00Z',
        f"Acme,2,,'=SUM(A1) looks wrong,,{day(3)}T07:30:00Z",
        f"Globex,4,7,,U0BBB,{day(2)}T00:00:00Z",
    ]

    # The export imports unchanged into another workspace.
    copy = new_team_id()
    slack.add_partner("Acme", team=copy)
    slack.add_partner("Globex", team=copy)
    run_cli(database_url, "import", "feedback", "-", "--team", copy, input=exported)
    assert run_cli(database_url, "export", "feedback", "--team", copy).stdout == exported

    # Imported answers count in /partner show: two in the last 90 days, one in the 90 before.
    shown = slack.command_ok("show Acme", team=team).blocks_text
    assert "average 3.5/5 from 2 answers" in shown
    assert "▲ +12 vs the previous 90 days" in shown  # answer scores: (100 + 25) / 2 then 50
    assert "“=SUM(A1) looks wrong” — anonymous" in shown
    assert '“Great, "fast" team” — <@U0AAA>' in shown
