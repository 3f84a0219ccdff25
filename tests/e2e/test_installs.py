"""Installed in many workspaces, through the real server: two workspaces install Partnerbot through
the OAuth flow, each request is answered with its own workspace's token, neither sees the other's
records; a bad or reused install link stores nothing; a workspace that never installed is refused;
uninstalling forgets the tokens (and keeps the records); a rotating token is refreshed."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from bot.standin.http import HttpStandIn

from .conftest import ServerProcess, export_rows, new_team_id, serve_env
from .slack_client import SlackClient

pytestmark = pytest.mark.e2e

CLIENT_ID, CLIENT_SECRET = "123.456", "standin-secret"
STATE_COOKIE = "slack-app-oauth-state"


@pytest.fixture(scope="module")
def server(
    standin: HttpStandIn, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """``serve`` with the app's credentials and no bot token: any workspace may install it."""
    env = serve_env(
        standin,
        database_url,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
    )
    process = ServerProcess(env, tmp_path_factory.mktemp("cwd")).start()
    try:
        process.wait_ready()
        yield process
    except BaseException:
        process.kill()
        raise
    process.assert_stops_cleanly()


@pytest.fixture
def slack(server: ServerProcess, standin: HttpStandIn) -> SlackClient:
    return SlackClient(server.url, server.secret, standin)


def install_link(server: ServerProcess) -> str:
    """Open the install page as a browser would: the state in its "Add to Slack" link (also set
    as a cookie for the way back)."""
    page = requests.get(server.url + "/slack/install", timeout=10)
    assert page.status_code == 200, page.text
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)
    assert link, page.text
    state = re.search(r"state=([^&\"]+)", link.group(1))
    assert state and f"{STATE_COOKIE}={state.group(1)}" in page.headers.get("set-cookie", "")
    assert f"client_id={CLIENT_ID}" in link.group(1) and "scope=commands" in link.group(1)
    return state.group(1)


def come_back(
    server: ServerProcess, *, code: str, state: str, cookie: str | None = None
) -> requests.Response:
    """Slack sends the installer back to the redirect URL with the approval code."""
    # The state cookie is Secure: a browser sends it over https only, so the test sends it itself.
    headers = {"Cookie": f"{STATE_COOKIE}={cookie if cookie is not None else state}"}
    return requests.get(
        server.url + "/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers=headers,
        timeout=10,
    )


def install(server: ServerProcess, standin: HttpStandIn, team: str, **offer: Any) -> str:
    """The whole flow for ``team``; its bot token."""
    state = install_link(server)
    done = come_back(server, code=standin.installs.offer(team, **offer), state=state)
    assert done.status_code == 200 and "Partnerbot is installed" in done.text, done.text
    (token,) = standin.installs.tokens_of(team)
    return token


def stored_bots(database_url: str, team: str) -> int:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            query = select(func.count()).select_from(text("slack_bots")).where(text("team_id = :team"))
            return int(connection.execute(query, {"team": team}).scalar_one())
    finally:
        engine.dispose()


def tokens_used(standin: HttpStandIn, method: str, trigger_id: str) -> set[str | None]:
    return {c.token for c in standin.calls_to(method, lambda c: c.args.get("trigger_id") == trigger_id)}


def test_two_workspaces_each_answered_with_its_own_token_and_neither_sees_the_other(
    server: ServerProcess, slack: SlackClient, standin: HttpStandIn, database_url: str
) -> None:
    first, second = new_team_id(), new_team_id()
    first_token = install(server, standin, first, team_name="Acme & Co <ops>")
    second_token = install(server, standin, second)
    assert first_token != second_token
    assert stored_bots(database_url, first) == 1 and stored_bots(database_url, second) == 1

    slack.add_partner("Only First", team=first)
    slack.add_partner("Only Second", team=second)
    for team, token in ((first, first_token), (second, second_token)):
        opened = slack.send_command("log", team=team)
        assert opened.status == 200
        standin.wait_for("views.open", where=lambda c, t=opened.trigger_id: c.args.get("trigger_id") == t)
        assert tokens_used(standin, "views.open", opened.trigger_id) == {token}

    assert [r["name"] for r in export_rows(database_url, "partners", first)] == ["Only First"]
    assert [r["name"] for r in export_rows(database_url, "partners", second)] == ["Only Second"]
    # Each workspace's digest is posted with its own token, showing only its own partners.
    for team, token, mine, theirs in (
        (first, first_token, "Only First", "Only Second"),
        (second, second_token, "Only Second", "Only First"),
    ):
        channel = "C" + team[1:]
        slack.command_ok(f"digest add <#{channel}|digests> daily 09:00", team=team)
        now = slack.send_command(f"digest now <#{channel}|digests>", team=team)
        assert now.status == 200
        assert "posted" in str(standin.wait_for_response(now.response_url or "", timeout=20).args.get("text"))
        (post,) = standin.calls_to(
            "chat.postMessage", lambda c, ch=channel: c.args.get("channel") == ch and c.ok
        )
        assert post.token == token
        assert mine in str(post.args) and theirs not in str(post.args)

    shown = slack.command_ok("show Only Second", team=first)
    assert "I don't know a partner called “Only Second”" in shown.json["text"], shown.json


def test_an_install_link_works_once_and_a_bad_one_stores_nothing(
    server: ServerProcess, standin: HttpStandIn, database_url: str
) -> None:
    team = new_team_id()
    forged = come_back(server, code=standin.installs.offer(team), state="not-a-state-we-issued")
    assert forged.status_code in (400, 401) and "expired or was already used" in forged.text, forged.text

    state = install_link(server)
    other_browser = come_back(server, code=standin.installs.offer(team), state=state, cookie="someone-else")
    assert other_browser.status_code in (400, 401) and "another browser" in other_browser.text
    assert stored_bots(database_url, team) == 0

    used = install_link(server)
    assert come_back(server, code=standin.installs.offer(team), state=used).status_code == 200
    again = come_back(server, code=standin.installs.offer(team), state=used)
    assert again.status_code in (400, 401) and "expired or was already used" in again.text
    assert stored_bots(database_url, team) == 1

    cancelled = requests.get(
        server.url + "/slack/oauth_redirect",
        params={"error": "access_denied", "state": install_link(server)},
        timeout=10,
    )
    # Cancelling is no error: Bolt answers it with a 200, and the page says nothing was installed.
    assert "cancelled in Slack, so nothing was installed" in cancelled.text


def test_a_workspace_that_never_installed_is_refused_without_a_crash(
    server: ServerProcess, slack: SlackClient
) -> None:
    stranger = new_team_id()
    for _ in range(3):  # as Slack retries
        refused = slack.send_command("top", team=stranger)
        assert refused.status == 401 and "not installed" in refused.text
    mention = {"type": "app_mention", "user": "U1", "text": "<@UBOT> top", "channel": "C1", "ts": "1.0"}
    assert slack.send_event(mention, team=stranger).status == 401
    assert not slack.standin.calls_to("chat.postMessage", lambda c: c.args.get("channel") == "C1" and c.ok)
    wait_until(lambda: f"refused requests from {stranger}" in server.output)
    assert server.output.count(f"refused requests from {stranger}") == 1
    assert "Traceback" not in server.output


def test_uninstalling_forgets_the_tokens_and_keeps_the_records(
    server: ServerProcess, slack: SlackClient, standin: HttpStandIn, database_url: str
) -> None:
    leaving, staying = new_team_id(), new_team_id()
    install(server, standin, leaving)
    install(server, standin, staying)
    slack.add_partner("Kept", team=leaving)

    standin.installs.revoke(leaving)  # Slack revokes the tokens, then tells the app
    event = {"type": "app_uninstalled", "event_ts": "1.0"}
    assert slack.send_event(event, team=leaving).status == 200
    wait_until(lambda: stored_bots(database_url, leaving) == 0)

    assert slack.send_command("top", team=leaving).status == 401
    assert slack.command_ok('add "Still here"', team=staying).status == 200
    assert [r["name"] for r in export_rows(database_url, "partners", leaving)] == ["Kept"]


def test_a_rotating_token_is_refreshed_on_the_next_request(
    server: ServerProcess, slack: SlackClient, standin: HttpStandIn
) -> None:
    team = new_team_id()
    # Token rotation on: a token that expires within the two hours before which it is refreshed.
    first = install(server, standin, team, rotating=True, expires_in=600)
    opened = slack.send_command("log", team=team)
    standin.wait_for("views.open", where=lambda c: c.args.get("trigger_id") == opened.trigger_id)
    (used,) = tokens_used(standin, "views.open", opened.trigger_id)
    assert used != first and standin.installs.team_of(used) == team
    assert ("refresh_token", team) in standin.installs.exchanges


def wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


def test_nothing_but_the_install_pages_answer_get(server: ServerProcess) -> None:
    assert requests.get(server.url + "/slack/events", timeout=5).status_code == 404
    assert requests.post(server.url + "/slack/install", timeout=5).status_code == 404
