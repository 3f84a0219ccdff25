"""Partner names are stored and matched normalised; migration 0007 renormalises old rows and reports,
never merges, look-alikes. Storage tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

import pytest
from alembic import command
from sqlalchemy import select, text

from storage import partners as partner_store
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.models import Partner
from storage.names import name_key, normalise_name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Acme Corp", "Acme Corp"),
        ("\u200bAcme Corp", "Acme Corp"),
        ("Acme\u200bCorp", "Acme Corp"),
        ("\ufeffAcme Corp", "Acme Corp"),
        ("Acme\u2060 Corp", "Acme Corp"),
        ("Ａｃｍｅ　Corp", "Acme Corp"),
        ("Acme\u00a0\t\nCorp", "Acme Corp"),
        ("\x1b[31mAcme\x1b[0m Corp", "Acme Corp"),
        ("\x1b]0;title\x07Acme Corp", "Acme Corp"),
        ("Acme\x00 Corp\x7f", "Acme Corp"),
        ("\u202eproC emcA", "proC emcA"),
        ("Café", "Café"),  # NFKC composes the accent; it stays
        ("Zürich 北京", "Zürich 北京"),
        ("\u200b\u200d\ufeff", ""),
        ("\x1b[31m\x1b[0m", ""),
    ],
)
def test_names_are_normalised(typed: str, stored: str) -> None:
    assert normalise_name(typed) == stored
    assert name_key(typed) == stored.casefold()


def test_a_look_alike_name_is_the_same_partner(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        partner_store.add_partner(session, team_id, "Acme Corp")
    for typed in ("\u200bAcme Corp", "ACME\u200bCORP", "\ufeffacme corp"):
        with database.transaction() as session, pytest.raises(partner_store.PartnerExists):
            partner_store.add_partner(session, team_id, typed)
        with database.read() as session:
            found = partner_store.get_partner_by_name(session, team_id, typed)
            assert found is not None and found.name == "Acme Corp"


def test_an_invisible_name_is_refused_by_storage_too(database: Database, team_id: str) -> None:
    with database.transaction() as session, pytest.raises(ValueError, match="visible"):
        partner_store.add_partner(session, team_id, "\u200b\x00")


def test_migration_0007_normalises_and_reports_duplicates_without_merging(
    empty_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    database = empty_database
    config = alembic_config(database)
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
    rows = [
        # (team, name as stored before, name_key as stored before)
        ("T1", "Acme Corp", "acme corp"),
        ("T1", "\u200bAcme Corp", "\u200bacme corp"),  # a look-alike of Acme Corp: reported, kept
        ("T1", "Globex\u200b", "globex\u200b"),  # only dirty: cleaned
        ("T1", "Ｉｎｉｔｅｃｈ", "ｉｎｉｔｅｃｈ"),  # full width: cleaned
        ("T1", "\u200b\u200d", "\u200b\u200d"),  # nothing visible: reported, kept
        ("T2", "\u200bAcme Corp", "\u200bacme corp"),  # another workspace: no conflict there
    ]
    with database.engine.begin() as conn:
        for team, name, key in rows:
            conn.execute(
                text(
                    "INSERT INTO partner (team_id, name, name_key, status, created_at, updated_at) "
                    "VALUES (:team, :name, :key, 'active', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"team": team, "name": name, "key": key},
            )
    with caplog.at_level(logging.WARNING, logger="partnerbot.migrations"):
        upgrade(database)
    with database.read() as session:
        found = sorted((p.team_id, p.name, p.name_key) for p in session.scalars(select(Partner)))
    assert found == sorted(
        [
            ("T1", "Acme Corp", "acme corp"),
            ("T1", "\u200bAcme Corp", "\u200bacme corp"),
            ("T1", "Globex", "globex"),
            ("T1", "Initech", "initech"),
            ("T1", "\u200b\u200d", "\u200b\u200d"),
            ("T2", "Acme Corp", "acme corp"),
        ]
    )
    warnings = [r.getMessage() for r in caplog.records]
    assert any("looks the same as" in w and "not merged" in w for w in warnings), warnings
    assert any("no visible characters" in w for w in warnings), warnings
