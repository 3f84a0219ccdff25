"""feedback and surveys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:51:50.219274
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "secret",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_secret")),
    )
    op.create_table(
        "survey",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("request_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_survey_partner_id_partner"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index("ix_survey_team_partner", ["team_id", "partner_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("survey_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=False),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("respondent", sa.String(length=32), nullable=True),
        sa.Column("respondent_key", sa.String(length=64), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_feedback_partner_id_partner"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_feedback_survey_id_survey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("team_id", "request_key", name="uq_feedback_team_request"),
        sa.UniqueConstraint("team_id", "survey_id", "respondent_key", name="uq_feedback_survey_respondent"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_team_partner_time", ["team_id", "partner_id", "submitted_at"], unique=False
        )
        batch_op.create_index("ix_feedback_team_time", ["team_id", "submitted_at"], unique=False)

    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("survey_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_invitation_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitation")),
    )
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_invitation_survey_id"), ["survey_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_invitation_survey_id"))

    op.drop_table("survey_invitation")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_team_time")
        batch_op.drop_index("ix_feedback_team_partner_time")

    op.drop_table("feedback")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_team_partner")

    op.drop_table("survey")
    op.drop_table("secret")
