"""Drop-alert claims, on SQLite and PostgreSQL: a claim taken over after its lease belongs to the
process that took it; the one that lost it can neither record nor release it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import alerts, partners
from storage.db import Database
from storage.models import AlertSent

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def claim(database: Database, team_id: str, partner_id: int, now: datetime) -> int | None:
    with database.transaction() as session:
        return alerts.claim(
            session, team_id, partner_id, "2026-W49", owner="U0OWN", reason="engagement 80 → 40",
            score_before=70.0, score_after=50.0, now=now, lease=LEASE,
        )  # fmt: skip


def test_a_claim_taken_over_is_recorded_and_released_only_by_its_new_holder(
    database: Database, team_id: str
) -> None:
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "Acme")
        session.flush()
        acme_id = acme.id
    first = claim(database, team_id, acme_id, NOW)
    assert first is not None
    assert claim(database, team_id, acme_id, NOW + timedelta(minutes=1)) is None  # held
    later = NOW + LEASE + timedelta(seconds=1)
    assert claim(database, team_id, acme_id, later) == first  # the lease ran out: taken over
    with database.transaction() as session:
        alerts.release(session, first, claimed_at=NOW)  # the first holder gives up: not its claim now
        alerts.sent(session, first, claimed_at=NOW, now=later, channel="D1", ts="1.0", delivered=True)
    with database.read() as session:
        row = session.scalar(select(AlertSent).where(AlertSent.id == first))
        assert row is not None and row.status.value == "claimed" and row.message_ts is None
    with database.transaction() as session:
        alerts.sent(session, first, claimed_at=later, now=later, channel="D2", ts="2.0", delivered=True)
    with database.read() as session:
        row = session.scalar(select(AlertSent).where(AlertSent.id == first))
        assert row is not None and row.status.value == "sent" and row.message_ts == "2.0"
