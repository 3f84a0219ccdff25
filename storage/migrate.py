"""Brings a database's schema up to date with Alembic, safely from several processes at once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from storage.db import Database

_MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: it names the PostgreSQL advisory lock that serialises concurrent upgrades.
_MIGRATION_LOCK = 7_301_245_531


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database.url.render_as_string(hide_password=False))
    return config


def upgrade(database: Database) -> None:
    """Apply every pending migration. Two replicas starting together take turns (PostgreSQL lock)."""
    config = alembic_config(database)
    with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def is_up_to_date(database: Database) -> bool:
    script = ScriptDirectory.from_config(alembic_config(database))
    with database.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current == set(script.get_heads())


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    """The newest schema revision this code knows (what ``upgrade`` brings a database to)."""
    head = _scripts().get_current_head()
    assert head is not None, "the migrations have one head"
    return head


def is_known_revision(revision: str) -> bool:
    """Whether this code's migrations include ``revision`` (a newer Partnerbot's is unknown here)."""
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # alembic raises its own resolution errors for an unknown or malformed id
        return False


def current_revision(connection: Connection) -> str | None:
    """The schema revision a database is at (None: no Partnerbot schema in it)."""
    heads = MigrationContext.configure(connection).get_current_heads()
    return heads[0] if heads else None


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    """Migrate on ``connection`` inside the caller's transaction (a restore builds a backup's
    schema and loads its rows in one transaction, so a failure leaves nothing behind)."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
