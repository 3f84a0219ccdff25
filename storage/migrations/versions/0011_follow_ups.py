"""follow-ups

A follow-up date was stored on a communication and nothing ever happened on it. Follow-ups become
their own records, owned by a person and reminded on their date. Every follow-up date already
stored becomes an open follow-up of the person who logged it (or the partner's owner); those whose
date has passed count as reminded, so upgrading never sends a burst of old reminders.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "follow_up",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("partner_id", _ID, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("owner", sa.String(32)),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("done_on", sa.Date()),
        sa.Column("done_by", sa.String(32)),
        sa.Column("snoozes", sa.Integer(), nullable=False),
        sa.Column("interaction_id", _ID, sa.ForeignKey("interaction.id", ondelete="SET NULL")),
        sa.Column("reminded_for", sa.Date()),
        sa.Column("reminder_claimed_at", _WHEN),
        sa.Column("reminder_channel", sa.String(32)),
        sa.Column("reminder_ts", sa.String(32)),
        sa.Column("created_by", sa.String(32)),
        sa.Column("request_key", sa.String(200)),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("team_id", "request_key", name="uq_follow_up_team_request"),
    )
    op.create_index(
        "ix_follow_up_team_owner_status_due", "follow_up", ["team_id", "owner", "status", "due_on"]
    )
    op.create_index(
        "ix_follow_up_team_partner_status_due", "follow_up", ["team_id", "partner_id", "status", "due_on"]
    )
    op.create_index("ix_follow_up_status_due", "follow_up", ["status", "due_on"])
    op.execute(
        """
        INSERT INTO follow_up (team_id, partner_id, owner, what, due_on, status, snoozes,
                               interaction_id, reminded_for, created_by, created_at, updated_at)
        SELECT i.team_id, i.partner_id, COALESCE(i.user_id, p.owner),
               CASE WHEN i.notes <> '' THEN substr(i.notes, 1, 500) ELSE 'Follow up on the ' || i.kind END,
               i.follow_up_on, 'open', 0, i.id,
               CASE WHEN i.follow_up_on < CURRENT_DATE THEN i.follow_up_on END,
               i.user_id, i.created_at, i.created_at
        FROM interaction i JOIN partner p ON p.id = i.partner_id AND p.team_id = i.team_id
        WHERE i.follow_up_on IS NOT NULL
        """
    )


def downgrade() -> None:
    op.drop_index("ix_follow_up_status_due", table_name="follow_up")
    op.drop_index("ix_follow_up_team_partner_status_due", table_name="follow_up")
    op.drop_index("ix_follow_up_team_owner_status_due", table_name="follow_up")
    op.drop_table("follow_up")
