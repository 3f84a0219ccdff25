"""A workspace with a row in every table, every person-column naming one person: what the erasure
tests erase, forget and compare (tests/storage/test_erasure_store.py, tests/bot/test_cli_erasure.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.db import Database
from storage.feedback import record_feedback
from storage.models import (
    ActivityDay,
    AlertSent,
    AlertSettings,
    Base,
    DigestRun,
    DigestSubscription,
    FollowUp,
    Interaction,
    LastContact,
    Need,
    NeedType,
    Partner,
    PermissionSetting,
    Project,
    Resource,
    ResourceKind,
    ScoreSnapshot,
    ScoringWeights,
    SlackBots,
    SlackInstallations,
    SnapshotRun,
    Survey,
    SurveyInvitation,
    WeightChange,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
PERSON = "U0PERSON1"
COLLEAGUE = "U0COLLEAGUE"


@dataclass(frozen=True)
class Filled:
    team_id: str
    partner_id: int  # "Acme": every record about it
    other_partner_id: int  # "Globex": a communication and a score only
    survey_ids: tuple[int, ...]


def fill(database: Database, team_id: str, *, person: str = PERSON) -> Filled:
    """Everything a workspace can hold, about two partners; ``person`` in every person-column."""
    with database.transaction() as session:
        acme = Partner(team_id=team_id, name="Acme", name_key="acme", owner=person)
        globex = Partner(team_id=team_id, name="Globex", name_key="globex", owner=COLLEAGUE)
        session.add_all([acme, globex])
        session.flush()
        project = Project(
            team_id=team_id,
            partner_id=acme.id,
            name="Pilot",
            created_by=person,
            updated_by=person,
            closed_by=person,
        )
        session.add(project)
        session.flush()
        call = Interaction(
            team_id=team_id,
            partner_id=acme.id,
            kind="call",
            occurred_at=NOW,
            notes="talked pricing",
            user_id=person,
            project_id=project.id,
        )
        other_call = Interaction(
            team_id=team_id,
            partner_id=globex.id,
            kind="email",
            occurred_at=NOW,
            notes="hello",
            user_id=COLLEAGUE,
        )
        session.add_all([call, other_call])
        session.flush()
        survey = Survey(team_id=team_id, partner_id=acme.id, created_by=person)
        session.add_all(
            [
                Resource(
                    team_id=team_id,
                    partner_id=acme.id,
                    project_id=project.id,
                    kind=ResourceKind.PEOPLE,
                    amount=Decimal(40),
                    committed_on=NOW.date(),
                    created_by=person,
                ),
                FollowUp(
                    team_id=team_id,
                    partner_id=acme.id,
                    owner=person,
                    what="send the deck",
                    due_on=NOW.date() + timedelta(days=1),
                    done_by=person,
                    created_by=person,
                    interaction_id=call.id,
                ),
                Need(
                    team_id=team_id,
                    partner_id=acme.id,
                    type=NeedType.PRICING,
                    description="a discount",
                    raised_on=NOW.date(),
                    closed_by=person,
                    created_by=person,
                ),
                survey,
                ScoringWeights(
                    team_id=team_id,
                    satisfaction=1,
                    engagement=1,
                    recency=1,
                    business=1,
                    delivery=1,
                    updated_by=person,
                ),
                WeightChange(team_id=team_id, changed_by=person, old_weights={}, new_weights={"recency": 1}),
                AlertSettings(team_id=team_id, drop_points=10, enabled=True, updated_by=person),
                PermissionSetting(team_id=team_id, action="export", role="members", updated_by=person),
                AlertSent(
                    team_id=team_id,
                    partner_id=acme.id,
                    week="2026-W24",
                    owner=person,
                    reason="fell",
                    claimed_at=NOW,
                ),
                SnapshotRun(team_id=team_id, day=NOW.date(), claimed_at=NOW),
                ActivityDay(team_id=team_id, day=NOW.date(), partner_id=acme.id, communications=1, calls=1),
                LastContact(team_id=team_id, partner_id=acme.id, occurred_at=NOW),
                ActivityDay(
                    team_id=team_id, day=NOW.date(), partner_id=globex.id, communications=1, emails=1
                ),
            ]
        )
        for partner_id, score in ((acme.id, 70.0), (globex.id, 60.0)):
            session.add(
                ScoreSnapshot(team_id=team_id, day=NOW.date(), partner_id=partner_id, score=score, rank=1)
            )
        session.flush()
        session.add(
            SurveyInvitation(survey_id=survey.id, channel_id="D1", message_ts="1.1", recipient=person)
        )
        subscription = DigestSubscription(
            team_id=team_id, channel_id="C1", every="weekly", timezone="UTC", created_by=person
        )
        session.add(subscription)
        session.flush()
        session.add(
            DigestRun(
                subscription_id=subscription.id,
                team_id=team_id,
                period="2026-06-15",
                scheduled_for=NOW,
                ranks={str(acme.id): [1, 70.0], str(globex.id): [2, 60.0]},
            )
        )
        # A named answer, an anonymous one by the same person, and a colleague's.
        for user, csat, anonymous, key in (
            (person, 5, False, "a"),
            (person, 2, True, None),
            (COLLEAGUE, 3, False, None),
        ):
            record_feedback(
                session,
                team_id,
                partner_id=acme.id,
                csat=csat,
                nps=9,
                comment="fine",
                user_team_id=team_id,
                user_id=user,
                anonymous=anonymous,
                submitted_at=NOW,
                survey_id=survey.id if anonymous else None,
                request_key=key and f"{team_id}-{key}",
            )
        # Installed in many workspaces: the workspace's install and bot token (bot/installs.py).
        for table in (SlackInstallations, SlackBots):
            row = {"client_id": "1.2", "app_id": "A1", "team_id": team_id, "bot_token": f"xoxb-{team_id}"}
            if table is SlackInstallations:
                row["user_id"] = person
            session.execute(table.insert(), [row])
        return Filled(team_id, acme.id, globex.id, (survey.id,))


def team_rows(session: Session, team_id: str, survey_ids: tuple[int, ...]) -> dict[str, int]:
    """Rows of the workspace per table of the models (survey invitations through its surveys)."""
    counts = {}
    for table in Base.metadata.sorted_tables:
        if "team_id" in table.c:
            where = table.c.team_id == team_id
        elif table.name == SurveyInvitation.__tablename__:
            where = table.c.survey_id.in_(survey_ids)
        else:
            continue
        counts[table.name] = session.scalar(select(func.count()).select_from(table).where(where)) or 0
    return counts
