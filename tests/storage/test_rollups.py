"""The communication roll-ups and data versions, on SQLite and PostgreSQL.

The roll-ups must always equal a recount from the communications themselves, whatever sequence
of logs, edits, undos, archives and imports made them (Hypothesis draws the sequences).
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage import interactions, partners, rollups, versions
from storage.db import Database
from storage.models import ActivityDay, DataChange, Interaction, InteractionKind, LastContact, PartnerStatus
from storage.transfer import ImportFailed, import_csv
from tests.conftest import new_team_id

START = datetime(2026, 3, 1, tzinfo=UTC)
KINDS = list(InteractionKind)
NAMES = ["Acme", "Globex", "Initech"]


def stored_rollups(database: Database, team_id: str) -> tuple[dict, dict]:
    with database.read() as session:
        days = {
            (row.day, row.partner_id): tuple(getattr(row, name) for name in rollups.COUNT_COLUMNS)
            for row in session.scalars(select(ActivityDay).where(ActivityDay.team_id == team_id))
        }
        last = dict(
            session.execute(
                select(LastContact.partner_id, LastContact.occurred_at).where(LastContact.team_id == team_id)
            ).all()
        )
    return days, last


def recounted(database: Database, team_id: str) -> tuple[dict, dict]:
    """The roll-ups worked out in Python from every communication of the workspace."""
    with database.read() as session:
        rows = session.execute(
            select(Interaction.partner_id, Interaction.kind, Interaction.occurred_at).where(
                Interaction.team_id == team_id
            )
        ).all()
    counts: dict[tuple, Counter] = {}
    last: dict[int, datetime] = {}
    for partner_id, kind, occurred_at in rows:
        day_counts = counts.setdefault((occurred_at.astimezone(UTC).date(), partner_id), Counter())
        day_counts["communications"] += 1
        day_counts[rollups.KIND_COLUMNS[kind]] += 1
        last[partner_id] = max(last.get(partner_id, occurred_at), occurred_at)
    days = {key: tuple(c[name] for name in rollups.COUNT_COLUMNS) for key, c in counts.items()}
    return days, last


# One step of a partner manager's day, as data: (what, partner index, kind index, hours, other).
steps = st.lists(
    st.tuples(
        st.sampled_from(["log", "edit", "undo", "archive", "import"]),
        st.integers(0, len(NAMES) - 1),
        st.integers(0, len(KINDS) - 1),
        st.integers(-72, 72 * 24),  # around midnights and over months
        st.integers(0, 1000),
    ),
    min_size=1,
    max_size=12,
)


def _apply(database: Database, team_id: str, ids: dict[str, int], step: tuple) -> None:
    what, who, kind_index, hours, other = step
    partner_id = ids[NAMES[who]]
    kind = KINDS[kind_index]
    when = START + timedelta(hours=hours, minutes=other % 60)
    with database.transaction() as session:
        logged = session.scalars(
            select(Interaction.id).where(Interaction.team_id == team_id).order_by(Interaction.id)
        ).all()
        if what == "log" or (what in ("edit", "undo") and not logged):
            interactions.log_interaction(
                session, team_id, partner_id=partner_id, kind=kind, occurred_at=when, notes="", user_id="U1"
            )
        elif what == "edit":
            record = interactions.get_interaction(session, team_id, logged[other % len(logged)])
            assert record is not None
            interactions.update_interaction(
                session,
                record,
                partner_id=partner_id,
                kind=kind,
                occurred_at=when,
                notes="x",
                follow_up_on=None,
            )
        elif what == "undo":
            assert interactions.delete_interaction(session, team_id, logged[other % len(logged)])
        elif what == "archive":
            partner = partners.get_partner(session, team_id, partner_id)
            assert partner is not None
            archived = partner.status is PartnerStatus.ARCHIVED
            partners.set_status(
                session, partner, PartnerStatus.ACTIVE if archived else PartnerStatus.ARCHIVED
            )
    if what == "import":
        lines = "".join(
            f"{NAMES[(who + i) % len(NAMES)]},{KINDS[(kind_index + i) % len(KINDS)].value},"
            f"{(when + timedelta(hours=7 * i)).isoformat()},imported\n"
            for i in range(1 + other % 4)
        )
        import_csv(
            database, "interactions", io.StringIO("partner,kind,occurred_at,notes\n" + lines), team_id=team_id
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_rollups_equal_a_recount_after_any_sequence_of_changes(database: Database, sequence: list) -> None:
    team_id = new_team_id()  # one workspace per example: examples share the database
    with database.transaction() as session:
        ids = {name: partners.add_partner(session, team_id, name).id for name in NAMES}
    for step in sequence:
        _apply(database, team_id, ids, step)
        assert stored_rollups(database, team_id) == recounted(database, team_id), step


def test_rebuild_recounts_what_was_written_around_the_rollups(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "Acme").id
        for hours in (1, 2, 30):
            interactions.log_interaction(
                session,
                team_id,
                partner_id=acme,
                kind=InteractionKind.CALL,
                occurred_at=START + timedelta(hours=hours),
                notes="",
                user_id="U1",
            )
        session.execute(ActivityDay.__table__.delete().where(ActivityDay.team_id == team_id))
        rollups.rebuild(session, team_id)
    days, last = stored_rollups(database, team_id)
    assert days == {
        (START.date(), acme): (2, 2, 0, 0, 0, 0, 0, 0),
        ((START + timedelta(days=1)).date(), acme): (1, 1, 0, 0, 0, 0, 0, 0),
    }
    assert last == {acme: START + timedelta(hours=30)}


def test_one_workspace_never_counts_in_another(database: Database, team_id: str, other_team_id: str) -> None:
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "Acme").id
        interactions.log_interaction(
            session,
            team_id,
            partner_id=acme,
            kind=InteractionKind.MEETING,
            occurred_at=START,
            notes="",
            user_id="U1",
        )
        rollups.rebuild(session, other_team_id)  # rebuilding another workspace leaves this one alone
    assert stored_rollups(database, other_team_id) == ({}, {})
    assert stored_rollups(database, team_id) == recounted(database, team_id) != ({}, {})


def version(database: Database, team_id: str) -> int:
    with database.read() as session:
        return versions.current(session, team_id)


def test_every_committed_change_moves_the_workspace_version_once(
    database: Database, team_id: str, other_team_id: str
) -> None:
    assert version(database, team_id) == 0
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "Acme")
        session.flush()
        interactions.log_interaction(
            session,
            team_id,
            partner_id=acme.id,
            kind=InteractionKind.CALL,
            occurred_at=START,
            notes="",
            user_id="U1",
        )
    assert version(database, team_id) == 1  # one transaction, one step
    with database.transaction() as session:
        partner = partners.get_partner(session, team_id, acme.id)
        assert partner is not None
        partner.tier = "gold"
    assert version(database, team_id) == 2
    with database.transaction() as session:
        logged = session.scalars(select(Interaction.id).where(Interaction.team_id == team_id)).one()
        interactions.delete_interaction(session, team_id, logged)  # a DELETE statement, not the ORM's
    assert version(database, team_id) == 3
    import_csv(database, "partners", io.StringIO("name\nGlobex\n"), team_id=team_id)
    assert version(database, team_id) == 4
    assert version(database, other_team_id) == 0


def test_reads_and_rolled_back_writes_leave_the_version(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        partners.add_partner(session, team_id, "Acme")
    with database.read() as session:
        partners.get_partner_by_name(session, team_id, "Acme")
    with pytest.raises(RuntimeError), database.transaction() as session:
        partners.add_partner(session, team_id, "Globex")
        session.flush()
        raise RuntimeError("the request failed after the flush")
    assert version(database, team_id) == 1


def test_the_change_log_names_the_partners_each_version_changed(
    database: Database, team_id: str, other_team_id: str
) -> None:
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "Acme")
        globex = partners.add_partner(session, team_id, "Globex")
        session.flush()
        ids = acme.id, globex.id
    with database.read() as session:
        start = versions.current(session, team_id)
    with database.transaction() as session:
        logged = interactions.log_interaction(
            session,
            team_id,
            partner_id=ids[0],
            kind=InteractionKind.CALL,
            occurred_at=START,
            notes="",
            user_id="U1",
        )
    with database.read() as session:
        assert versions.changes_since(session, team_id, start) == versions.Changes(
            start + 1, frozenset({ids[0]})
        )
    with database.transaction() as session:  # moved to the other partner: both changed
        record = interactions.get_interaction(session, team_id, logged.interaction.id)
        assert record is not None
        interactions.update_interaction(
            session,
            record,
            partner_id=ids[1],
            kind=InteractionKind.CALL,
            occurred_at=START,
            notes="",
            follow_up_on=None,
        )
    with database.read() as session:
        assert versions.changes_since(session, team_id, start + 1).partners == frozenset(ids)
        assert versions.changes_since(session, team_id, start + 2).partners == frozenset()
    import_csv(database, "partners", io.StringIO("name\nInitech\n"), team_id=team_id)
    with database.read() as session:
        assert versions.changes_since(session, team_id, start).partners is None  # an import: everything
        assert versions.changes_since(session, other_team_id, 0) == versions.Changes(0, frozenset())


def test_a_pruned_change_log_means_everything(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        partners.add_partner(session, team_id, "Acme")
    with database.transaction() as session:
        session.execute(DataChange.__table__.delete().where(DataChange.team_id == team_id))
    with database.read() as session:
        assert versions.changes_since(session, team_id, 0) == versions.Changes(1, None)


def test_an_import_adds_its_rows_to_the_rollups_already_there(database: Database, team_id: str) -> None:
    """An import counts only its own rows, merged into the days and last contacts that logs made:
    the result still equals a recount of every communication."""
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "Acme").id
        globex = partners.add_partner(session, team_id, "Globex").id
        interactions.log_interaction(
            session,
            team_id,
            partner_id=acme,
            kind=InteractionKind.CALL,
            occurred_at=START,
            notes="",
            user_id="U1",
        )
    lines = (
        "partner,kind,occurred_at\n"
        f"Acme,call,{START.isoformat()}\n"  # the logged day: counted on top of it
        "Acme,email,2026-03-01T23:30:00-02:00\n"  # 01:30 UTC on 2 March: the UTC day counts
        "Globex,meeting,2026-02-27T09:00:00Z\n"
        "Globex,qbr,2026-02-27T10:00:00Z\n"
    )
    import_csv(database, "interactions", io.StringIO(lines), team_id=team_id)
    days, last = stored_rollups(database, team_id)
    assert (days, last) == recounted(database, team_id)
    assert days[(START.date(), acme)] == (2, 2, 0, 0, 0, 0, 0, 0)
    assert days[(datetime(2026, 3, 2).date(), acme)] == (1, 0, 1, 0, 0, 0, 0, 0)
    assert days[(datetime(2026, 2, 27).date(), globex)] == (2, 0, 0, 1, 1, 0, 0, 0)
    assert last == {
        acme: datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        globex: datetime(2026, 2, 27, 10, tzinfo=UTC),
    }


def test_an_import_never_moves_a_later_last_contact_back(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "Acme").id
        interactions.log_interaction(
            session,
            team_id,
            partner_id=acme,
            kind=InteractionKind.CALL,
            occurred_at=START,
            notes="",
            user_id="U1",
        )
    import_csv(
        database,
        "interactions",
        io.StringIO("partner,kind,occurred_at\nAcme,call,2025-01-01\n"),
        team_id=team_id,
    )
    assert stored_rollups(database, team_id)[1] == {acme: START}


def test_a_refused_import_adds_nothing_to_the_rollups(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        partners.add_partner(session, team_id, "Acme")
    with pytest.raises(ImportFailed, match="line 3"):
        import_csv(
            database,
            "interactions",
            io.StringIO("partner,kind,occurred_at\nAcme,call,2026-03-01\nAcme,lunch,2026-03-01\n"),
            team_id=team_id,
        )
    assert stored_rollups(database, team_id) == ({}, {})
