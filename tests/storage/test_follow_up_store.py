"""Follow-ups and their reminder claims, on SQLite and PostgreSQL (the ``database`` fixture runs each
test on both); one workspace never sees another's follow-ups."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from storage import followups as store
from storage import interactions, partners
from storage.db import Database
from storage.followups import CLAIM_LEASE, FollowUpDone, Reminded
from storage.models import FollowUpStatus, InteractionKind

DAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


def partner(database: Database, team_id: str, name: str = "Acme") -> int:
    with database.transaction() as session:
        return partners.add_partner(session, team_id, name).id


def add(database: Database, team_id: str, partner_id: int, due_on: date = DAY, **fields: object) -> int:
    fields = {"owner": "UOWNER", "what": "Send the deck", "created_by": "UOWNER", **fields}
    with database.transaction() as session:
        follow_up, _ = store.add_follow_up(session, team_id, partner_id=partner_id, due_on=due_on, **fields)
        return follow_up.id


def candidates(database: Database, team_id: str, now: datetime = NOW, through: date = DAY) -> list[int]:
    with database.read() as session:
        found = store.reminder_candidates(session, through=through, now=now, team_ids=[team_id])
    return [c.id for c in found]


def claim(database: Database, ids: list[int], now: datetime = NOW) -> list[int]:
    with database.transaction() as session:
        return store.claim_reminders(session, ids, now=now)


def test_a_follow_up_is_added_once_per_request_and_done_once(database: Database, team_id: str) -> None:
    acme = partner(database, team_id)
    first = add(database, team_id, acme, request_key="command:1")
    assert add(database, team_id, acme, request_key="command:1") == first
    with database.transaction() as session:
        follow_up = store.get_follow_up(session, team_id, first)
        assert follow_up is not None and follow_up.status is FollowUpStatus.OPEN
        store.mark_done(session, follow_up, on=DAY, by="UDONE")
    with database.transaction() as session:
        follow_up = store.get_follow_up(session, team_id, first)
        assert follow_up is not None
        with pytest.raises(FollowUpDone) as done:
            store.mark_done(session, follow_up, on=DAY + timedelta(days=1), by="UOTHER")
        assert (done.value.done_on, done.value.done_by) == (DAY, "UDONE")
        with pytest.raises(FollowUpDone):
            store.snooze(session, follow_up, days=1, today=DAY)


def test_another_workspace_never_sees_a_follow_up(
    database: Database, team_id: str, other_team_id: str
) -> None:
    acme = partner(database, team_id)
    mine = add(database, team_id, acme)
    with database.read() as session:
        assert store.get_follow_up(session, other_team_id, mine) is None
        assert store.follow_ups(session, other_team_id) == ([], 0)
        assert store.overdue_by_partner(session, other_team_id, today=DAY + timedelta(days=9)) == {}
    assert candidates(database, other_team_id) == []


def test_lists_are_earliest_first_and_overdue_is_before_today(database: Database, team_id: str) -> None:
    acme, globex = partner(database, team_id, "Acme"), partner(database, team_id, "Globex")
    late = add(database, team_id, acme, DAY - timedelta(days=3))
    later = add(database, team_id, globex, DAY - timedelta(days=1), owner="UOTHER")
    soon = add(database, team_id, acme, DAY + timedelta(days=2))
    with database.read() as session:
        everyone, total = store.follow_ups(session, team_id)
        assert [f.id for f in everyone] == [late, later, soon] and total == 3
        mine, _ = store.follow_ups(session, team_id, owner="UOWNER")
        assert [f.id for f in mine] == [late, soon]
        overdue, overdue_total = store.follow_ups(session, team_id, due_before=DAY, limit=1)
        assert [f.id for f in overdue] == [late] and overdue_total == 2
        assert store.overdue_by_partner(session, team_id, today=DAY) == {
            acme: (1, DAY - timedelta(days=3)),
            globex: (1, DAY - timedelta(days=1)),
        }


def test_snoozing_moves_the_date_from_today_and_counts(database: Database, team_id: str) -> None:
    acme = partner(database, team_id)
    overdue = add(database, team_id, acme, DAY - timedelta(days=5))
    with database.transaction() as session:
        follow_up = store.get_follow_up(session, team_id, overdue)
        assert follow_up is not None
        store.snooze(session, follow_up, days=1, today=DAY)
        assert follow_up.due_on == DAY + timedelta(days=1)  # from today, not from the old date
        store.snooze(session, follow_up, days=7, today=DAY)
        assert follow_up.due_on == DAY + timedelta(days=8) and follow_up.snoozes == 2


def test_a_reminder_is_claimed_once_and_again_only_for_a_new_date(database: Database, team_id: str) -> None:
    acme = partner(database, team_id)
    due = add(database, team_id, acme)
    add(database, team_id, acme, DAY + timedelta(days=2))  # not due through DAY
    add(database, team_id, acme, owner=None)  # nobody to remind
    assert candidates(database, team_id) == [due]
    assert claim(database, [due]) == [due]
    assert claim(database, [due]) == []  # claimed: nobody else gets it
    assert candidates(database, team_id) == []
    with database.transaction() as session:
        assert store.record_reminded(session, [Reminded(due, DAY, NOW, "D1", "1.2")]) == 1
    later = NOW + CLAIM_LEASE * 3
    assert candidates(database, team_id, later) == []  # reminded for DAY: never again for DAY
    with database.transaction() as session:
        follow_up = store.get_follow_up(session, team_id, due)
        assert follow_up is not None and (follow_up.reminder_channel, follow_up.reminder_ts) == ("D1", "1.2")
        store.snooze(session, follow_up, days=1, today=DAY)
    assert candidates(database, team_id, later, through=DAY + timedelta(days=1)) == [due]


def test_a_claim_held_past_its_lease_is_taken_over_and_the_old_holder_loses_it(
    database: Database, team_id: str
) -> None:
    acme = partner(database, team_id)
    due = add(database, team_id, acme)
    assert claim(database, [due]) == [due]
    assert claim(database, [due], NOW + CLAIM_LEASE - timedelta(seconds=1)) == []
    taken_at = NOW + CLAIM_LEASE + timedelta(seconds=1)
    assert claim(database, [due], taken_at) == [due]  # the first process died mid-send
    with database.transaction() as session:
        assert store.record_reminded(session, [Reminded(due, DAY, NOW, None, None)]) == 0
        store.release_claim(session, due, claimed_at=NOW)  # not its claim any more: nothing happens
        assert store.record_reminded(session, [Reminded(due, DAY, taken_at, None, None)]) == 1


def test_concurrent_claims_give_each_reminder_to_exactly_one(database: Database, team_id: str) -> None:
    acme = partner(database, team_id)
    ids = [add(database, team_id, acme) for _ in range(40)]
    won: list[list[int]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def worker(n: int) -> None:
        start.wait()
        for chunk in range(0, len(ids), 10):
            won[n] += claim(database, ids[chunk : chunk + 10])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(i for claimed in won for i in claimed) == ids  # every one claimed, none twice


def test_an_undone_communication_takes_its_open_follow_up_along(database: Database, team_id: str) -> None:
    acme = partner(database, team_id)
    with database.transaction() as session:
        logged = interactions.log_interaction(
            session,
            team_id,
            partner_id=acme,
            kind=InteractionKind.CALL,
            occurred_at=NOW,
            notes="",
            user_id="U1",
        )
        interaction_id = logged.interaction.id
    promised = add(database, team_id, acme, interaction_id=interaction_id)
    other = add(database, team_id, acme)
    with database.transaction() as session:
        found = store.follow_up_of_interaction(session, team_id, interaction_id)
        assert found is not None and found.id == promised
        assert store.remove_open_of_interaction(session, team_id, interaction_id) == 1
    with database.read() as session:
        assert [f.id for f in store.follow_ups(session, team_id)[0]] == [other]


def test_the_last_communication_per_partner(database: Database, team_id: str, other_team_id: str) -> None:
    acme, globex = partner(database, team_id, "Acme"), partner(database, team_id, "Globex")
    with database.transaction() as session:
        for days, notes in ((5, "old"), (1, "newest"), (3, "middle")):
            interactions.log_interaction(
                session,
                team_id,
                partner_id=acme,
                kind=InteractionKind.MEETING,
                occurred_at=NOW - timedelta(days=days),
                notes=notes,
                user_id="U1",
            )
    with database.read() as session:
        last = store.last_communications(session, team_id, [acme, globex])
        assert {pid: i.notes for pid, i in last.items()} == {acme: "newest"}
        assert store.last_communications(session, other_team_id, [acme]) == {}
