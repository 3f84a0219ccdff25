"""Feedback answers and surveys, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import feedback, partners
from storage.db import Database
from storage.models import Feedback, SurveyStatus

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def acme_id(database: Database, team_id: str) -> int:
    with database.transaction() as session:
        return partners.add_partner(session, team_id, "Acme").id


def answer(
    database: Database,
    team_id: str,
    partner_id: int,
    csat: int,
    nps: int | None = None,
    *,
    user: str = "U1",
    user_team: str | None = None,
    survey_id: int | None = None,
    anonymous: bool = False,
    when: datetime = NOW,
    comment: str = "",
    key: str | None = None,
) -> feedback.Recorded:
    with database.transaction() as session:
        return feedback.record_feedback(
            session,
            team_id,
            partner_id=partner_id,
            csat=csat,
            nps=nps,
            comment=comment,
            user_team_id=user_team or team_id,
            user_id=user,
            anonymous=anonymous,
            submitted_at=when,
            survey_id=survey_id,
            request_key=key,
        )


def new_survey(database: Database, team_id: str, partner_id: int) -> int:
    with database.transaction() as session:
        return feedback.create_survey(session, team_id, partner_id=partner_id, created_by="U9")[0].id


def test_answering_a_survey_again_replaces_the_answer(database: Database, team_id: str, acme_id: int) -> None:
    survey_id = new_survey(database, team_id, acme_id)
    first = answer(database, team_id, acme_id, 2, survey_id=survey_id)
    second = answer(database, team_id, acme_id, 5, 9, survey_id=survey_id, anonymous=True)
    other = answer(database, team_id, acme_id, 4, survey_id=survey_id, user="U2")
    assert not first.replaced and second.replaced and not other.replaced
    with database.read() as session:
        summary = feedback.partner_summary(session, team_id, acme_id, survey_id=survey_id)
        stored = session.get(Feedback, first.feedback.id)
    assert summary.count == 2
    assert summary.csat_average == pytest.approx(4.5)
    # The replaced answer is anonymous now: the person is no longer stored, only the keyed hash.
    assert (stored.csat, stored.respondent, stored.anonymous) == (5, None, True)
    assert stored.respondent_key and "U1" not in stored.respondent_key


def test_anonymous_answers_are_still_one_per_person(database: Database, team_id: str, acme_id: int) -> None:
    survey_id = new_survey(database, team_id, acme_id)
    answer(database, team_id, acme_id, 1, survey_id=survey_id, anonymous=True)
    again = answer(database, team_id, acme_id, 3, survey_id=survey_id, anonymous=True)
    assert again.replaced
    with database.read() as session:
        assert feedback.partner_summary(session, team_id, acme_id, survey_id=survey_id).count == 1


def test_feedback_without_a_survey_accumulates(database: Database, team_id: str, acme_id: int) -> None:
    answer(database, team_id, acme_id, 4)
    answer(database, team_id, acme_id, 5)
    with database.read() as session:
        assert feedback.partner_summary(session, team_id, acme_id).count == 2


def test_a_replayed_submission_is_stored_once(database: Database, team_id: str, acme_id: int) -> None:
    answer(database, team_id, acme_id, 4, key="view:V1")
    again = answer(database, team_id, acme_id, 4, key="view:V1")
    assert again.duplicate
    with database.read() as session:
        assert feedback.partner_summary(session, team_id, acme_id).count == 1


def test_summary_figures(database: Database, team_id: str, acme_id: int) -> None:
    # csat 5 & nps 10 (promoter), csat 4 & nps 7 (passive), csat 2 & nps 3 (detractor), csat 3 without nps
    for user, (csat, nps) in enumerate([(5, 10), (4, 7), (2, 3), (3, None)]):
        answer(database, team_id, acme_id, csat, nps, user=f"U{user}")
    answer(database, team_id, acme_id, 1, 0, user="Uold", when=NOW - timedelta(days=120))
    with database.read() as session:
        summary = feedback.partner_summary(session, team_id, acme_id, since=NOW - timedelta(days=90))
        mean = feedback.workspace_mean_score(session, team_id, since=NOW - timedelta(days=90))
        elsewhere = feedback.workspace_mean_score(session, "T-elsewhere")
    assert summary.count == 4
    assert summary.csat_average == pytest.approx(3.5)
    assert summary.csat_share == pytest.approx(0.5)
    assert summary.nps == pytest.approx((1 - 1) * 100 / 3)
    assert summary.nps_count == 3
    # answer scores: (100+100)/2, (75+70)/2, (25+30)/2, 50
    assert summary.score_sum == pytest.approx(100 + 72.5 + 27.5 + 50)
    assert mean == pytest.approx(250 / 4)
    assert elsewhere is None


def test_external_answers_are_marked(database: Database, team_id: str, acme_id: int) -> None:
    answer(database, team_id, acme_id, 5, user="UEXT", user_team="T-partner-company")
    with database.read() as session:
        assert feedback.partner_summary(session, team_id, acme_id).external_count == 1


def test_latest_comments_hide_anonymous_names(database: Database, team_id: str, acme_id: int) -> None:
    answer(database, team_id, acme_id, 5, comment="great", user="U1", when=NOW - timedelta(days=2))
    answer(database, team_id, acme_id, 2, comment="slow replies", user="U2", anonymous=True, when=NOW)
    answer(database, team_id, acme_id, 3, comment="", user="U3")
    with database.read() as session:
        comments = feedback.latest_comments(session, team_id, acme_id)
    assert [(c.text, c.respondent) for c in comments] == [("slow replies", None), ("great", "U1")]


def test_surveys_open_close_and_stay_in_their_workspace(
    database: Database, team_id: str, other_team_id: str, acme_id: int
) -> None:
    survey_id = new_survey(database, team_id, acme_id)
    answer(database, team_id, acme_id, 4, survey_id=survey_id)
    with database.transaction() as session:
        assert feedback.get_survey(session, other_team_id, survey_id) is None
        assert [(s.id, n) for s, n in feedback.open_surveys(session, team_id, acme_id)] == [(survey_id, 1)]
        feedback.close_survey(session, feedback.get_survey(session, team_id, survey_id), now=NOW)
    with database.read() as session:
        assert feedback.get_survey(session, team_id, survey_id).status == SurveyStatus.CLOSED
        assert feedback.open_surveys(session, team_id, acme_id) == []


def test_replayed_survey_request_creates_one_survey(database: Database, team_id: str, acme_id: int) -> None:
    with database.transaction() as session:
        first, created = feedback.create_survey(
            session, team_id, partner_id=acme_id, created_by="U1", request_key="command:T1"
        )
        again, created_again = feedback.create_survey(
            session, team_id, partner_id=acme_id, created_by="U1", request_key="command:T1"
        )
    assert created and not created_again and first.id == again.id
