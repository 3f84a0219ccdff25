"""``partnerbot backup`` and ``restore`` as an operator runs them: subprocesses with DATABASE_URL,
one-line results and refusals on standard error, no progress bars when it is not a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.progress import CountingLines, TerminalProgress
from storage.migrate import head_revision
from tests.conftest import fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
TEAM = "T0CLI0BACKUP"


def partnerbot(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def exported(database_url: str) -> dict[str, str]:
    tables = (
        "partners",
        "interactions",
        "feedback",
        "projects",
        "resources",
        "needs",
        "followups",
        "history",
    )
    return {table: partnerbot(database_url, "export", table, "--team", TEAM).stdout for table in tables}


@pytest.fixture(params=["sqlite", "postgresql"])
def urls(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A source and an empty target database URL of one kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'target.db'}"
        return
    with fresh_postgres_database() as source, fresh_postgres_database() as target:
        yield (
            source.url.render_as_string(hide_password=False),
            target.url.render_as_string(hide_password=False),
        )


def test_backup_then_restore_gives_the_same_exports_and_refusals_are_one_line(
    urls: tuple[str, str], tmp_path: Path
) -> None:
    source, target = urls
    csv = tmp_path / "partners.csv"
    csv.write_text("name,tier\nAcme,gold\nGlobex,silver\n", encoding="utf-8")
    assert partnerbot(source, "import", "partners", str(csv), "--team", TEAM).returncode == 0
    path = tmp_path / "nightly.backup"
    made = partnerbot(source, "backup", str(path))
    assert made.returncode == 0, made.stderr
    assert "backed up" in made.stderr and f"schema {head_revision()}" in made.stderr
    assert "\r" not in made.stderr  # no progress bar drawn when standard error is not a terminal

    restored = partnerbot(target, "restore", str(path))
    assert restored.returncode == 0, restored.stderr
    assert exported(target) == exported(source)
    assert "Acme" in exported(target)["partners"]

    again = partnerbot(target, "restore", str(path))
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        "partnerbot: restore refused: the database at DATABASE_URL is not empty (1 audit_entry rows, "
        "1 data_change rows, 1 data_version rows, 2 partner rows): restore into an empty one, "
        "or add --force to replace them; nothing was changed"
    ]
    forced = partnerbot(target, "restore", str(path), "--force")
    assert (
        forced.returncode == 0
        and "replaced what the database held: 1 audit_entry, 1 data_change, 1 data_version, 2 partner rows"
        in forced.stderr
    )

    not_a_backup = partnerbot(target, "restore", str(csv))
    assert not_a_backup.returncode == 2
    assert not_a_backup.stderr.startswith("partnerbot: restore refused: not a Partnerbot backup")
    assert len(not_a_backup.stderr.strip().splitlines()) == 1

    nowhere = partnerbot(source, "backup", str(csv / "x.backup"))
    assert nowhere.returncode == 2 and "backup failed, no file was written" in nowhere.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".db")) == [
        "nightly.backup",
        "partners.csv",
    ]


def test_progress_is_drawn_on_a_terminal_only(capsys: pytest.CaptureFixture[str]) -> None:
    quiet = TerminalProgress(enabled=False)
    quiet("copying pages", 5, 10)
    assert capsys.readouterr().err == ""
    shown = TerminalProgress(enabled=True)
    shown("copying pages", 5, 10)
    shown("copying pages", 10, 10)
    shown.close()
    assert "copying pages" in capsys.readouterr().err
    assert TerminalProgress().enabled is False  # pytest's captured stderr is no terminal


def test_an_import_reports_the_bytes_it_has_read(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int | None]] = []
    source = tmp_path / "partners.csv"
    source.write_text("name\nAcmé\n", encoding="utf-8")
    with source.open(encoding="utf-8") as file:
        lines = list(CountingLines(file, lambda *step: seen.append(step), source.stat().st_size))  # type: ignore[arg-type]
    assert lines == ["name\n", "Acmé\n"]
    assert seen == [("reading", 5, 11), ("reading", 11, 11)]
