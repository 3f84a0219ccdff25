"""scoring weights

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:18:01.469377
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "scoring_weights",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("satisfaction", sa.Float(), nullable=False),
        sa.Column("engagement", sa.Float(), nullable=False),
        sa.Column("recency", sa.Float(), nullable=False),
        sa.Column("business", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_scoring_weights")),
    )
    op.create_table(
        "weight_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_weights", sa.Text(), nullable=False),
        sa.Column("new_weights", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weight_change")),
    )
    with op.batch_alter_table("weight_change", schema=None) as batch_op:
        batch_op.create_index("ix_weight_change_team_time", ["team_id", "changed_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("weight_change", schema=None) as batch_op:
        batch_op.drop_index("ix_weight_change_team_time")

    op.drop_table("weight_change")
    op.drop_table("scoring_weights")
