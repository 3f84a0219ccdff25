"""CSV import and export (storage.transfer): every column stored, all or nothing, exports that
import back unchanged; on both databases. Refused files are in test_import_refusals."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from transfers import SEED_PARTNERS, count, dump, load

from storage import feedback as feedback_store
from storage.db import Database
from storage.models import Interaction, Partner
from storage.transfer import (
    ImportFailed,
    ImportResult,
    TransferError,
    export_csv,
)

# --- Import: partners ----------------------------------------------------------------------------


def test_import_partners_stores_every_column(database: Database, team_id: str) -> None:
    csv_text = (
        "\ufeffStatus,name,owner,revenue,cost,tier,region,category\n"  # BOM, any order, any case
        "archived,  Acme Corp ,<@U0123ABCD>,1234.5,0,gold,EMEA,reseller\n"
        ",Globex,@W0456,  ,,,,\n"
        "ACTIVE,Initech,U789,1000000,12.25,,APAC,\n"
    )
    assert load(database, "partners", csv_text, team_id) == ImportResult(kind="partners", rows=3)
    with database.read() as session:
        partners = {p.name: p for p in session.scalars(select(Partner).where(Partner.team_id == team_id))}
    assert sorted(partners) == ["Acme Corp", "Globex", "Initech"]
    acme = partners["Acme Corp"]
    assert (acme.name_key, acme.tier, acme.region, acme.category) == ("acme corp", "gold", "EMEA", "reseller")
    assert (acme.owner, acme.revenue, acme.cost, acme.status) == (
        "U0123ABCD",
        Decimal("1234.50"),
        0,
        "archived",
    )
    globex = partners["Globex"]
    assert (globex.owner, globex.revenue, globex.tier, globex.status) == ("W0456", None, None, "active")
    assert partners["Initech"].status == "active"
    assert partners["Initech"].revenue == Decimal("1000000")
    assert acme.created_at.tzinfo is not None and acme.updated_at == acme.created_at


def test_import_an_empty_table_writes_nothing(database: Database, team_id: str) -> None:
    assert load(database, "partners", "name,tier\n\n,\n", team_id).rows == 0
    assert count(database, Partner, team_id) == 0


# --- Import: interactions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occurred_at", "expected"),
    [
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024-05-01T10:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01 10:00:30", datetime(2024, 5, 1, 10, 0, 30, tzinfo=UTC)),
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00+02:00", datetime(2024, 5, 1, 8, tzinfo=UTC)),
        ("2024-05-01T00:30-05:30", datetime(2024, 5, 1, 6, tzinfo=UTC)),
        ("2024-05-01T10:00:00.123456Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_import_interactions_reads_iso_8601_times_as_utc(
    database: Database, team_id: str, occurred_at: str, expected: datetime
) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    load(database, "interactions", f"partner,kind,occurred_at\nAcme Corp,call,{occurred_at}\n", team_id)
    with database.read() as session:
        stored = session.scalars(select(Interaction.occurred_at).where(Interaction.team_id == team_id)).one()
    assert stored == expected
    assert stored.utcoffset() is not None


def test_import_interactions_stores_every_column(database: Database, team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    long_notes = "  Agreed on the renewal.\n" + 'x, "quoted" and more; ' * 2000 + "\nend  "
    quoted_notes = long_notes.replace('"', '""')
    csv_text = (
        "notes,follow_up_on,user,occurred_at,kind,partner\n"
        f'"{quoted_notes}",2024-06-01,<@U0123ABCD>,2024-05-01T10:00:00Z,Mtg, acme CORP \n'
        ",,,2024-05-02,E-Mail,globex\n"
    )
    assert load(database, "interactions", csv_text, team_id) == ImportResult(kind="interactions", rows=2)
    with database.read() as session:
        rows = session.scalars(
            select(Interaction).where(Interaction.team_id == team_id).order_by(Interaction.occurred_at)
        ).all()
        partner_names = [row.partner.name for row in rows]
    assert partner_names == ["Acme Corp", "Globex"]
    first, second = rows
    assert (first.kind, first.user_id, first.follow_up_on) == ("meeting", "U0123ABCD", date(2024, 6, 1))
    assert first.notes == long_notes  # whole, with its line breaks and spaces
    assert (second.kind, second.notes, second.user_id, second.follow_up_on) == ("email", "", None, None)
    assert first.created_at.tzinfo is not None
    assert first.permalink is None and first.request_key is None


def test_partner_names_are_per_workspace(database: Database, team_id: str, other_team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    assert load(database, "partners", SEED_PARTNERS, other_team_id).rows == 2
    with pytest.raises(ImportFailed, match="no partner named 'Acme Corp' in this workspace"):
        load(database, "interactions", "partner,kind,occurred_at\nAcme Corp,call,2024-05-01\n", "TNOBODY")


FEEDBACK_CSV = (
    "partner,csat,nps,comment,respondent,submitted_at\n"
    'Acme Corp,5,10,"=great, ""really""",U0AAA1,2024-05-01T10:00:00Z\n'
    "acme corp,2,,slow replies,,2024-05-02T09:30:00Z\n"
    "Globex,4,7,,<@U0BBB2>,2024-05-03T00:00:00Z\n"
)


def test_feedback_round_trips(database: Database, team_id: str, other_team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    assert load(database, "feedback", FEEDBACK_CSV, team_id).rows == 3
    exported = dump(database, "feedback", team_id)
    assert exported.splitlines()[0] == "partner,csat,nps,comment,respondent,submitted_at"
    assert "'=great" in exported  # formula-looking comment neutralised
    load(database, "partners", SEED_PARTNERS, other_team_id)
    load(database, "feedback", exported, other_team_id)
    assert dump(database, "feedback", other_team_id) == exported


def test_anonymous_feedback_never_names_the_respondent_in_exports(database: Database, team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    with database.transaction() as session:
        acme = session.scalar(select(Partner).where(Partner.team_id == team_id, Partner.name == "Acme Corp"))
        feedback_store.record_feedback(
            session,
            team_id,
            partner_id=acme.id,
            csat=3,
            nps=None,
            comment="",
            user_team_id=team_id,
            user_id="U0SECRET1",
            anonymous=True,
            submitted_at=datetime(2024, 6, 1, tzinfo=UTC),
        )
    assert "U0SECRET1" not in dump(database, "feedback", team_id)


def test_imported_feedback_counts_in_summaries(database: Database, team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    load(database, "feedback", FEEDBACK_CSV, team_id)
    with database.read() as session:
        acme = session.scalar(select(Partner).where(Partner.team_id == team_id, Partner.name == "Acme Corp"))
        summary = feedback_store.partner_summary(session, team_id, acme.id)
    assert (summary.count, summary.csat_average, summary.nps_count) == (2, 3.5, 1)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Acme Corp,6,,,,2024-05-01", "csat must be a whole number from 1 to 5, got '6'"),
        ("Acme Corp,,,,,2024-05-01", "csat is required but empty"),
        ("Acme Corp,4.5,,,,2024-05-01", "csat must be a whole number from 1 to 5, got '4.5'"),
        ("Acme Corp,4,11,,,2024-05-01", "nps must be a whole number from 0 to 10, got '11'"),
        ("Acme Corp,4,-1,,,2024-05-01", "nps must be a whole number from 0 to 10, got '-1'"),
        ("Acme Corp,4,,,ann,2024-05-01", "respondent must be a Slack user ID"),
        ("Acme Corp,4,,,,yesterday", "submitted_at must be an ISO 8601 date or time"),
        ("Acme Crop,4,,,,2024-05-01", "no partner named 'Acme Crop'"),
    ],
)
def test_bad_feedback_rows(database: Database, team_id: str, row: str, reason: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    good = "Globex,5,,,,2024-05-01\n"
    with pytest.raises(ImportFailed) as failure:
        load(
            database,
            "feedback",
            "partner,csat,nps,comment,respondent,submitted_at\n" + good + row + "\n",
            team_id,
        )
    assert failure.value.line == 3
    assert reason in failure.value.reason
    assert dump(database, "feedback", team_id).count("\n") == 1  # the header only: nothing written


@pytest.mark.parametrize(
    ("team", "reason"),
    [
        ("", "the team ID is empty; give the Slack workspace ID, like T0123ABCD"),
        ("T" * 33, f"the team ID is longer than 32 characters: {'T' * 33!r}"),
    ],
)
def test_the_team_must_be_a_workspace_id(database: Database, team: str, reason: str) -> None:
    with pytest.raises(ImportFailed) as failure:
        load(database, "partners", "name\nAcme\n", team)
    assert (failure.value.line, failure.value.reason) == (None, reason)
    with pytest.raises(TransferError, match=reason):
        dump(database, "partners", team)


def test_an_unknown_file_type_is_a_programming_error(database: Database, team_id: str) -> None:
    with pytest.raises(ValueError, match="unknown file type 'contacts'"):
        load(database, "contacts", "name\n", team_id)


# --- Export --------------------------------------------------------------------------------------


def test_export_partners_in_column_order_sorted_by_name(database: Database, team_id: str) -> None:
    load(
        database,
        "partners",
        "status,revenue,name,owner,cost\n"
        "archived,1234.5,globex,@U1AB,\n"
        ',,=HYPERLINK("x"),,0.1\n'
        ",1000,Acme Corp,,\n",
        team_id,
    )
    assert dump(database, "partners", team_id) == (
        "name,tier,region,category,owner,revenue,cost,status\n"
        '"\'=HYPERLINK(""x"")",,,,,,0.10,active\n'  # code point order: "=" before letters
        "Acme Corp,,,,,1000.00,,active\n"
        "globex,,,,U1AB,1234.50,,archived\n"
    )


def test_export_interactions_in_time_order_with_utc_times(database: Database, team_id: str) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    load(
        database,
        "interactions",
        "partner,kind,occurred_at,notes,user,follow_up_on\n"
        "Globex,Webinar,2024-05-02T09:30:00+02:00,@channel,<@U42>,2024-05-10\n"
        "acme corp,call,2024-05-01,-5 people,,\n"
        'Globex,memo,2024-05-02T07:30:00.5Z,"first line\nsecond, line",,\n',
        team_id,
    )
    assert dump(database, "interactions", team_id) == (
        "partner,kind,occurred_at,notes,user,follow_up_on\n"
        "Acme Corp,call,2024-05-01T00:00:00Z,'-5 people,,\n"
        "Globex,event,2024-05-02T07:30:00Z,'@channel,U42,2024-05-10\n"
        'Globex,note,2024-05-02T07:30:00.500000Z,"first line\nsecond, line",,\n'
    )


def test_export_shows_only_its_own_workspace(database: Database, team_id: str, other_team_id: str) -> None:
    load(database, "partners", "name\nAcme Corp\nSecret Partner\n", team_id)
    load(
        database,
        "interactions",
        "partner,kind,occurred_at,notes\nSecret Partner,call,2024-05-01,A only\n",
        team_id,
    )
    load(database, "partners", "name\nAcme Corp\n", other_team_id)
    load(
        database,
        "interactions",
        "partner,kind,occurred_at,notes\nacme corp,qbr,2024-05-03,B only\n",
        other_team_id,
    )
    assert dump(database, "partners", other_team_id) == (
        "name,tier,region,category,owner,revenue,cost,status\nAcme Corp,,,,,,,active\n"
    )
    assert dump(database, "interactions", other_team_id) == (
        "partner,kind,occurred_at,notes,user,follow_up_on\nAcme Corp,qbr,2024-05-03T00:00:00Z,B only,,\n"
    )
    assert export_csv(database, "interactions", io.StringIO(), team_id="TNOBODY") == 0


def test_round_trip_is_exact(database: Database, team_id: str, other_team_id: str) -> None:
    partners = (
        "name,tier,region,category,owner,revenue,cost,status\n"
        '"=HYPERLINK(""x"")",gold,EMEA,+reseller,U1AB,1234.5,0,\n'
        "'@handle,,,,,,,archived\n"
        "''quoted,-1 tier,,,,0.01,99999.99,active\n"
        "Ünïcødé 株式会社,,@region,,<@W22>,,,\n"
        '"comma, inc.",,,,,1000,,\n'
    )
    interactions = (
        "partner,kind,occurred_at,notes,user,follow_up_on\n"
        '=HYPERLINK("x"),call,2024-05-01T10:00:00+02:00,-5 people,U1AB,2024-06-01\n'
        "'@handle,mtg,2024-05-01T08:00,@channel,,\n"
        '\'\'quoted,note,2024-05-01 08:00:00.25,"multi\nline, ""quoted""\n",,\n'
        "ünïcødé 株式会社,qbr,2024-01-01,'=1+1,,\n"
        '"comma, inc.",other,2024-01-01,\'\tindented,,\n'
        '"comma, inc.",event,2023-12-31T23:59:59Z,"\r\nstarts with CR",,\n'
    )
    load(database, "partners", partners, team_id)
    load(database, "interactions", interactions, team_id)
    exported_partners = dump(database, "partners", team_id)
    exported_interactions = dump(database, "interactions", team_id)

    assert load(database, "partners", exported_partners, other_team_id).rows == 5
    assert load(database, "interactions", exported_interactions, other_team_id).rows == 6
    assert dump(database, "partners", other_team_id) == exported_partners
    assert dump(database, "interactions", other_team_id) == exported_interactions

    with database.read() as session:
        names = set(session.scalars(select(Partner.name).where(Partner.team_id == other_team_id)))
        notes = set(session.scalars(select(Interaction.notes).where(Interaction.team_id == other_team_id)))
    assert names == {'=HYPERLINK("x")', "@handle", "'quoted", "Ünïcødé 株式会社", "comma, inc."}
    assert notes == {
        "-5 people",
        "@channel",
        'multi\nline, "quoted"\n',
        "=1+1",
        "\tindented",
        "\r\nstarts with CR",
    }
