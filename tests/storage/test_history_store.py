"""Score history's storage on SQLite and PostgreSQL: a day is claimed once (a dead claim is taken
over after its lease, a finished one never), rows stay in their workspace, pruning keeps 26 weeks
daily and Mondays before, and the ``history`` CSV is exported (never imported)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest

from storage import history as history_store
from storage import partners
from storage.db import Database
from storage.transfer import ImportFailed, export_csv, import_csv

DAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 0, 5, tzinfo=UTC)
LEASE = timedelta(minutes=10)


def rows(team_id: str, day: date, partner_ids: list[int]) -> list[dict]:
    return [
        {
            "team_id": team_id,
            "day": day,
            "partner_id": p,
            "score": 50.0 + i,
            "rank": i + 1,
            "satisfaction": None,
            "engagement": 10.0,
            "recency": 20.5,
            "business": None,
            "delivery": 99.999,
            "category": "neutral" if i else None,
        }
        for i, p in enumerate(partner_ids)
    ]


def test_a_day_is_claimed_once_and_a_dead_claim_is_taken_over_after_its_lease(
    database: Database, team_id: str
) -> None:
    with database.transaction() as session:
        first = history_store.claim_day(session, team_id, DAY, now=NOW, lease=LEASE)
    assert first == NOW
    with database.transaction() as session:
        assert history_store.claim_day(session, team_id, DAY, now=NOW + LEASE, lease=LEASE) is None
    later = NOW + LEASE + timedelta(seconds=1)
    with database.transaction() as session:
        assert history_store.claim_day(session, team_id, DAY, now=later, lease=LEASE) == later
    with database.transaction() as session:  # the first process comes back: no longer its claim
        assert not history_store.finish_day(
            session, team_id, DAY, claimed_at=NOW, now=later, days=1, rows=0, first_day=DAY
        )
        assert history_store.finish_day(
            session, team_id, DAY, claimed_at=later, now=later, days=1, rows=0, first_day=DAY
        )
    far = later + 10 * LEASE
    with database.transaction() as session:  # done: never claimed again
        assert history_store.claim_day(session, team_id, DAY, now=far, lease=LEASE) is None
        assert history_store.last_done_day(session, team_id) == DAY


def test_rows_stay_in_their_workspace_and_are_pruned_with_age(
    database: Database, team_id: str, other_team_id: str
) -> None:
    days = [DAY - timedelta(days=i) for i in range(0, 800, 1)]
    with database.transaction() as session:
        for team in (team_id, other_team_id):
            history_store.replace_days(session, team, days, (r for d in days for r in rows(team, d, [1, 2])))
        history_store.prune(session, team_id, today=DAY)
    with database.read() as session:
        kept = set(
            history_store.partner_history(session, team_id, 1, since=date(2000, 1, 1), until=DAY)["day"]
        )
        other = history_store.partner_history(session, other_team_id, 1, since=date(2000, 1, 1), until=DAY)
        snapshot = history_store.snapshot(session, team_id, DAY)
    assert kept == {d for d in days if history_store.kept(d, today=DAY)}
    assert len(kept) == 182 + len([d for d in days[182:730] if d.weekday() == 0])
    assert len(other) == 800  # the other workspace's history is untouched
    assert snapshot["partner_id"].tolist() == [1, 2] and snapshot["category"].tolist() == [None, "neutral"]


def test_history_is_exported_as_csv_and_never_imported(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "=Acme")
        globex = partners.add_partner(session, team_id, "Globex")
        history_store.replace_days(session, team_id, [DAY], iter(rows(team_id, DAY, [acme.id, globex.id])))
    out = io.StringIO()
    assert export_csv(database, "history", out, team_id=team_id) == 2
    assert out.getvalue().splitlines() == [
        "partner,day,rank,score,satisfaction,engagement,recency,business,delivery,category",
        "'=Acme,2026-06-15,1,50.00,,10.00,20.50,,100.00,",
        "Globex,2026-06-15,2,51.00,,10.00,20.50,,100.00,neutral",
    ]
    with pytest.raises(ImportFailed, match="exported only"):
        import_csv(database, "history", io.StringIO(out.getvalue()), team_id=team_id)
