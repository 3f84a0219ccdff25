"""normalised partner names

Names typed with invisible characters (zero-width spaces, a byte order mark, control codes) or
full-width letters looked like other partners' names but were stored as different ones. This
stores every name the way ``storage.names`` now normalises new ones. Two partners whose names
become the same are true duplicates: they are reported (a warning naming both) and left as they
were, never merged, since merging would need a person to decide which history belongs where.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 12:00:00
"""

import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("partnerbot.migrations")

# A frozen copy of storage.names at this revision: a migration must mean the same thing forever.
_TERMINAL_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?", re.S)
_INVISIBLE = {"Cc", "Cf", "Cs", "Co"}


def _normalise(text: str) -> str:
    text = _TERMINAL_ESCAPES.sub("", unicodedata.normalize("NFKC", text)).replace("\u200b", " ")
    kept = [
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE
    ]
    return " ".join("".join(kept).split())


partner = sa.table(
    "partner",
    sa.column("id", sa.Integer),
    sa.column("team_id", sa.String),
    sa.column("name", sa.String),
    sa.column("name_key", sa.String),
)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(partner.c.id, partner.c.team_id, partner.c.name, partner.c.name_key)).all()
    groups: dict[tuple[str, str], list[tuple[int, str, str, str]]] = defaultdict(list)
    for row_id, team_id, name, key in rows:
        new_name = _normalise(name)
        if not new_name:
            log.warning(
                "partner #%s in %s has a name with no visible characters (%r); left as it is: rename it",
                row_id,
                team_id,
                name,
            )
            continue
        groups[(team_id, new_name.casefold())].append((row_id, name, key, new_name))
    changes: list[tuple[int, str, str]] = []
    for (team_id, new_key), members in groups.items():
        members.sort(key=lambda member: (member[2] != new_key, member[0]))  # the clean name, then the oldest
        keeper, *duplicates = members
        for row_id, name, _, _ in duplicates:
            log.warning(
                "partner #%s %r in %s looks the same as #%s %r once invisible characters are removed; "
                "not merged: rename or archive one of them",
                row_id,
                name,
                team_id,
                keeper[0],
                keeper[1],
            )
        row_id, name, key, new_name = keeper
        if (name, key) != (new_name, new_key):
            changes.append((row_id, new_name, new_key))
    # Two steps, so that no row ever takes a key another row has not given up yet (unique per team).
    for row_id, _, _ in changes:
        bind.execute(partner.update().where(partner.c.id == row_id).values(name_key=f"#migrating#{row_id}#"))
    for row_id, new_name, new_key in changes:
        bind.execute(partner.update().where(partner.c.id == row_id).values(name=new_name, name_key=new_key))


def downgrade() -> None:
    # The characters removed were invisible and meant nothing; there is nothing to put back.
    pass
