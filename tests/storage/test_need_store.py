"""Partner needs in storage, on SQLite and PostgreSQL (the ``database`` fixture runs each test on
both): recorded once per request, closed once, ranked by priority, difficulty and age, the numbers
of the workspace's summary; one workspace never sees another's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage import needs as need_store
from storage import partners
from storage.db import Database
from storage.models import NeedDifficulty, NeedPriority, NeedStatus, NeedType, PartnerStatus

DAY = date(2026, 6, 15)


def partner(database: Database, team_id: str, name: str, *, archived: bool = False, **fields: object) -> int:
    with database.transaction() as session:
        added = partners.add_partner(session, team_id, name, **fields)
        if archived:
            partners.set_status(session, added, PartnerStatus.ARCHIVED)
        return added.id


def need(
    database: Database,
    team_id: str,
    partner_id: int,
    description: str,
    *,
    type: NeedType = NeedType.PRICING,
    priority: NeedPriority = NeedPriority.MEDIUM,
    difficulty: NeedDifficulty = NeedDifficulty.MEDIUM,
    raised_on: date = DAY,
) -> int:
    with database.transaction() as session:
        found, _ = need_store.add_need(
            session,
            team_id,
            partner_id=partner_id,
            type=type,
            priority=priority,
            difficulty=difficulty,
            description=description,
            raised_on=raised_on,
            created_by="U1",
        )
        return found.id


def close(
    database: Database, team_id: str, need_id: int, status: NeedStatus, on: date = DAY, notes: str = ""
) -> None:
    with database.transaction() as session:
        found = need_store.get_need(session, team_id, need_id)
        assert found is not None
        need_store.close_need(session, found, status, on=on, by="U2", notes=notes)


def test_a_need_is_recorded_once_per_request_with_medium_defaults(database: Database, team_id: str) -> None:
    acme = partner(database, team_id, "Acme")
    with database.transaction() as session:
        (first, created), (again, created_again) = (
            need_store.add_need(
                session,
                team_id,
                partner_id=acme,
                type=NeedType.TECHNICAL,
                description="API rate limits",
                raised_on=DAY,
                created_by="U1",
                request_key="command:1",
            )
            for _ in range(2)
        )
        assert created and not created_again and again.id == first.id
    with database.read() as session:
        stored = need_store.get_need(session, team_id, first.id)
        assert stored is not None
        assert (stored.priority, stored.difficulty, stored.status, stored.raised_on) == (
            NeedPriority.MEDIUM,
            NeedDifficulty.MEDIUM,
            NeedStatus.OPEN,
            DAY,
        )
        assert (stored.partner.name, stored.created_by, stored.close_notes) == ("Acme", "U1", "")
        assert need_store.needs(session, team_id) == ([stored], 1)


def test_closing_records_how_when_by_whom_and_only_once(database: Database, team_id: str) -> None:
    acme = partner(database, team_id, "Acme")
    pricing = need(database, team_id, acme, "Volume discount")
    close(database, team_id, pricing, NeedStatus.MET, notes="12% off")
    with database.transaction() as session:
        found = need_store.get_need(session, team_id, pricing)
        assert found is not None
        with pytest.raises(need_store.NeedClosed) as closed:
            need_store.close_need(session, found, NeedStatus.DECLINED, on=DAY + timedelta(days=1), by="U3")
        earlier = closed.value.need
        assert (earlier.status, earlier.closed_on, earlier.closed_by, earlier.close_notes) == (
            NeedStatus.MET,
            DAY,
            "U2",
            "12% off",
        )
    with database.read() as session:
        stored = need_store.get_need(session, team_id, pricing)
        assert stored is not None and stored.status is NeedStatus.MET and stored.closed_on == DAY
        with pytest.raises(ValueError, match="does not close"):
            need_store.close_need(session, stored, NeedStatus.OPEN, on=DAY, by="U2")


def test_another_workspace_never_sees_a_need(database: Database, team_id: str, other_team_id: str) -> None:
    acme = partner(database, team_id, "Acme", tier="gold")
    secret = need(database, team_id, acme, "Secret")
    close(database, team_id, need(database, team_id, acme, "Met one"), NeedStatus.MET)
    with database.read() as session:
        assert need_store.get_need(session, other_team_id, secret) is None
        assert need_store.needs(session, other_team_id, include_closed=True) == ([], 0)
        assert need_store.needs(session, other_team_id, partner_id=acme) == ([], 0)
        assert need_store.open_by_tier_and_type(session, other_team_id) == []
        closed = need_store.closed_between(session, other_team_id, since=DAY, until=DAY)
        assert (closed.met, closed.declined) == (0, 0)


def test_open_needs_rank_by_priority_then_difficulty_then_age(database: Database, team_id: str) -> None:
    acme = partner(database, team_id, "Acme")
    old = DAY - timedelta(days=30)
    low_easy = need(
        database, team_id, acme, "low easy", priority=NeedPriority.LOW, difficulty=NeedDifficulty.EASY
    )
    high_hard = need(
        database, team_id, acme, "high hard", priority=NeedPriority.HIGH, difficulty=NeedDifficulty.HARD
    )
    high_easy_new = need(
        database, team_id, acme, "high easy new", priority=NeedPriority.HIGH, difficulty=NeedDifficulty.EASY
    )
    high_easy_old = need(
        database,
        team_id,
        acme,
        "high easy old",
        priority=NeedPriority.HIGH,
        difficulty=NeedDifficulty.EASY,
        raised_on=old,
    )
    medium = need(database, team_id, acme, "medium medium")
    met = need(database, team_id, acme, "met", priority=NeedPriority.HIGH, difficulty=NeedDifficulty.EASY)
    declined = need(database, team_id, acme, "declined")
    close(database, team_id, met, NeedStatus.MET, on=DAY - timedelta(days=2))
    close(database, team_id, declined, NeedStatus.DECLINED, on=DAY - timedelta(days=1))
    ranked = [high_easy_old, high_easy_new, high_hard, medium, low_easy]
    with database.read() as session:
        found, total = need_store.needs(session, team_id, partner_id=acme)
        assert [n.id for n in found] == ranked and total == 5
        every, every_total = need_store.needs(session, team_id, include_closed=True)
        assert [n.id for n in every] == [*ranked, declined, met] and every_total == 7  # latest closed first
        first_two, still_total = need_store.needs(session, team_id, limit=2)
        assert [n.id for n in first_two] == ranked[:2] and still_total == 5


def test_the_workspace_leaves_out_archived_partners_but_their_own_list_keeps_them(
    database: Database, team_id: str
) -> None:
    gone = partner(database, team_id, "Gone", archived=True, tier="gold")
    kept = need(database, team_id, gone, "still on record")
    with database.read() as session:
        assert need_store.needs(session, team_id) == ([], 0)
        assert [n.id for n in need_store.needs(session, team_id, partner_id=gone)[0]] == [kept]
        assert need_store.open_by_tier_and_type(session, team_id) == []


def test_the_summary_counts_open_needs_per_tier_and_what_closed_lately(
    database: Database, team_id: str
) -> None:
    gold = partner(database, team_id, "Gold one", tier="gold")
    gold_too = partner(database, team_id, "Gold two", tier="gold")
    plain = partner(database, team_id, "No tier")
    need(database, team_id, gold, "a", type=NeedType.PRICING)
    need(database, team_id, gold_too, "b", type=NeedType.PRICING)
    need(database, team_id, gold_too, "c", type=NeedType.SUPPORT)
    need(database, team_id, plain, "d", type=NeedType.TRAINING)
    raised = DAY - timedelta(days=100)
    for days, status in ((4, NeedStatus.MET), (10, NeedStatus.MET), (20, NeedStatus.DECLINED)):
        close(
            database,
            team_id,
            need(database, team_id, plain, "x", raised_on=raised),
            status,
            raised + timedelta(days=days),
        )
    close(database, team_id, need(database, team_id, plain, "today", raised_on=DAY), NeedStatus.MET, DAY)
    with database.read() as session:
        rows = {(r.tier, r.type): r.count for r in need_store.open_by_tier_and_type(session, team_id)}
        assert rows == {
            ("gold", NeedType.PRICING): 2,
            ("gold", NeedType.SUPPORT): 1,
            (None, NeedType.TRAINING): 1,
        }
        closed = need_store.closed_between(session, team_id, since=raised + timedelta(days=5), until=DAY)
        assert (closed.met, closed.declined, closed.days_to_meet) == (
            2,
            1,
            [0, 10],
        )  # the 4-day one is before
