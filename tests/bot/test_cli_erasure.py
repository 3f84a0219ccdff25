"""``partnerbot forget-team``, ``forget-user``, ``forget-partner`` and ``retention`` as an operator
runs them (bot.cli.main with arguments), on both databases."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from bot.cli import main
from storage.db import Database
from storage.models import Interaction, Partner
from storage.slack_ids import FORMER_USER
from tests.storage.workspaces import PERSON, fill, team_rows


@pytest.fixture
def cli(database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PARTNERBOT_NOTE_RETENTION_MONTHS", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _partners(database: Database, team_id: str) -> list[str]:
    with database.read() as session:
        return sorted(session.scalars(select(Partner.name).where(Partner.team_id == team_id)))


def test_forget_team_off_a_terminal_needs_yes_then_erases_and_says_what(
    cli, database: Database, team_id: str, other_team_id: str
) -> None:
    filled = fill(database, team_id)
    fill(database, other_team_id)
    code, _, err = cli("forget-team", team_id)
    assert code == 2 and "--yes" in err and "nothing was changed" in err
    assert _partners(database, team_id) == ["Acme", "Globex"]

    code, out, _ = cli("forget-team", team_id, "--yes")
    assert code == 0
    assert "erased" in out and "partner: 2 removed" in out and "score_snapshot: 2 removed" in out
    with database.read() as session:
        assert not any(team_rows(session, team_id, filled.survey_ids).values())
    assert _partners(database, other_team_id) == ["Acme", "Globex"]


def test_forget_team_asks_on_a_terminal(
    cli, database: Database, team_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(database, team_id)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _question: "no")
    code, _, err = cli("forget-team", team_id)
    assert code == 2 and "stopped; nothing was changed" in err
    assert _partners(database, team_id) == ["Acme", "Globex"]
    monkeypatch.setattr("builtins.input", lambda _question: "yes")
    assert cli("forget-team", team_id)[0] == 0
    assert _partners(database, team_id) == []


def test_forget_team_of_an_unknown_workspace_says_nothing_matched(cli, team_id: str) -> None:
    code, _, err = cli("forget-team", team_id, "--yes")
    assert code == 1 and "nothing matched" in err


def test_forget_user_makes_them_a_former_user(
    cli, database: Database, team_id: str, other_team_id: str
) -> None:
    fill(database, team_id)
    fill(database, other_team_id)
    code, out, _ = cli("forget-user", f"<@{PERSON}>", "--team", team_id)
    assert code == 0 and "interaction.user_id: 1 changed" in out
    with database.read() as session:
        owners = dict(
            session.execute(
                select(Partner.team_id, Partner.owner).where(
                    Partner.name == "Acme", Partner.team_id.in_([team_id, other_team_id])
                )
            ).all()
        )
    assert owners == {team_id: FORMER_USER, other_team_id: PERSON}

    code, _, err = cli("forget-user", PERSON, "--team", team_id)
    assert code == 1 and "nothing matched" in err
    code, _, err = cli("forget-user", "ann")
    assert code == 2 and "not a Slack user ID" in err


def test_forget_partner_suggests_a_name_then_deletes_it(cli, database: Database, team_id: str) -> None:
    fill(database, team_id)
    code, _, err = cli("forget-partner", "Acne", "--team", team_id, "--yes")
    assert code == 1 and "nothing matched" in err and "did you mean Acme" in err
    code, out, _ = cli("forget-partner", "acme", "--team", team_id, "--yes")
    assert code == 0 and "deleted Acme" in out and "interaction: 1 removed" in out
    assert _partners(database, team_id) == ["Globex"]


def test_retention_needs_the_setting_and_blanks_old_notes(
    cli, database: Database, team_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(database, team_id)  # its communications happened on 2026-06-15
    code, _, err = cli("retention", "--team", team_id)
    assert code == 2 and "PARTNERBOT_NOTE_RETENTION_MONTHS is not set" in err

    monkeypatch.setenv("PARTNERBOT_NOTE_RETENTION_MONTHS", "12")
    with time_machine.travel(datetime(2027, 6, 14, tzinfo=UTC), tick=False):
        code, out, _ = cli("retention", "--team", team_id)
    assert code == 0 and "blanked 0 communication notes" in out  # a day short of 12 months
    with time_machine.travel(datetime(2027, 6, 16, tzinfo=UTC), tick=False):
        code, out, _ = cli("retention", "--team", team_id)
    assert code == 0 and "blanked 2 communication notes older than 12 months" in out
    with database.read() as session:
        notes = session.scalars(select(Interaction.notes).where(Interaction.team_id == team_id)).all()
    assert notes == ["", ""]
