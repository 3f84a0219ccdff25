"""CSV import and export of partner needs (storage.csv.need_files): every column stored, defaults
as Slack gives them, exports the same from both databases, formulas neutralised, and a round trip
into another workspace; on both databases. Refused files are in test_need_import_refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from transfers import SEED_PARTNERS, copied, dump, load

from storage.db import Database
from storage.models import Need, NeedDifficulty, NeedPriority, NeedStatus, NeedType
from storage.transfer import ImportResult

HEADER = "partner,type,priority,difficulty,description,status,raised_on,closed_on\n"


def needs_of(database: Database, team_id: str) -> list[Need]:
    with database.read() as session:
        return list(session.scalars(select(Need).where(Need.team_id == team_id).order_by(Need.id)))


def test_import_needs_stores_every_column(database: Database, team_id: str) -> None:
    csv_text = (
        "Closed_On,raised_on,status,description,difficulty,priority,Type,partner\n"  # any order
        '2024-06-30,2024-06-01,MET,"Volume discount\nfor 500 seats  ",Easy,HIGH,discount,acme corp\n'
        ",,,API rate limits,,,tech,Globex\n"
        "2024-03-02,2024-03-01,declined,Budget for the event,hard,low,mdf,Globex\n"
    )
    load(database, "partners", SEED_PARTNERS, team_id)
    before = datetime.now(UTC).date()
    assert load(database, "needs", csv_text, team_id) == ImportResult(kind="needs", rows=3)
    met, api, budget = needs_of(database, team_id)
    assert (met.type, met.priority, met.difficulty, met.status) == (
        NeedType.PRICING,
        NeedPriority.HIGH,
        NeedDifficulty.EASY,
        NeedStatus.MET,
    )
    assert met.description == "Volume discount\nfor 500 seats  "  # whole, as typed
    assert (met.raised_on, met.closed_on) == (date(2024, 6, 1), date(2024, 6, 30))
    # Empty cells: medium, medium, open, raised on the day of the import (UTC), as /partner need does.
    assert (api.type, api.priority, api.difficulty, api.status, api.closed_on) == (
        NeedType.TECHNICAL,
        NeedPriority.MEDIUM,
        NeedDifficulty.MEDIUM,
        NeedStatus.OPEN,
        None,
    )
    assert before <= api.raised_on <= datetime.now(UTC).date()
    assert (budget.type, budget.status, budget.closed_on) == (NeedType.FUNDING, "declined", date(2024, 3, 2))
    for found in (met, api, budget):  # nobody in Slack raised or closed them
        assert (found.created_by, found.closed_by, found.close_notes, found.request_key) == (
            None,
            None,
            "",
            None,
        )
        assert found.created_at.tzinfo is not None and found.updated_at == found.created_at


def test_exports_are_in_code_point_order_the_same_on_both_databases(database: Database, team_id: str) -> None:
    # A locale collation would ignore "_" and sort "É" with "e": code point order does neither.
    load(database, "partners", "name\nÉmile\nzeta\n_under\nAcme\n", team_id)
    load(
        database,
        "needs",
        HEADER + "zeta,other,,,later,,2024-05-02,\n"
        "Émile,other,,,e,,2024-05-01,\n"
        "zeta,other,,,earlier,,2024-05-01,\n"
        "zeta,other,,,same day,,2024-05-01,\n"
        "_under,other,,,u,,2024-05-01,\n"
        "acme,other,,,a,,2024-05-01,\n",
        team_id,
    )
    assert [line.split(",")[4] for line in dump(database, "needs", team_id).splitlines()[1:]] == [
        "u",
        "a",
        "earlier",  # by partner, then as raised, then in the order they were added
        "same day",
        "later",
        "e",
    ]


def test_exports_show_only_their_own_workspace(database: Database, team_id: str, other_team_id: str) -> None:
    for team, description in ((team_id, "Ours"), (other_team_id, "Theirs")):
        load(database, "partners", SEED_PARTNERS, team)
        load(database, "needs", HEADER + f"Acme Corp,pricing,,,{description},,2024-05-01,\n", team)
    assert (
        dump(database, "needs", team_id) == HEADER + "Acme Corp,pricing,medium,medium,Ours,open,2024-05-01,\n"
    )
    assert dump(database, "needs", "TNOBODY") == HEADER


def test_formula_looking_text_is_neutralised_on_export_and_restored_on_import(
    database: Database, team_id: str
) -> None:
    load(database, "partners", 'name\n=HYPERLINK("x")\n', team_id)
    load(database, "needs", HEADER + '\'=HYPERLINK("x"),other,,,@SUM(A1),,2024-05-01,\n', team_id)
    (stored,) = needs_of(database, team_id)
    assert stored.description == "@SUM(A1)"
    assert dump(database, "needs", team_id) == (
        HEADER + '"\'=HYPERLINK(""x"")",other,medium,medium,\'@SUM(A1),open,2024-05-01,\n'
    )


ROUND_TRIP = (
    HEADER + 'Acme Corp,pricing,high,easy,"Discount, 12%",met,2024-01-15,2024-02-01\n'
    "Acme Corp,integration,low,hard,-SSO connector,open,2024-03-01,\n"
    'Globex,training,medium,medium,"multi\nline ""need""",declined,2024-02-01,2024-02-01\n'
    "Globex,support,high,medium,Ünïcødé 株式会社,open,2024-04-01,\n"
)


def test_round_trip_into_another_workspace(database: Database, team_id: str, other_team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    load(database, "needs", ROUND_TRIP, team_id)
    exported, theirs = copied(database, "needs", team_id, other_team_id)
    assert theirs == exported and exported.count("\n") == 6  # the header and four rows, two of two lines
    assert [n.description for n in needs_of(database, other_team_id)] == [
        n.description for n in needs_of(database, team_id)
    ]
