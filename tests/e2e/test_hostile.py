"""Hostile and careless input through the real server: every request refused or answered rightly,
nothing misleading said, nothing stored wrong, no traceback in the server's log.

Each table row is one request (or a short sequence) found by a fuzzing pass (issue 10). Every test
checks the HTTP status, the words of the reply, that the workspace's records did not change when
nothing should have been written, and that the server logged no traceback for it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import func, select

from bot.standin.http import HttpStandIn
from bot.standin.texts import iter_texts
from storage.db import Database
from storage.models import (
    DigestSubscription,
    Feedback,
    Interaction,
    Partner,
    ScoringWeights,
    Survey,
    WeightChange,
)

from .conftest import ServerProcess
from .slack_client import SlackClient, SlackResult

pytestmark = pytest.mark.e2e

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
HUGE = "99999999999999999999"  # 20 digits: more than a 64-bit integer holds


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def records(db: Database, team: str) -> dict[str, int]:
    """How many rows the workspace has in each table a request could write to."""
    tables = {
        "partners": Partner,
        "interactions": Interaction,
        "feedback": Feedback,
        "surveys": Survey,
        "digests": DigestSubscription,
        "weights": ScoringWeights,
        "weight changes": WeightChange,
    }
    with db.read() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model).where(model.team_id == team)) or 0
            for name, model in tables.items()
        }


class Log:
    """The server's output from the moment a test starts: it must hold no traceback."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.start = len(server.output)

    @property
    def since(self) -> str:
        return self.server.output[self.start :]

    def assert_no_traceback(self) -> None:
        assert "Traceback" not in self.since, self.since[-4000:]

    def lines_with(self, text: str, *, at_least: int = 1, timeout: float = 3.0) -> list[str]:
        """The lines logged since the start that contain ``text``, once there are ``at_least`` (the
        server's output reaches us through a pipe, a moment after it is written)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.since.splitlines() if text in line]
            if len(found) >= at_least or time.monotonic() > deadline:
                return found
            time.sleep(0.02)


@pytest.fixture
def log(server: ServerProcess) -> Iterator[Log]:
    watch = Log(server)
    yield watch
    watch.assert_no_traceback()


def everything_said(result: SlackResult, standin: HttpStandIn, *, wait: float = 5.0) -> str:
    """The acknowledgement's text and blocks, or what followed through the command's response_url."""
    said = result.blocks_text if isinstance(result.json, dict) else ""
    if said.strip():
        return said
    assert result.response_url, "no reply in the acknowledgement and no response_url to follow"
    call = standin.wait_for_response(result.response_url, timeout=wait)
    return "\n".join(text for _, _, text in iter_texts(call.args))


def direct_messages(standin: HttpStandIn, user: str, *, after: float) -> list[str]:
    return [
        "\n".join(t for _, _, t in iter_texts(c.args))
        for c in standin.calls_to("chat.postMessage", lambda c: c.args.get("channel") == user)
        if c.time >= after
    ]


# --- 4. the front door: signatures first, then the body's shape --------------------------------------

SIGNED_FORM = urlencode({"command": "/partner", "text": "help", "team_id": "T1", "user_id": "U1"})


@pytest.mark.parametrize(
    ("body", "content_type", "headers"),
    [
        pytest.param(SIGNED_FORM, FORM, {"X-Slack-Request-Timestamp": "abc"}, id="timestamp-abc"),
        pytest.param(SIGNED_FORM, FORM, {"X-Slack-Request-Timestamp": "1e10"}, id="timestamp-1e10"),
        pytest.param(SIGNED_FORM, FORM, {"X-Slack-Request-Timestamp": "-5"}, id="timestamp-negative"),
        pytest.param("[]", JSON, {}, id="json-array"),
        pytest.param("{", JSON, {}, id="open-brace"),
        pytest.param("payload=%7B", FORM, {}, id="payload-open-brace"),
        pytest.param(b"\xff\xfe\xfa\x00garbage", FORM, {}, id="not-utf8"),
        pytest.param("", FORM, {}, id="empty"),
    ],
)
def test_unsigned_requests_are_refused_with_401_before_anything_is_parsed(
    slack: SlackClient, log: Log, body: str | bytes, content_type: str, headers: dict[str, str]
) -> None:
    sent = {"X-Slack-Signature": "v0=" + "0" * 64, **headers}
    if "X-Slack-Request-Timestamp" not in sent:
        sent["X-Slack-Request-Timestamp"] = str(int(time.time()))
    result = slack.post(body, content_type, signed=False, headers=sent)
    assert result.status == 401, result.text
    assert result.elapsed < 1.0
    refusals = log.lines_with("refused a request")
    assert len(refusals) == 1, log.since  # one line, whatever was sent


def _payload(value: Any) -> str:
    return urlencode({"payload": json.dumps(value)})


DEEP = "[" * 50_000 + "]" * 50_000
EVENT = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "Ev1", "event_time": 1}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(_payload([1, 2]), FORM, id="payload-is-a-list"),
        pytest.param("payload=" + quote('"text"'), FORM, id="payload-is-a-string"),
        pytest.param(SIGNED_FORM, JSON, id="form-body-sent-as-json"),
        pytest.param("\ufeff" + json.dumps({**EVENT, "event": {"type": "app_mention"}}), JSON, id="bom"),
        pytest.param(DEEP, JSON, id="deeply-nested"),
        pytest.param(json.dumps({**EVENT, "event": None}), JSON, id="event-null"),
        pytest.param(json.dumps({**EVENT, "event": {"text": "no type"}}), JSON, id="event-without-type"),
        pytest.param(
            _payload({"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}, "actions": []}),
            FORM,
            id="actions-empty",
        ),
        pytest.param(
            _payload({"type": "block_actions", "user": "U1", "actions": [{"action_id": "undo_logged"}]}),
            FORM,
            id="user-not-an-object",
        ),
        pytest.param(_payload({"type": "view_submission", "user": {"id": "U1"}}), FORM, id="view-missing"),
        pytest.param(_payload({"type": 5}), FORM, id="type-a-number"),
        pytest.param(b"payload=\xff\xfe", FORM, id="not-utf8"),
        pytest.param("", FORM, id="empty"),
        pytest.param("a=b&c=d", FORM, id="form-without-command-or-payload"),
        pytest.param(urlencode({"command": "/partner", "text": "help"}), FORM, id="command-without-user"),
    ],
)
def test_signed_but_malformed_requests_get_400_and_one_log_line(
    slack: SlackClient, log: Log, body: str | bytes, content_type: str
) -> None:
    result = slack.post(body, content_type)
    assert result.status == 400, result.text
    assert result.elapsed < 1.0
    refusals = log.lines_with("refused a request")
    assert len(refusals) == 1, log.since


def test_an_unknown_button_or_event_is_acknowledged_quietly(slack: SlackClient, log: Log, team: str) -> None:
    clicked = slack.click("no_such_button", "1", team=team)
    assert clicked.status == 200 and clicked.elapsed < 1.0
    event = slack.send_event({"type": "reaction_added", "user": "U1", "reaction": "tada"}, team=team)
    assert event.status == 200 and event.elapsed < 1.0


# --- 1. weights that would break ranking ---------------------------------------------------------------


@pytest.fixture
def admin(standin: HttpStandIn, team: str) -> str:
    user = "UADM" + team[1:]
    standin.set_user(user, is_admin=True)
    return user


@pytest.fixture
def ranked(slack: SlackClient, team: str) -> str:
    """A workspace with two partners and a communication, so there is a ranking."""
    slack.add_partner("Acme", team=team)
    slack.add_partner("Globex", team=team)
    slack.command_ok("log Acme call Renewal talk", team=team)
    return team


@pytest.mark.parametrize(
    "typed",
    [
        "satisfaction=1e308 engagement=1e308",
        "satisfaction=nan",
        "engagement=inf",
        "recency=-inf",
        "business=1e400",
        "satisfaction=99999",
        "satisfaction=1e308%",
        "engagement=" + "9" * 400,
    ],
)
def test_weights_outside_the_valid_range_are_refused_and_nothing_is_written(
    slack: SlackClient, standin: HttpStandIn, db: Database, log: Log, ranked: str, admin: str, typed: str
) -> None:
    before = records(db, ranked)
    result = slack.command_ok(f"weights {typed}", team=ranked, user=admin)
    said = result.json["text"]
    assert "between 0 and 10000" in said, said
    assert "nothing was saved" not in said  # not the generic apology: the refusal says why
    assert records(db, ranked) == before
    # The ranking and the weights still answer.
    assert "product defaults" in slack.command_ok("weights", team=ranked).blocks_text
    top = slack.send_command("top", team=ranked, user=admin)
    assert "Acme" in everything_said(top, standin)


def test_stored_weights_that_cannot_be_used_never_take_the_ranking_down(
    slack: SlackClient, standin: HttpStandIn, db: Database, log: Log, ranked: str, admin: str
) -> None:
    # Stored before weights were checked (or edited by hand): finite each, infinite together.
    with db.transaction() as session:
        session.add(
            ScoringWeights(
                team_id=ranked,
                satisfaction=1e308,
                engagement=1e308,
                recency=0.0,
                business=0.0,
                updated_by="UOLD",
            )
        )
    member_top = everything_said(slack.send_command("top", team=ranked, user="UMEMBER"), standin)
    assert "1." in member_top and "Acme" in member_top
    assert "can't be used" not in member_top  # the warning is for admins
    admin_top = everything_said(slack.send_command("top", team=ranked, user=admin), standin)
    assert "Acme" in admin_top and "can't be used" in admin_top and "defaults" in admin_top
    weights = slack.command_ok("weights", team=ranked).blocks_text
    assert "can't be used" in weights and "0.4" in weights
    # An admin setting them again fixes it, and the history tells the truth about what was stored.
    fixed = slack.command_ok("weights satisfaction=0.5 engagement=0.5", team=ranked, user=admin)
    assert fixed.json["text"].startswith("Saved."), fixed.json
    assert "can't be used" not in slack.command_ok("weights", team=ranked).blocks_text


# --- 2. numbers too large for the database ---------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (f"survey close {HUGE}", f"There is no survey #{HUGE}"),
        (f"survey close #{HUGE}", f"There is no survey #{HUGE}"),
        (f"digest remove {HUGE}", f"There is no digest #{HUGE}"),
        ("digest remove 0", "There is no digest #0"),
    ],
)
def test_numbers_beyond_the_database_are_unknown_numbers(
    slack: SlackClient, db: Database, log: Log, team: str, command: str, expected: str
) -> None:
    before = records(db, team)
    said = slack.command_ok(command, team=team).json["text"]
    assert expected in said and "Sorry" not in said, said
    assert records(db, team) == before


# --- 3. a failure right after the acknowledgement ------------------------------------------------------


@pytest.mark.parametrize(
    ("action_id", "value", "expected"),
    [
        ("undo_logged", HUGE, "already been removed"),
        ("edit_logged", HUGE, "already been removed"),
        ("undo_logged", "²", "already been removed"),
        ("give_feedback", "T0ACCEPT:²", "no longer exists"),
        ("give_feedback", f"T0ACCEPT:{HUGE}", "no longer exists"),
    ],
)
def test_buttons_that_fail_fast_after_acknowledging_answer_200_at_once(
    slack: SlackClient, standin: HttpStandIn, log: Log, team: str, action_id: str, value: str, expected: str
) -> None:
    clicked = slack.click(action_id, value, team=team)
    assert clicked.status == 200, clicked.text
    assert clicked.elapsed < 1.0, clicked.elapsed  # not Bolt's 3 s wait for an ack it lost
    answer = standin.wait_for_response(clicked.response_url, timeout=5)
    assert expected in answer.args.get("text", ""), answer.args


@pytest.mark.parametrize("button", ["home_log", "home_add_partner", "home_give_feedback"])
@pytest.mark.parametrize("error", ["invalid_trigger_id", "internal_error"])
def test_home_buttons_answer_200_at_once_when_slack_refuses_the_modal(
    slack: SlackClient, standin: HttpStandIn, log: Log, team: str, user: str, button: str, error: str
) -> None:
    started = time.monotonic()
    standin.fail_next("views.open", error=error, where=lambda c: True)
    payload_user = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team}
    clicked = slack.send_interaction(
        {
            "type": "block_actions",
            "user": payload_user,
            "api_app_id": standin.app_id,
            "container": {"type": "view", "view_id": "VHOME"},
            "trigger_id": standin.new_trigger_id(),
            "team": {"id": team, "domain": "x"},
            "view": {"id": "VHOME", "type": "home", "callback_id": "partnerbot_home"},
            "actions": [{"action_id": button, "block_id": "home_actions", "value": "x", "type": "button"}],
        }
    )
    assert clicked.status == 200, clicked.text
    assert clicked.elapsed < 1.0
    # The Home tab has no response_url: the person hears about it in a direct message.
    deadline = time.monotonic() + 5
    while not direct_messages(standin, user, after=started) and time.monotonic() < deadline:
        time.sleep(0.05)
    told = direct_messages(standin, user, after=started)
    assert told, "nobody told the person the form could not open"
    expected = "run the command again" if error == "invalid_trigger_id" else "Slack turned down"
    assert expected in told[0], told


# --- 5. malformed form submissions ---------------------------------------------------------------------


def _log_modal(slack: SlackClient, team: str, user: str) -> tuple[dict[str, Any], dict[str, Any]]:
    slack.add_partner("Acme", team=team)
    _, view = slack.open_log_modal(team=team, user=user)
    option = slack.send_options("Acme", team=team, user=user).json["options"][0]
    return view, option


def _submission(slack: SlackClient, view: dict[str, Any], *, team: str, user: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "x"},
        "user": {"id": user, "username": "u", "name": "u", "team_id": team},
        "api_app_id": slack.standin.app_id,
        "trigger_id": slack.standin.new_trigger_id(),
        "view": view,
    }


OUT_OF_DATE = "out of date"


@pytest.mark.parametrize(
    ("change", "expected_field", "expected"),
    [
        pytest.param({"date": "2024-13-45"}, "date", "isn't a date", id="date-2024-13-45"),
        pytest.param({"date": "0001-01-01"}, "date", "between 1990", id="date-year-1"),
        pytest.param({"follow_up": "9999-12-31"}, "follow_up", "between 1990", id="follow-up-year-9999"),
        pytest.param({"kind": "telepathy"}, "kind", "options in the list", id="option-not-offered"),
        pytest.param(
            {"partner": {"text": {"type": "plain_text", "text": "x"}, "value": HUGE}},
            "partner",
            "Choose a partner",
            id="partner-id-too-large",
        ),
        pytest.param(
            {"partner": {"text": {"type": "plain_text", "text": "x"}, "value": "²"}},
            "partner",
            "Choose a partner",
            id="partner-id-superscript",
        ),
    ],
)
def test_a_bad_field_is_the_fields_own_error_and_nothing_is_stored(
    slack: SlackClient,
    db: Database,
    log: Log,
    team: str,
    user: str,
    change: dict[str, Any],
    expected_field: str,
    expected: str,
) -> None:
    view, option = _log_modal(slack, team, user)
    before = records(db, team)
    result = slack.submit_view(view, {"partner": option, **change}, team=team, user=user)
    assert result.status == 200
    assert result.json["response_action"] == "errors", result.json
    assert expected in result.json["errors"][expected_field], result.json
    assert records(db, team) == before


def _without_state(view: dict[str, Any], option: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in view.items() if key != "state"}


def _number_as_notes(view: dict[str, Any], option: dict[str, Any]) -> dict[str, Any]:
    from .slack_client import view_state

    state = view_state(view, {"partner": option})
    state["notes"]["notes_input"]["value"] = 5
    return {**view, "state": {"values": state}}


def _state_a_list(view: dict[str, Any], option: dict[str, Any]) -> dict[str, Any]:
    return {**view, "state": {"values": []}}


def _metadata(text: str):  # type: ignore[no-untyped-def]
    def tamper(view: dict[str, Any], option: dict[str, Any]) -> dict[str, Any]:
        from .slack_client import view_state

        return {**view, "private_metadata": text, "state": {"values": view_state(view, {"partner": option})}}

    return tamper


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(_without_state, id="missing-state"),
        pytest.param(_state_a_list, id="state-a-list"),
        pytest.param(_number_as_notes, id="number-where-text-belongs"),
        pytest.param(_metadata('{"interaction_id": 1e30}'), id="metadata-1e30"),
        pytest.param(_metadata('{"interaction_id": 1' + "0" * 30 + "}"), id="metadata-huge-int"),
        pytest.param(_metadata("[" * 10_000), id="metadata-deep"),
    ],
)
def test_a_form_that_makes_no_sense_gets_the_out_of_date_screen(
    slack: SlackClient, db: Database, log: Log, team: str, user: str, tamper: Any
) -> None:
    view, option = _log_modal(slack, team, user)
    before = records(db, team)
    result = slack.send_interaction(_submission(slack, tamper(view, option), team=team, user=user))
    assert result.status == 200, result.text
    assert result.json["response_action"] == "push", result.json
    assert OUT_OF_DATE in json.dumps(result.json["view"]), result.json
    assert records(db, team) == before


# --- 6. names that look the same ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "\u200bAcme Corp",
        "Acme\u200bCorp",
        "\ufeffAcme Corp",
        "ＡＣＭＥ Corp",
        "Acme\u00a0Corp",
        "Acme \u2060Corp",
    ],
)
def test_a_name_that_looks_like_an_existing_partner_is_that_partner(
    slack: SlackClient, db: Database, log: Log, team: str, typed: str
) -> None:
    slack.add_partner("Acme Corp", team=team)
    before = records(db, team)
    said = slack.command_ok(f"add {typed}", team=team).json["text"]
    assert "already a partner" in said, said
    assert records(db, team) == before
    # Looked up the same way: a log to the look-alike reaches Acme Corp.
    logged = slack.command_ok(f"log {typed} call hello", team=team)
    assert "Acme Corp" in logged.blocks_text


@pytest.mark.parametrize("typed", ["\u200b\u200d", "\x00", "\x1b[31m\x1b[0m", "\u202e", '"\u200b"'])
def test_a_name_made_only_of_invisible_characters_is_refused(
    slack: SlackClient, db: Database, log: Log, team: str, typed: str
) -> None:
    before = records(db, team)
    said = slack.command_ok(f"add {typed}", team=team).json["text"]
    assert "Give the partner a name" in said, said
    assert records(db, team) == before


# --- 7. nothing typed is dropped or mangled silently -----------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ('add "X13" revenue:1,000', "revenue 1,000.00"),
        ("add Y14 revenue:12,500.50 cost:1,000", "revenue 12,500.50 · cost 1,000.00"),
    ],
)
def test_amounts_with_thousands_separators_are_stored_and_said(
    slack: SlackClient, db: Database, log: Log, team: str, command: str, expected: str
) -> None:
    said = slack.command_ok(command, team=team).json["text"]
    assert expected in said, said
    assert records(db, team)["partners"] == 1


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("add Foo foo:bar", "I can't set “foo:bar”"),
        ("add Foo status:archived", "/partner archive"),
        ('add "a" "b"', "one partner at a time"),
        ('add "Unclosed Co tier:gold', "never closed"),
        ("add Foo revenue:lots", "Revenue must be a number"),
        ("add Foo revenue:-5", "Revenue must be zero or more"),
        ("add Foo owner:nobody", "who the owner is"),
        ("digest add <#C1AAA|a> <#C2BBB|b>", "one channel at a time"),
        ("digest add <#C1AAA|a> weekly friday 09:00 extra words", "I didn't understand “extra words”"),
        ("digest now <#C1AAA|a> please", "I didn't understand “please”"),
        ("top 1.5", "whole number from 1 to 50"),
        ("top 0", "1 to 50 partners"),
        ("top 1,000", "1 to 50 partners"),
        ("top last 99999999d", "between 1 and 3650 days"),
        ("top by popularity", "I didn't understand “popularity”"),
        ("stale 1,000,000", "between 1 and 3650"),
        ("stale soon", "Give the number of days"),
    ],
)
def test_words_the_app_cannot_use_are_said_back_and_nothing_is_written(
    slack: SlackClient, db: Database, log: Log, team: str, command: str, expected: str
) -> None:
    before = records(db, team)
    said = slack.command_ok(command, team=team).json["text"]
    assert expected in said, said
    assert records(db, team) == before


@pytest.mark.parametrize("extra", ["please", "all of them"])
def test_help_says_which_words_it_ignored(slack: SlackClient, log: Log, team: str, extra: str) -> None:
    said = slack.command_ok(f"help {extra}", team=team).blocks_text
    assert "Partnerbot commands" in said and f"I ignored “{extra}”" in said


@pytest.mark.parametrize(
    "options",
    [
        "tz:Europe/Paris monthly 31 02:30",
        "monthly 31 02:30 tz:Europe/Paris",
        "top 5 tz:Europe/Paris monthly 31 02:30 no chart",
        "monthly 31 02:30 no chart tz:Europe/Paris top 5",
    ],
)
def test_digest_options_are_read_in_any_order(
    slack: SlackClient, db: Database, log: Log, team: str, options: str
) -> None:
    said = slack.command_ok(f"digest add <#C{team[1:]}|partners> {options}", team=team).json["text"]
    assert "Subscribed" in said and "monthly on day 31 at 02:30" in said and "Europe/Paris" in said, said
    with db.read() as session:
        subscription = session.scalar(select(DigestSubscription).where(DigestSubscription.team_id == team))
    assert subscription is not None
    assert (subscription.every, subscription.day, subscription.hour, subscription.minute) == (
        "monthly",
        31,
        2,
        30,
    )
    assert subscription.timezone == "Europe/Paris"
    assert subscription.top_n == (5 if "top 5" in options else 10)
    assert subscription.chart is ("no chart" not in options)


# --- 8. markup typed by a person is never echoed raw ---------------------------------------------------


def test_an_unknown_subcommand_is_echoed_escaped(slack: SlackClient, log: Log, team: str) -> None:
    result = slack.command_ok("<!channel>", team=team)
    assert "&lt;!channel&gt;" in result.json["text"]
    assert "<!channel>" not in json.dumps(result.json)


def test_a_tier_typed_as_a_mention_never_reaches_the_notification_raw(
    slack: SlackClient, standin: HttpStandIn, log: Log, team: str
) -> None:
    slack.command_ok("add Acme tier:<!channel>", team=team)
    slack.command_ok("log Acme call hello", team=team)
    top = slack.send_command("top tier:<!channel>", team=team)
    call = standin.wait_for_response(top.response_url, timeout=5)
    assert "Acme" in call.args["text"], call.args
    sent = json.dumps(call.args)
    assert "<!channel>" not in sent and "&lt;!channel&gt;" in call.args["text"], call.args


# --- 9. odd values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("<#D123ABC|dm>", "A digest needs a channel"),
        ("<#C" + "A" * 300 + "|long>", "A digest needs a channel"),
        ("<#Cabc|lowercase>", "Which channel?"),
    ],
)
def test_a_digest_needs_a_real_channel(
    slack: SlackClient, db: Database, log: Log, team: str, channel: str, expected: str
) -> None:
    said = slack.command_ok(f"digest add {channel}", team=team).json["text"]
    assert expected in said, said
    assert records(db, team)["digests"] == 0


# --- 10. where replies go --------------------------------------------------------------------------------


def test_a_response_url_that_is_not_slacks_is_never_used(
    slack: SlackClient, standin: HttpStandIn, db: Database, log: Log, team: str, user: str
) -> None:
    view, option = _log_modal(slack, team, user)
    with HttpStandIn() as elsewhere:  # another host: not Slack, not the configured SLACK_API_URL
        planted = f"http://localhost:{elsewhere.port}/response/R1"
        tampered = {**view, "private_metadata": json.dumps({"response_url": planted})}
        started = time.monotonic()
        result = slack.submit_view(tampered, {"partner": option}, team=team, user=user)
        assert result.status == 200 and result.text == "", result.text
        standin.wait_for(
            "chat.postMessage", where=lambda c: c.args.get("channel") == user and c.time >= started
        )
        told = direct_messages(standin, user, after=started)
        assert told and "Logged" in told[0], told
        assert not elsewhere.calls, elsewhere.calls
    assert records(db, team)["interactions"] == 1


def test_signed_requests_keep_working_after_all_this(slack: SlackClient, team: str) -> None:
    """The server is still up and answering after every hostile request above."""
    body = urlencode({"command": "/partner", "text": "help", "team_id": team, "user_id": "U1"})
    result = slack.post(body, FORM)
    assert result.status == 200 and "Partnerbot commands" in result.text
