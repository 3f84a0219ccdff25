"""Whether a channel is shared with another organisation: Slack's flags read the way its docs mean
them, the request's own word trusted, conversations.info asked once a minute per channel, and
every failure counted as shared (with a log line)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from handlers.shared.blocks import section
from handlers.shared.limits import MESSAGE_BLOCKS
from handlers.shared.replies import Reply
from handlers.shared.shared_channels import (
    SHARED_CHANNEL_NOTE,
    SharedChannels,
    Sharing,
    flag,
    privately,
    said_by_request,
    shared_per_slack,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Slack:
    """conversations.info as Slack answers it, counting the calls."""

    def __init__(self, channel: dict[str, Any] | None = None, error: str | None = None) -> None:
        self.channel = channel or {}
        self.error = error
        self.asked: list[str] = []
        self.release: threading.Event | None = None

    def conversations_info(self, *, channel: str) -> dict[str, Any]:
        self.asked.append(channel)
        if self.release is not None:
            self.release.wait(5)
        if self.error:
            raise SlackApiError(self.error, {"ok": False, "error": self.error})  # type: ignore[arg-type]
        return {"ok": True, "channel": {"id": channel, **self.channel}}


@pytest.mark.parametrize(
    ("channel", "shared"),
    [
        ({"is_shared": False, "is_ext_shared": False, "is_org_shared": False}, False),
        ({"is_shared": True, "is_ext_shared": True, "is_org_shared": False}, True),
        # An invitation is out: whoever accepts reads what is posted from then on.
        ({"is_shared": False, "is_ext_shared": False, "is_pending_ext_shared": True}, True),
        ({"is_shared": False, "pending_shared": ["T0THEIRS"]}, True),
        # Shared only between workspaces of our own Enterprise Grid organisation: internal.
        ({"is_shared": True, "is_ext_shared": False, "is_org_shared": True}, False),
        # Shared, and not within our own organisation: someone outside.
        ({"is_shared": True}, True),
        # Grid-shared and also external: external wins.
        ({"is_shared": True, "is_ext_shared": True, "is_org_shared": True}, True),
        ({}, False),
    ],
)
def test_slacks_flags_decide_as_its_docs_mean_them(channel: dict[str, Any], shared: bool) -> None:
    assert shared_per_slack(channel) is shared


@pytest.mark.parametrize(
    ("value", "read"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("false", False),
        ("TRUE", True),
        (None, None),
        ("maybe", None),
    ],
)
def test_a_flag_is_read_as_json_or_as_a_form_sends_it(value: Any, read: bool | None) -> None:
    assert flag(value) is read


def test_what_the_request_says_comes_from_its_flag_or_its_channel_object() -> None:
    assert said_by_request({"is_ext_shared_channel": "true"}) is True  # a slash command's form
    assert said_by_request({"is_ext_shared_channel": False}) is False  # an event envelope
    assert said_by_request({"channel": {"id": "C1", "is_ext_shared": True}}) is True
    assert said_by_request({"channel": {"id": "C1", "is_pending_ext_shared": True}}) is True
    assert said_by_request({"channel": {"id": "C1", "name": "deals"}}) is None  # says nothing about it
    assert said_by_request({"channel_id": "C1"}) is None
    assert said_by_request(None) is None


def test_the_requests_own_word_is_trusted_without_asking_slack_and_remembered() -> None:
    slack = Slack({"is_ext_shared": False})
    channels = SharedChannels()
    assert channels.is_shared(slack, "T1", "CEXT", said=True) is True  # type: ignore[arg-type]
    assert slack.asked == []
    assert channels.is_shared(slack, "T1", "CEXT") is True  # type: ignore[arg-type]
    assert slack.asked == []


def test_conversations_info_is_asked_once_per_channel_and_workspace_while_it_is_fresh() -> None:
    slack, clock = Slack({"is_shared": True, "is_ext_shared": True}), FakeClock()
    channels = SharedChannels(cache_seconds=60, clock=clock)
    assert channels.is_shared(slack, "T1", "C1") is True  # type: ignore[arg-type]
    assert channels.is_shared(slack, "T1", "C1") is True  # type: ignore[arg-type]
    assert slack.asked == ["C1"]
    assert channels.is_shared(slack, "T2", "C1") is True  # type: ignore[arg-type]
    assert slack.asked == ["C1", "C1"]  # another workspace's answer is its own
    slack.channel = {"is_ext_shared": False}  # the channel stops being shared
    clock.now += 61
    assert channels.is_shared(slack, "T1", "C1") is False  # type: ignore[arg-type]
    assert slack.asked == ["C1", "C1", "C1"]
    assert channels.check(slack, "T1", "C1", fresh=True) == Sharing(False)  # type: ignore[arg-type]
    assert slack.asked == ["C1", "C1", "C1", "C1"]  # asked although known


def test_a_failed_lookup_counts_as_shared_says_so_in_the_log_and_is_asked_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack = Slack(error="missing_scope")
    channels = SharedChannels()
    with caplog.at_level(logging.WARNING, logger="handlers.shared.shared_channels"):
        assert channels.is_shared(slack, "T1", "GPRIV") is True  # type: ignore[arg-type]
        assert channels.check(slack, "T1", "GPRIV") == Sharing(None, "missing_scope")  # type: ignore[arg-type]
    assert slack.asked == ["GPRIV", "GPRIV"]  # a failure is not remembered
    [line, *_] = [r.getMessage() for r in caplog.records]
    assert "GPRIV" in line and "missing_scope" in line and "treating it as shared" in line


def test_a_slow_lookup_counts_as_shared_without_waiting_for_it(caplog: pytest.LogCaptureFixture) -> None:
    slack = Slack({"is_ext_shared": False})
    slack.release = threading.Event()  # Slack does not answer until the test is done
    channels = SharedChannels(lookup_seconds=0.05)
    try:
        with caplog.at_level(logging.WARNING, logger="handlers.shared.shared_channels"):
            assert channels.is_shared(slack, "T1", "CSLOW") is True  # type: ignore[arg-type]
    finally:
        slack.release.set()
    assert slack.asked == ["CSLOW"]
    assert any(
        "CSLOW" in r.getMessage() and "treating it as shared" in r.getMessage() for r in caplog.records
    )


def test_no_channel_is_nobody_elses() -> None:
    slack = Slack()
    assert SharedChannels().is_shared(slack, "T1", None) is False  # type: ignore[arg-type]
    assert slack.asked == []


def test_privately_is_ephemeral_with_the_reason_in_one_line() -> None:
    shown = privately(Reply("Top partners", [section("1. Acme 91")], in_channel=True))
    assert shown.as_ack()["response_type"] == "ephemeral"
    assert shown.blocks[0]["text"]["text"] == "1. Acme 91"
    assert shown.blocks[-1]["type"] == "context"
    assert shown.blocks[-1]["elements"][0]["text"] == SHARED_CHANNEL_NOTE


def test_privately_stays_within_slacks_block_limit() -> None:
    full = Reply("many", [section(f"line {i}") for i in range(MESSAGE_BLOCKS)])
    shown = privately(full)
    assert len(shown.blocks) == MESSAGE_BLOCKS
    assert shown.blocks[-1]["elements"][0]["text"] == SHARED_CHANNEL_NOTE
