"""Fixtures for end-to-end tests: the real ``partnerbot serve`` process, a Slack Web API stand-in,
and a client that sends it signed Slack requests over HTTP.

- ``standin``: a :class:`bot.standin.http.HttpStandIn` per test module;
- ``server``: ``python -m bot.cli serve`` as a subprocess per module and database backend (SQLite
  file, fresh PostgreSQL database), stopped with SIGTERM at the end (it must exit 0);
- ``slack``: a :class:`SlackClient` for that server: ``send_command``, ``send_interaction``,
  ``send_event``, ``send_options`` and helpers for modals and buttons;
- ``team``: a fresh workspace ID per test, which is how tests sharing a server keep apart;
- ``start_server``: more server processes for tests that kill or starve one.

PostgreSQL comes from ``PARTNERBOT_TEST_POSTGRES_URL`` (default: trust auth on 127.0.0.1:5432);
without it the PostgreSQL half is skipped, except with ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from bot.standin.blockkit import validate_message_payload
from bot.standin.http import HttpStandIn
from bot.standin.signed import (
    FORM,
    JSON,
    command_body,
    event_body,
    event_envelope,
    interaction_body,
    sign,
    slash_command,
)
from bot.standin.texts import iter_texts

REPO = Path(__file__).resolve().parents[2]
POSTGRES_URL_ENV = "PARTNERBOT_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
# Variables the server reads; the tests set each explicitly, never inherit them.
SERVER_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "PARTNERBOT_ADMINS",
)


def new_team_id() -> str:
    return "T" + uuid.uuid4().hex[:12].upper()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


# --- PostgreSQL --------------------------------------------------------------------------


class PostgresServer:
    """Creates and drops databases on the test PostgreSQL server."""

    def __init__(self) -> None:
        self.url = make_url(os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL)
        self.engine = create_engine(
            self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 5}
        )

    def create(self) -> str:
        name = f"partnerbot_e2e_{uuid.uuid4().hex[:12]}"
        try:
            with self.engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            message = f"PostgreSQL at {self.url.render_as_string()} is unreachable: {reason}"
            if in_ci():
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def execute(self, sql: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(text(sql))

    def drop(self, url: str) -> None:
        name = make_url(url).database
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    yield server
    server.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def database_url(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A database no other module uses: a SQLite file, or a fresh PostgreSQL database (dropped after)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'partnerbot.db'}"
        return
    postgres: PostgresServer = request.getfixturevalue("postgres")
    url = postgres.create()
    try:
        yield url
    finally:
        postgres.drop(url)


# --- the server process ------------------------------------------------------------------


def server_env(**values: str | None) -> dict[str, str]:
    """The environment for a ``partnerbot`` subprocess: ours minus Partnerbot's settings, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.update({k: v for k, v in values.items() if v is not None})
    return env


class ServerProcess:
    """``python -m bot.cli serve`` in a subprocess, with its output collected as it comes."""

    def __init__(self, env: dict[str, str], cwd: Path, args: tuple[str, ...] = ()) -> None:
        self.env = env
        self.cwd = cwd
        self.port = int(env["PORT"])
        self.secret = env.get("SLACK_SIGNING_SECRET", "")
        self.database_url = env.get("DATABASE_URL", "")
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self._output: list[str] = []
        self._readers: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def output(self) -> str:
        """Everything the server wrote to stderr and stdout so far."""
        return "".join(self._output)

    def _drain(self, stream: Any) -> None:
        for line in iter(stream.readline, b""):
            self._output.append(line.decode("utf-8", "replace"))
        stream.close()

    def start(self) -> ServerProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", *self.args],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for stream in (self.proc.stdout, self.proc.stderr):
            reader = threading.Thread(target=self._drain, args=(stream,), daemon=True)
            reader.start()
            self._readers.append(reader)
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> ServerProcess:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._join_readers()
                code = self.proc.returncode
                pytest.fail(
                    f"partnerbot serve exited with {code} before it was ready:\n{self.output}", pytrace=False
                )
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"partnerbot serve was not ready within {timeout}s:\n{self.output}", pytrace=False)

    def _join_readers(self) -> None:
        for reader in self._readers:
            reader.join(5)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int | None:
        """Send ``sig`` and wait; the exit status, or None when it did not exit in time (then killed)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        self._join_readers()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._join_readers()

    def wait_exit(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """Wait for the process to end by itself (after a signal already sent); None if it did not."""
        assert self.proc is not None
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        self._join_readers()
        return self.proc.returncode

    def assert_stops_cleanly(self, *, already_signalled: bool = False) -> None:
        """SIGTERM (unless sent already) must end the process with status 0 within 10 s."""
        code = self.wait_exit() if already_signalled else self.stop()
        assert code == 0, (
            f"partnerbot serve exited with {code} on SIGTERM (None: not within 10s):\n{self.output}"
        )


def serve_env(standin: HttpStandIn, database_url: str, **overrides: str | None) -> dict[str, str]:
    values: dict[str, str | None] = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
    }
    values.update(overrides)
    return server_env(**values)


@pytest.fixture(scope="module")
def standin() -> Iterator[HttpStandIn]:
    with HttpStandIn() as running:
        yield running


@pytest.fixture(scope="module")
def server(
    standin: HttpStandIn, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The module's server, on the module's database; it must exit 0 on SIGTERM at the end."""
    process = ServerProcess(serve_env(standin, database_url), tmp_path_factory.mktemp("cwd")).start()
    try:
        process.wait_ready()
        yield process
    except BaseException:
        process.kill()
        raise
    process.assert_stops_cleanly()


@pytest.fixture
def start_server(
    standin: HttpStandIn, database_url: str, tmp_path: Path
) -> Iterator[Callable[..., ServerProcess]]:
    """Start extra servers (same stand-in and database unless overridden); killed after the test."""
    started: list[ServerProcess] = []

    def start(wait: bool = True, args: tuple[str, ...] = (), **overrides: str | None) -> ServerProcess:
        cwd = tmp_path / f"server{len(started)}"
        cwd.mkdir()
        process = ServerProcess(serve_env(standin, database_url, **overrides), cwd, args).start()
        started.append(process)
        return process.wait_ready() if wait else process

    yield start
    for process in started:
        process.kill()


@pytest.fixture
def team() -> str:
    """This test's workspace: tests that share a server never see each other's records."""
    return new_team_id()


@pytest.fixture(autouse=True)
def _standin_saw_only_valid_blocks(request: pytest.FixtureRequest) -> Iterator[None]:
    """Whatever a test does, the app must never send Slack a payload Slack would refuse."""
    if "standin" not in request.fixturenames:
        yield
        return
    running: HttpStandIn = request.getfixturevalue("standin")
    before = len(running.invalid)
    yield
    refused = running.invalid[before:]
    assert not refused, f"the app sent payloads Slack refuses: {refused}"


# --- the CLI -----------------------------------------------------------------------------


def run_cli(
    database_url: str, *args: str, input: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """``partnerbot <args>`` against ``database_url``; fails the test if it exits non-zero."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=REPO,
        env=server_env(DATABASE_URL=database_url),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"partnerbot {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return done


def export_rows(database_url: str, table: str, team: str) -> list[dict[str, str]]:
    """``partnerbot export <table> --team <team>`` read back as rows."""
    done = run_cli(database_url, "export", table, "--team", team)
    return list(csv.DictReader(io.StringIO(done.stdout, newline="")))


# --- the Slack side ----------------------------------------------------------------------


@dataclass
class SlackResult:
    """The app's HTTP answer to one Slack request."""

    status: int
    text: str
    headers: dict[str, str]
    elapsed: float  # seconds from sending to the whole answer
    response_url: str | None = None
    trigger_id: str | None = None
    json: Any = None
    request: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks_text(self) -> str:
        """Every text in the answer (fallback text and blocks), joined, for ``in`` checks."""
        return "\n".join(t for _, _, t in iter_texts(self.json or {}))


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def check_options(body: dict[str, Any]) -> None:
    """An answer to an options request as Slack accepts it: at most 100 options, each with
    plain_text text of at most 75 characters and a value of at most 150."""
    options = body.get("options")
    assert isinstance(options, list), f"an options answer needs an options list: {body}"
    assert len(options) <= 100, f"{len(options)} options; Slack shows at most 100"
    for option in options:
        text = option.get("text") or {}
        assert text.get("type") == "plain_text" and 0 < len(text.get("text", "")) <= 75, option
        assert isinstance(option.get("value"), str) and 0 < len(option["value"]) <= 150, option


class SlackClient:
    """Sends the app what Slack would: signed slash commands, interactions, events, option requests.

    Every answer with a body is checked as Slack would check it (Block Kit, fallback text,
    response_action) before the test sees it.
    """

    def __init__(self, base_url: str, secret: str, standin: HttpStandIn) -> None:
        self.base_url = base_url
        self.events_url = base_url + "/slack/events"
        self.secret = secret
        self.standin = standin

    # --- transport ------------------------------------------------------------------------

    def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        signed: bool = True,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 15,
    ) -> SlackResult:
        sent = {"Content-Type": content_type, **(headers or {})}
        if signed:
            sent.update(sign(secret or self.secret, body, timestamp))
        start = time.monotonic()
        # A fresh connection each time, like Slack: no keep-alive surprises between tests.
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        answer = requests.post(self.events_url, data=data, headers=sent, timeout=timeout)
        elapsed = time.monotonic() - start
        result = SlackResult(answer.status_code, answer.text, dict(answer.headers), elapsed)
        if answer.text and answer.headers.get("content-type", "").startswith("application/json"):
            result.json = answer.json()
        return result

    @staticmethod
    def _check_ack(result: SlackResult, kind: str) -> SlackResult:
        """Refuse an answer Slack would refuse (Block Kit, fallback text, response_action, options)."""
        body = result.json
        if result.status != 200 or not isinstance(body, dict):
            return result
        if kind == "block_suggestion":
            check_options(body)
        elif {"text", "blocks", "response_action"} & set(body):
            validate_message_payload(body)
        return result

    def send_command(
        self,
        text: str,
        user: str = "U1",
        team: str = "T1",
        trigger_id: str | None = None,
        *,
        channel: str = "C1",
        response_url: str | None = None,
        command: str = "/partner",
        signed: bool = True,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> SlackResult:
        trigger_id = trigger_id or self.standin.new_trigger_id()
        response_url = response_url or self.standin.new_response_url()
        form = slash_command(
            command=command,
            text=text,
            team_id=team,
            user_id=user,
            channel_id=channel,
            response_url=response_url,
            trigger_id=trigger_id,
            app_id=self.standin.app_id,
        )
        result = self.post(command_body(form), FORM, signed=signed, timestamp=timestamp, secret=secret)
        result.response_url, result.trigger_id, result.request = response_url, trigger_id, form
        return self._check_ack(result, "command")

    def send_interaction(self, payload: dict[str, Any], **kwargs: Any) -> SlackResult:
        result = self.post(interaction_body(payload), FORM, **kwargs)
        result.request = payload
        result.response_url = payload.get("response_url")
        result.trigger_id = payload.get("trigger_id")
        return self._check_ack(result, str(payload.get("type")))

    def send_event(
        self, event: dict[str, Any], *, event_id: str | None = None, team: str = "T1", retry_num: int = 0
    ) -> SlackResult:
        envelope = event_envelope(
            event,
            team_id=team,
            app_id=self.standin.app_id,
            bot_user_id=self.standin.bot_user_id,
            event_id=event_id,
        )
        headers = (
            {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        )
        result = self.post(event_body(envelope), JSON, headers=headers)
        result.request = envelope
        return result

    def send_options(
        self,
        value: str,
        *,
        action_id: str = "partner_select",
        block_id: str = "partner",
        user: str = "U1",
        team: str = "T1",
        view: dict[str, Any] | None = None,
    ) -> SlackResult:
        payload = {
            "type": "block_suggestion",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "container": {"type": "view", "view_id": (view or {}).get("id", "V0")},
            "api_app_id": self.standin.app_id,
            "token": "legacy-verification-token",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "team": {"id": team, "domain": team.lower()},
            "enterprise": None,
            "is_enterprise_install": False,
            "view": view or {"id": "V0", "type": "modal", "callback_id": "log_interaction"},
        }
        return self.send_interaction(payload)

    # --- interactions built like Slack builds them ----------------------------------------

    @staticmethod
    def user(user: str, team: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team}

    def submit_view(
        self,
        view: dict[str, Any],
        changes: dict[str, Any] | None = None,
        *,
        user: str = "U1",
        team: str = "T1",
    ) -> SlackResult:
        """Submit a modal as Slack would: its inputs keep their initial values unless ``changes`` says.

        ``changes`` maps block_id to the new value: for selects and radio buttons an option value
        (or an option dict), for checkboxes a list of option values, for date pickers "YYYY-MM-DD",
        for text inputs the text, None to empty the field.
        """
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": team.lower()},
            "user": self.user(user, team),
            "api_app_id": self.standin.app_id,
            "token": "legacy-verification-token",
            "trigger_id": self.standin.new_trigger_id(),
            "view": {**view, "state": {"values": view_state(view, changes or {})}},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.send_interaction(payload)

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U1",
        team: str = "T1",
        response_url: str | None = None,
        channel: str = "C1",
        trigger_id: str | None = None,
    ) -> SlackResult:
        """Click a button in an (ephemeral) message the app posted."""
        payload = {
            "type": "block_actions",
            "user": self.user(user, team),
            "api_app_id": self.standin.app_id,
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": channel,
                "is_ephemeral": True,
            },
            "trigger_id": trigger_id or self.standin.new_trigger_id(),
            "team": {"id": team, "domain": team.lower()},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "partners"},
            "state": {"values": {}},
            "response_url": response_url or self.standin.new_response_url(),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "text": plain(action_id),
                    "value": value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.send_interaction(payload)

    def message_shortcut(
        self,
        message_text: str,
        *,
        callback_id: str = "log_to_partner",
        user: str = "U1",
        team: str = "T1",
        channel: str = "C1",
        message_ts: str = "1700000000.000200",
        trigger_id: str | None = None,
    ) -> SlackResult:
        payload = {
            "type": "message_action",
            "token": "legacy-verification-token",
            "action_ts": f"{time.time():.6f}",
            "team": {"id": team, "domain": team.lower()},
            "user": self.user(user, team),
            "channel": {"id": channel, "name": "partners"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or self.standin.new_trigger_id(),
            "response_url": self.standin.new_response_url(),
            "message_ts": message_ts,
            "message": {
                "type": "message",
                "user": "U9",
                "ts": message_ts,
                "text": message_text,
                "team": team,
            },
        }
        return self.send_interaction(payload)

    # --- conveniences ---------------------------------------------------------------------

    def command_ok(self, text: str, **kwargs: Any) -> SlackResult:
        """A command that must be answered in the acknowledgement itself."""
        result = self.send_command(text, **kwargs)
        assert result.status == 200, (result.status, result.text)
        assert isinstance(result.json, dict), f"no reply in the acknowledgement: {result.text!r}"
        return result

    def add_partner(self, name: str, *, team: str, user: str = "U1") -> SlackResult:
        result = self.command_ok(f'add "{name}"', team=team, user=user)
        assert "Added" in result.json["text"] + result.blocks_text, result.json
        return result

    def open_log_modal(self, *, team: str, user: str = "U1") -> tuple[SlackResult, dict[str, Any]]:
        """``/partner log`` with no text; returns the ack and the modal the app opened."""
        result = self.send_command("log", team=team, user=user)
        assert result.status == 200, result.text
        call = self.standin.wait_for(
            "views.open", timeout=5, where=lambda c: c.args.get("trigger_id") == result.trigger_id
        )
        assert call.ok, call.response
        return result, call.response["view"]  # type: ignore[index]


def _option_named(element: dict[str, Any], value: str) -> dict[str, Any]:
    """The element's option with this value (or one made up, as a tampered payload would carry)."""
    options = [o for o in element.get("options", []) if o["value"] == value]
    return options[0] if options else {"text": plain(value), "value": value}


def view_state(view: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``view.state.values`` as Slack sends it with a view_submission."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id, action_id, kind = block["block_id"], element["action_id"], element["type"]
        entry: dict[str, Any] = {"type": kind}
        if kind in ("static_select", "external_select", "radio_buttons"):
            option = changes[block_id] if block_id in changes else element.get("initial_option")
            if isinstance(option, str):
                option = _option_named(element, option)
            entry["selected_option"] = option
        elif kind == "checkboxes":
            chosen = changes[block_id] if block_id in changes else element.get("initial_options")
            entry["selected_options"] = [
                _option_named(element, o) if isinstance(o, str) else o for o in chosen or []
            ]
        elif kind == "datepicker":
            entry["selected_date"] = changes[block_id] if block_id in changes else element.get("initial_date")
        elif kind == "users_select":
            entry["selected_user"] = changes[block_id] if block_id in changes else element.get("initial_user")
        else:  # plain_text_input, number_input, …
            entry["value"] = changes[block_id] if block_id in changes else element.get("initial_value")
        values[block_id] = {action_id: entry}
    return values


@pytest.fixture(scope="module")
def slack(server: ServerProcess, standin: HttpStandIn) -> SlackClient:
    return SlackClient(server.url, server.secret, standin)


@pytest.fixture
def user(team: str) -> str:
    """A Slack user ID no other test uses (the stand-in's call log is shared by a module)."""
    return "U" + team[1:]


# --- reading the app's answers -------------------------------------------------------------


def button_value(reply: dict[str, Any], action_id: str) -> str:
    for block in reply.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button in {json.dumps(reply)[:500]}")


def counts_90_days(slack: SlackClient, team: str, name: str) -> str:
    """What ``/partner show`` says about the last 90 days, e.g. ``2 calls, 1 note`` or ``none``."""
    shown = slack.command_ok(f'show "{name}"', team=team).blocks_text
    match = re.search(r"\*Last 90 days:\* (.+)", shown)
    assert match, shown
    return match.group(1).strip()


def shown_notes(slack: SlackClient, team: str, name: str) -> str:
    return slack.command_ok(f'show "{name}"', team=team).blocks_text


def partner_option(slack: SlackClient, team: str, name: str, view: dict[str, Any] | None = None) -> dict:
    """The option the type-ahead offers for ``name`` (what the person picks in the modal)."""
    answer = slack.send_options(name[:20], team=team, view=view)
    assert answer.status == 200, answer.text
    found = [o for o in answer.json["options"] if o["text"]["text"] == name]
    assert found, answer.json
    return found[0]


def today_in(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()
