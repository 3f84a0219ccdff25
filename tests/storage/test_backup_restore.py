"""Backups and restores on SQLite and PostgreSQL (pg_dump and the app's own COPY export both).

A backup restored into a fresh database exports exactly what the source exported; a backup taken
while communications keep being logged restores to one consistent moment; every refusal leaves
the target as it was; a backup that cannot be written leaves no file behind.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from transfers import dump, load

import storage.backup as backup_module
from storage import interactions, partners
from storage.backup import find_pg_dump, pg_dump_major, take_backup
from storage.backup_file import MANIFEST, BackupError, RestoreRefused
from storage.db import Database
from storage.migrate import head_revision, upgrade
from storage.models import ActivityDay, Interaction, InteractionKind, LastContact
from storage.restore import records_in, restore_backup
from tests.conftest import fresh_postgres_database

EXPORTS = ("partners", "interactions", "feedback", "projects", "resources", "needs", "followups", "history")
PARTNERS = "name,tier,owner,revenue\nAcme,gold,U0123ABCD,1200.50\nGlobex,silver,,\nInitech,,U0456EFGH,\n"
INTERACTIONS = (
    "partner,kind,occurred_at,notes,user\n"
    'Acme,call,2026-03-01T10:00:00Z,"first call, with\nline break",U0123ABCD\n'
    "Globex,email,2026-03-02T11:30:00Z,=SUM(A1),U0456EFGH\n"
    "Acme,meeting,2026-03-03T09:15:00Z,,\n"
)
FEEDBACK = "partner,csat,nps,comment,submitted_at\nAcme,4,9,good,2026-03-04T08:00:00Z\n"
PROJECTS = "partner,name,status,value,progress\nAcme,Launch,active,5000,40\n"
NEEDS = "partner,type,description\nGlobex,training,Needs onboarding\n"
FOLLOWUPS = "partner,owner,due_on,what\nInitech,U0456EFGH,2026-04-01,Send the deck\n"


def seed(database: Database, team_id: str) -> None:
    for kind, text in (
        ("partners", PARTNERS),
        ("interactions", INTERACTIONS),
        ("feedback", FEEDBACK),
        ("projects", PROJECTS),
        ("needs", NEEDS),
        ("followups", FOLLOWUPS),
    ):
        load(database, kind, text, team_id)


def exports(database: Database, team_id: str) -> dict[str, str]:
    return {kind: dump(database, kind, team_id) for kind in EXPORTS}


@pytest.fixture
def target(database: Database, tmp_path: Path) -> Iterator[Database]:
    """An empty database of the same kind as ``database``, to restore into."""
    if database.dialect == "postgresql":
        with fresh_postgres_database() as fresh:
            yield fresh
        return
    fresh = Database(f"sqlite:///{tmp_path / 'restored.db'}")
    yield fresh
    fresh.dispose()


def pg_dump_methods(database: Database) -> list[str | None]:
    """The PostgreSQL backup paths to try: pg_dump when one can dump this server, and always COPY."""
    if database.dialect != "postgresql":
        return [None]
    program, _why = find_pg_dump(database)
    return [program, None] if program else [None]


def test_a_restored_backup_exports_exactly_what_the_source_did(
    database: Database, target: Database, team_id: str, tmp_path: Path
) -> None:
    seed(database, team_id)
    before = exports(database, team_id)
    assert before["interactions"].count("\n") == 5 and "first call" in before["interactions"]
    for method in pg_dump_methods(database):
        path = tmp_path / f"partnerbot-{method is not None}.backup"
        made = take_backup(database, path, pg_dump=method)
        expected = (
            {"sqlite": "sqlite"}
            if database.dialect == "sqlite"
            else {"postgresql": "pg_dump" if method else "copy"}
        )
        assert {made.manifest.backend: made.manifest.method} == expected
        restored = restore_backup(target, path, force=True)
        assert exports(target, team_id) == before
        assert restored.manifest.revision == made.manifest.revision
        # Ids restored explicitly do not collide with the next one handed out.
        with target.transaction() as session:
            added = partners.add_partner(session, team_id, "Umbrella")
            session.flush()
            assert added.id > max(
                p.id for p in partners.search_partners(session, team_id, "") if p.name != "Umbrella"
            )
        with target.transaction() as session:
            session.delete(added)


def test_a_backup_taken_while_communications_are_logged_restores_one_moment(
    database: Database, target: Database, team_id: str, tmp_path: Path
) -> None:
    load(database, "partners", PARTNERS, team_id)
    with database.read() as session:
        partner_ids = [p.id for p in partners.search_partners(session, team_id, "")]
    stop = threading.Event()
    logged: list[int] = []

    def keep_logging() -> None:
        moment = datetime(2026, 3, 1, tzinfo=UTC)
        while not stop.is_set():
            moment += timedelta(minutes=7)
            with database.transaction() as session:
                done = interactions.log_interaction(
                    session,
                    team_id,
                    partner_id=partner_ids[len(logged) % len(partner_ids)],
                    kind=InteractionKind.CALL,
                    occurred_at=moment,
                    notes=f"call {len(logged)}",
                    user_id="U0123ABCD",
                )
                session.flush()
                new_id = done.interaction.id
            logged.append(new_id)

    writer = threading.Thread(target=keep_logging)
    writer.start()
    try:
        while len(logged) < 20:
            stop.wait(0.01)
        methods = pg_dump_methods(database)
        path = tmp_path / "busy.backup"
        take_backup(database, path, pg_dump=methods[-1])  # the app's own path
        if len(methods) > 1:
            take_backup(database, tmp_path / "busy-pg_dump.backup", pg_dump=methods[0])
        count_after_backup = len(logged)
        while len(logged) < count_after_backup + 5:  # writes carried on after the backup
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()

    for taken in sorted(tmp_path.glob("busy*.backup")):
        restore_backup(target, taken, force=True)
        with target.read() as session:
            restored = list(session.scalars(select(Interaction.id).where(Interaction.team_id == team_id)))
            per_partner = dict(
                session.execute(
                    select(Interaction.partner_id, func.count())
                    .where(Interaction.team_id == team_id)
                    .group_by(Interaction.partner_id)
                ).all()
            )
            rolled_up = dict(
                session.execute(
                    select(ActivityDay.partner_id, func.sum(ActivityDay.communications))
                    .where(ActivityDay.team_id == team_id)
                    .group_by(ActivityDay.partner_id)
                ).all()
            )
            latest = dict(
                session.execute(
                    select(Interaction.partner_id, func.max(Interaction.occurred_at))
                    .where(Interaction.team_id == team_id)
                    .group_by(Interaction.partner_id)
                ).all()
            )
            last_contact = dict(
                session.execute(
                    select(LastContact.partner_id, LastContact.occurred_at).where(
                        LastContact.team_id == team_id
                    )
                ).all()
            )
        # A prefix of what was logged, one after another: nothing from after the snapshot, no gap.
        assert 20 <= len(restored) < len(logged)
        assert sorted(restored) == logged[: len(restored)]
        # The roll-ups and last contacts are the ones of that same moment.
        assert {k: int(v) for k, v in rolled_up.items()} == per_partner
        assert last_contact == latest


def test_restore_refuses_a_database_with_records_unless_forced(
    database: Database, target: Database, team_id: str, tmp_path: Path
) -> None:
    seed(database, team_id)
    path = tmp_path / "full.backup"
    take_backup(database, path, pg_dump=pg_dump_methods(database)[0])
    upgrade(target)
    load(target, "partners", "name\nOnly Mine\n", team_id)
    held = records_in(target)
    with pytest.raises(RestoreRefused, match=r"not empty \(.*1 partner rows.*add --force"):
        restore_backup(target, path)
    assert records_in(target) == held and "Only Mine" in dump(target, "partners", team_id)
    replaced = restore_backup(target, path, force=True)
    assert replaced.replaced == held
    assert "Only Mine" not in dump(target, "partners", team_id)
    assert dump(target, "partners", team_id) == dump(database, "partners", team_id)


def _newer(path: Path, into: Path) -> Path:
    """A copy of the backup at ``path`` claiming a schema revision this code does not know."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(into, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == MANIFEST:
                manifest = json.loads(data)
                manifest["revision"] = "0999"
                data = json.dumps(manifest).encode()
            copy.writestr(item, data)
    return into


def test_restore_refuses_what_is_not_a_backup_it_can_read_and_changes_nothing(
    database: Database, target: Database, team_id: str, tmp_path: Path
) -> None:
    seed(database, team_id)
    good = tmp_path / "good.backup"
    take_backup(database, good, pg_dump=pg_dump_methods(database)[0])
    random_bytes = tmp_path / "random.bin"
    random_bytes.write_bytes(bytes(range(256)) * 40)
    stranger_zip = tmp_path / "stranger.zip"
    with zipfile.ZipFile(stranger_zip, "w") as archive:
        archive.writestr("notes.txt", "hello")
    wrong_manifest = tmp_path / "wrong.zip"
    with zipfile.ZipFile(wrong_manifest, "w") as archive:
        archive.writestr(MANIFEST, json.dumps({"format": "someone-else", "revision": "0001"}))
    a_sqlite_file = tmp_path / "plain.sqlite"
    with sqlite3.connect(a_sqlite_file) as plain:
        plain.execute("CREATE TABLE partner (id INTEGER PRIMARY KEY)")
    cases = {
        random_bytes: "not a Partnerbot backup",
        stranger_zip: "no Partnerbot manifest",
        wrong_manifest: "not a Partnerbot backup",
        a_sqlite_file: "not a Partnerbot backup",
        _newer(
            good, tmp_path / "newer.backup"
        ): rf"newer Partnerbot \(schema revision 0999; this one knows up to {head_revision()}\)",
        tmp_path / "missing.backup": "no such file",
    }
    for path, reason in cases.items():
        with pytest.raises(RestoreRefused, match=reason):
            restore_backup(target, path, force=True)
        with target.engine.connect() as connection:
            assert backup_module.app_tables(connection) == [], f"{path.name} changed the target"


def test_a_backup_of_one_kind_of_database_is_refused_by_the_other(
    database: Database, team_id: str, tmp_path: Path
) -> None:
    seed(database, team_id)
    path = tmp_path / "one.backup"
    take_backup(database, path, pg_dump=None)
    if database.dialect == "sqlite":
        with fresh_postgres_database() as other, pytest.raises(RestoreRefused, match="same kind of database"):
            restore_backup(other, path)
    else:
        other = Database(f"sqlite:///{tmp_path / 'other.db'}")
        with pytest.raises(
            RestoreRefused, match="backup of a postgresql database and DATABASE_URL is sqlite"
        ):
            restore_backup(other, path)
        with other.engine.connect() as connection:
            assert backup_module.app_tables(connection) == []
        other.dispose()


def test_a_backup_that_cannot_be_written_leaves_nothing_behind(
    database: Database, team_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(database, team_id)
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    with pytest.raises(BackupError, match=r"cannot write the backup to .*a-file/x\.backup: Not a directory"):
        take_backup(database, a_file / "x.backup")
    with pytest.raises(BackupError, match=r"cannot write the backup to .*/nowhere/x\.backup: No such file"):
        take_backup(database, tmp_path / "nowhere" / "x.backup")

    # A failure halfway (the disk filling up while the data is written) removes the partial file.
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "x.backup").write_text("yesterday's backup")

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", disk_full)
    with pytest.raises(BackupError, match="No space left on device"):
        take_backup(database, folder / "x.backup", pg_dump=None)
    assert [p.name for p in folder.iterdir()] == ["x.backup"]
    assert (folder / "x.backup").read_text() == "yesterday's backup"  # the old one stays whole


def test_pg_dump_is_used_only_when_it_can_dump_the_server(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert pg_dump_major("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)") == 15
    assert pg_dump_major("pg_dump (PostgreSQL) 9.6.24") == 9
    if database.dialect != "postgresql":
        return
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    assert find_pg_dump(database) == (None, "pg_dump is not on PATH")


def test_backup_and_restore_report_their_progress(
    database: Database, target: Database, team_id: str, tmp_path: Path
) -> None:
    seed(database, team_id)
    path = tmp_path / "watched.backup"
    steps: list[tuple[str, int, int | None]] = []
    take_backup(database, path, pg_dump=None, progress=lambda *step: steps.append(step))
    assert steps, "a backup reports its progress"
    step = "interaction" if database.dialect == "postgresql" else "copying pages"
    _, done, total = [s for s in steps if s[0] == step][-1]
    assert total is not None and done == total >= 3  # the whole table (file) was reported copied
    restore_backup(target, path, progress=lambda *step: steps.append(step))
    assert steps[-1] == ("bringing the schema up to date", 0, None)
