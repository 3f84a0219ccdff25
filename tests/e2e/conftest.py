"""Fixtures for end-to-end tests: the real ``partnerbot serve`` process, a Slack Web API stand-in,
and a client that sends it signed Slack requests over HTTP.

- ``standin``: a :class:`bot.standin.http.HttpStandIn` per test module;
- ``server``: ``python -m bot.cli serve`` as a subprocess per module and database backend (SQLite
  file, fresh PostgreSQL database), stopped with SIGTERM at the end (it must exit 0);
- ``slack``: a :class:`slack_client.SlackClient` for that server: ``send_command``, ``send_interaction``,
  ``send_event``, ``send_options`` and helpers for modals and buttons;
- ``team``: a fresh workspace ID per test, which is how tests sharing a server keep apart;
- ``start_server``: more server processes for tests that kill or starve one.

PostgreSQL comes from ``PARTNERBOT_TEST_POSTGRES_URL`` (default: trust auth on 127.0.0.1:5432);
without it the PostgreSQL half is skipped, except with ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from bot.standin.http import HttpStandIn

from .slack_client import SlackClient

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
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_REDIRECT_URI",
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
    database_url: str, *args: str, input: str | None = None, timeout: float = 60, check: bool = True
) -> subprocess.CompletedProcess:
    """``partnerbot <args>`` against ``database_url``; fails the test if it exits non-zero, unless
    ``check`` is False (for commands that must fail)."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=REPO,
        env=server_env(DATABASE_URL=database_url),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert done.returncode == 0, f"partnerbot {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return done


def refused_import(database_url: str, kind: str, team: str, csv_text: str) -> str:
    """The one line ``partnerbot import`` says when it refuses a file (it must exit 2)."""
    done = run_cli(database_url, "import", kind, "-", "--team", team, input=csv_text, check=False)
    assert done.returncode == 2, done.stderr
    return done.stderr.strip()


def export_rows(database_url: str, table: str, team: str) -> list[dict[str, str]]:
    """``partnerbot export <table> --team <team>`` read back as rows."""
    done = run_cli(database_url, "export", table, "--team", team)
    return list(csv.DictReader(io.StringIO(done.stdout, newline="")))


@pytest.fixture(scope="module")
def slack(server: ServerProcess, standin: HttpStandIn) -> SlackClient:
    return SlackClient(server.url, server.secret, standin)


@pytest.fixture
def user(team: str) -> str:
    """A Slack user ID no other test uses (the stand-in's call log is shared by a module)."""
    return "U" + team[1:]
