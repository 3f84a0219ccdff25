"""partner needs

The seeds' partner needs analysis: what each partner needs from us (pricing, technical,
integration, marketing, funding, training, support, other), how much it matters and how hard it is
to give, from the day it was raised until it is met or declined. Scoped by workspace like every
table; a replayed Slack request finds its need by ``request_key``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "need",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("partner_id", _ID, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("difficulty", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date()),
        sa.Column("closed_by", sa.String(32)),
        sa.Column("close_notes", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(32)),
        sa.Column("request_key", sa.String(200)),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("team_id", "request_key", name="uq_need_team_request"),
    )
    op.create_index("ix_need_team_partner_status", "need", ["team_id", "partner_id", "status"])
    op.create_index("ix_need_team_status_raised", "need", ["team_id", "status", "raised_on"])
    op.create_index("ix_need_team_closed", "need", ["team_id", "closed_on"])


def downgrade() -> None:
    op.drop_index("ix_need_team_closed", table_name="need")
    op.drop_index("ix_need_team_status_raised", table_name="need")
    op.drop_index("ix_need_team_partner_status", table_name="need")
    op.drop_table("need")
