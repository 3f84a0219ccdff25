"""score history

A daily snapshot of every active partner's score, rank and components (``score_snapshot``), and
the claim that makes each workspace's day snapshotted once across schedulers (``snapshot_run``).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-15 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "score_snapshot",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("partner_id", sa.BigInteger(), nullable=False),
        sa.Column("score", sa.Float()),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("satisfaction", sa.Float()),
        sa.Column("engagement", sa.Float()),
        sa.Column("recency", sa.Float()),
        sa.Column("business", sa.Float()),
        sa.Column("delivery", sa.Float()),
        sa.Column("category", sa.String(32)),
        sa.PrimaryKeyConstraint("team_id", "day", "partner_id", name=op.f("pk_score_snapshot")),
    )
    op.create_index("ix_score_snapshot_team_partner_day", "score_snapshot", ["team_id", "partner_id", "day"])
    op.create_table(
        "snapshot_run",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_at", _WHEN, nullable=False),
        sa.Column("finished_at", _WHEN),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date()),
        sa.PrimaryKeyConstraint("team_id", "day", name=op.f("pk_snapshot_run")),
    )


def downgrade() -> None:
    op.drop_table("snapshot_run")
    op.drop_index("ix_score_snapshot_team_partner_day", table_name="score_snapshot")
    op.drop_table("score_snapshot")
