"""covering index for ranking windows

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 05:01:21.196809
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_team_time"))
        batch_op.create_index(
            "ix_interaction_team_time_partner_kind",
            ["team_id", "occurred_at", "partner_id", "kind"],
            unique=False,
        )
        # With kind in it, the per-partner index covers /partner show's counts too, so SQLite
        # (which has no statistics) never prefers the window index for a one-partner question.
        batch_op.drop_index("ix_interaction_team_partner_time")
        batch_op.create_index(
            "ix_interaction_team_partner_time_kind",
            ["team_id", "partner_id", "occurred_at", "kind"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_team_partner_time_kind")
        batch_op.create_index(
            "ix_interaction_team_partner_time", ["team_id", "partner_id", "occurred_at"], unique=False
        )
        batch_op.drop_index("ix_interaction_team_time_partner_kind")
        batch_op.create_index(
            batch_op.f("ix_interaction_team_time"), ["team_id", "occurred_at"], unique=False
        )
