"""audit trail

One table, ``audit_entry``, with a row for every change to a workspace's records: who, when,
which record (table, id, label, the partner it is about), the action and each changed field's
before and after (JSON). Indexed for a workspace's trail in time order, one record's trail, and
one partner's trail newest first.

Revision ID: 0018
Revises: 0017
Create Date: 2027-01-20 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", _ID, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("partner_id", sa.BigInteger(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index("ix_audit_entry_team_at", "audit_entry", ["team_id", "at"])
    op.create_index("ix_audit_entry_team_table_record", "audit_entry", ["team_id", "table_name", "record_id"])
    op.create_index("ix_audit_entry_team_partner_id", "audit_entry", ["team_id", "partner_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_entry_team_partner_id", table_name="audit_entry")
    op.drop_index("ix_audit_entry_team_table_record", table_name="audit_entry")
    op.drop_index("ix_audit_entry_team_at", table_name="audit_entry")
    op.drop_table("audit_entry")
