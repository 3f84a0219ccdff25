"""Satisfaction feedback and surveys: recording answers and the summaries asked of them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import (
    Feedback,
    FeedbackSubmission,
    Partner,
    PartnerStatus,
    Secret,
    Survey,
    SurveyInvitation,
    SurveyStatus,
    utc_now,
)

RESPONDENT_SECRET = "respondent_key"


def respondent_secret(session: Session) -> bytes:
    """The installation's key for respondent hashes, made on first use."""
    found = session.get(Secret, RESPONDENT_SECRET)
    if found is None:
        try:
            with session.begin_nested():
                session.add(Secret(name=RESPONDENT_SECRET, value=secrets.token_hex(32)))
        except IntegrityError:
            pass  # another process made it first
        found = session.get(Secret, RESPONDENT_SECRET, populate_existing=True)
        assert found is not None
    return found.value.encode()


def hash_respondent(secret: bytes, user_team_id: str, user_id: str) -> str:
    """A stable stand-in for a person that reveals nothing by itself (keyed hash)."""
    return hmac.new(secret, f"{user_team_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def respondent_key(session: Session, user_team_id: str, user_id: str) -> str:
    return hash_respondent(respondent_secret(session), user_team_id, user_id)


# --- surveys ------------------------------------------------------------------------------------


def create_survey(
    session: Session, team_id: str, *, partner_id: int, created_by: str, request_key: str | None = None
) -> tuple[Survey, bool]:
    """A new open survey; (survey, created). The same request_key twice gives the first survey."""
    if request_key:
        earlier = session.scalar(
            select(Survey).where(Survey.team_id == team_id, Survey.request_key == request_key)
        )
        if earlier is not None:
            return earlier, False
    survey = Survey(team_id=team_id, partner_id=partner_id, created_by=created_by, request_key=request_key)
    session.add(survey)
    session.flush()
    return survey, True


def get_survey(session: Session, team_id: str, survey_id: int) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.team_id == team_id, Survey.id == survey_id))


def close_survey(session: Session, survey: Survey, *, now: datetime | None = None) -> None:
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = now or utc_now()
    session.flush()


def add_invitation(
    session: Session, survey: Survey, *, channel_id: str, message_ts: str, recipient: str | None
) -> None:
    session.add(
        SurveyInvitation(
            survey_id=survey.id, channel_id=channel_id, message_ts=message_ts, recipient=recipient
        )
    )
    session.flush()


def invitations(session: Session, survey: Survey) -> list[SurveyInvitation]:
    return list(session.scalars(select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id)))


def open_surveys(session: Session, team_id: str, partner_id: int) -> list[tuple[Survey, int]]:
    """The partner's open surveys, newest first, each with its number of answers."""
    answers = (
        select(func.count(Feedback.id))
        .where(Feedback.team_id == team_id, Feedback.survey_id == Survey.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Survey, answers)
        .where(
            Survey.team_id == team_id,
            Survey.partner_id == partner_id,
            Survey.status == SurveyStatus.OPEN,
        )
        .order_by(Survey.created_at.desc(), Survey.id.desc())
    ).all()
    return [(survey, int(count)) for survey, count in rows]


# --- answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    feedback: Feedback
    replaced: bool  # True when this person's earlier answer to the same survey was replaced
    duplicate: bool = False  # True when Slack delivered the same submission twice


def record_feedback(
    session: Session,
    team_id: str,
    *,
    partner_id: int,
    csat: int,
    nps: int | None,
    comment: str,
    user_team_id: str,
    user_id: str,
    anonymous: bool,
    submitted_at: datetime,
    survey_id: int | None = None,
    request_key: str | None = None,
) -> Recorded:
    """Store an answer. Within a survey, a person's new answer replaces their earlier one.

    ``request_key`` names the Slack submission: any submission seen before (even one replaced
    since by a newer answer) changes nothing when Slack delivers it again.
    """
    if request_key:
        seen = _seen_submission(session, team_id, request_key)
        if seen is not None:
            return seen
    values = {
        "partner_id": partner_id,
        "csat": csat,
        "nps": nps,
        "comment": comment,
        "respondent": None if anonymous else user_id,
        "anonymous": anonymous,
        "external": user_team_id != team_id,
        "submitted_at": submitted_at,
    }
    key = respondent_key(session, user_team_id, user_id)
    try:
        with session.begin_nested():
            existing = _answer_in_survey(session, team_id, survey_id, key) if survey_id is not None else None
            if existing is not None:
                for name, value in values.items():
                    setattr(existing, name, value)
                feedback = existing
            else:
                feedback = Feedback(team_id=team_id, survey_id=survey_id, respondent_key=key, **values)
                session.add(feedback)
            session.flush()
            if request_key:
                session.add(
                    FeedbackSubmission(team_id=team_id, request_key=request_key, feedback_id=feedback.id)
                )
                session.flush()
    except IntegrityError:
        # The same submission (or the same person's answer) was stored by a concurrent request.
        seen = _seen_submission(session, team_id, request_key) if request_key else None
        if seen is None:
            raise
        return seen
    return Recorded(feedback, replaced=existing is not None)


def _seen_submission(session: Session, team_id: str, request_key: str) -> Recorded | None:
    seen = session.get(FeedbackSubmission, (team_id, request_key))
    if seen is None:
        return None
    return Recorded(session.get_one(Feedback, seen.feedback_id), replaced=False, duplicate=True)


def _answer_in_survey(session: Session, team_id: str, survey_id: int, key: str) -> Feedback | None:
    return session.scalar(
        select(Feedback).where(
            Feedback.team_id == team_id, Feedback.survey_id == survey_id, Feedback.respondent_key == key
        )
    )


def answer_score():  # type: ignore[no-untyped-def]
    """One answer on product.md's 0-100 scale: CSAT 1-5 → (s-1)·25, recommend 0-10 → s·10,
    averaged when both were given (so each answer counts once in the damped mean)."""
    csat_score = cast((Feedback.csat - 1) * 25, Float)
    return case(
        (Feedback.nps.is_(None), csat_score),
        else_=(csat_score + cast(Feedback.nps * 10, Float)) / 2.0,
    )


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    csat_average: float | None  # 1-5
    csat_share: float | None  # share of answers rating 4 or 5, 0-1
    nps: float | None  # promoters (9-10) minus detractors (0-6), in points, -100…100
    nps_count: int
    score_sum: float  # Σ of 0-100 answer scores
    external_count: int

    @property
    def score_average(self) -> float | None:
        return self.score_sum / self.count if self.count else None


def _summary_columns():  # type: ignore[no-untyped-def]
    return (
        func.count(Feedback.id),
        func.avg(cast(Feedback.csat, Float)),
        func.sum(case((Feedback.csat >= 4, 1), else_=0)),
        func.count(Feedback.nps),
        func.sum(case((Feedback.nps >= 9, 1), else_=0)),
        func.sum(case((Feedback.nps <= 6, 1), else_=0)),
        func.coalesce(func.sum(answer_score()), 0.0),
        func.sum(case((Feedback.external.is_(True), 1), else_=0)),
    )


def _summary(row: tuple) -> FeedbackSummary:  # type: ignore[type-arg]
    count, csat_avg, happy, nps_count, promoters, detractors, score_sum, external = row
    count = int(count or 0)
    nps_count = int(nps_count or 0)
    return FeedbackSummary(
        count=count,
        csat_average=float(csat_avg) if count else None,
        csat_share=int(happy or 0) / count if count else None,
        nps=(int(promoters or 0) - int(detractors or 0)) * 100.0 / nps_count if nps_count else None,
        nps_count=nps_count,
        score_sum=float(score_sum or 0.0),
        external_count=int(external or 0),
    )


def partner_summary(
    session: Session,
    team_id: str,
    partner_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    survey_id: int | None = None,
) -> FeedbackSummary:
    query = select(*_summary_columns()).where(Feedback.team_id == team_id, Feedback.partner_id == partner_id)
    if since is not None:
        query = query.where(Feedback.submitted_at >= since)
    if until is not None:
        query = query.where(Feedback.submitted_at < until)
    if survey_id is not None:
        query = query.where(Feedback.survey_id == survey_id)
    return _summary(session.execute(query).one())


def workspace_mean_score(
    session: Session, team_id: str, *, since: datetime | None = None, until: datetime | None = None
) -> float | None:
    """μ of product.md's damped mean: the mean answer score (0-100) over the workspace's active
    partners, the same μ the ranking uses."""
    query = (
        select(func.avg(answer_score()))
        .join(Partner, Partner.id == Feedback.partner_id)
        .where(Feedback.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)
    )
    if since is not None:
        query = query.where(Feedback.submitted_at >= since)
    if until is not None:
        query = query.where(Feedback.submitted_at < until)
    value = session.scalar(query)
    return float(value) if value is not None else None


@dataclass(frozen=True)
class Comment:
    text: str
    respondent: str | None  # None when anonymous
    external: bool
    csat: int
    submitted_at: datetime


def latest_comments(session: Session, team_id: str, partner_id: int, *, limit: int = 3) -> list[Comment]:
    rows = session.scalars(
        select(Feedback)
        .where(Feedback.team_id == team_id, Feedback.partner_id == partner_id, Feedback.comment != "")
        .order_by(Feedback.submitted_at.desc(), Feedback.id.desc())
        .limit(limit)
    )
    return [
        Comment(f.comment, None if f.anonymous else f.respondent, f.external, f.csat, f.submitted_at)
        for f in rows
    ]
