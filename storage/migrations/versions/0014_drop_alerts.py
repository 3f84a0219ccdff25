"""drop alerts

A workspace's drop-alert settings (``alert_settings``: points over 7 days, on or off, who set
them) and the alerts sent (``alert_sent``), whose unique (team, partner, ISO week) row is the
claim that makes an alert go once per partner per week across schedulers.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-15 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_settings",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("drop_points", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(32), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_alert_settings")),
    )
    op.create_table(
        "alert_sent",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("partner_id", _ID, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("score_before", sa.Float()),
        sa.Column("score_after", sa.Float()),
        sa.Column("claimed_at", _WHEN, nullable=False),
        sa.Column("sent_at", _WHEN),
        sa.Column("channel", sa.String(32)),
        sa.Column("message_ts", sa.String(32)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_sent")),
        sa.UniqueConstraint("team_id", "partner_id", "week", name="uq_alert_sent_team_partner_week"),
    )


def downgrade() -> None:
    op.drop_table("alert_sent")
    op.drop_table("alert_settings")
