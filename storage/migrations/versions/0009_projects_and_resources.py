"""joint projects and committed resources

Adds the seeds' two missing modules of partner relationship management: joint projects (name,
goal, plan, progress, result, status) and the resources committed to a partnership (people,
funds, technology), each scoped by workspace; a communication may name its project; the scoring
weights get a delivery weight (empty for weights saved before: the default applies).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("partner_id", _ID, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date()),
        sa.Column("due_on", sa.Date()),
        sa.Column("closed_on", sa.Date()),
        sa.Column("value", sa.Numeric(18, 2)),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(32)),
        sa.Column("updated_by", sa.String(32)),
        sa.Column("closed_by", sa.String(32)),
        sa.Column("request_key", sa.String(200)),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("team_id", "request_key", name="uq_project_team_request"),
    )
    op.create_index("ix_project_team_partner_status", "project", ["team_id", "partner_id", "status"])
    op.create_index("ix_project_team_closed", "project", ["team_id", "closed_on"])
    op.create_table(
        "resource",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("partner_id", _ID, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", _ID, sa.ForeignKey("project.id", ondelete="SET NULL")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("unit", sa.String(40)),
        sa.Column("committed_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(32)),
        sa.Column("request_key", sa.String(200)),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.UniqueConstraint("team_id", "request_key", name="uq_resource_team_request"),
    )
    op.create_index("ix_resource_team_partner", "resource", ["team_id", "partner_id"])
    with op.batch_alter_table("interaction") as batch:
        batch.add_column(sa.Column("project_id", _ID))
        batch.create_foreign_key(
            "fk_interaction_project_id_project", "project", ["project_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("scoring_weights") as batch:
        batch.add_column(sa.Column("delivery", sa.Float()))


def downgrade() -> None:
    with op.batch_alter_table("scoring_weights") as batch:
        batch.drop_column("delivery")
    with op.batch_alter_table("interaction") as batch:
        batch.drop_constraint("fk_interaction_project_id_project", type_="foreignkey")
        batch.drop_column("project_id")
    op.drop_index("ix_resource_team_partner", "resource")
    op.drop_table("resource")
    op.drop_index("ix_project_team_closed", "project")
    op.drop_index("ix_project_team_partner_status", "project")
    op.drop_table("project")
