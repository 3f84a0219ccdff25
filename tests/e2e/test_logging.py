"""Logging communications end to end: ``/partner log`` inline and as a modal, the partner
type-ahead, the "Log to partner" message shortcut, Edit / Undo, replays and concurrency.

Runs against the real server on SQLite and PostgreSQL; each test has its own workspace.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.standin.http import HttpStandIn

from .conftest import export_rows, run_cli
from .slack_client import SlackClient, button_value, counts_90_days, partner_option, shown_notes, today_in

pytestmark = pytest.mark.e2e


# --- /partner log <partner> <kind> <notes> ---------------------------------------------------


def test_log_is_confirmed_in_the_acknowledgement_and_show_lists_it(slack: SlackClient, team: str) -> None:
    slack.add_partner("Acme Corp", team=team)
    logged = slack.command_ok("log Acme Corp call Renewal talk, they want a Q3 pilot", team=team)
    assert logged.elapsed < 3, f"answered after {logged.elapsed:.2f}s; Slack gives up at 3s"
    text = logged.json["blocks"][0]["text"]["text"]
    assert "Logged a *call* with *Acme Corp*" in text and "Renewal talk, they want a Q3 pilot" in text
    assert logged.json["response_type"] == "ephemeral"
    assert button_value(logged.json, "undo_logged") == button_value(logged.json, "edit_logged")

    assert counts_90_days(slack, team, "Acme Corp") == "1 call"
    shown = shown_notes(slack, team, "acme corp")
    assert "Renewal talk, they want a Q3 pilot" in shown and "<@U1>" in shown


def test_kind_aliases_and_longest_name_match(slack: SlackClient, team: str) -> None:
    slack.add_partner("Acme", team=team)
    slack.add_partner("Acme Corp", team=team)
    slack.command_ok("log acme corp mtg kickoff", team=team)
    slack.command_ok("log ACME e-mail sent the deck", team=team)
    assert counts_90_days(slack, team, "Acme Corp") == "1 meeting"
    assert counts_90_days(slack, team, "Acme") == "1 email"


def test_a_replayed_command_stores_one_record(slack: SlackClient, team: str, database_url: str) -> None:
    slack.add_partner("Replay Inc", team=team)
    first = slack.command_ok("log Replay Inc call retried by Slack", team=team)
    again = slack.command_ok("log Replay Inc call retried by Slack", team=team, trigger_id=first.trigger_id)
    assert "Logged a *call*" in again.json["blocks"][0]["text"]["text"]
    assert button_value(again.json, "undo_logged") == button_value(first.json, "undo_logged")
    rows = export_rows(database_url, "interactions", team)
    assert [(r["partner"], r["kind"], r["notes"]) for r in rows] == [
        ("Replay Inc", "call", "retried by Slack")
    ]


def test_a_command_containing_the_word_payload_is_logged_like_any_other(
    slack: SlackClient, team: str
) -> None:
    slack.add_partner("Acme", team=team)
    logged = slack.command_ok("log Acme note payload sizes discussed", team=team)
    assert "Logged a *note* with *Acme*" in logged.json["blocks"][0]["text"]["text"]
    assert counts_90_days(slack, team, "Acme") == "1 note"
    assert "payload sizes discussed" in shown_notes(slack, team, "Acme")


def test_a_misspelt_partner_gets_did_you_mean_and_nothing_is_stored(slack: SlackClient, team: str) -> None:
    slack.add_partner("Acme Corp", team=team)
    reply = slack.command_ok("log Acme Crop call x", team=team)
    assert "Did you mean *Acme Corp*?" in reply.json["text"]
    assert counts_90_days(slack, team, "Acme Corp") == "none"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("log Acme", "What kind of communication?"),
        ("log Acme lunch with the CTO", "isn't a kind I know"),
        ("log Acme note", "needs a few words"),
    ],
)
def test_incomplete_log_commands_explain_and_store_nothing(
    slack: SlackClient, team: str, text: str, expected: str
) -> None:
    slack.add_partner("Acme", team=team)
    reply = slack.command_ok(text, team=team)
    assert expected in reply.json["text"]
    assert counts_90_days(slack, team, "Acme") == "none"


def test_long_notes_are_stored_whole_and_shown_shortened(
    slack: SlackClient, team: str, database_url: str
) -> None:
    slack.add_partner("Verbose Ltd", team=team)
    notes = " ".join(f"word{i}" for i in range(1200))  # ~8,000 characters
    logged = slack.command_ok(f"log Verbose Ltd meeting {notes}", team=team)
    assert len(logged.json["blocks"][0]["text"]["text"]) <= 3000
    shown = slack.command_ok('show "Verbose Ltd"', team=team)  # validated as Block Kit on arrival
    assert "word0 word1" in shown.blocks_text and "word1199" not in shown.blocks_text
    assert "…" in shown.blocks_text
    rows = export_rows(database_url, "interactions", team)
    assert [r["notes"] for r in rows] == [notes]


# --- /partner log as a modal -----------------------------------------------------------------


def test_log_without_text_opens_the_modal_within_the_trigger_window(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    standin.set_user("UKIRI", tz="Pacific/Kiritimati")  # UTC+14: "today" is often not UTC's today
    sent = time.monotonic()
    ack, view = slack.open_log_modal(team=team, user="UKIRI")
    assert ack.status == 200 and ack.text == "", "the modal opens; nothing is said in the channel"
    opened = standin.calls_to("views.open", lambda c: c.args.get("trigger_id") == ack.trigger_id)[0]
    assert opened.time - sent < 3, f"views.open came {opened.time - sent:.2f}s after the command"
    assert view["callback_id"] == "log_interaction"
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements["partner"]["type"] == "external_select"
    assert elements["partner"]["action_id"] == "partner_select"
    assert elements["date"]["initial_date"] == today_in("Pacific/Kiritimati").isoformat()
    assert elements["notes"]["multiline"] is True
    assert elements["follow_up"]["type"] == "datepicker"


def test_submitting_the_modal_stores_once_and_confirms(
    slack: SlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    slack.add_partner("Initech", team=team)
    ack, view = slack.open_log_modal(team=team)
    option = partner_option(slack, team, "Initech", view)
    day = today_in("America/New_York") - timedelta(days=2)
    follow_up = day + timedelta(days=14)
    changes = {
        "partner": option,
        "kind": "qbr",
        "date": day.isoformat(),
        "notes": "Quarterly review: <!channel> pricing *up* 5%",
        "follow_up": follow_up.isoformat(),
    }
    submitted = slack.submit_view(view, changes, team=team)
    assert submitted.status == 200 and submitted.text == "", "an empty answer closes the modal"
    confirmation = standin.wait_for_response(ack.response_url).args
    assert "Logged a *qbr* with *Initech*" in confirmation["blocks"][0]["text"]["text"]
    assert "<!channel>" not in json.dumps(confirmation)
    assert f"({follow_up.isoformat()}), reminded at 09:00 your time" in json.dumps(confirmation)

    again = slack.submit_view(view, changes, team=team)  # Slack retried the submission
    assert again.status == 200
    rows = export_rows(database_url, "interactions", team)
    assert len(rows) == 1, rows
    row = rows[0]
    assert (row["partner"], row["kind"], row["follow_up_on"]) == ("Initech", "qbr", follow_up.isoformat())
    promised = export_rows(database_url, "followups", team)  # one follow-up, whatever the retries
    assert [(r["partner"], r["due_on"], r["status"]) for r in promised] == [
        ("Initech", follow_up.isoformat(), "open")
    ]
    assert row["notes"] == changes["notes"]
    occurred = datetime.fromisoformat(row["occurred_at"].replace("Z", "+00:00"))
    assert occurred.astimezone(ZoneInfo("America/New_York")).date() == day


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"follow_up": "2000-01-01"}, {"follow_up"}),
        ({"kind": "note", "notes": None}, {"notes"}),
        ({"kind": "other", "notes": "   "}, {"notes"}),
        ({"date": "FUTURE"}, {"date"}),
        ({"partner": None}, {"partner"}),
        ({"kind": "note", "notes": None, "follow_up": "2000-01-01", "date": "FUTURE"}, {"notes", "date"}),
    ],
    ids=["follow-up-before-date", "empty-note", "blank-other", "future-date", "no-partner", "several"],
)
def test_invalid_modal_input_comes_back_as_field_errors_and_stores_nothing(
    slack: SlackClient, team: str, database_url: str, changes: dict, errors: set
) -> None:
    slack.add_partner("Umbrella", team=team)
    _, view = slack.open_log_modal(team=team)
    picked = {"partner": partner_option(slack, team, "Umbrella", view), **changes}
    if picked.get("date") == "FUTURE":
        picked["date"] = (today_in("America/New_York") + timedelta(days=2)).isoformat()
    answer = slack.submit_view(view, picked, team=team)
    assert answer.status == 200
    assert answer.json["response_action"] == "errors", answer.json
    assert errors <= set(answer.json["errors"]), answer.json
    block_ids = {b["block_id"] for b in view["blocks"] if "block_id" in b}
    assert set(answer.json["errors"]) <= block_ids, "an error for a block the modal does not have"
    assert counts_90_days(slack, team, "Umbrella") == "none"


def test_tampered_private_metadata_is_refused_politely_and_nothing_is_stored(
    slack: SlackClient, team: str
) -> None:
    slack.add_partner("Hooli", team=team)
    _, view = slack.open_log_modal(team=team)
    option = partner_option(slack, team, "Hooli", view)
    for metadata in ('{"interaction_id": "1 OR 1=1"}', "not json", '{"evil": true}', "[]", ""):
        answer = slack.submit_view({**view, "private_metadata": metadata}, {"partner": option}, team=team)
        assert answer.status == 200, answer.text
        # A modal pushed on top (validated on arrival) asks the person to start again; the form
        # underneath keeps what they typed.
        assert answer.json["response_action"] == "push", answer.json
        said = json.dumps(answer.json["view"])
        assert "start again" in said, said
        assert "went wrong on Partnerbot's side" not in said, "a tampered form is not a crash"
    assert counts_90_days(slack, team, "Hooli") == "none"


def test_metadata_pointing_at_someone_elses_record_cannot_change_it(slack: SlackClient, team: str) -> None:
    slack.add_partner("Pied Piper", team=team)
    theirs = slack.command_ok("log Pied Piper call their own notes", team=team, user="UOWNER")
    their_id = int(button_value(theirs.json, "edit_logged"))
    _, view = slack.open_log_modal(team=team, user="UINTRUDER")
    meta = json.loads(view["private_metadata"])
    forged = {**view, "private_metadata": json.dumps({**meta, "interaction_id": their_id})}
    option = partner_option(slack, team, "Pied Piper", view)
    answer = slack.submit_view(
        forged, {"partner": option, "notes": "overwritten"}, team=team, user="UINTRUDER"
    )
    assert answer.json["response_action"] == "errors", answer.json
    assert "Only whoever logged it (" in json.dumps(answer.json["errors"])
    shown = shown_notes(slack, team, "Pied Piper")
    assert "their own notes" in shown and "overwritten" not in shown


# --- the partner type-ahead ------------------------------------------------------------------


def test_partner_options_with_a_thousand_partners(slack: SlackClient, team: str, database_url: str) -> None:
    names = [f"Partner {i:04d}" for i in range(960)]
    names += [f"Acme {i:02d}" for i in range(20)]  # start with "acme"
    names += [f"Zeta Acme {i:02d}" for i in range(19)]  # contain "acme"
    names += ["Acme " + "x" * 190]  # longer than an option's 75 characters
    csv_text = "name,tier\n" + "".join(f"{n},gold\n" for n in names)
    run_cli(database_url, "import", "partners", "-", "--team", team, input=csv_text)
    slack.add_partner("Acme Other Workspace", team=team + "X")

    acme = slack.send_options("acme", team=team)
    assert acme.status == 200 and acme.elapsed < 2.5, acme.elapsed
    labels = [o["text"]["text"] for o in acme.json["options"]]
    assert len(labels) == 40
    first_contains = next(i for i, label in enumerate(labels) if not label.lower().startswith("acme"))
    assert all(label.lower().startswith("acme") for label in labels[:first_contains])
    assert first_contains == 21 and all("Acme" in label for label in labels[first_contains:])
    assert "Acme Other Workspace" not in labels
    assert all(len(label) <= 75 for label in labels)
    assert all(o["value"].isdigit() for o in acme.json["options"])

    for typed in ("", "partner", "PARTNER 0"):
        answer = slack.send_options(typed, team=team)
        assert answer.status == 200 and answer.elapsed < 2.5
        options = answer.json["options"]
        assert 0 < len(options) <= 100
        assert len({o["value"] for o in options}) == len(options)
    assert [o["text"]["text"] for o in slack.send_options("partner 095", team=team).json["options"]] == [
        f"Partner 095{i}" for i in range(10)
    ]
    nothing = slack.send_options("no such partner", team=team)
    assert nothing.status == 200 and nothing.json["options"] == []


# --- the "Log to partner" message shortcut ---------------------------------------------------


def test_message_shortcut_prefills_the_modal_and_keeps_a_permalink(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    slack.add_partner("Stark Industries", team=team)
    message = "Stark wants a <!here> demo of *reporting* next week"
    ts = f"{time.time():.6f}"
    shortcut = slack.message_shortcut(message, team=team, channel="CDEALS", message_ts=ts)
    assert shortcut.status == 200
    opened = standin.wait_for("views.open", where=lambda c: c.args.get("trigger_id") == shortcut.trigger_id)
    assert opened.ok, opened.response
    view = opened.response["view"]
    notes = next(b for b in view["blocks"] if b.get("block_id") == "notes")["element"]
    assert notes["initial_value"] == message

    submitted = slack.submit_view(
        view, {"partner": partner_option(slack, team, "Stark Industries", view)}, team=team
    )
    assert submitted.status == 200 and submitted.text == ""
    permalink = standin.wait_for("chat.getPermalink", where=lambda c: c.args.get("message_ts") == ts)
    assert permalink.args["channel"] == "CDEALS"
    link = permalink.response["permalink"]
    confirmation = standin.wait_for_response(shortcut.response_url).args
    assert link in json.dumps(confirmation)
    shown = shown_notes(slack, team, "Stark Industries")
    assert link in shown and "demo of" in shown and "<!here>" not in shown


# --- Edit and Undo on the confirmation -------------------------------------------------------


def test_undo_removes_the_record_but_only_for_whoever_logged_it(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    slack.add_partner("Wayne Enterprises", team=team)
    logged = slack.command_ok("log Wayne Enterprises call undo me", team=team, user="UALICE")
    record = button_value(logged.json, "undo_logged")

    refused = slack.click("undo_logged", record, user="UBOB", team=team)
    assert refused.status == 200
    said = standin.wait_for_response(refused.response_url).args
    assert "Only whoever logged it (<@UALICE>)" in said["text"] and said.get("replace_original") is False
    assert counts_90_days(slack, team, "Wayne Enterprises") == "1 call"

    undone = slack.click("undo_logged", record, user="UALICE", team=team)
    said = standin.wait_for_response(undone.response_url).args
    assert "Removed" in said["text"] and said.get("replace_original") is True
    assert counts_90_days(slack, team, "Wayne Enterprises") == "none"

    twice = slack.click("undo_logged", record, user="UALICE", team=team)
    assert "already been removed" in standin.wait_for_response(twice.response_url).args["text"]
    # Another workspace cannot undo by guessing the number either.
    slack.add_partner("Wayne Enterprises", team=team + "X")
    kept = slack.command_ok("log Wayne Enterprises call kept", team=team + "X", user="UALICE")
    foreign = slack.click("undo_logged", button_value(kept.json, "undo_logged"), user="UALICE", team=team)
    assert "already been removed" in standin.wait_for_response(foreign.response_url).args["text"]
    assert counts_90_days(slack, team + "X", "Wayne Enterprises") == "1 call"


def test_edit_opens_the_modal_prefilled_and_saves_the_change(
    slack: SlackClient, standin: HttpStandIn, team: str, database_url: str
) -> None:
    slack.add_partner("Cyberdyne", team=team)
    logged = slack.command_ok("log Cyberdyne email sent the contract", team=team)
    record = button_value(logged.json, "edit_logged")

    clicked = slack.click("edit_logged", record, team=team)
    assert clicked.status == 200
    opened = standin.wait_for("views.open", where=lambda c: c.args.get("trigger_id") == clicked.trigger_id)
    assert opened.ok, opened.response
    view = opened.response["view"]
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements["partner"]["initial_option"]["text"]["text"] == "Cyberdyne"
    assert elements["kind"]["initial_option"]["value"] == "email"
    assert elements["notes"]["initial_value"] == "sent the contract"
    assert elements["date"]["initial_date"] == today_in("America/New_York").isoformat()

    saved = slack.submit_view(view, {"notes": "sent the signed contract", "kind": "meeting"}, team=team)
    assert saved.status == 200 and saved.text == ""
    confirmation = standin.wait_for_response(clicked.response_url).args
    assert "Updated a *meeting*" in confirmation["blocks"][0]["text"]["text"]
    rows = export_rows(database_url, "interactions", team)
    assert [(r["kind"], r["notes"]) for r in rows] == [("meeting", "sent the signed contract")]

    other = slack.click("edit_logged", record, team=team, user="USOMEONE")
    said = standin.wait_for_response(other.response_url).args
    assert "Only whoever logged it (" in said["text"]
    assert not standin.calls_to("views.open", lambda c: c.args.get("trigger_id") == other.trigger_id)


# --- Slack's limits --------------------------------------------------------------------------


def test_an_expired_trigger_is_explained_instead_of_silence(
    slack: SlackClient, standin: HttpStandIn, team: str
) -> None:
    # Slack's trigger window is 3 s: this trigger is 3.1 s old when the command arrives.
    stale = standin.new_trigger_id(issued_ago=3.1)
    ack = slack.send_command("log", team=team, trigger_id=stale)
    assert ack.status == 200
    refused = standin.wait_for("views.open", where=lambda c: c.args.get("trigger_id") == stale)
    assert refused.response == {"ok": False, "error": "expired_trigger_id"}
    said = standin.wait_for_response(ack.response_url).args
    assert "run the command again" in said["text"]


@pytest.mark.parametrize("surface", ["message shortcut", "edit button"])
def test_an_expired_trigger_on_a_shortcut_or_button_is_explained(
    slack: SlackClient, standin: HttpStandIn, team: str, surface: str
) -> None:
    stale = standin.new_trigger_id(issued_ago=3.5)  # issued 3.5 s before Slack delivered it
    if surface == "message shortcut":
        answer = slack.message_shortcut("Acme wants a call", team=team, trigger_id=stale)
    else:
        slack.add_partner("Acme", team=team)
        logged = slack.command_ok("log Acme call to edit", team=team)
        answer = slack.click(
            "edit_logged", button_value(logged.json, "edit_logged"), team=team, trigger_id=stale
        )
    assert answer.status == 200
    refused = standin.wait_for("views.open", where=lambda c: c.args.get("trigger_id") == stale)
    assert refused.response["error"] == "expired_trigger_id"
    said = standin.wait_for_response(answer.response_url).args
    assert "3 seconds" in said["text"] and "again" in said["text"]


def test_fifty_concurrent_logs_are_all_stored_once(slack: SlackClient, team: str, database_url: str) -> None:
    slack.add_partner("Busy Co", team=team)
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def send(worker: int) -> None:
        try:
            for n in range(worker, 50, 10):
                results[n] = slack.send_command(
                    f"log Busy Co call concurrent #{n:02d}", team=team, user=f"U{worker}"
                )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(w,)) for w in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(results) == list(range(50))
    assert all(r.status == 200 for r in results.values()), [
        r.text for r in results.values() if r.status != 200
    ]
    assert all("Logged a *call*" in r.json["blocks"][0]["text"]["text"] for r in results.values())
    slowest = max(r.elapsed for r in results.values())
    assert slowest < 3, f"slowest answer took {slowest:.2f}s"
    ids = {button_value(r.json, "undo_logged") for r in results.values()}
    assert len(ids) == 50
    notes = sorted(r["notes"] for r in export_rows(database_url, "interactions", team))
    assert notes == [f"concurrent #{n:02d}" for n in range(50)]
