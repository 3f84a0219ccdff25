"""Random signed requests through the real server (Hypothesis): whatever arrives, the server answers
200, 400 or 401 within Slack's 3 seconds, every acknowledged request from a person gets a reply,
Slack is never sent anything it refuses as invalid, and the log holds no traceback.

The run is bounded: at most ``PARTNERBOT_FUZZ_SECONDS`` (default 7) per test and backend, so the
module stays within about a minute in CI; ``PARTNERBOT_FUZZ_EXAMPLES`` sets how many examples
Hypothesis may try (default 150).
"""

from __future__ import annotations

import json
import os
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.standin.http import HttpStandIn

from .conftest import ServerProcess, new_team_id
from .slack_client import SlackClient, SlackResult

pytestmark = pytest.mark.e2e

SECONDS = float(os.environ.get("PARTNERBOT_FUZZ_SECONDS", "7"))
EXAMPLES = int(os.environ.get("PARTNERBOT_FUZZ_EXAMPLES", "150"))
REPLY_WAIT = 6.0
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)

SUBCOMMANDS = [
    "help", "add", "edit", "archive", "log", "show", "feedback", "survey", "survey results",
    "survey close", "top", "stale", "weights", "digest add", "digest list", "digest remove",
    "digest now", "", "<!channel>",
]  # fmt: skip
# Pieces people (and attackers) type: names, kinds, options, mentions, numbers, markup, quotes.
PIECES = [
    "Acme", "Acme Corp", '"Acme Corp"', "'Globex", "call", "meeting", "email", "note", "tier:gold",
    "revenue:1,000", "cost:-5", "owner:<@U1|ann>", "<@U2>", "<#C123ABC|partners>", "<#D1|dm>",
    "<!channel>", "<!here>", "*bold*", "_x_", "`code`", "&amp;", "<", ">", "&", "1", "0", "-1",
    "1.5", "99999999999999999999", "²", "last", "30d", "by", "satisfaction", "quarter",
    "weekly", "monday", "09:00", "tz:Europe/Paris", "tz:Mars/Base", "top", "5", "no chart",
    "satisfaction=1e308", "engagement=nan", "=", ":", "\u200b", "\ufeff", "\x00", "\x1b[31m",
    "\n", "\t", "💥", "Ａｃｍｅ", "follow", "up", "tomorrow",
]  # fmt: skip
text_piece = st.one_of(
    st.sampled_from(PIECES),
    st.text(alphabet=string.printable, max_size=12),
    st.text(max_size=8),
)
command_text = st.builds(
    lambda sub, pieces: " ".join([sub, *pieces]).strip(),
    st.sampled_from(SUBCOMMANDS),
    st.lists(text_piece, max_size=6),
)
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
ACTIONS = [
    "edit_logged", "undo_logged", "give_feedback", "home_log", "home_add_partner",
    "home_give_feedback", "unknown_button",
]  # fmt: skip
MODALS = [
    "log_interaction",
    "edit_partner",
    "partner_feedback",
    "home_add_partner_modal",
    "home_feedback_partner",
]


@dataclass
class Run:
    """What the whole fuzz run shares: its workspace, its time budget, where the log stood."""

    team: str
    ends: float
    log_start: int
    calls_start: int


def no_traceback_since(server: ServerProcess, start: int) -> None:
    logged = server.output[start:]
    assert "Traceback" not in logged, logged[-3000:]


@pytest.fixture(scope="module")
def run(server: ServerProcess, standin: HttpStandIn, slack: SlackClient) -> Iterator[Run]:
    team = new_team_id()
    slack.add_partner("Acme Corp", team=team)
    slack.command_ok("log Acme Corp call first", team=team)
    state = Run(team, 0.0, len(server.output), len(standin.calls))
    yield state
    assert "Traceback" not in server.output[state.log_start :], server.output[state.log_start :][-4000:]
    refused = [
        (c.method, (c.response or {}).get("error"), c.invalid)
        for c in standin.calls[state.calls_start :]
        if str((c.response or {}).get("error", "")).startswith("invalid_") or c.invalid
    ]
    assert not refused, f"the app sent Slack something it refuses: {refused}"


@pytest.fixture
def budget(run: Run) -> Run:
    run.ends = time.monotonic() + SECONDS
    return run


def out_of_time(run: Run) -> bool:
    return time.monotonic() > run.ends


def replied(result: SlackResult, standin: HttpStandIn, user: str, since: float) -> bool:
    """Whether the person heard back: in the acknowledgement, through the response_url, as a modal
    opened with the request's trigger, or in a direct message."""
    body = result.json
    if isinstance(body, dict) and (body.get("text") or body.get("blocks") or body.get("response_action")):
        return True
    deadline = time.monotonic() + REPLY_WAIT
    while time.monotonic() < deadline:
        if result.response_url and standin.responses_to(result.response_url):
            return True
        if result.trigger_id and standin.calls_to(
            "views.open", lambda c: c.args.get("trigger_id") == result.trigger_id
        ):
            return True
        if standin.calls_to("chat.postMessage", lambda c: c.args.get("channel") == user and c.time >= since):
            return True
        time.sleep(0.05)
    return False


def check_answer(result: SlackResult, allowed: tuple[int, ...] = (200,)) -> None:
    assert result.status in allowed, (result.status, result.text[:300])
    assert result.elapsed < 3.0, result.elapsed


@FUZZ
@given(text=command_text, user_n=st.integers(1, 3))
def test_random_slash_commands(
    slack: SlackClient, standin: HttpStandIn, server: ServerProcess, budget: Run, text: str, user_n: int
) -> None:
    if out_of_time(budget):
        return
    user = f"UFUZZ{user_n}"
    since, logged = time.monotonic(), len(server.output)
    result = slack.send_command(text, team=budget.team, user=user)
    check_answer(result)
    assert replied(result, standin, user, since), f"no reply to /partner {text!r}"
    no_traceback_since(server, logged)


@FUZZ
@given(action_id=st.sampled_from(ACTIONS), value=st.one_of(text_piece, st.text(max_size=40)))
def test_random_button_clicks(
    slack: SlackClient, standin: HttpStandIn, server: ServerProcess, budget: Run, action_id: str, value: str
) -> None:
    if out_of_time(budget):
        return
    user = "UFUZZ1"
    since, logged = time.monotonic(), len(server.output)
    result = slack.click(action_id, value, team=budget.team, user=user)
    check_answer(result)
    if action_id != "unknown_button":
        assert replied(result, standin, user, since), f"no reply to a click on {action_id} with {value!r}"
    no_traceback_since(server, logged)


@FUZZ
@given(
    callback_id=st.sampled_from(MODALS),
    values=st.dictionaries(
        st.sampled_from(
            ["partner", "kind", "date", "notes", "follow_up", "name", "csat", "nps", "status", "x"]
        ),
        st.dictionaries(st.text(max_size=12), json_value, max_size=2),
        max_size=5,
    ),
    metadata=st.one_of(st.none(), st.text(max_size=40), json_value.map(json.dumps)),
)
def test_random_form_submissions(
    slack: SlackClient,
    standin: HttpStandIn,
    server: ServerProcess,
    budget: Run,
    callback_id: str,
    values: dict[str, Any],
    metadata: str | None,
) -> None:
    if out_of_time(budget):
        return
    user = "UFUZZ2"
    view: dict[str, Any] = {
        "id": "VFUZZ",
        "type": "modal",
        "callback_id": callback_id,
        "state": {"values": values},
    }
    if metadata is not None:
        view["private_metadata"] = metadata
    since, logged = time.monotonic(), len(server.output)
    result = slack.send_interaction(
        {
            "type": "view_submission",
            "team": {"id": budget.team, "domain": "fuzz"},
            "user": {"id": user, "name": "fuzz", "team_id": budget.team},
            "api_app_id": standin.app_id,
            "trigger_id": standin.new_trigger_id(),
            "view": view,
        }
    )
    check_answer(result)
    assert replied(result, standin, user, since), f"no reply to a {callback_id} submission: {values!r}"
    no_traceback_since(server, logged)


@FUZZ
@given(
    payload=st.dictionaries(
        st.sampled_from(["type", "user", "team", "actions", "view", "event", "x"]), json_value
    )
)
def test_random_signed_payloads(
    slack: SlackClient, server: ServerProcess, budget: Run, payload: dict[str, Any]
) -> None:
    """Any JSON object as an interactivity payload or an event body: 200 or 400, never a crash."""
    if out_of_time(budget):
        return
    logged = len(server.output)
    check_answer(slack.send_interaction(payload), allowed=(200, 400))
    check_answer(slack.post(json.dumps(payload), "application/json"), allowed=(200, 400))
    time.sleep(0.05)  # the log reaches us through a pipe
    no_traceback_since(server, logged)
