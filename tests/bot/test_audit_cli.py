"""``partnerbot audit --team T… [--since DATE] [-o FILE]``: the workspace's trail as CSV, one line
per changed field, cells a spreadsheet would run defused; on both databases."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.cli import main
from storage import partners as partner_store
from storage.db import Database


@pytest.fixture
def cli(database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_audit_writes_the_trail_as_csv_one_line_per_field(
    cli, database: Database, team_id: str, other_team_id: str, tmp_path: Path
) -> None:
    with database.transaction(actor="U0ANN") as session:
        partner = partner_store.add_partner(session, team_id, "=Acme", tier="gold")
    with database.transaction(actor="cli:ops") as session:
        partner_store.update_partner(
            session, partner_store.get_partner(session, team_id, partner.id), tier="silver"
        )
    with database.transaction(actor="U0ZED") as session:
        partner_store.add_partner(session, other_team_id, "Globex")

    code, out, err = cli("audit", "--team", team_id)
    assert code == 0 and "exported 4 audit lines" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["actor"], r["action"], r["table"], r["field"], r["before"], r["after"]) for r in rows] == [
        ("U0ANN", "added", "partner", "name", "", "'=Acme"),
        ("U0ANN", "added", "partner", "status", "", "active"),
        ("U0ANN", "added", "partner", "tier", "", "gold"),
        ("cli:ops", "changed", "partner", "tier", "gold", "silver"),
    ]
    assert {r["label"] for r in rows} == {"'=Acme"} and {r["record_id"] for r in rows} == {str(partner.id)}

    target = tmp_path / "trail.csv"
    assert cli("audit", "--team", team_id, "--since", "2999-01-01", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == "at,actor,action,table,record_id,label,field,before,after\n"


def test_audit_refuses_a_since_that_is_not_a_date(cli, team_id: str) -> None:
    code, _, err = cli("audit", "--team", team_id, "--since", "last tuesday")
    assert code != 0 and "--since takes a date like 2026-01-31" in err
