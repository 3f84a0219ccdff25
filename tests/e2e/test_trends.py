"""``/partner trend`` end to end against the real server on SQLite and PostgreSQL: the first use
builds the workspace's score history from its logged data (after the acknowledgement), the
summary with ▲▼ per component, the chart in the person's direct messages, and the bad input:
an unknown partner, weeks out of range, a partner with no history yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .conftest import new_team_id, run_cli
from .slack_client import SlackClient, text_of

pytestmark = pytest.mark.e2e

NASTY = "<!channel> *Acme*"


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def answer(slack: SlackClient, text: str, team: str, user: str = "U1") -> dict[str, Any]:
    """The command's answer: in the acknowledgement, or through response_url after an empty one."""
    ack = slack.send_command(text, team=team, user=user)
    assert ack.status == 200, ack.text
    assert ack.elapsed < 3, f"acknowledged after {ack.elapsed:.2f}s"
    if isinstance(ack.json, dict) and ack.json.get("text"):
        return ack.json
    return slack.standin.wait_for_response(ack.response_url, timeout=30).args


def test_trend_builds_history_on_first_use_and_sends_the_chart(slack: SlackClient, database_url: str) -> None:
    team = new_team_id()
    slack.command_ok(f'add "{NASTY}" owner:<@UOWN>', team=team)
    slack.command_ok("add Globex", team=team)
    rows = "".join(f'"{NASTY}",meeting,{ago(d)}\n' for d in (80, 70, 60, 50)) + "".join(
        f"Globex,call,{ago(d)}\n" for d in (40, 20, 10, 2)
    )
    run_cli(
        database_url, "import", "interactions", "-", "--team", team, input="partner,kind,occurred_at\n" + rows
    )

    payload = answer(slack, f'trend "{NASTY}" 8', team, user="UTREND")
    shown = text_of(payload)
    assert "last 8 weeks" in shown and "Engagement" in shown and "Recency" in shown
    assert "▼" in shown  # nobody talked to them for 50 days: recency and the score fell
    assert "<!channel>" not in str(payload)  # the name is shown literally, never a ping
    # The chart, in the person's direct messages with the app.
    upload = slack.standin.wait_for(
        "files.completeUploadExternal", timeout=15, where=lambda c: c.args.get("channel_id") == "DTREND"
    )
    assert upload.ok, upload.response

    # History exists now: answered at once, 12 weeks by default.
    assert "last 12 weeks" in text_of(answer(slack, "trend globex", team))


def test_trend_bad_input(slack: SlackClient) -> None:
    team = new_team_id()
    slack.command_ok("add Acme", team=team)
    assert "Did you mean *Acme*" in text_of(answer(slack, "trend acmee", team))
    for weeks in ("0", "-3", "105"):
        said = text_of(answer(slack, f"trend Acme {weeks}", team))
        assert "from 1 to 104" in said, said
    # Nothing logged: built at once (today's snapshot), then a partner added later has none yet.
    answer(slack, "trend Acme", team)
    slack.command_ok("add Newco", team=team)
    said = text_of(answer(slack, "trend Newco", team))
    assert "Newco* has no score history yet" in said and "nothing logged" in said


def test_a_chart_that_could_not_be_sent_is_said(slack: SlackClient, database_url: str) -> None:
    """An install without the im:write scope: the summary comes, then a word that the chart did not."""
    team = new_team_id()
    slack.command_ok("add Initech", team=team)
    run_cli(
        database_url, "import", "interactions", "-", "--team", team,
        input="partner,kind,occurred_at\n" + "".join(f"Initech,call,{ago(d)}\n" for d in (30, 9)),
    )  # fmt: skip
    answer(slack, "trend Initech", team)  # builds the history
    slack.standin.fail_next("conversations.open", error="missing_scope", where=lambda c: True)
    ack = slack.send_command("trend Initech", team=team, user="UNOCHART")
    assert ack.status == 200, ack.text
    said = slack.standin.wait_for(
        "response_url", timeout=15, where=lambda c: "could not send the chart" in str(c.args)
    )
    assert "the summary has the figures" in str(said.args)
