"""The tables: partners and the communications logged with them.

Every row carries the Slack workspace's ``team_id``; uniqueness is always per workspace.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

# Alembic autogenerate and both databases get the same, predictable constraint names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only makes INTEGER PRIMARY KEY columns auto-increment; PostgreSQL gets a BIGINT.
Id = BigInteger().with_variant(Integer(), "sqlite")


def utc_now() -> datetime:
    return datetime.now(UTC)


def values_of(enum_class: type[enum.StrEnum]) -> Enum:
    """A column holding one of ``enum_class``'s values, read back as the enum's member.

    Stored as the value (``"active"``, not the member's name) in a VARCHAR(16) on both databases:
    no database enum type, so a new member needs no migration, and the columns are the ones the
    strings were kept in before. A string that is not a value is refused before it is written.
    """
    return Enum(
        enum_class,
        native_enum=False,
        values_callable=lambda members: [member.value for member in members],
        length=16,
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PartnerStatus(enum.StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class InteractionKind(enum.StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    QBR = "qbr"
    EVENT = "event"
    NOTE = "note"
    OTHER = "other"


class Partner(Base):
    __tablename__ = "partner"
    __table_args__ = (
        UniqueConstraint("team_id", "name_key", name="uq_partner_team_name"),
        Index("ix_partner_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str | None] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(80))
    category: Mapped[str | None] = mapped_column(String(80))
    owner: Mapped[str | None] = mapped_column(String(32))
    revenue: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    cost: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    status: Mapped[PartnerStatus] = mapped_column(values_of(PartnerStatus), default=PartnerStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)

    interactions: Mapped[list[Interaction]] = relationship(back_populates="partner", passive_deletes=True)


class ProjectStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    WON = "won"
    LOST = "lost"
    CANCELLED = "cancelled"

    @property
    def closed(self) -> bool:
        return self in (ProjectStatus.WON, ProjectStatus.LOST, ProjectStatus.CANCELLED)


class Project(Base):
    """A joint project with a partner (the seeds' 合作项目: name, goal, plan, progress, result)."""

    __tablename__ = "project"
    __table_args__ = (
        UniqueConstraint("team_id", "request_key", name="uq_project_team_request"),
        Index("ix_project_team_partner_status", "team_id", "partner_id", "status"),
        Index("ix_project_team_closed", "team_id", "closed_on"),
        # Covers every ranking's outcome counts (delivery, loyalty): index-only, one seek per status.
        Index("ix_project_team_outcomes", "team_id", "status", "partner_id", "closed_on", "value"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProjectStatus] = mapped_column(values_of(ProjectStatus), default=ProjectStatus.PLANNED)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent, 0-100
    started_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # expected, then won, value
    result: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(String(32))
    updated_by: Mapped[str | None] = mapped_column(String(32))  # the author of the latest change
    closed_by: Mapped[str | None] = mapped_column(String(32))
    request_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)

    partner: Mapped[Partner] = relationship()


class ResourceKind(enum.StrEnum):
    PEOPLE = "people"  # hours
    FUNDS = "funds"  # an amount in the workspace's currency
    TECHNOLOGY = "technology"  # licences, environments: a count


class Resource(Base):
    """Something committed to the partnership (the seeds' 合作资源: people, technology, funds)."""

    __tablename__ = "resource"
    __table_args__ = (
        UniqueConstraint("team_id", "request_key", name="uq_resource_team_request"),
        Index("ix_resource_team_partner", "team_id", "partner_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    kind: Mapped[ResourceKind] = mapped_column(values_of(ResourceKind))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    unit: Mapped[str | None] = mapped_column(String(40))
    committed_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(String(32))
    request_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    partner: Mapped[Partner] = relationship()
    project: Mapped[Project | None] = relationship()


class Interaction(Base):
    """One logged communication with a partner (the seeds' 沟通记录: content, time, method)."""

    __tablename__ = "interaction"
    __table_args__ = (
        # A replayed Slack request carries the same key and so cannot log twice.
        UniqueConstraint("team_id", "request_key", name="uq_interaction_team_request"),
        Index("ix_interaction_team_partner_time_kind", "team_id", "partner_id", "occurred_at", "kind"),
        # Covers the ranking's window query (time range, then partner and kind) without touching rows.
        Index("ix_interaction_team_time_partner_kind", "team_id", "occurred_at", "partner_id", "kind"),
        Index("ix_interaction_team_user_time", "team_id", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    kind: Mapped[InteractionKind] = mapped_column(values_of(InteractionKind))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notes: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[str | None] = mapped_column(String(32))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    permalink: Mapped[str | None] = mapped_column(Text)
    # The joint project it was about, if any (a removed project leaves the communication).
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    request_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    partner: Mapped[Partner] = relationship(back_populates="interactions")
    project: Mapped[Project | None] = relationship()


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class FollowUp(Base):
    """Something a person promised to do with a partner by a date. Its owner is reminded by direct
    message at 09:00 in their own time zone on that date, once per date (a snooze sets a new one)."""

    __tablename__ = "follow_up"
    __table_args__ = (
        UniqueConstraint("team_id", "request_key", name="uq_follow_up_team_request"),
        Index("ix_follow_up_team_owner_status_due", "team_id", "owner", "status", "due_on"),
        Index("ix_follow_up_team_partner_status_due", "team_id", "partner_id", "status", "due_on"),
        # The reminder job's question, across workspaces: open ones due by a day.
        Index("ix_follow_up_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    owner: Mapped[str | None] = mapped_column(String(32))  # who is reminded; None: nobody to remind
    what: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[FollowUpStatus] = mapped_column(values_of(FollowUpStatus), default=FollowUpStatus.OPEN)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_by: Mapped[str | None] = mapped_column(String(32))
    snoozes: Mapped[int] = mapped_column(Integer, default=0)
    # The communication it was promised in, if any (removing that communication keeps the promise).
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interaction.id", ondelete="SET NULL"))
    # Exactly-once reminders: the due date a reminder was sent for, and a claim while one is sent
    # (a claim older than the lease is taken over, so a process dying mid-send loses nothing).
    reminded_for: Mapped[date | None] = mapped_column(Date)
    reminder_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_channel: Mapped[str | None] = mapped_column(String(32))
    reminder_ts: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str | None] = mapped_column(String(32))
    request_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)

    partner: Mapped[Partner] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status is FollowUpStatus.OPEN


class NeedType(enum.StrEnum):
    """What a partner needs from us (the seeds' needs analysis); everyday words for each are in
    storage.need_words."""

    PRICING = "pricing"
    TECHNICAL = "technical"
    INTEGRATION = "integration"
    MARKETING = "marketing"
    FUNDING = "funding"
    TRAINING = "training"
    SUPPORT = "support"
    OTHER = "other"


class NeedPriority(enum.StrEnum):
    # Declared in ranking order: lists show high first.
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class NeedDifficulty(enum.StrEnum):
    # Declared in ranking order: among equal priorities, the easiest comes first.
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class NeedStatus(enum.StrEnum):
    OPEN = "open"
    MET = "met"
    DECLINED = "declined"

    @property
    def closed(self) -> bool:
        return self is not NeedStatus.OPEN


class Need(Base):
    """Something a partner needs from us, with how much it matters and how hard it is to give
    (the seeds' partner needs analysis), until it is met or declined."""

    __tablename__ = "need"
    __table_args__ = (
        UniqueConstraint("team_id", "request_key", name="uq_need_team_request"),
        Index("ix_need_team_partner_status", "team_id", "partner_id", "status"),
        # The workspace's open needs, oldest first; and what was closed lately (the summary's 90 days).
        Index("ix_need_team_status_raised", "team_id", "status", "raised_on"),
        Index("ix_need_team_closed", "team_id", "closed_on"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    type: Mapped[NeedType] = mapped_column(values_of(NeedType))
    priority: Mapped[NeedPriority] = mapped_column(values_of(NeedPriority), default=NeedPriority.MEDIUM)
    difficulty: Mapped[NeedDifficulty] = mapped_column(
        values_of(NeedDifficulty), default=NeedDifficulty.MEDIUM
    )
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[NeedStatus] = mapped_column(values_of(NeedStatus), default=NeedStatus.OPEN)
    raised_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(32))
    close_notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(String(32))
    request_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)

    partner: Mapped[Partner] = relationship()


class SurveyStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Survey(Base):
    """A request for feedback about one partner, sent to people and/or channels."""

    __tablename__ = "survey"
    __table_args__ = (Index("ix_survey_team_partner", "team_id", "partner_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(32))
    status: Mapped[SurveyStatus] = mapped_column(values_of(SurveyStatus), default=SurveyStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    request_key: Mapped[str | None] = mapped_column(String(200))

    partner: Mapped[Partner] = relationship()
    invitations: Mapped[list[SurveyInvitation]] = relationship(back_populates="survey", passive_deletes=True)


class SurveyInvitation(Base):
    """Where a survey's "Give feedback" button was posted (a DM or a channel), to update it on close."""

    __tablename__ = "survey_invitation"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str | None] = mapped_column(String(32))  # the user, for a DM

    survey: Mapped[Survey] = relationship(back_populates="invitations")


class Feedback(Base):
    """One person's rating of a partner relationship (the seeds' 满意度评价).

    ``respondent_key`` is a keyed hash of the person, so answers de-duplicate per survey even when
    anonymous; ``respondent`` (the Slack user ID) is stored only when the person gave their name.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("team_id", "survey_id", "respondent_key", name="uq_feedback_survey_respondent"),
        Index("ix_feedback_team_partner_time", "team_id", "partner_id", "submitted_at"),
        Index("ix_feedback_team_time", "team_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id", ondelete="SET NULL"))
    csat: Mapped[int] = mapped_column(Integer)  # 1-5
    nps: Mapped[int | None] = mapped_column(Integer)  # likelihood to recommend, 0-10
    comment: Mapped[str] = mapped_column(Text, default="")
    respondent: Mapped[str | None] = mapped_column(String(32))
    respondent_key: Mapped[str | None] = mapped_column(String(64))
    anonymous: Mapped[bool] = mapped_column(default=False)
    external: Mapped[bool] = mapped_column(default=False)  # answered from another workspace (Slack Connect)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)

    partner: Mapped[Partner] = relationship()


class FeedbackSubmission(Base):
    """Every Slack submission that produced or replaced an answer, so a replay of any of them —
    even one that arrives after the person answered again — changes nothing."""

    __tablename__ = "feedback_submission"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))


class Secret(Base):
    """Per-installation random keys (e.g. for hashing anonymous respondents), made on first use."""

    __tablename__ = "secret"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class ScoringWeights(Base):
    """A workspace's own scoring weights (product.md's defaults apply until someone sets them)."""

    __tablename__ = "scoring_weights"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    satisfaction: Mapped[float] = mapped_column(Float)
    engagement: Mapped[float] = mapped_column(Float)
    recency: Mapped[float] = mapped_column(Float)
    business: Mapped[float] = mapped_column(Float)
    # None for weights saved before delivery existed: the default applies to it.
    delivery: Mapped[float | None] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class WeightChange(Base):
    """Who changed a workspace's weights, when, from what to what."""

    __tablename__ = "weight_change"
    __table_args__ = (Index("ix_weight_change_team_time", "team_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    old_weights: Mapped[dict[str, float]] = mapped_column(JSON)  # {"satisfaction": 0.4, …}
    new_weights: Mapped[dict[str, float]] = mapped_column(JSON)


class DigestSubscription(Base):
    """A channel subscribed to a ranking digest on a cadence, in a time zone."""

    __tablename__ = "digest_subscription"
    __table_args__ = (Index("ix_digest_subscription_team", "team_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    every: Mapped[str] = mapped_column(String(16))  # daily, weekly, monthly
    weekday: Mapped[int] = mapped_column(Integer, default=0)
    day: Mapped[int] = mapped_column(Integer, default=1)
    hour: Mapped[int] = mapped_column(Integer, default=9)
    minute: Mapped[int] = mapped_column(Integer, default=0)
    timezone: Mapped[str] = mapped_column(String(64))
    top_n: Mapped[int] = mapped_column(Integer, default=10)
    chart: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    request_key: Mapped[str | None] = mapped_column(String(200))


class DigestRunStatus(enum.StrEnum):
    CLAIMED = "claimed"  # a process is posting it
    POSTED = "posted"
    FAILED = "failed"
    SKIPPED = "skipped"  # missed while the app was down, past the grace window


class DigestRun(Base):
    """One period of one subscription. The unique (subscription, period) row is the claim that
    makes a digest post once, whichever process or replica gets there first."""

    __tablename__ = "digest_run"
    __table_args__ = (
        UniqueConstraint("subscription_id", "period", name="uq_digest_run_subscription_period"),
        Index("ix_digest_run_subscription_time", "subscription_id", "scheduled_for"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("digest_subscription.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(
        String(64)
    )  # the occurrence's local date, or "now:<id>" for on-demand
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[DigestRunStatus] = mapped_column(
        values_of(DigestRunStatus), default=DigestRunStatus.CLAIMED
    )
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_ts: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(Text)
    # {"partner_id": [rank, score]} for the next digest's ▲▼; SQL NULL (not JSON null) when none.
    ranks: Mapped[dict[str, list[float]] | None] = mapped_column(JSON(none_as_null=True))


class ScoreSnapshot(Base):
    """One active partner's score, rank and components at 00:00 UTC of one day: score history.

    Taken daily by the scheduler and backfilled from the logged data on first use. Daily for the
    last 26 weeks, Mondays only before that, nothing older than two years (``storage.history``).
    No foreign key to the partner: a backfill writes millions of rows in one COPY, and history
    outlives an archived partner."""

    __tablename__ = "score_snapshot"
    __table_args__ = (Index("ix_score_snapshot_team_partner_day", "team_id", "partner_id", "day"),)

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    partner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    satisfaction: Mapped[float | None] = mapped_column(Float)
    engagement: Mapped[float | None] = mapped_column(Float)
    recency: Mapped[float | None] = mapped_column(Float)
    business: Mapped[float | None] = mapped_column(Float)
    delivery: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(32))


class SnapshotRunStatus(enum.StrEnum):
    CLAIMED = "claimed"  # a process is taking it
    DONE = "done"


class SnapshotRun(Base):
    """The claim on one workspace's snapshot of one day: inserted before the scores are computed,
    so two schedulers on one PostgreSQL take each day once. ``backfilled`` marks the run that
    built the history from the logged data (the workspace's first)."""

    __tablename__ = "snapshot_run"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[SnapshotRunStatus] = mapped_column(
        values_of(SnapshotRunStatus), default=SnapshotRunStatus.CLAIMED
    )
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    days: Mapped[int] = mapped_column(Integer, default=0)  # days written (more than 1: backfill, gaps)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    first_day: Mapped[date | None] = mapped_column(Date)  # the earliest day this run wrote


class AlertSettings(Base):
    """A workspace's drop alerts: how many points a score must fall over 7 days, and on or off.
    No row: the defaults (10 points, on)."""

    __tablename__ = "alert_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    drop_points: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column()
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class AlertStatus(enum.StrEnum):
    CLAIMED = "claimed"  # a process is sending it
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"  # Slack will never take it (the owner is gone)


class AlertSent(Base):
    """A drop alert about one partner in one ISO week: the unique (team, partner, week) row is the
    claim that makes it go once, whichever process or replica gets there first."""

    __tablename__ = "alert_sent"
    __table_args__ = (
        UniqueConstraint("team_id", "partner_id", "week", name="uq_alert_sent_team_partner_week"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))  # ISO week, "2026-W25"
    owner: Mapped[str] = mapped_column(String(32))
    status: Mapped[AlertStatus] = mapped_column(values_of(AlertStatus), default=AlertStatus.CLAIMED)
    reason: Mapped[str] = mapped_column(Text)  # what the message said moved, for the record
    score_before: Mapped[float | None] = mapped_column(Float)
    score_after: Mapped[float | None] = mapped_column(Float)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))


class ActivityDay(Base):
    """The roll-up of one partner's communications on one UTC day: how many of each kind.

    Kept in the same transaction as every log, edit, undo and import (``storage.rollups``), so a
    ranking sums a few rows per partner instead of reading every communication. Weighted
    engagement is the per-kind counts times scoring's kind weights, applied when it is read.
    """

    __tablename__ = "activity_day"
    __table_args__ = (
        # A partner's days in order: its last day before a moment, and a partner's history.
        Index("ix_activity_day_team_partner_day", "team_id", "partner_id", "day"),
        # SQLite: the table is its primary-key index, so a window's rows are read in one range.
        {"sqlite_with_rowid": False},
    )

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    communications: Mapped[int] = mapped_column(Integer, default=0)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    emails: Mapped[int] = mapped_column(Integer, default=0)
    meetings: Mapped[int] = mapped_column(Integer, default=0)
    qbrs: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[int] = mapped_column(Integer, default=0)
    others: Mapped[int] = mapped_column(Integer, default=0)


class LastContact(Base):
    """Each partner's latest communication, kept with the roll-ups (recency reads one row per
    partner instead of seeking the newest of its communications)."""

    __tablename__ = "last_contact"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DataVersion(Base):
    """A workspace's data version: one more with every committed change that can move a ranking.

    Every process compares it with the version its cached ranking was computed at, so a change
    made by a colleague, another replica or the CLI is seen at once (``storage.versions``)."""

    __tablename__ = "data_version"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class DataChange(Base):
    """Which partner a version of a workspace's data changed (none: possibly every partner), so a
    cached ranking reads again only the partners changed since it was computed."""

    __tablename__ = "data_change"
    __table_args__ = (Index("ix_data_change_team_version", "team_id", "version"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(BigInteger)
    partner_id: Mapped[int | None] = mapped_column(BigInteger)


class PermissionSetting(Base):
    """Who may do one action in one workspace, when an admin changed it from the default
    (``handlers/shared/permissions.py``). No row: the default. ``role`` is the least role allowed:
    ``admins``, ``owners`` (the partner's owner, or whoever created the record) or ``members``."""

    __tablename__ = "permission"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    action: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    updated_by: Mapped[str | None] = mapped_column(String(32))  # None: imported from a CSV file
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)


class AuditEntry(Base):
    """One change to a workspace's records, as the audit trail keeps it (``storage.audit``): who
    (a Slack user ID, ``cli:<login>``, ``scheduler``, ``workflow:<id>``, ``anonymous``), when,
    which record (table, id and a label people recognise, like the partner's name), what happened
    and each changed field's before and after. Written in the transaction of the change; never
    updated or deleted by the app except by the forget commands (``storage.erasure``).

    ``partner_id`` is the partner the record is about (the partner's own rows included), so a
    partner's trail is one indexed read; no foreign key: the trail outlives nothing but a
    forget-partner, which rewrites it itself."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_team_at", "team_id", "at"),
        Index("ix_audit_entry_team_table_record", "team_id", "table_name", "record_id"),
        Index("ix_audit_entry_team_partner_id", "team_id", "partner_id", "id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300), default="")
    partner_id: Mapped[int | None] = mapped_column(BigInteger)
    # {"field": [before, after], …} in JSON's own types (dates and amounts as text).
    changes: Mapped[dict[str, list[object]]] = mapped_column(JSON, default=dict)


# --- Slack installations (multi-workspace OAuth) ---------------------------------------------------
# The tables slack_sdk's SQLAlchemy installation and OAuth-state stores read and write
# (bot/installs.py), declared here so Alembic manages them like every other table (0016). Their
# columns must stay exactly slack_sdk's (tests/bot/test_installs.py compares them). Installations are
# per workspace (team_id); an OAuth state exists before any workspace does, so it has none.

SlackInstallations = Table(
    "slack_installations",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)

SlackBots = Table(
    "slack_bots",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

SlackOAuthStates = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
