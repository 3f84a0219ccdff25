"""who may do what

A workspace's changes to the default roles (``permission``: per action, the least role allowed —
admins, owners or members — and who changed it when). No row: the default of
``handlers/shared/permissions.py``.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "permission",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("updated_by", sa.String(32)),  # empty: imported from a CSV file
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "action", name=op.f("pk_permission")),
    )


def downgrade() -> None:
    op.drop_table("permission")
