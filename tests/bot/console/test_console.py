"""``partnerbot console`` (``python -m bot.console``): the whole app in a terminal, no Slack.

The tests pipe a script into the console as a subprocess (no TTY) against a SQLite file and read
the transcript it prints; its parts are checked in-process beside this file (test_render.py,
test_console_slack.py).
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TEAM = "T-CONSOLE"
# Variables Partnerbot reads: set explicitly for each run, never inherited.
PARTNERBOT_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
)
TODAY = datetime.now(UTC).date()
DAY = (TODAY - timedelta(days=40)).isoformat()  # a past day to log on
BEFORE_DAY = (TODAY - timedelta(days=49)).isoformat()
AFTER_DAY = (TODAY + timedelta(days=20)).isoformat()  # a follow-up: today or later


def console_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PARTNERBOT_ENV}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'console.db'}"


def console(
    script: str, database_url: str, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Pipe ``script`` into ``python -m bot.console --as U01 --tz UTC …``; it must exit 0 cleanly."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.console", "--as", "U01", "--tz", "UTC", *args],
        input=script,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env or console_env(database_url),
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done


def export(database_url: str, table: str, team: str = TEAM) -> list[dict[str, str]]:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", table, "--team", team],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=console_env(database_url),
    )
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout, newline="")))


def after(transcript: str, prompt_line: str) -> str:
    """The transcript from the line typed as ``prompt_line`` up to the next ``partnerbot>`` prompt."""
    start = transcript.index(f"partnerbot> {prompt_line}\n") + len(f"partnerbot> {prompt_line}\n")
    end = transcript.find("partnerbot> ", start)
    return transcript[start : end if end != -1 else None]


# --- a whole session, piped in -------------------------------------------------------------------


def test_a_piped_session_adds_logs_inline_and_through_the_form_then_shows_and_ranks(
    database_url: str,
) -> None:
    script = "\n".join(
        [
            "/partner add Acme tier:gold owner:@U01",
            '/partner add "Globex Corp" region:EMEA',
            "/partner log Acme call Renewal talk, they want a *Q3* pilot",
            "/partner log",
            "glo",  # the partner type-ahead: search…
            "1",  # …and pick
            "3",  # kind: Meeting
            "",  # date: Enter keeps today
            "Kickoff <with> the team & friends",
            "",  # follow-up: optional, skipped
            "",  # joint project number: optional, skipped
            "/partner show Acme",
            "/partner top",
            "",
        ]
    )
    # A proxy that does not exist: the console must not try the network at all.
    env = console_env(database_url, HTTPS_PROXY="http://127.0.0.1:9", SLACK_API_URL="http://127.0.0.1:9/api/")
    out = console(script, database_url, env=env).stdout

    assert out.startswith("Partnerbot console — workspace T-CONSOLE, you are U01 (UTC)")
    assert "Added Acme (tier gold · owner @U01). Log a communication with `/partner log Acme call …`." in out
    assert "Added Globex Corp (region EMEA)." in out

    inline = after(out, "/partner log Acme call Renewal talk, they want a *Q3* pilot")
    assert re.search(
        r"Logged a call with Acme on \d{4}-\d\d-\d\d \d\d:\d\d UTC: “Renewal talk, they want a \*Q3\* pilot”",
        inline,
    )
    assert "[1] Edit  [2] Undo" in inline

    form = after(out, "/partner log")
    assert "[form] Log communication" in form
    assert (
        "Partner — type to search: glo\n  1) Globex Corp\nPartner — pick 1-1 (or type to search again): 1\n"
        in form
    )
    assert "  3) Meeting\n" in form and "Kind [Call]: 3\n" in form
    assert f"Date [{TODAY.isoformat()}]: \n" in form
    assert "Notes (optional): Kickoff <with> the team & friends\n" in form
    assert "Follow up on (optional): \n" in form
    assert "Logged a meeting with Globex Corp on " in form and "“Kickoff <with> the team & friends”" in form

    shown = after(out, "/partner show Acme")
    assert "=== Acme ===" in shown and "tier gold · owner @U01" in shown
    assert "Last 90 days: 1 call" in shown
    assert "Renewal talk, they want a *Q3* pilot" in shown

    top = after(out, "/partner top")
    assert "=== Top 2 partners by score ===" in top
    assert re.search(r"1\. (Acme|Globex Corp) — \d+ · ", top) and "2 active partners" in top

    # The same storage as the app everywhere else: the CLI reads back what the console wrote.
    rows = export(database_url, "interactions")
    assert sorted((r["partner"], r["kind"], r["user"]) for r in rows) == [
        ("Acme", "call", "U01"),
        ("Globex Corp", "meeting", "U01"),
    ]


def test_a_field_error_is_shown_and_only_that_field_asked_again(database_url: str) -> None:
    script = "\n".join(
        [
            "/partner add Acme",
            "/partner log",
            "acme",
            "1",
            "",
            DAY,
            "",
            BEFORE_DAY,  # a follow-up before the communication: the app refuses it
            "",  # joint project number: optional, skipped
            AFTER_DAY,
            "",
        ]
    )
    out = console(script, database_url).stdout
    form = after(out, "/partner log")
    assert (
        f"Follow up on (optional): {BEFORE_DAY}\n"
        "  (If it was about one of the partner's projects: its number from /partner project list)\n"
        "Joint project number (optional): \n"
        "  ! Follow up on: The follow-up can't be before the communication itself.\n"
        f"Follow up on (optional) [{BEFORE_DAY}]: {AFTER_DAY}\n"
    ) in form
    assert form.count("Partner — type to search") == 1 and form.count("Date [") == 1  # not asked again
    assert f"Logged a call with Acme on {DAY} 12:00 UTC.\n  Follow-up #" in form
    assert f"({AFTER_DAY}), reminded at 09:00 your time\n[1] Edit  [2] Undo" in form
    rows = export(database_url, "interactions")
    assert [(r["partner"], r["follow_up_on"]) for r in rows] == [("Acme", AFTER_DAY)]


def test_the_console_checks_fields_as_slack_does_and_can_cancel(database_url: str) -> None:
    script = "\n".join(
        [
            "/partner add Acme",
            "/partner log",
            "a",  # the log modal searches from the first character (min_query_length 0)
            "7",  # no such option
            "1",
            "banana",  # not a kind
            "6",  # Note: the app wants notes with it
            "2026-02-30",  # not a date
            DAY,
            "",
            "",
            "",  # joint project number: optional, skipped
            "a few words",  # asked again after the app's error
            "/partner log",
            "acme",
            "1",
            ":cancel",
            "/partner show Acme",
            "",
        ]
    )
    out = console(script, database_url).stdout
    first, second = out.split("partnerbot> /partner log\n")[1:3]
    assert "Partner — pick 1-1 (or type to search again): 7\n  ! Choose a number from 1 to 1.\n" in first
    assert "Kind [Call]: banana\n  ! Choose a number from 1 to 7.\nKind [Call]: 6\n" in first
    assert "2026-02-30\n  ! Give a date as YYYY-MM-DD, e.g. 2026-06-15.\n" in first
    assert "  ! Notes: Add a few words: a note is its notes.\n" in first
    assert f"Logged a note with Acme on {DAY} 12:00 UTC: “a few words”" in first
    assert "Kind [Call]: :cancel\n(form closed without sending)\n" in second
    assert [r["notes"] for r in export(database_url, "interactions")] == ["a few words"]


def test_buttons_are_pressed_by_number(database_url: str) -> None:
    script = "\n".join(
        [
            "/partner add Acme",
            "/partner log Acme email sent the deck",
            ":press 1",  # Edit: the same form, filled in with what was logged
            "",
            "",
            "",
            "sent the deck, and the price list",
            "",
            "",  # joint project number: optional, skipped
            "2",  # Undo, on the confirmation of the edit
            "/partner show Acme",
            "",
        ]
    )
    out = console(script, database_url).stdout
    assert "[1] Edit  [2] Undo" in after(out, "/partner log Acme email sent the deck")
    edit = after(out, ":press 1")
    assert "[form] Edit communication" in edit
    assert "Partner — type to search; Enter keeps Acme: \n" in edit and "Kind [Email]: \n" in edit
    assert "Notes (optional) [sent the deck]: sent the deck, and the price list\n" in edit
    assert "Updated an email with Acme on " in edit and "“sent the deck, and the price list”" in edit
    undo = after(out, "2")
    assert (
        undo == "(replaces the earlier message)\nRemoved the email with Acme; it is no longer in the log.\n\n"
    )
    assert "Nothing logged yet." in after(out, "/partner show Acme")
    assert export(database_url, "interactions") == []


def test_messages_to_the_bot_and_direct_messages(database_url: str) -> None:
    lines = ["/partner add Acme", "/partner add Globex", "/partner log Acme call x", "top 5 partners"]
    script = "\n".join([*lines, ":dm who needs attention?", "hello", ""])
    out = console(script, database_url).stdout
    top = after(out, "top 5 partners")
    assert top.startswith("(in a thread in #console)\n=== Top 2 partners by score ===\n1. Acme — ")
    attention = after(out, ":dm who needs attention?")
    assert "(direct message from Partnerbot)\n=== Needs attention: 1 partner ===" in attention
    assert "• Globex — never contacted" in attention
    assert "I answer questions like:" in after(out, "hello")


def test_the_home_tab_its_buttons_and_switching_users(database_url: str) -> None:
    script = "\n".join(
        [
            "/partner add Acme owner:@U01",
            "/partner log Acme call Renewal",
            ":home",
            "2",  # Add partner
            "Initech",
            "platinum",
            "",
            "",
            "",  # owner: Enter keeps you
            "-5",  # the console refuses what Slack's number input refuses
            "1000",
            "",
            ":home",
            "3",  # Give feedback: pick a partner, then the feedback form
            "acme",
            "1",
            "2",  # 4 — Satisfied
            "9",
            "Great QBR",
            "",
            ":as U02",
            ":home",
            "",
        ]
    )
    out = console(script, database_url).stdout
    home = after(out, ":home")
    assert home.startswith(
        "[Home tab]\n=== Partnerbot ===\n[1] Log communication  [2] Add partner  [3] Give feedback"
    )
    assert "Your partners (1)\n• Acme — score " in home
    assert "Top 5 in the workspace\n1. Acme — " in home
    assert "Your latest communications (last 5)\n• " in home and "Call with Acme: “Renewal”" in home

    added = after(out, "2")
    assert "[form] Add partner" in added and "Owner (optional) [U01]: \n" in added
    assert "  ! The number must be at least 0." in added
    confirmed = (
        "(direct message from Partnerbot)\nAdded Initech (tier platinum · owner @U01 · revenue 1,000.00)."
    )
    assert confirmed in added
    assert "[Home tab]" in added and "Your partners (2)" in added  # republished, and looked at

    feedback = after(out, "3")
    assert "[form] Give feedback" in feedback and "[form] Partner feedback" in feedback
    assert "How is the relationship with Acme going?" in feedback
    assert "[form] Thank you\nThank you — your feedback about Acme is recorded." in feedback
    assert "Satisfaction: 4 — Satisfied" in feedback and "Would recommend: 9/10" in feedback

    assert "(you are now U02)" in out
    other = out[out.index("(you are now U02)") :]
    assert "Your partners (0)" in other and "You haven't logged anything yet" in other
    assert [(r["partner"], r["csat"], r["nps"]) for r in export(database_url, "feedback")] == [
        ("Acme", "4", "9")
    ]
    assert sorted(r["name"] for r in export(database_url, "partners")) == ["Acme", "Initech"]


def test_a_survey_answered_by_someone_else_and_the_message_shortcut(database_url: str) -> None:
    script = "\n".join(
        [
            "/partner add Acme",
            "/partner survey Acme @U02 #console",
            ":as U02",
            "2",  # Give feedback, on the survey posted in #console
            "1",  # 5 — Very satisfied
            "",
            "",
            "",
            ":shortcut Acme asked about volume pricing",
            "acme",
            "1",
            "2",  # Email
            "",
            "",  # notes: Enter keeps the message's text
            "",
            "",  # joint project number: optional, skipped
            "",
        ]
    )
    out = console(script, database_url).stdout
    survey = after(out, "/partner survey Acme @U02 #console")
    assert "(direct message to U02)\n@U01 would like your view of our relationship with Acme." in survey
    assert "(posted in #console)\n@U01 would like your view" in survey and "[2] Give feedback" in survey
    answered = after(out, "2")
    assert (
        "[form] Partner feedback" in answered
        and "Thank you — your feedback about Acme is recorded." in answered
    )
    shortcut = after(out, ":shortcut Acme asked about volume pricing")
    assert "From a message in #console; a link to it is saved too." in shortcut
    assert "Notes (optional) [Acme asked about volume pricing]: \n" in shortcut
    assert (
        "Logged an email with Acme" in shortcut
        and "the message (https://console.partnerbot.invalid/archives/" in shortcut
    )
    assert [(r["respondent"], r["csat"]) for r in export(database_url, "feedback")] == [("U02", "5")]
    (logged,) = export(database_url, "interactions")
    assert (logged["kind"], logged["user"], logged["notes"]) == (
        "email",
        "U02",
        "Acme asked about volume pricing",
    )


def test_the_same_script_prints_the_same_transcript(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/partner add Acme owner:@U01",
            ":home",
            "1",
            "acme",
            "1",
            "",
            "",
            "Lunch",
            "",
            "",
            "/partner stale",
            "",
        ]
    )
    runs = []
    for i in range(2):
        out = console(script, f"sqlite:///{tmp_path / f'run{i}.db'}").stdout
        out = out.split("\n", 1)[1]  # the banner names the database file
        runs.append(re.sub(r"\d{4}-\d\d-\d\d( \d\d:\d\d UTC)?", "<date>", out))
    assert runs[0] == runs[1]
    assert "(direct message from Partnerbot)\nLogged a call with Acme" in runs[0]


def test_help_quit_and_end_of_input(database_url: str) -> None:
    out = console(":help\n:nonsense\n/other thing\n7\n:quit\n/partner add Never\n", database_url).stdout
    assert ":home              open your App Home tab" in out
    assert "I don't know :nonsense — :help lists what you can type." in out
    assert "/other is not a command here: Partnerbot has /partner (try /partner help)." in out
    assert "There are no buttons to press yet." in out
    assert "Never" not in out.split(":quit")[1]  # nothing after :quit is read
    ended = console("/partner add Acme\n/partner log\nacme\n", database_url).stdout
    assert ended.rstrip().endswith("(input ended before the form was sent)")


def test_a_bad_user_id_is_a_one_line_error(database_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.console", "--as", "nobody"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=console_env(database_url),
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "partnerbot: --as needs a Slack user ID like U0123ABCD, got 'nobody'"
