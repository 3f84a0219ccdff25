"""CSV import and export of follow-ups (storage.csv.follow_up_files): every column stored, the owner
defaulting to the partner's, overdue ones counted as reminded so an import sends no burst of old
reminders, exports the same from both databases, a round trip into another workspace; on both
databases. Refused files are in test_need_import_refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from transfers import copied, dump, load

from storage.db import Database
from storage.models import FollowUp, FollowUpStatus
from storage.transfer import ImportResult

HEADER = "partner,owner,due_on,what,status,done_on\n"
PARTNERS = "name,owner\nAcme Corp,UACMEOWNER\nGlobex,\n"


def follow_ups_of(database: Database, team_id: str) -> list[FollowUp]:
    with database.read() as session:
        return list(
            session.scalars(select(FollowUp).where(FollowUp.team_id == team_id).order_by(FollowUp.id))
        )


def test_import_follow_ups_stores_every_column(database: Database, team_id: str) -> None:
    today = datetime.now(UTC).date()
    soon, past = today + timedelta(days=3), today - timedelta(days=3)
    csv_text = (
        "Done_On,status,what,due_on,owner,partner\n"  # any order
        f',,"Send the deck\nand the quote  ",{soon},<@U0ANA|ana>,acme corp\n'
        f",open,Call back,{past},,Acme Corp\n"  # no owner: the partner's
        f",,Nobody's,{past},,Globex\n"  # the partner has no owner either
        f"{past},DONE,Sent it,{past - timedelta(days=1)},@U0BOB,Globex\n"
    )
    load(database, "partners", PARTNERS, team_id)
    assert load(database, "followups", csv_text, team_id) == ImportResult(kind="followups", rows=4)
    deck, call, nobody, sent = follow_ups_of(database, team_id)
    assert (deck.owner, deck.due_on, deck.status, deck.what) == (
        "U0ANA",
        soon,
        FollowUpStatus.OPEN,
        "Send the deck\nand the quote  ",
    )
    assert (call.owner, nobody.owner, sent.owner) == ("UACMEOWNER", None, "U0BOB")
    assert (sent.status, sent.done_on) == (FollowUpStatus.DONE, past)
    # Due before the day of the import: counted as reminded, so no burst of old reminders goes out.
    assert (deck.reminded_for, call.reminded_for, nobody.reminded_for, sent.reminded_for) == (
        None,
        past,
        past,
        None,
    )
    for found in (deck, call, nobody, sent):  # nobody in Slack made them
        assert (found.created_by, found.done_by, found.request_key, found.interaction_id) == (None,) * 4
        assert (found.snoozes, found.reminder_claimed_at, found.reminder_ts) == (0, None, None)
        assert found.created_at.tzinfo is not None


def test_exports_are_ordered_by_partner_then_due_date_and_only_the_workspaces(
    database: Database, team_id: str, other_team_id: str
) -> None:
    load(database, "partners", "name\nÉmile\nzeta\nAcme\n", team_id)
    load(database, "partners", "name\nAcme\n", other_team_id)
    load(
        database,
        "followups",
        HEADER + "zeta,,2030-01-02,later,,\n"
        "Émile,,2030-01-01,e,,\n"
        "zeta,U01,2030-01-01,first,,\n"
        "zeta,,2030-01-01,second,,\n"
        "acme,,2024-01-01,done,done,2024-01-02\n",
        team_id,
    )
    load(database, "followups", HEADER + "Acme,,2030-01-01,theirs,,\n", other_team_id)
    assert dump(database, "followups", team_id) == (
        HEADER + "Acme,,2024-01-01,done,done,2024-01-02\n"
        "zeta,U01,2030-01-01,first,open,\n"
        "zeta,,2030-01-01,second,open,\n"
        "zeta,,2030-01-02,later,open,\n"
        "Émile,,2030-01-01,e,open,\n"
    )
    assert dump(database, "followups", "TNOBODY") == HEADER


ROUND_TRIP = (
    HEADER + 'Acme Corp,U0ANA,2024-01-15,"Send it, today",done,2024-01-14\n'
    "Acme Corp,,2031-03-01,=Renewal,open,\n"
    'Globex,W0BOB,2024-02-01,"multi\nline ""promise""",open,\n'
    "Globex,U0ANA,2031-04-01,Ünïcødé 株式会社,open,\n"
)


def test_round_trip_into_another_workspace(database: Database, team_id: str, other_team_id: str) -> None:
    load(database, "partners", PARTNERS, team_id)
    load(database, "followups", ROUND_TRIP, team_id)
    exported, theirs = copied(database, "followups", team_id, other_team_id)
    assert "'=Renewal" in exported and "UACMEOWNER,2031-03-01" in exported  # the owner filled in
    assert theirs == exported
    assert [(f.what, f.reminded_for) for f in follow_ups_of(database, other_team_id)] == [
        (f.what, f.reminded_for) for f in follow_ups_of(database, team_id)
    ]
    assert [f.reminded_for for f in follow_ups_of(database, team_id)] == [None, None, date(2024, 2, 1), None]
