"""Bulk loading (storage.bulk) through imports: rows stored exactly as the ORM stores them, chunks
in one transaction, indexes dropped and rebuilt; on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, inspect, select, text
from transfers import SEED_PARTNERS, count, load

from storage import bulk
from storage.db import Database
from storage.models import Interaction, Partner
from storage.transfer import ImportFailed


def test_imported_rows_are_stored_exactly_like_rows_the_app_writes(database: Database, team_id: str) -> None:
    # Bulk import bypasses the ORM (COPY on PostgreSQL, prepared executemany on SQLite); the
    # stored values must be the same as the ORM's, or SQLite's text-ordered timestamps would misbehave.
    load(database, "partners", "name,revenue\nGlobex,1234.5\n", team_id)
    load(
        database,
        "interactions",
        "partner,kind,occurred_at,follow_up_on\nGlobex,call,2024-05-01T10:00:00.5+02:00,2024-06-01\n",
        team_id,
    )
    with database.transaction() as session:
        partner_id = session.scalars(select(Partner.id).where(Partner.team_id == team_id)).one()
        imported = session.scalars(select(Interaction).where(Interaction.team_id == team_id)).one()
        session.add(
            Interaction(
                team_id=team_id,
                partner_id=partner_id,
                kind="call",
                occurred_at=datetime(2024, 5, 1, 8, 0, 0, 500000, tzinfo=UTC),
                follow_up_on=date(2024, 6, 1),
                created_at=imported.created_at,
            )
        )
    raw = text(
        "SELECT occurred_at, follow_up_on, created_at, notes FROM interaction"
        " WHERE team_id = :team ORDER BY id"
    )
    with database.read() as session:
        imported_row, orm_row = session.execute(raw, {"team": team_id}).all()
    assert tuple(imported_row) == tuple(orm_row)


def test_import_writes_in_chunks_in_one_transaction(
    database: Database, team_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_SIZE", 2)
    load(database, "partners", SEED_PARTNERS, team_id)
    good = "".join(f"Globex,call,2024-05-0{day}\n" for day in range(1, 6))
    with pytest.raises(ImportFailed) as failure:
        load(database, "interactions", f"partner,kind,occurred_at\n{good}Globex,lunch,2024-05-09\n", team_id)
    assert failure.value.line == 7
    assert count(database, Interaction, team_id) == 0  # the chunks already sent were rolled back
    assert load(database, "interactions", f"partner,kind,occurred_at\n{good}", team_id).rows == 5
    assert count(database, Interaction, team_id) == 5


def _interaction_indexes(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return {index["name"] for index in inspect(connection).get_indexes("interaction")}


@pytest.mark.parametrize("bad_last_row", [False, True])
def test_a_large_import_keeps_every_index(database: Database, team_id: str, bad_last_row: bool) -> None:
    """Large files are loaded with the indexes rebuilt at the end (SQLite); a bad row on the last
    line still leaves nothing written and every index in place."""
    before = _interaction_indexes(database)
    rows = bulk.CHUNK_SIZE * 2 + 5
    lines = ["partner,kind,occurred_at"] + [
        f"Acme Corp,call,2024-05-01T10:{i % 60:02d}:00Z" for i in range(rows)
    ]
    if bad_last_row:
        lines.append("Acme Corp,lunch,2024-05-01")
    load(database, "partners", SEED_PARTNERS, team_id)
    if bad_last_row:
        with pytest.raises(ImportFailed, match=f"line {rows + 2}"):
            load(database, "interactions", "\n".join(lines) + "\n", team_id)
        assert count(database, Interaction, team_id) == 0
    else:
        assert load(database, "interactions", "\n".join(lines) + "\n", team_id).rows == rows
        assert count(database, Interaction, team_id) == rows
    assert _interaction_indexes(database) == before


def _index_statements(
    database: Database, monkeypatch: pytest.MonkeyPatch, team_id: str, rows: int
) -> list[str]:
    """The DROP/CREATE INDEX statements an interactions import of ``rows`` rows sends."""
    sent: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "INDEX" in statement.upper():
            sent.append(statement.split("(")[0].strip())

    monkeypatch.setattr(bulk, "CHUNK_SIZE", 3)
    load(database, "partners", SEED_PARTNERS, team_id)
    lines = "".join(f"Globex,call,2024-05-01T10:{i:02d}:00Z\n" for i in range(rows))
    event.listen(database.engine, "before_cursor_execute", note)
    try:
        assert load(database, "interactions", f"partner,kind,occurred_at\n{lines}", team_id).rows == rows
    finally:
        event.remove(database.engine, "before_cursor_execute", note)
    return sent


def test_a_large_load_rebuilds_the_secondary_indexes_once(
    database: Database, team_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _index_statements(database, monkeypatch, team_id, rows=10)
    secondary = {index.name for index in Interaction.__table__.indexes if not index.unique}
    dropped = {statement.split()[2].strip('"') for statement in sent if statement.startswith("DROP")}
    created = {statement.split()[2].strip('"') for statement in sent if statement.startswith("CREATE")}
    assert dropped == created == secondary
    assert _interaction_indexes(database) >= secondary


def test_a_small_load_keeps_the_indexes_up_to_date_instead(
    database: Database, team_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _index_statements(database, monkeypatch, team_id, rows=3) == []  # one chunk: not large


def test_postgresql_keeps_a_busy_tables_indexes(
    database: Database, team_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dropping an index locks the table until the load commits: not done to a table with many rows."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers take the whole database whatever the load does")
    monkeypatch.setattr(bulk, "REBUILD_BELOW_ROWS", 0)
    assert _index_statements(database, monkeypatch, team_id, rows=10) == []
