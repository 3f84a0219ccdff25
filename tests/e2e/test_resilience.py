"""What happens when things go wrong around the server: the database fails or locks up, the
process is killed or asked to stop mid-request, Slack's side fails, Slack replays a request.

Every test runs on SQLite and on PostgreSQL. Tests that kill or stop a server start their own
(``start_server``) on the module's database.
"""

from __future__ import annotations

import json
import resource
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
import requests
from sqlalchemy.engine import make_url

from bot.standin.http import HttpStandIn

from .conftest import PostgresServer, ServerProcess, export_rows
from .slack_client import SlackClient, SlackResult, button_value, counts_90_days, partner_option

pytestmark = pytest.mark.e2e

DATABASE_APOLOGY_WORDS = ("Sorry", "nothing was saved", "try again")


# --- database outage -------------------------------------------------------------------------


@contextmanager
def database_outage(backend: str, server: ServerProcess, postgres: PostgresServer | None) -> Iterator[None]:
    """Make the server's database unusable, then restore it.

    SQLite: the server process may no longer write to any file (RLIMIT_FSIZE lowered from outside
    with prlimit), which is what a full disk looks like: every commit fails with a disk I/O error
    while reads still work. (chmod or swapping the file does not touch connections already open.)
    PostgreSQL: the database stops accepting connections and the server's are terminated.
    """
    if backend == "sqlite":
        soft, hard = resource.prlimit(server.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(server.pid, resource.RLIMIT_FSIZE, (1, hard))
        try:
            yield
        finally:
            resource.prlimit(server.pid, resource.RLIMIT_FSIZE, (soft, hard))
        return
    assert postgres is not None
    name = make_url(server.database_url).database
    postgres.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    postgres.execute(
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
        "AND pid <> pg_backend_pid()"
    )
    try:
        yield
    finally:
        postgres.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')


def test_a_database_outage_gets_an_apology_and_the_server_keeps_serving(
    slack: SlackClient,
    standin: HttpStandIn,
    server: ServerProcess,
    backend: str,
    team: str,
    request: pytest.FixtureRequest,
) -> None:
    postgres = request.getfixturevalue("postgres") if backend == "postgresql" else None
    slack.add_partner("Outage Co", team=team)
    slack.command_ok("log Outage Co call before the outage", team=team)
    _, view = slack.open_log_modal(team=team)
    option = partner_option(slack, team, "Outage Co", view)

    with database_outage(backend, server, postgres):
        during = slack.command_ok("log Outage Co call during the outage", team=team)
        assert during.elapsed < 3
        assert all(word in during.json["text"] for word in DATABASE_APOLOGY_WORDS), during.json
        assert "database" in during.json["text"]

        submitted = slack.submit_view(
            view, {"partner": option, "notes": "modal during the outage"}, team=team
        )
        assert submitted.status == 200 and submitted.elapsed < 3
        # The modal stays open under a pushed apology, so what was typed is not lost.
        assert submitted.json["response_action"] == "push", submitted.json
        assert "nothing was saved" in json.dumps(submitted.json["view"])

        health = requests.get(server.url + "/healthz", timeout=5)
        if backend == "postgresql":
            assert health.status_code == 503, "healthz says 200 while the database is unreachable"

    assert server.proc is not None and server.proc.poll() is None, "the server died"
    assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
    after = slack.command_ok("log Outage Co call after the outage", team=team)
    assert "Logged a *call*" in after.json["blocks"][0]["text"]["text"]
    again = slack.submit_view(view, {"partner": option, "notes": "modal after the outage"}, team=team)
    assert again.status == 200 and again.text == ""
    shown = slack.command_ok('show "Outage Co"', team=team).blocks_text
    assert "before the outage" in shown and "after the outage" in shown and "modal after the outage" in shown
    assert "during the outage" not in shown
    assert counts_90_days(slack, team, "Outage Co") == "3 calls"


@contextmanager
def database_locked(backend: str, database_url: str) -> Iterator[None]:
    """Hold the database's write lock (SQLite) or the interaction table's lock (PostgreSQL),
    as a long import or a migration would."""
    if backend == "sqlite":
        conn = sqlite3.connect(
            database_url[len("sqlite:///") :], isolation_level=None, check_same_thread=False
        )
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as conn:
        conn.execute("LOCK TABLE interaction IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            conn.rollback()


def test_a_locked_database_is_answered_within_slacks_window_and_truthfully(
    slack: SlackClient, backend: str, database_url: str, team: str
) -> None:
    slack.add_partner("Locked Co", team=team)
    with database_locked(backend, database_url):
        answer = slack.send_command("log Locked Co call while locked", team=team)
        time.sleep(max(0.0, 3.5 - answer.elapsed))  # the lock outlives Slack's patience
    time.sleep(0.5)
    stored = counts_90_days(slack, team, "Locked Co")
    assert answer.status == 200 and answer.elapsed < 3, (answer.status, answer.text, answer.elapsed)
    told = answer.json["text"] + answer.blocks_text
    if "Logged a *call*" in told:
        assert stored == "1 call"
    else:
        assert "try again" in told and stored == "none"


# --- the process dies or is asked to stop ----------------------------------------------------


def test_kill_9_right_after_the_acknowledgement_loses_nothing(
    start_server: Any, standin: HttpStandIn, database_url: str, slack: SlackClient, team: str
) -> None:
    doomed = start_server()
    client = SlackClient(doomed.url, doomed.secret, standin)
    client.add_partner("Durable Inc", team=team)
    logged = client.command_ok("log Durable Inc call acknowledged then killed", team=team)
    doomed.stop(signal.SIGKILL)  # the moment the 200 is in
    assert "Logged a *call*" in logged.json["blocks"][0]["text"]["text"]
    assert doomed.proc is not None and doomed.proc.returncode == -signal.SIGKILL

    rows = export_rows(database_url, "interactions", team)
    assert [(r["partner"], r["notes"]) for r in rows] == [("Durable Inc", "acknowledged then killed")]
    # and the module's server, on the same database, shows it too
    assert counts_90_days(slack, team, "Durable Inc") == "1 call"


def test_sigterm_lets_requests_in_flight_finish_and_exits_0(
    start_server: Any, standin: HttpStandIn, database_url: str, team: str, user: str
) -> None:
    stopping = start_server()
    client = SlackClient(stopping.url, stopping.secret, standin)
    client.add_partner("Graceful Ltd", team=team)
    _, view = client.open_log_modal(team=team, user="USETUP")
    option = partner_option(client, team, "Graceful Ltd", view)

    # users.info is slow for these two people, so both requests are mid-way when SIGTERM comes:
    # the submission is not acknowledged yet, the command's modal is not open yet.
    submitter, commander = user + "S", user + "C"
    slow_users = {submitter, commander}
    standin.delay("users.info", 0.8, where=lambda c: c.args.get("user") in slow_users)
    try:
        results: dict[str, SlackResult] = {}

        def submit() -> None:
            results["submit"] = client.submit_view(
                view, {"partner": option, "notes": "submitted while stopping"}, team=team, user=submitter
            )

        def command() -> None:
            results["command"] = client.send_command("log", team=team, user=commander)

        threads = [threading.Thread(target=submit), threading.Thread(target=command)]
        for thread in threads:
            thread.start()
        for user in slow_users:
            standin.wait_for("users.info", where=lambda c, u=user: c.args.get("user") == u, answered=False)
        stopping.proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        for thread in threads:
            thread.join(15)
    finally:
        standin.delay("users.info", 0)

    assert results["submit"].status == 200 and results["submit"].text == "", results["submit"].text
    assert results["command"].status == 200
    opened = standin.wait_for(
        "views.open", where=lambda c: c.args.get("trigger_id") == results["command"].trigger_id
    )
    assert opened.ok, opened.response
    stopping.assert_stops_cleanly(already_signalled=True)
    rows = export_rows(database_url, "interactions", team)
    assert [r["notes"] for r in rows] == ["submitted while stopping"]


# --- Slack replays and Slack's own failures --------------------------------------------------


def test_simultaneous_replays_of_one_command_store_one_record(
    slack: SlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    slack.add_partner("Race Co", team=team)
    trigger = standin.new_trigger_id()
    answers: list[SlackResult] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        barrier.wait()
        answers.append(
            slack.send_command("log Race Co call sent six times at once", team=team, trigger_id=trigger)
        )

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 6 and all(a.status == 200 for a in answers), [a.text for a in answers]
    assert len({button_value(a.json, "undo_logged") for a in answers}) == 1, "different records confirmed"
    assert len(export_rows(database_url, "interactions", team)) == 1


def test_a_confirmation_reaches_the_person_when_response_url_fails_and_slack_rate_limits(
    slack: SlackClient, standin: HttpStandIn, team: str, user: str
) -> None:
    slack.add_partner("Fallback Co", team=team)
    ack, view = slack.open_log_modal(team=team, user=user)
    option = partner_option(slack, team, "Fallback Co", view)
    standin.fail_next(
        "response_url", status=404, error="expired_url", where=lambda c: c.path in ack.response_url
    )
    standin.fail_next(
        "chat.postMessage", status=429, retry_after=1, where=lambda c: c.args.get("channel") == user
    )
    submitted = slack.submit_view(view, {"partner": option, "notes": "deliver me"}, team=team, user=user)
    assert submitted.status == 200 and submitted.text == ""
    limited = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == user)
    assert limited.status == 429
    delivered = standin.wait_for(
        "chat.postMessage", where=lambda c: c.args.get("channel") == user, count=2, timeout=8
    )
    assert delivered.ok and delivered.time - limited.time >= 0.9, "retried before Retry-After"
    assert "Logged a *call* with *Fallback Co*" in json.dumps(delivered.args)
    assert counts_90_days(slack, team, "Fallback Co") == "1 call"
