"""feedback submissions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 04:48:09.673016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "feedback_submission",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("request_key", sa.String(length=200), nullable=False),
        sa.Column("feedback_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_feedback_submission_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "request_key", name=op.f("pk_feedback_submission")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_feedback_team_request"), type_="unique")
        batch_op.drop_column("request_key")


def downgrade() -> None:

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.VARCHAR(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_feedback_team_request"), ["team_id", "request_key"])

    op.drop_table("feedback_submission")
