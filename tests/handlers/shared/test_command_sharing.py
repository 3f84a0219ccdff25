"""Which ``/partner`` answers stay with the person in a channel shared with another organisation:
the decision per sub-command, and how an answer is sent there."""

from __future__ import annotations

from typing import Any

import pytest

import handlers  # noqa: F401  (declares every sub-command)
from handlers.shared.command import CommandRequest, is_internal, known_subcommands
from handlers.shared.deps import Deps
from handlers.shared.replies import Reply
from handlers.shared.shared_channels import SHARED_CHANNEL_NOTE
from storage.db import Database

# Answers that show scores, ranks, notes, needs, projects, follow-ups, insights, trends, the
# partners' details or the drop-alert settings. Everything else says nothing internal.
INTERNAL = {
    "add",
    "alerts",
    "archive",
    "edit",
    "feedback",
    "export",  # the file goes to the person's direct messages; the reply is theirs alone too
    "followup",
    "followups",
    "history",  # the audit trail shows notes, amounts and who changed what
    "insights",
    "log",
    "need",
    "permissions",  # who may do what inside the organisation
    "needs",
    "project",
    "resource",
    "show",
    "stale",
    "top",
    "trend",
    "weights",
}
OPEN = {"help", "digest"}  # what the app can do; subscriptions and outcomes, never the ranking


def test_every_sub_command_has_a_decision() -> None:
    assert set(known_subcommands()) == INTERNAL | OPEN | {"survey"}


@pytest.mark.parametrize("name", sorted(INTERNAL))
def test_internal_sub_commands_are_private_in_a_shared_channel(name: str) -> None:
    assert is_internal(name, "Acme")


@pytest.mark.parametrize("name", sorted(OPEN))
def test_open_sub_commands_are_not(name: str) -> None:
    assert not is_internal(name, "list")


def test_aliases_share_their_sub_commands_decision() -> None:
    assert is_internal("rank", "") and is_internal("neglected", "") and is_internal("profile", "Acme")
    assert not is_internal("?", "")


def test_surveys_may_be_sent_and_closed_in_a_shared_channel_but_their_results_are_private() -> None:
    assert not is_internal("survey", "Acme @ann #partners")
    assert not is_internal("survey", "close 3")
    assert is_internal("survey", "results Acme")
    assert is_internal("surveys", "RESULTS Acme")


class Acks:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def __call__(self, **payload: Any) -> None:
        self.sent.append(payload)


def request(database: Database, *, shared: bool | None, internal: bool) -> tuple[CommandRequest, Acks]:
    acks = Acks()
    made = CommandRequest(
        team_id="T1",
        user_id="U1",
        channel_id="CEXT",
        trigger_id="",
        response_url=None,
        client=None,  # type: ignore[arg-type]  (Slack said; nothing is asked)
        deps=Deps(db=database),
        _ack=acks,  # type: ignore[arg-type]
        _respond=acks,  # type: ignore[arg-type]
        shared_flag=shared,
        internal=internal,
    )
    return made, acks


def test_an_internal_answer_in_a_shared_channel_is_ephemeral_and_says_why(database: Database) -> None:
    made, acks = request(database, shared=True, internal=True)
    made.send(Reply("1. Acme 91", in_channel=True))
    [sent] = acks.sent
    assert sent["response_type"] == "ephemeral"
    assert sent["blocks"][-1]["elements"][0]["text"] == SHARED_CHANNEL_NOTE


def test_the_same_answer_elsewhere_is_unchanged(database: Database) -> None:
    made, acks = request(database, shared=False, internal=True)
    made.send(Reply("1. Acme 91"))
    assert acks.sent == [{"text": "1. Acme 91", "response_type": "ephemeral"}]


def test_an_open_answer_in_a_shared_channel_is_unchanged(database: Database) -> None:
    made, acks = request(database, shared=True, internal=False)
    made.send(Reply("Survey #3 is already closed."))
    assert acks.sent == [{"text": "Survey #3 is already closed.", "response_type": "ephemeral"}]
