"""Erasure (storage/erasure.py): a workspace, a person and a partner forgotten, old notes blanked —
on both databases, and never a row of another workspace touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import Column, Integer, Table, func, select
from workspaces import COLLEAGUE, NOW, PERSON, fill, team_rows

from handlers.services.retention import blank_old_notes
from storage import erasure, versions
from storage.db import Database
from storage.feedback import partner_summary, workspace_mean_score
from storage.followups import reminder_candidates
from storage.models import (
    Base,
    DigestRun,
    Feedback,
    Interaction,
    Partner,
    SlackBots,
    SlackInstallations,
    SurveyInvitation,
)
from storage.slack_ids import FORMER_USER

# --- forget-team ---------------------------------------------------------------------------------


def test_every_table_has_a_team_id_or_says_how_it_is_erased() -> None:
    assert erasure.tables_without_team_id() == [], (
        "these tables have no team_id: forget-team cannot find a workspace's rows in them"
    )


def test_a_new_table_without_team_id_stops_forget_team_before_anything_goes(
    database: Database, team_id: str
) -> None:
    filled = fill(database, team_id)
    stray = Table("stray_notes", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        with pytest.raises(erasure.TableWithoutTeam, match="stray_notes"), database.transaction() as session:
            erasure.forget_team(session, team_id, "test")
    finally:
        Base.metadata.remove(stray)
    with database.read() as session:
        assert team_rows(session, team_id, filled.survey_ids)["partner"] == 2


def test_forget_team_leaves_no_row_of_the_workspace_in_any_table(
    database: Database, team_id: str, other_team_id: str
) -> None:
    filled = fill(database, team_id)
    other = fill(database, other_team_id)
    with database.read() as session:
        before = team_rows(session, team_id, filled.survey_ids)
        others_before = team_rows(session, other_team_id, other.survey_ids)
        version = versions.current(session, team_id)
    # The filling reaches every table, so this test covers a table added later.
    assert [name for name, count in before.items() if not count] == []

    with database.transaction() as session:
        removed = erasure.forget_team(session, team_id, "cli:test")

    with database.read() as session:
        assert team_rows(session, team_id, filled.survey_ids) == dict.fromkeys(before, 0)
        assert team_rows(session, other_team_id, other.survey_ids) == others_before
        # A process holding a ranking at the old version is told to compute it afresh.
        assert versions.changes_since(session, team_id, version).partners is None
    assert removed.rows == {name: count for name, count in before.items() if count}


def test_forget_team_of_an_unknown_workspace_matches_nothing(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        assert erasure.team_footprint(session, team_id).total == 0
        assert erasure.forget_team(session, team_id, "test").total == 0


def test_forget_team_erases_the_workspaces_installation(
    database: Database, team_id: str, other_team_id: str
) -> None:
    """Installed in many workspaces (bot/installs.py): a forgotten workspace's tokens go too."""
    tables = (SlackInstallations, SlackBots)
    with database.transaction() as session:
        for table in tables:
            for team in (team_id, other_team_id):
                row = {"client_id": "1.2", "app_id": "A1", "team_id": team, "bot_token": f"xoxb-{team}"}
                if table is SlackInstallations:
                    row["user_id"] = "UINSTALLER"
                session.execute(table.insert(), [row])
    with database.transaction() as session:
        assert erasure.team_footprint(session, team_id).rows == {"slack_installations": 1, "slack_bots": 1}
        removed = erasure.forget_team(session, team_id, "test")
    assert removed.rows == {"slack_installations": 1, "slack_bots": 1}
    with database.read() as session:
        for table in tables:
            teams = session.scalars(
                select(table.c.team_id).where(table.c.team_id.in_([team_id, other_team_id]))
            )
            assert list(teams) == [other_team_id]


# --- forget-user ---------------------------------------------------------------------------------


def _people(session, team_id: str) -> dict[str, list[str | None]]:  # type: ignore[no-untyped-def]
    found: dict[str, list[str | None]] = {}
    for model, columns in erasure.PERSON_COLUMNS.items():
        table = getattr(model, "__table__", model)
        for name in columns:
            found[f"{table.name}.{name}"] = sorted(
                session.scalars(select(table.c[name]).where(table.c.team_id == team_id)), key=str
            )
    return found


def test_every_column_that_names_a_person_is_forgotten() -> None:
    listed = {
        (getattr(model, "__table__", model).name, c)
        for model, columns in erasure.PERSON_COLUMNS.items()
        for c in columns
    }
    person_like = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.c
        if column.name.endswith("_by") or column.name in ("owner", "user_id", "respondent", "recipient")
    }
    # Survey invitations have no team_id: their recipient is forgotten through the survey.
    assert person_like - listed == {("survey_invitation", "recipient")}


def test_forget_user_leaves_every_record_by_a_former_user_and_every_average_the_same(
    database: Database, team_id: str, other_team_id: str
) -> None:
    filled = fill(database, team_id)
    fill(database, other_team_id)
    with database.read() as session:
        rows_before = team_rows(session, team_id, filled.survey_ids)
        summary_before = partner_summary(session, team_id, filled.partner_id)
        mean_before = workspace_mean_score(session, team_id)
        others_before = _people(session, other_team_id)

    with database.transaction() as session:
        changed = erasure.forget_user(session, team_id, "cli:test", PERSON)

    with database.read() as session:
        people = _people(session, team_id)
        assert all(PERSON not in names for names in people.values())
        assert people["partner.owner"] == [COLLEAGUE, FORMER_USER]
        assert people["interaction.user_id"] == [COLLEAGUE, FORMER_USER]
        # The anonymous answer stays anonymous; the named one is a former user's.
        assert people["feedback.respondent"] == [None, COLLEAGUE, FORMER_USER]
        keys = session.execute(
            select(Feedback.respondent, Feedback.respondent_key).where(Feedback.team_id == team_id)
        ).all()
        assert sorted((r or "", k is None) for r, k in keys) == [
            ("", True),
            (COLLEAGUE, False),
            (FORMER_USER, True),
        ]
        invitation = session.scalar(
            select(SurveyInvitation.recipient).where(SurveyInvitation.survey_id == filled.survey_ids[0])
        )
        assert invitation == FORMER_USER
        assert team_rows(session, team_id, filled.survey_ids) | {
            "data_version": 0,
            "data_change": 0,
        } == rows_before | {
            "data_version": 0,
            "data_change": 0,
            # the one audit row saying a person was forgotten (tests/storage/test_audit_erasure.py)
            "audit_entry": rows_before["audit_entry"] + 1,
        }
        assert partner_summary(session, team_id, filled.partner_id) == summary_before
        assert workspace_mean_score(session, team_id) == mean_before
        assert _people(session, other_team_id) == others_before  # another workspace's person is theirs
    assert changed.rows["partner.owner"] == 1
    assert changed.rows["feedback.respondent_key"] == 2
    assert changed.rows["survey_invitation.recipient"] == 1


def test_forget_user_without_a_team_forgets_them_in_every_workspace(
    database: Database, team_id: str, other_team_id: str
) -> None:
    fill(database, team_id)
    fill(database, other_team_id)
    with database.transaction() as session:
        erasure.forget_user(session, None, "test", PERSON)
    with database.read() as session:
        for team in (team_id, other_team_id):
            assert all(PERSON not in names for names in _people(session, team).values())


def test_forget_user_of_an_unknown_person_matches_nothing(database: Database, team_id: str) -> None:
    fill(database, team_id)
    with database.transaction() as session:
        assert erasure.forget_user(session, team_id, "test", "U0NOBODY").total == 0


def test_a_former_users_follow_up_reminds_nobody(database: Database, team_id: str) -> None:
    fill(database, team_id)
    with database.read() as session:
        due = reminder_candidates(
            session, through=NOW.date() + timedelta(days=7), now=NOW, team_ids=[team_id]
        )
        assert [c.owner for c in due] == [PERSON]
    with database.transaction() as session:
        erasure.forget_user(session, team_id, "test", PERSON)
    with database.read() as session:
        assert (
            reminder_candidates(session, through=NOW.date() + timedelta(days=7), now=NOW, team_ids=[team_id])
            == []
        )


# --- forget-partner ------------------------------------------------------------------------------


def _partner_rows(session, team_id: str, partner_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        table.name: session.scalar(
            select(func.count())
            .select_from(table)
            .where(table.c.team_id == team_id, table.c.partner_id == partner_id)
        )
        or 0
        for table in Base.metadata.sorted_tables
        if "partner_id" in table.c and table.name != "data_change"
    }


def test_forget_partner_deletes_it_and_everything_about_it_and_nothing_else(
    database: Database, team_id: str, other_team_id: str
) -> None:
    filled = fill(database, team_id)
    other = fill(database, other_team_id)
    with database.read() as session:
        acme_before = _partner_rows(session, team_id, filled.partner_id)
        globex_before = _partner_rows(session, team_id, filled.other_partner_id)
        others_before = team_rows(session, other_team_id, other.survey_ids)
        version = versions.current(session, team_id)
        footprint = erasure.partner_footprint(session, team_id, filled.partner_id)
    assert acme_before["score_snapshot"] == 1 and acme_before["alert_sent"] == 1

    with database.transaction() as session:
        partner = erasure.find_partner(session, team_id, "ACME")
        removed = erasure.forget_partner(session, team_id, "cli:test", partner.id)

    with database.read() as session:
        assert _partner_rows(session, team_id, filled.partner_id) == dict.fromkeys(acme_before, 0)
        assert session.get(Partner, filled.partner_id) is None
        assert _partner_rows(session, team_id, filled.other_partner_id) == globex_before
        assert (
            session.scalar(select(func.count()).where(SurveyInvitation.survey_id.in_(filled.survey_ids))) == 0
        )
        ranks = session.scalar(select(DigestRun.ranks).where(DigestRun.team_id == team_id))
        assert ranks == {str(filled.other_partner_id): [2, 60.0]}
        assert team_rows(session, other_team_id, other.survey_ids) == others_before
        # The rankings cache notices: the version moved, for every partner.
        assert versions.changes_since(session, team_id, version).partners is None
    assert removed.rows["score_snapshot"] == 1 and removed.rows["partner"] == 1
    assert removed.rows["digest_run.ranks"] == 1
    assert {k: v for k, v in removed.rows.items() if k != "digest_run.ranks"} == footprint.rows


def test_an_unknown_partner_name_suggests_the_closest(database: Database, team_id: str) -> None:
    fill(database, team_id)
    with database.read() as session, pytest.raises(erasure.UnknownPartnerName) as unknown:
        erasure.find_partner(session, team_id, "Acne")
    assert unknown.value.suggestions[0] == "Acme"


# --- note retention ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 8, 31, 9, tzinfo=UTC), 6, datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 1, datetime(2025, 12, 15, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 25, datetime(2024, 2, 29, tzinfo=UTC)),
    ],
)
def test_months_before_counts_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert erasure.months_before(moment, months) == expected


def _notes(session, team_id: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Interaction.occurred_at, Interaction.notes)
        .where(Interaction.team_id == team_id)
        .order_by(Interaction.occurred_at)
    ).all()
    return [(moment.date().isoformat(), notes) for moment, notes in rows]


def test_notes_older_than_the_retention_period_are_blanked_as_time_passes(
    database: Database, team_id: str, other_team_id: str
) -> None:
    with database.transaction() as session:
        for team in (team_id, other_team_id):
            partner = Partner(team_id=team, name="Acme", name_key="acme")
            session.add(partner)
            session.flush()
            for day, notes in (("2025-12-01", "old"), ("2026-03-01", "spring"), ("2026-06-01", "recent")):
                moment = datetime.fromisoformat(day).replace(tzinfo=UTC)
                session.add(
                    Interaction(
                        team_id=team, partner_id=partner.id, kind="call", occurred_at=moment, notes=notes
                    )
                )

    with time_machine.travel(datetime(2026, 6, 15, 3, tzinfo=UTC), tick=False):
        blanked = blank_old_notes(database, months=6, now=datetime.now(UTC), actor="test", team_ids=[team_id])
    assert blanked == {team_id: 1}
    with database.read() as session:
        assert _notes(session, team_id) == [
            ("2025-12-01", ""),
            ("2026-03-01", "spring"),
            ("2026-06-01", "recent"),
        ]

    with time_machine.travel(datetime(2026, 9, 2, 3, tzinfo=UTC), tick=False):
        blanked = blank_old_notes(database, months=6, now=datetime.now(UTC), actor="test", team_ids=[team_id])
        again = blank_old_notes(database, months=6, now=datetime.now(UTC), actor="test", team_ids=[team_id])
    assert blanked == {team_id: 1} and again == {}
    with database.read() as session:
        assert _notes(session, team_id) == [("2025-12-01", ""), ("2026-03-01", ""), ("2026-06-01", "recent")]
        # The communications stay (they count for scores); another workspace keeps its notes.
        assert [n for _, n in _notes(session, other_team_id)] == ["old", "spring", "recent"]
