"""Logged communications, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from storage import interactions, partners
from storage.db import Database
from storage.models import InteractionKind

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def acme_id(database: Database, team_id: str) -> int:
    with database.transaction() as session:
        return partners.add_partner(session, team_id, "Acme").id


def log(
    database: Database,
    team_id: str,
    partner_id: int,
    kind: InteractionKind,
    when: datetime,
    key: str | None = None,
    notes: str = "notes",
) -> interactions.Logged:
    with database.transaction() as session:
        return interactions.log_interaction(
            session,
            team_id,
            partner_id=partner_id,
            kind=kind,
            occurred_at=when,
            notes=notes,
            user_id="U1",
            request_key=key,
        )


def test_same_request_key_logs_once(database: Database, team_id: str, acme_id: int) -> None:
    first = log(database, team_id, acme_id, InteractionKind.CALL, NOW, key="command:trig1")
    again = log(database, team_id, acme_id, InteractionKind.CALL, NOW, key="command:trig1")
    assert first.created and not again.created
    assert again.interaction.id == first.interaction.id
    with database.read() as session:
        assert len(interactions.recent_interactions(session, team_id, acme_id, limit=10)) == 1


def test_timestamps_come_back_in_utc(database: Database, team_id: str, acme_id: int) -> None:
    paris_evening = datetime(2026, 6, 15, 23, 30, tzinfo=timezone(timedelta(hours=2)))
    log(database, team_id, acme_id, InteractionKind.CALL, paris_evening)
    with database.read() as session:
        stored = interactions.recent_interactions(session, team_id, acme_id)[0].occurred_at
    assert stored == paris_evening
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(database: Database, team_id: str, acme_id: int) -> None:
    with pytest.raises(Exception, match="naive"):
        log(database, team_id, acme_id, InteractionKind.CALL, datetime(2026, 1, 1))


def test_notes_are_stored_whole(database: Database, team_id: str, acme_id: int) -> None:
    long_notes = "x" * 50_000 + " <!channel> end"
    log(database, team_id, acme_id, InteractionKind.NOTE, NOW, notes=long_notes)
    with database.read() as session:
        assert interactions.recent_interactions(session, team_id, acme_id)[0].notes == long_notes


def test_contact_summary_counts_per_kind_over_30_and_90_days(
    database: Database, team_id: str, acme_id: int
) -> None:
    for days, kind in [
        (1, InteractionKind.CALL),
        (10, InteractionKind.CALL),
        (40, InteractionKind.MEETING),
        (89, InteractionKind.EMAIL),
        (200, InteractionKind.QBR),
    ]:
        log(database, team_id, acme_id, kind, NOW - timedelta(days=days))
    with database.read() as session:
        summary = interactions.contact_summary(session, team_id, acme_id, now=NOW)
        empty = interactions.contact_summary(session, "T-elsewhere", acme_id, now=NOW)
    assert summary.last_30_days == {"call": 2}
    assert summary.last_90_days == {"call": 2, "meeting": 1, "email": 1}
    assert summary.last_contact == NOW - timedelta(days=1)
    assert summary.last_contact.tzinfo is not None
    assert (empty.last_contact, empty.total_90) == (None, 0)


def test_recent_is_newest_first_and_limited(database: Database, team_id: str, acme_id: int) -> None:
    for day in range(8):
        log(database, team_id, acme_id, InteractionKind.EMAIL, NOW - timedelta(days=day), notes=f"day {day}")
    with database.read() as session:
        recent = interactions.recent_interactions(session, team_id, acme_id, limit=5)
    assert [r.notes for r in recent] == [f"day {d}" for d in range(5)]


def test_update_and_delete_are_scoped_to_the_workspace(
    database: Database, team_id: str, other_team_id: str, acme_id: int
) -> None:
    logged = log(database, team_id, acme_id, InteractionKind.CALL, NOW)
    with database.transaction() as session:
        assert interactions.get_interaction(session, other_team_id, logged.interaction.id) is None
        assert not interactions.delete_interaction(session, other_team_id, logged.interaction.id)
        item = interactions.get_interaction(session, team_id, logged.interaction.id)
        interactions.update_interaction(
            session,
            item,
            partner_id=acme_id,
            kind=InteractionKind.MEETING,
            occurred_at=NOW,
            notes="changed",
            follow_up_on=date(2026, 7, 1),
        )
    with database.transaction() as session:
        assert interactions.get_interaction(session, team_id, logged.interaction.id).kind == "meeting"
        assert interactions.delete_interaction(session, team_id, logged.interaction.id)
        assert interactions.get_interaction(session, team_id, logged.interaction.id) is None


def test_a_failed_transaction_leaves_nothing(database: Database, team_id: str, acme_id: int) -> None:
    with pytest.raises(RuntimeError), database.transaction() as session:
        interactions.log_interaction(
            session,
            team_id,
            partner_id=acme_id,
            kind=InteractionKind.CALL,
            occurred_at=NOW,
            notes="half",
            user_id="U1",
        )
        raise RuntimeError("boom after the insert")
    with database.read() as session:
        assert interactions.recent_interactions(session, team_id, acme_id) == []


NOW_RECENT = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def test_recent_logs_are_the_users_own_newest_first(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        partner = partners.add_partner(session, team_id, "Acme")
        for i, user in enumerate(["U1", "U2", "U1", "U1"]):
            interactions.log_interaction(
                session,
                team_id,
                partner_id=partner.id,
                kind=InteractionKind.CALL,
                occurred_at=NOW_RECENT - timedelta(days=10 - i),
                notes=f"n{i}",
                user_id=user,
            )
    with database.read() as session:
        found = interactions.recent_by_user(session, team_id, "U1", limit=2)
        other_team = interactions.recent_by_user(session, team_id + "X", "U1")
        assert [r.notes for r in found] == ["n3", "n2"] and found[0].partner.name == "Acme"
    assert other_team == []
