"""The counts behind insights (storage/insights.py), on SQLite and PostgreSQL: one row per active
partner, only the period's communications, answers and closed projects, the needs open at its end,
and never another workspace's rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from storage import insights, interactions, partners
from storage import needs as need_store
from storage import projects as project_store
from storage.db import Database
from storage.models import Feedback, InteractionKind, NeedStatus, NeedType, PartnerStatus, ProjectStatus

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=90)
TODAY = NOW.date()


def fill(database: Database, team_id: str) -> dict[str, int]:
    """Acme (gold) with something of everything, Globex (silver) with little, Initech with nothing,
    and an archived partner with plenty."""
    ids: dict[str, int] = {}
    with database.transaction() as session:
        for name, tier in (("Acme", "gold"), ("Globex", "silver"), ("Initech", None), ("Old", "gold")):
            ids[name] = partners.add_partner(session, team_id, name, tier=tier).id
        old = partners.get_partner(session, team_id, ids["Old"])
        assert old is not None
        partners.set_status(session, old, PartnerStatus.ARCHIVED)
        logs = [
            ("Acme", InteractionKind.MEETING, 1),
            ("Acme", InteractionKind.QBR, 10),  # counts as a meeting
            ("Acme", InteractionKind.CALL, 20),
            ("Acme", InteractionKind.EMAIL, 30),
            ("Acme", InteractionKind.EMAIL, 31),
            ("Acme", InteractionKind.NOTE, 2),  # no predictor counts notes
            ("Acme", InteractionKind.MEETING, 91),  # before the period
            ("Acme", InteractionKind.CALL, -1),  # after its end: neither counted nor the last contact
            ("Globex", InteractionKind.CALL, 200),  # the last contact, long before the period
            ("Old", InteractionKind.MEETING, 1),
        ]
        for name, kind, days in logs:
            interactions.log_interaction(
                session,
                team_id,
                partner_id=ids[name],
                kind=kind,
                occurred_at=NOW - timedelta(days=days),
                notes="x",
                user_id="U1",
            )
        answers = [("Acme", 5, None, 3), ("Acme", 3, 10, 5), ("Acme", 1, None, 100), ("Globex", 4, 0, 1)]
        for name, csat, nps, days in answers:
            session.add(
                Feedback(
                    team_id=team_id,
                    partner_id=ids[name],
                    csat=csat,
                    nps=nps,
                    submitted_at=NOW - timedelta(days=days),
                )
            )
        closings = [
            ("Acme", ProjectStatus.WON, 5),
            ("Acme", ProjectStatus.LOST, 40),
            ("Acme", ProjectStatus.LOST, 60),
            ("Acme", ProjectStatus.CANCELLED, 6),  # neither won nor lost
            ("Acme", ProjectStatus.WON, 120),  # before the period
            ("Globex", ProjectStatus.WON, 0),  # closed today: in the period
        ]
        for name, status, days in closings:
            project, _ = project_store.add_project(
                session, team_id, partner_id=ids[name], name=f"P{days}", created_by="U1"
            )
            project_store.close_project(session, project, status, on=TODAY - timedelta(days=days), by="U1")
        project_store.add_project(session, team_id, partner_id=ids["Acme"], name="Open", created_by="U1")
        needs = [
            ("Acme", TODAY - timedelta(days=50), None),  # open
            ("Acme", TODAY - timedelta(days=50), TODAY + timedelta(days=1)),  # closed after the end
            ("Acme", TODAY - timedelta(days=50), TODAY - timedelta(days=3)),  # closed before the end
            ("Acme", TODAY + timedelta(days=1), None),  # raised after the end
            ("Globex", TODAY - timedelta(days=400), None),  # open long since
        ]
        for name, raised, closed in needs:
            need, _ = need_store.add_need(
                session,
                team_id,
                partner_id=ids[name],
                type=NeedType.PRICING,
                description="x",
                raised_on=raised,
                created_by="U1",
            )
            if closed is not None:
                need_store.close_need(session, need, NeedStatus.MET, on=closed, by="U1")
    return ids


def test_one_row_per_active_partner_with_the_periods_counts(database: Database, team_id: str) -> None:
    ids = fill(database, team_id)
    with database.read() as session:
        frame = insights.insight_counts(session, team_id, since=SINCE, until=NOW)
    assert frame["partner_id"].tolist() == sorted([ids["Acme"], ids["Globex"], ids["Initech"]])
    rows = {int(row.partner_id): row for row in frame.itertuples()}
    acme, globex, initech = rows[ids["Acme"]], rows[ids["Globex"]], rows[ids["Initech"]]
    assert acme.tier == "gold" and globex.tier == "silver" and pd.isna(initech.tier)
    assert (acme.meetings, acme.calls, acme.emails) == (2, 1, 2)
    assert acme.last_contact.to_pydatetime() == NOW - timedelta(days=1)
    assert globex.last_contact.to_pydatetime() == NOW - timedelta(days=200)
    assert pd.isna(initech.last_contact)
    # CSAT 5 → 100; CSAT 3 with recommend 10 → (50 + 100) / 2; the 100-day-old answer is outside.
    assert (acme.score_sum, acme.answers) == (175.0, 2)
    assert (globex.score_sum, globex.answers) == (37.5, 1)
    assert (acme.won, acme.lost, globex.won, globex.lost) == (1, 2, 1, 0)
    assert (acme.open_needs, globex.open_needs, initech.open_needs) == (2, 1, 0)
    assert (initech.meetings, initech.answers, initech.won, initech.score_sum) == (0, 0, 0, 0.0)


def test_another_workspaces_rows_never_appear(database: Database, team_id: str, other_team_id: str) -> None:
    fill(database, other_team_id)
    with database.transaction() as session:
        mine = partners.add_partner(session, team_id, "Acme").id
    with database.read() as session:
        frame = insights.insight_counts(session, team_id, since=SINCE, until=NOW)
        other = insights.insight_counts(session, other_team_id, since=SINCE, until=NOW)
    assert frame["partner_id"].tolist() == [mine]
    row = frame.iloc[0]
    assert (row["meetings"], row["answers"], row["won"], row["open_needs"]) == (0, 0, 0, 0)
    assert pd.isna(row["last_contact"])
    assert other["meetings"].sum() == 2  # the other workspace still has its own


def test_an_empty_workspace_gives_an_empty_frame_with_every_column(database: Database, team_id: str) -> None:
    with database.read() as session:
        frame = insights.insight_counts(session, team_id, since=SINCE, until=NOW)
    assert frame.empty
    assert list(frame.columns) == [
        "partner_id",
        "tier",
        "last_contact",
        "meetings",
        "calls",
        "emails",
        "score_sum",
        "answers",
        "won",
        "lost",
        "open_needs",
    ]


def test_the_period_is_days_of_the_closed_on_dates(database: Database, team_id: str) -> None:
    with database.transaction() as session:
        acme = partners.add_partner(session, team_id, "Acme").id
        for on in (SINCE.date() - timedelta(days=1), SINCE.date(), date(2026, 6, 15)):
            project, _ = project_store.add_project(
                session, team_id, partner_id=acme, name=str(on), created_by="U1"
            )
            project_store.close_project(session, project, ProjectStatus.LOST, on=on, by="U1")
    with database.read() as session:
        frame = insights.insight_counts(session, team_id, since=SINCE, until=NOW)
    assert frame["lost"].tolist() == [2]
