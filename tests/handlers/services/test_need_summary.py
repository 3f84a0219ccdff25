"""The workspace's needs summary (handlers.services.needs) on both databases: open needs by type,
the most common open need per tier, the share met and the median time to meet one over 90 days."""

from __future__ import annotations

from datetime import date, timedelta

from handlers.services.needs import TierTop, needs_summary
from storage import needs as need_store
from storage import partners as partner_store
from storage.db import Database
from storage.models import NeedStatus, NeedType

TODAY = date(2026, 6, 15)


def add(database: Database, team_id: str, partner_id: int, kind: NeedType, raised_on: date = TODAY) -> int:
    with database.transaction() as session:
        found, _ = need_store.add_need(
            session,
            team_id,
            partner_id=partner_id,
            type=kind,
            description="x",
            raised_on=raised_on,
            created_by="U1",
        )
        return found.id


def close(database: Database, team_id: str, need_id: int, status: NeedStatus, on: date) -> None:
    with database.transaction() as session:
        found = need_store.get_need(session, team_id, need_id)
        assert found is not None
        need_store.close_need(session, found, status, on=on, by="U1")


def test_the_summary_of_a_workspace(database: Database, team_id: str, other_team_id: str) -> None:
    with database.transaction() as session:
        gold = partner_store.add_partner(session, team_id, "Gold", tier="gold").id
        silver = partner_store.add_partner(session, team_id, "Silver", tier="silver").id
        untiered = partner_store.add_partner(session, team_id, "Plain").id
    for partner_id, kind in (
        (gold, NeedType.PRICING),
        (gold, NeedType.PRICING),
        (gold, NeedType.SUPPORT),
        (silver, NeedType.TECHNICAL),
        (silver, NeedType.SUPPORT),  # a tie in silver: technical is declared first
        (untiered, NeedType.SUPPORT),
    ):
        add(database, team_id, partner_id, kind)
    started = TODAY - timedelta(days=120)
    for took, status in ((10, NeedStatus.MET), (100, NeedStatus.MET), (110, NeedStatus.DECLINED)):
        close(
            database,
            team_id,
            add(database, team_id, gold, NeedType.OTHER, started),
            status,
            started + timedelta(days=took),
        )
    close(
        database,
        team_id,
        add(database, team_id, gold, NeedType.OTHER, started),
        NeedStatus.MET,
        TODAY + timedelta(days=1),
    )

    summary = needs_summary(database, team_id, today=TODAY)
    assert summary.open_by_type == [(NeedType.SUPPORT, 3), (NeedType.PRICING, 2), (NeedType.TECHNICAL, 1)]
    assert summary.top_per_tier == [
        TierTop("gold", NeedType.PRICING, 2),
        TierTop("silver", NeedType.TECHNICAL, 1),
        TierTop(None, NeedType.SUPPORT, 1),
    ]
    # Closed within the 90 days up to TODAY: one met after 100 days, one declined; the one met after
    # 10 days closed before the window, and the one closed tomorrow after it.
    assert (summary.met, summary.declined, summary.met_share, summary.median_days_to_meet) == (
        1,
        1,
        50.0,
        100.0,
    )

    empty = needs_summary(database, other_team_id, today=TODAY)
    assert (empty.open_by_type, empty.top_per_tier, empty.met_share, empty.median_days_to_meet) == (
        [],
        [],
        None,
        None,
    )
