"""communication roll-ups and data versions

Per partner and UTC day, how many communications of each kind (``activity_day``), each partner's
last contact (``last_contact``), each workspace's data version (``data_version``) and which
partners each version changed (``data_change``): rankings read the roll-ups instead of every
communication, and every process sees a change at once.
The roll-ups are counted here from the communications already logged.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = {
    "calls": "call",
    "emails": "email",
    "meetings": "meeting",
    "qbrs": "qbr",
    "events": "event",
    "notes": "note",
    "others": "other",
}


def upgrade() -> None:
    op.create_table(
        "activity_day",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("communications", sa.Integer(), nullable=False),
        *(sa.Column(column, sa.Integer(), nullable=False) for column in _KINDS),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name="fk_activity_day_partner_id_partner", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "day", "partner_id", name="pk_activity_day"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_activity_day_team_partner_day", "activity_day", ["team_id", "partner_id", "day"])
    op.create_table(
        "last_contact",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name="fk_last_contact_partner_id_partner", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "partner_id", name="pk_last_contact"),
    )
    op.create_table(
        "data_version",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name="pk_data_version"),
    )
    op.create_table(
        "data_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("partner_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_data_change"),
    )
    op.create_index("ix_data_change_team_version", "data_change", ["team_id", "version"])
    day = (
        "CAST(timezone('UTC', occurred_at) AS DATE)"
        if op.get_bind().dialect.name == "postgresql"
        else "substr(occurred_at, 1, 10)"
    )
    counts = ", ".join(f"SUM(CASE WHEN kind = '{kind}' THEN 1 ELSE 0 END)" for kind in _KINDS.values())
    op.execute(
        f"INSERT INTO activity_day (team_id, day, partner_id, communications, {', '.join(_KINDS)}) "
        f"SELECT team_id, {day}, partner_id, COUNT(*), {counts} FROM interaction "
        f"GROUP BY team_id, partner_id, {day}"
    )
    op.execute(
        "INSERT INTO last_contact (team_id, partner_id, occurred_at) "
        "SELECT team_id, partner_id, MAX(occurred_at) FROM interaction GROUP BY team_id, partner_id"
    )


def downgrade() -> None:
    op.drop_index("ix_data_change_team_version", table_name="data_change")
    op.drop_table("data_change")
    op.drop_table("data_version")
    op.drop_table("last_contact")
    op.drop_index("ix_activity_day_team_partner_day", table_name="activity_day")
    op.drop_table("activity_day")
