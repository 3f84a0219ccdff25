"""The counts behind "what drives satisfaction?" (scoring/insights.py): per active partner of one
workspace, over one period, what the regression reads.

One grouped query per frame, each scoped to the workspace and over indexed columns, so only one row
per partner reaches Python; the frames are then joined on the partner (scoring.insights.INPUT_COLUMNS).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from storage.frames import frame_of
from storage.models import Interaction, InteractionKind, Need, Partner, PartnerStatus, Project, ProjectStatus
from storage.ranking import _last_contact, feedback_frame

# A QBR is a meeting with an agenda: it counts with the meetings, as it weighs the same in engagement.
KIND_GROUPS: dict[str, tuple[InteractionKind, ...]] = {
    "meetings": (InteractionKind.MEETING, InteractionKind.QBR),
    "calls": (InteractionKind.CALL,),
    "emails": (InteractionKind.EMAIL,),
}
COUNT_COLUMNS = ("meetings", "calls", "emails", "score_sum", "answers", "won", "lost", "open_needs")


def _partners(session: Session, team_id: str, *, until: datetime) -> pd.DataFrame:
    """The active partners, their tier and their last contact before ``until`` (ever)."""
    rows = session.execute(
        select(Partner.id, Partner.tier, _last_contact(until)).where(
            Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE
        )
    ).all()
    frame = frame_of(rows, ["partner_id", "tier", "last_contact"])
    frame["last_contact"] = pd.to_datetime(frame["last_contact"], utc=True, format="mixed")
    return frame


def _contacts(session: Session, team_id: str, *, since: datetime, until: datetime) -> pd.DataFrame:
    """Per partner, the period's meetings (QBRs included), calls and emails."""
    counted = [func.sum(case((Interaction.kind.in_(kinds), 1), else_=0)) for kinds in KIND_GROUPS.values()]
    every_kind = [kind for kinds in KIND_GROUPS.values() for kind in kinds]
    rows = session.execute(
        select(Interaction.partner_id, *counted)
        .where(
            Interaction.team_id == team_id,
            Interaction.occurred_at >= since,
            Interaction.occurred_at < until,
            Interaction.kind.in_(every_kind),
        )
        .group_by(Interaction.partner_id)
    ).all()
    return frame_of(rows, ["partner_id", *KIND_GROUPS])


def _outcomes(session: Session, team_id: str, *, since: datetime, until: datetime) -> pd.DataFrame:
    """Per partner, the projects closed won and lost on the period's days (UTC)."""
    rows = session.execute(
        select(
            Project.partner_id,
            func.sum(case((Project.status == ProjectStatus.WON, 1), else_=0)),
            func.sum(case((Project.status == ProjectStatus.LOST, 1), else_=0)),
        )
        .where(
            Project.team_id == team_id,
            Project.status.in_((ProjectStatus.WON, ProjectStatus.LOST)),
            Project.closed_on >= since.date(),
            Project.closed_on <= until.date(),
        )
        .group_by(Project.partner_id)
    ).all()
    return frame_of(rows, ["partner_id", "won", "lost"])


def _open_needs(session: Session, team_id: str, *, until: datetime) -> pd.DataFrame:
    """Per partner, the needs open at the period's end: raised by then, not closed by then."""
    end = until.date()
    rows = session.execute(
        select(Need.partner_id, func.count())
        .where(
            Need.team_id == team_id,
            Need.raised_on <= end,
            or_(Need.closed_on.is_(None), Need.closed_on > end),
        )
        .group_by(Need.partner_id)
    ).all()
    return frame_of(rows, ["partner_id", "open_needs"])


def insight_counts(session: Session, team_id: str, *, since: datetime, until: datetime) -> pd.DataFrame:
    """One row per active partner with the period's counts (``since ≤ t < until``): ``partner_id,
    tier, last_contact, meetings, calls, emails, score_sum, answers, won, lost, open_needs``; a
    partner without any of them has 0."""
    frame = _partners(session, team_id, until=until)
    feedback = feedback_frame(session, team_id, since=since, until=until).rename(columns={"count": "answers"})
    for part in (
        _contacts(session, team_id, since=since, until=until),
        feedback,
        _outcomes(session, team_id, since=since, until=until),
        _open_needs(session, team_id, until=until),
    ):
        frame = frame.merge(part, on="partner_id", how="left")
    for column in COUNT_COLUMNS:
        values = pd.to_numeric(frame[column], errors="coerce").fillna(0)
        frame[column] = values.astype(float) if column == "score_sum" else values.astype("int64")
    return frame.sort_values("partner_id", ignore_index=True)
