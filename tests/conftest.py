"""Shared fixtures: a migrated ``database`` on SQLite and on PostgreSQL, and a fresh ``team_id``.

Every test that asks for ``database`` runs twice, once per backend. PostgreSQL is one database per
test session, so tests keep apart by working in their own workspace (``team_id``), never by
counting every row in a table. Point the tests at another server with
``PARTNERBOT_TEST_POSTGRES_URL``; without a server the PostgreSQL half is skipped, except in CI
(``CI=true``), where a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from storage.db import Database
from storage.migrate import upgrade

POSTGRES_URL_ENV = "PARTNERBOT_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def new_team_id() -> str:
    """A workspace ID no other test uses, shaped like Slack's (``T`` + upper-case alphanumerics)."""
    return "T" + uuid.uuid4().hex[:16].upper()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once; each test gets a copy (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    template = Database(f"sqlite:///{path}")
    upgrade(template)
    template.dispose()  # the last connection to close folds the WAL into the file
    return path


@contextmanager
def fresh_postgres_database() -> Iterator[Database]:
    """A new, empty PostgreSQL database, dropped afterwards (skipped without a server, except in CI)."""
    server_url = make_url(os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL)
    name = f"partnerbot_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(
        server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 5}
    )
    try:
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        server.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        message = f"PostgreSQL at {server_url.render_as_string()} is unreachable: {reason}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    database = Database(server_url.set(database=name).render_as_string(hide_password=False))
    try:
        yield database
    finally:
        database.dispose()
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[Database]:
    """A freshly created, migrated PostgreSQL database for the whole session, dropped at the end."""
    with fresh_postgres_database() as database:
        upgrade(database)
        yield database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no tables at all (for migration tests): a new SQLite file, or a new PostgreSQL
    database of its own."""
    if request.param == "postgresql":
        with fresh_postgres_database() as database:
            yield database
        return
    database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database: a private SQLite file, or the session's shared PostgreSQL database."""
    if request.param == "postgresql":
        yield request.getfixturevalue("postgres_database")
        return
    path = tmp_path / "partnerbot.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def team_id() -> str:
    """The Slack workspace this test works in; unique, so tests sharing a database never meet."""
    return new_team_id()


@pytest.fixture
def other_team_id() -> str:
    """A second workspace, for tests that check one workspace never sees another's rows."""
    return new_team_id()
