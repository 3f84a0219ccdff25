"""json columns

Weight changes (old and new weights) and digest runs (ranks) kept JSON in TEXT columns, written and
read with json.dumps/loads by hand. The models now declare them JSON; on PostgreSQL they become
``json`` columns (the text of every row is kept as it was, and the server refuses what is not
JSON). SQLite has no JSON column type: SQLAlchemy's JSON reads and writes TEXT there, so SQLite's
columns stay as they are (rebuilding them as "JSON" would only change SQLite's type affinity).

Statuses and kinds, now read as enums, need nothing: they stay VARCHAR(16) with the same values.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, nullable)
_JSON_COLUMNS = (
    ("weight_change", "old_weights", False),
    ("weight_change", "new_weights", False),
    ("digest_run", "ranks", True),
)


def upgrade() -> None:
    _retype(sa.JSON(), was=sa.Text(), cast="json")


def downgrade() -> None:
    _retype(sa.Text(), was=sa.JSON(), cast="text")


def _retype(new: sa.types.TypeEngine, *, was: sa.types.TypeEngine, cast: str) -> None:
    """Each JSON column to ``new``, its text cast to ``cast`` as it is; PostgreSQL only."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, nullable in _JSON_COLUMNS:
        op.alter_column(
            table,
            column,
            type_=new,
            existing_type=was,
            existing_nullable=nullable,
            postgresql_using=f"{column}::{cast}",
        )
