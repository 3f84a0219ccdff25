"""CSV files in Slack end to end, on SQLite and PostgreSQL: ``/partner export`` uploads the very
bytes ``partnerbot export`` writes to the person's direct messages, and an admin's upload with
``import <table>`` imports it, all or nothing, or says why not.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.standin.http import HttpStandIn

from .conftest import export_rows, run_cli
from .slack_client import SlackClient, text_of

pytestmark = pytest.mark.e2e

FIFTY_MB = 50 * 1024 * 1024


def dm_of(user: str) -> str:
    return "D" + user[1:]


def cli_export(database_url: str, table: str, team: str, folder: Path) -> bytes:
    path = folder / f"{table}.csv"
    run_cli(database_url, "export", table, "--team", team, "-o", str(path))
    return path.read_bytes()


def exported_file(slack: SlackClient, user: str) -> tuple[bytes, str]:
    """The file the app shared in the person's DM, and the comment it came with."""
    dm = dm_of(user)
    done = slack.standin.wait_for(
        "files.completeUploadExternal", timeout=15, where=lambda c: c.args.get("channel_id") == dm
    )
    assert done.ok, done.response
    (sent,) = done.response["files"]  # type: ignore[index]
    shared = slack.standin.file(sent["id"])
    assert shared is not None and shared.data is not None and shared.user is None  # the app's, not theirs
    return shared.data, str(done.args.get("initial_comment"))


def upload(
    slack: SlackClient, team: str, user: str, text: str, name: str, data: bytes, **file: Any
) -> dict[str, Any]:
    """The person uploads a file to their DM with the app, with ``text`` as its message."""
    info = slack.standin.add_file(name, data, user=user, channel=dm_of(user), **file)
    ts = f"{time.time():.6f}"
    event = {
        "type": "message",
        "subtype": "file_share",
        "upload": True,
        "user": user,
        "text": text,
        "files": [info],
        "channel": dm_of(user),
        "channel_type": "im",
        "ts": ts,
        "event_ts": ts,
    }
    result = slack.send_event(event, team=team)
    assert result.status == 200 and result.elapsed < 3, (result.status, result.elapsed)
    return info


def replies(slack: SlackClient, user: str, count: int) -> list[str]:
    """The first ``count`` messages the app posted in the person's DM (waiting for them)."""
    dm = dm_of(user)
    slack.standin.wait_for(
        "chat.postMessage", timeout=20, where=lambda c: c.args.get("channel") == dm, count=count
    )
    return [
        text_of(c.args)
        for c in slack.standin.calls_to("chat.postMessage", lambda c: c.args.get("channel") == dm)
    ]


def admin(slack: SlackClient, user: str) -> str:
    slack.standin.set_user(user, is_admin=True)
    return user


def test_export_uploads_the_clis_bytes_for_partners(slack, database_url, team, user, tmp_path):
    admin(slack, user)  # whole tables: admins only by default (README, Who may do what)
    for name in ("Acme, Inc.", "=SUM(A1)", "Zürich 'Quotes'"):
        slack.add_partner(name, team=team)
    ack = slack.command_ok("export", team=team, user=user)
    assert "Preparing the partners export" in ack.json["text"]
    data, comment = exported_file(slack, user)
    assert data == cli_export(database_url, "partners", team, tmp_path)
    assert b"'=SUM(A1)" in data  # formula-safe, as the CLI writes it
    assert comment.startswith("Export of partners: 3 rows")


def test_export_uploads_the_clis_bytes_for_interactions(slack, database_url, team, user, tmp_path):
    admin(slack, user)
    slack.command_ok("add Acme", team=team)
    rows = 'partner,kind,occurred_at,notes\nAcme,call,2026-01-05T10:00:00Z,"Two\nlines, one ""quote"""\n'
    rows += "Acme,email,2026-01-06T10:00:00Z,@mention looks like a formula\n"
    run_cli(database_url, "import", "interactions", "-", "--team", team, input=rows)
    slack.command_ok("export interactions", team=team, user=user)
    data, comment = exported_file(slack, user)
    assert data == cli_export(database_url, "interactions", team, tmp_path)
    assert comment.startswith("Export of interactions: 2 rows")


def test_an_unknown_export_table_lists_the_tables(slack, team, user):
    ack = slack.command_ok("export contacts", team=team, user=user)
    assert "“contacts”" in ack.json["text"] and "`history`" in ack.json["text"]
    slack.standin.assert_no_call(
        "conversations.open", within=0.3, where=lambda c: c.args.get("users") == user
    )


def test_an_admins_upload_imports_partners_which_then_export(slack, database_url, team, user, tmp_path):
    admin(slack, user)
    csv_bytes = "\ufeffname,tier\nAcme,gold\nGlobex,silver\n".encode()
    upload(slack, team, user, "import partners", "partners.csv", csv_bytes)
    first, result = replies(slack, user, 2)
    assert "Importing *partners.csv* into partners" in first
    assert "Imported 2 rows into partners from *partners.csv*" in result
    assert [(r["name"], r["tier"]) for r in export_rows(database_url, "partners", team)] == [
        ("Acme", "gold"),
        ("Globex", "silver"),
    ]
    # And back out through Slack: the same bytes as the command line.
    slack.command_ok("export partners", team=team, user=user)
    data, _ = exported_file(slack, user)
    assert data == cli_export(database_url, "partners", team, tmp_path)


def test_a_bad_row_is_named_by_line_and_nothing_is_written(slack, database_url, team, user):
    admin(slack, user)
    upload(slack, team, user, "import partners", "p.csv", b"name,tier\nAcme,gold\n,silver\n")
    result = replies(slack, user, 2)[1]
    assert "Nothing was imported from *p.csv*: line 3:" in result
    assert export_rows(database_url, "partners", team) == []


def test_files_that_are_not_csv_are_refused_with_the_reason(slack, database_url, team, user):
    admin(slack, user)
    upload(
        slack, team, user, "import partners", "logo.png", b"\x89PNG\r\n", filetype="png", mimetype="image/png"
    )
    assert "is not a CSV file" in replies(slack, user, 2)[1]
    upload(slack, team, user, "import partners", "latin.csv", "name\nCafé\n".encode("latin-1"))
    assert "not UTF-8 text (byte 9 is not UTF-8)" in replies(slack, user, 4)[3]
    assert export_rows(database_url, "partners", team) == []


def test_files_over_50_mb_are_refused_before_and_while_downloading(slack, database_url, team, user):
    admin(slack, user)
    big = b"name\n" + b"a" * FIFTY_MB
    stated = upload(slack, team, user, "import partners", "big.csv", big)
    assert "The file is 50.0 MB; I import files of up to 50.0 MB" in replies(slack, user, 2)[1]
    assert not slack.standin.calls_to("file_download", lambda c: c.args["file_id"] == stated["id"])
    # Said to be small, but larger when read: the download stops at the limit.
    lying = upload(slack, team, user, "import partners", "grows.csv", big, size=100)
    assert "larger than 50.0 MB, the most I import" in replies(slack, user, 4)[3]
    assert slack.standin.calls_to("file_download", lambda c: c.args["file_id"] == lying["id"])
    assert export_rows(database_url, "partners", team) == []


def test_someone_not_an_admin_is_told_who_can_import(slack, database_url, team, user):
    info = upload(slack, team, user, "import partners", "p.csv", b"name\nAcme\n")
    (refusal,) = replies(slack, user, 1)
    assert "Only workspace admins and owners" in refusal and "PARTNERBOT_ADMINS" in refusal
    slack.standin.assert_no_call("files.info", within=0.5, where=lambda c: c.args.get("file") == info["id"])
    assert export_rows(database_url, "partners", team) == []


def test_an_upload_is_answered_once_and_words_without_a_file_are_answered_by_questions(slack, team, user):
    admin(slack, user)
    upload(slack, team, user, "import contacts", "p.csv", b"name\nAcme\n")
    (unknown,) = replies(slack, user, 1)
    assert "“contacts”" in unknown and "`followups`" in unknown
    upload(slack, team, user, "here you go", "p.csv", b"name\nAcme\n")
    assert "upload it here with the message `import partners`" in replies(slack, user, 2)[1]
    ts = f"{time.time():.6f}"
    message = {"type": "message", "user": user, "text": "import partners", "channel": dm_of(user)}
    assert (
        slack.send_event({**message, "channel_type": "im", "ts": ts, "event_ts": ts}, team=team).status == 200
    )
    assert "I need the file itself" in replies(slack, user, 3)[2]
    # Each message got exactly one answer: the questions never answered an upload.
    dm = dm_of(user)
    slack.standin.assert_no_call(
        "chat.postMessage", within=0.5, where=lambda c: c.args.get("channel") == dm, beyond=3
    )


@pytest.fixture(autouse=True)
def _files_do_not_pile_up(standin: HttpStandIn):
    """Uploads are kept by the stand-in; a 50 MB one should not outlive its test."""
    yield
    with standin.lock:
        for file_id in [f for f, kept in standin.files.items() if kept.length > 1_000_000]:
            del standin.files[file_id]
