"""The audit trail under the forget commands and note retention (storage/erasure.py): forget-partner
leaves one "erased" row naming nothing; forget-user leaves no trace of the person in actors or
values; blanked notes go from the trail too. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage import erasure
from storage import interactions as interaction_store
from storage import partners as partner_store
from storage.db import Database
from storage.models import AuditEntry, InteractionKind
from storage.slack_ids import FORMER_USER

ANN, BOB = "U0ANN", "U0BOB"
LONG_AGO = datetime(2024, 1, 10, 9, tzinfo=UTC)
NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


def trail(database: Database, team_id: str) -> list[AuditEntry]:
    with database.read() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.team_id == team_id).order_by(AuditEntry.id))
        )


def acme_with_a_call(database: Database, team_id: str) -> tuple[int, int]:
    with database.transaction(actor=ANN) as session:
        partner = partner_store.add_partner(session, team_id, "Acme", owner=ANN)
        logged = interaction_store.log_interaction(
            session,
            team_id,
            partner_id=partner.id,
            kind=InteractionKind.CALL,
            occurred_at=LONG_AGO,
            notes="Ann's private remark",
            user_id=ANN,
        )
        return partner.id, logged.interaction.id


def test_forgetting_a_partner_replaces_its_trail_by_one_erased_row_that_names_nothing(
    database: Database, team_id: str
) -> None:
    partner_id, _ = acme_with_a_call(database, team_id)
    with database.transaction(actor=BOB) as session:
        partner_store.add_partner(session, team_id, "Globex")
    with database.transaction(actor="cli:ops") as session:
        removed = erasure.forget_partner(session, team_id, "cli:ops", partner_id)

    globex, erased = trail(database, team_id)
    assert globex.label == "Globex"  # another partner's trail stays
    assert (erased.actor, erased.action, erased.table_name, erased.record_id, erased.partner_id) == (
        "cli:ops",
        "erased",
        "partner",
        str(partner_id),
        None,
    )
    assert erased.label == "a forgotten partner" and "Acme" not in repr(erased.changes)
    assert erased.changes["audit_entry"] == [2, None] and erased.changes["interaction"] == [1, None]
    assert removed.rows["audit_entry"] == 2


def test_forgetting_a_person_removes_them_from_actors_and_recorded_values(
    database: Database, team_id: str
) -> None:
    acme_with_a_call(database, team_id)
    with database.transaction(actor="cli:ops") as session:
        erasure.forget_user(session, team_id, "cli:ops", ANN)
    entries = trail(database, team_id)
    assert all(ANN not in f"{e.actor} {e.label} {e.changes}" for e in entries)
    assert [e.actor for e in entries] == [FORMER_USER, FORMER_USER, "cli:ops"]
    assert entries[0].changes["owner"] == [None, FORMER_USER]
    forgotten = entries[-1]
    assert (forgotten.action, forgotten.label) == ("forgotten", "a former user")
    assert forgotten.changes["partner.owner"] == [1, None]


def test_retention_blanks_old_notes_in_the_trail_too_and_says_so_once(
    database: Database, team_id: str
) -> None:
    _, interaction_id = acme_with_a_call(database, team_id)
    with database.transaction(actor="scheduler") as session:
        assert erasure.blank_old_notes(session, team_id, "scheduler", months=12, now=NOW) == 1
    entries = trail(database, team_id)
    logged = next(e for e in entries if e.table_name == "interaction" and e.record_id == str(interaction_id))
    assert logged.changes["notes"] == [None, ""]
    assert "private remark" not in repr([e.changes for e in entries])
    assert (entries[-1].actor, entries[-1].action, entries[-1].changes) == (
        "scheduler",
        "notes blanked",
        {"notes": [1, None]},
    )


def test_forgetting_a_workspace_erases_its_trail_and_only_its_own(
    database: Database, team_id: str, other_team_id: str
) -> None:
    acme_with_a_call(database, team_id)
    acme_with_a_call(database, other_team_id)
    with database.transaction(actor="cli:ops") as session:
        erasure.forget_team(session, team_id, "cli:ops")
    assert trail(database, team_id) == []
    assert len(trail(database, other_team_id)) == 2
