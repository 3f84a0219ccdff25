"""Partner records, on SQLite and PostgreSQL (the ``database`` fixture runs each test on both)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage import partners
from storage.db import Database
from storage.models import PartnerStatus


def test_add_and_find_case_insensitively(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        partners.add_partner(session, team_id, "  Acme   Corp ", tier="gold", revenue=Decimal("10.50"))
    with database.read() as session:
        found = partners.get_partner_by_name(session, team_id, "ACME CORP")
        assert found is not None
        assert found.name == "Acme Corp"
        assert found.revenue == Decimal("10.50")
        assert found.created_at.tzinfo is not None


def test_names_are_unique_per_workspace_only(database: Database, team_id: str, other_team_id: str) -> None:
    with database.transaction() as session:
        partners.add_partner(session, team_id, "Acme")
    with pytest.raises(partners.PartnerExists) as exists, database.transaction() as session:
        partners.add_partner(session, team_id, "acme")
    assert exists.value.name == "Acme"
    with database.transaction() as session:
        partners.add_partner(session, other_team_id, "ACME")
    with database.read() as session:
        assert partners.count_partners(session, team_id) == 1
        assert partners.get_partner_by_name(session, other_team_id, "acme").name == "ACME"


def test_longest_name_at_the_start_wins(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        for name in ("Acme", "Acme Corp", "Acme Corporation Europe"):
            partners.add_partner(session, team_id, name)
    cuts = [
        ("Acme", "Corp call hi"),
        ("Acme Corp", "call hi"),
        ("Acme Corp call", "hi"),
        ("Acme Corp call hi", ""),
    ]
    with database.read() as session:
        match = partners.match_partner_at_start(session, team_id, cuts)
        assert match is not None
        assert (match.partner.name, match.rest) == ("Acme Corp", "call hi")
        assert partners.match_partner_at_start(session, "T-elsewhere", cuts) is None


def test_suggestions_for_a_misspelt_name(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        for name in ("Acme Corp", "Globex", "Initech"):
            partners.add_partner(session, team_id, name)
    with database.read() as session:
        assert partners.suggest_names(session, team_id, "Acme Crop")[0] == "Acme Corp"
        assert partners.suggest_names(session, team_id, "zzzzqqq") == []


def test_type_ahead_puts_prefix_matches_first_and_hides_archived(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        for name in ("Big Acme", "Acme", "Acme Two", "Other", "100% Partners", "a_b"):
            partners.add_partner(session, team_id, name)
        partners.set_status(
            session, partners.get_partner_by_name(session, team_id, "Acme Two"), PartnerStatus.ARCHIVED
        )
    with database.read() as session:
        assert [p.name for p in partners.search_partners(session, team_id, "acm")] == ["Acme", "Big Acme"]
        # LIKE wildcards typed by a person are matched literally.
        assert [p.name for p in partners.search_partners(session, team_id, "%")] == ["100% Partners"]
        assert [p.name for p in partners.search_partners(session, team_id, "_")] == ["a_b"]
        assert len(partners.search_partners(session, team_id, "", limit=2)) == 2
        assert partners.search_partners(session, "T-elsewhere", "acm") == []


def test_rename_to_an_existing_name_is_refused(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        partners.add_partner(session, team_id, "Acme")
        globex = partners.add_partner(session, team_id, "Globex")
    with pytest.raises(partners.PartnerExists), database.transaction() as session:
        partners.update_partner(session, partners.get_partner(session, team_id, globex.id), name="ACME")
    with database.transaction() as session:
        partner = partners.get_partner(session, team_id, globex.id)
        partners.update_partner(session, partner, name="Globex Corp", tier="silver")
    with database.read() as session:
        assert partners.get_partner(session, team_id, globex.id).name == "Globex Corp"


def test_partner_from_another_workspace_is_invisible_by_id(
    database: Database, team_id: str, other_team_id: str
) -> None:
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "Acme")
    with database.read() as session:
        assert partners.get_partner(session, other_team_id, acme.id) is None


def test_largest_teams_counts_active_partners_only(
    database: Database, team_id: str, other_team_id: str
) -> None:
    with database.transaction() as session:
        for name in ("Acme", "Globex", "Initech"):
            partners.add_partner(session, team_id, name)
        for name in ("Umbrella", "Hooli"):
            partner = partners.add_partner(session, other_team_id, name)
        partners.set_status(session, partner, PartnerStatus.ARCHIVED)
    with database.read() as session:
        found = partners.largest_teams(session, at_least=2, limit=100_000)
    assert team_id in found and other_team_id not in found  # one active partner left there
