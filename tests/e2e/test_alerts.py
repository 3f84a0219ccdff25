"""``/partner alerts`` end to end against the real server on SQLite and PostgreSQL: everyone sees
the settings, only admins change them, a drop out of range gets the valid range; and a drop
alert's buttons: "Log communication" opens the log form with the partner, "Send survey" posts a
survey invitation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.standin.http import HttpStandIn

from .conftest import ServerProcess, new_team_id, serve_env
from .slack_client import SlackClient, text_of

pytestmark = pytest.mark.e2e

ADMIN = "U0ALERTADMIN"


@pytest.fixture(scope="module")
def server(
    standin: HttpStandIn, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    env = serve_env(standin, database_url, PARTNERBOT_ADMINS=ADMIN)
    process = ServerProcess(env, tmp_path_factory.mktemp("cwd")).start()
    try:
        process.wait_ready()
        yield process
    except BaseException:
        process.kill()
        raise
    process.assert_stops_cleanly()


def said(slack: SlackClient, text: str, team: str, user: str = "U1") -> str:
    return text_of(slack.command_ok(text, team=team, user=user).json)


def test_everyone_sees_the_settings_and_only_admins_change_them(slack: SlackClient) -> None:
    team = new_team_id()
    shown = said(slack, "alerts", team)
    assert "Drop alerts are on" in shown and "10 points or more over 7 days" in shown
    refused = said(slack, "alerts drop:15", team, user="U0NOBODY")
    assert "Only workspace admins and owners" in refused and "PARTNERBOT_ADMINS" in refused
    assert "10 points" in said(slack, "alerts", team)  # unchanged
    for bad in ("drop:0", "drop:-5", "drop:101", "drop:ten"):
        assert "from 1 to 100" in said(slack, f"alerts {bad}", team, user=ADMIN), bad
    assert "couldn't read “loud”" in said(slack, "alerts loud", team, user=ADMIN)
    saved = said(slack, "alerts drop:15", team, user=ADMIN)
    assert saved.startswith("Saved.") and "15 points or more" in saved
    assert "Drop alerts are off" in said(slack, "alerts off", team, user=ADMIN)
    shown = said(slack, "alerts", team)
    assert "off" in shown and "threshold 15 points" in shown and f"<@{ADMIN}>" in shown


def test_the_alerts_buttons_open_the_log_form_and_post_a_survey(slack: SlackClient) -> None:
    team = new_team_id()
    slack.command_ok("add Acme owner:<@U0OWNER>", team=team)
    # The partner's id, as an alert's buttons carry it, read back from the type-ahead.
    value = slack.send_options("Acme", team=team).json["options"][0]["value"]
    clicked = slack.click("alert_log", value, team=team, user="U0OWNER", channel="D0OWNER")
    opened = slack.standin.wait_for(
        "views.open", where=lambda c: c.args.get("trigger_id") == clicked.request["trigger_id"]
    )
    assert "Acme" in str(opened.args["view"])
    clicked = slack.click("alert_survey", value, team=team, user="U0OWNER", channel="D0OWNER")
    url = clicked.request["response_url"]
    slack.standin.wait_for_response(url, count=2)
    everything = " ".join(str(c.args) for c in slack.standin.responses_to(url))
    assert "give_feedback" in everything  # the invitation's "Give feedback" button
    assert "/partner survey Acme" in everything
