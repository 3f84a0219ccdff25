"""Feedback modal, thank-you, invitations and results: valid Block Kit, user text escaped,
anonymous answers nameless."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.standin.blockkit import assert_valid_modal, validate_message_payload
from handlers.feedback.surveys import _recipients
from handlers.feedback.views import (
    FeedbackMetadata,
    feedback_modal,
    feedback_partner_modal,
    nps_text,
    parse_invitation_value,
    survey_results,
    thanks_view,
)
from handlers.log.views import LogDraft, LogMetadata, log_modal
from handlers.shared import metadata
from handlers.shared.errors import UserError
from handlers.shared.ids import Action, Block
from handlers.shared.survey_invitations import survey_invitation
from storage.feedback import Comment, FeedbackSummary
from storage.models import Survey

NASTY = "<!channel> *bold* & co"
NOW = datetime(2026, 6, 15, tzinfo=UTC)


def summary(count: int = 4, nps_count: int = 3) -> FeedbackSummary:
    return FeedbackSummary(
        count=count,
        csat_average=3.5,
        csat_share=0.5,
        nps=0.0,
        nps_count=nps_count,
        score_sum=250.0,
        external_count=1,
    )


def test_feedback_modal_is_valid_and_carries_its_metadata() -> None:
    meta = FeedbackMetadata(team_id="T1", partner_id=3, survey_id=9)
    view = feedback_modal(NASTY, meta)
    assert_valid_modal(view)
    assert metadata.load(FeedbackMetadata, view["private_metadata"]) == meta
    assert "<!channel>" not in json.dumps(view)


@pytest.mark.parametrize("anonymous", [True, False])
def test_thanks_view_says_what_was_recorded(anonymous: bool) -> None:
    view = thanks_view(NASTY, csat=4, nps=None, comment="<@U1> " * 1000, anonymous=anonymous, replaced=True)
    assert_valid_modal(view)
    text = json.dumps(view, ensure_ascii=False)
    assert "4 — Satisfied" in text and "not answered" in text and "replaces your earlier answer" in text
    assert ("anonymous" in text) is anonymous
    assert "<@U1>" not in text


def test_invitation_open_and_closed() -> None:
    survey = Survey(id=12, team_id="T1", partner_id=3, created_by="U1", status="open")
    open_reply = survey_invitation(survey, NASTY)
    closed_reply = survey_invitation(survey, NASTY, closed=True)
    for reply in (open_reply, closed_reply):
        validate_message_payload(reply.as_message())
        assert "<!channel>" not in json.dumps(reply.as_message())
    button = open_reply.blocks[1]["elements"][0]
    assert parse_invitation_value(button["value"]) == ("T1", 12)
    assert "actions" not in [b["type"] for b in closed_reply.blocks]
    assert "closed" in json.dumps(closed_reply.blocks)


@pytest.mark.parametrize("value", ["", "T1", "T1:", ":5", "T1:x"])
def test_bad_invitation_values_are_refused(value: str) -> None:
    assert parse_invitation_value(value) is None


def test_results_hide_anonymous_names_and_flag_few_nps_answers() -> None:
    comments = [Comment("slow <!here>", None, False, 2, NOW), Comment("great", "U7", True, 5, NOW)]
    reply = survey_results(NASTY, summary(), 64.0, "very dissatisfied", comments, [], window_days=90)
    validate_message_payload(reply.as_ack())
    text = json.dumps(reply.blocks)
    assert "anonymous" in text and "<@U7> (external)" in text
    assert "few responses: 3" in text
    assert "64/100" in text and "very dissatisfied" in text
    assert "<!here>" not in text


def test_nps_with_enough_answers_is_shown_plainly() -> None:
    assert nps_text(summary(count=40, nps_count=35)) == "+0"


def test_results_without_feedback() -> None:
    empty = FeedbackSummary(0, None, None, None, 0, 0.0, 0)
    reply = survey_results("Acme", empty, None, None, [], [], window_days=90)
    validate_message_payload(reply.as_ack())
    assert "No feedback" in json.dumps(reply.blocks)


@pytest.mark.parametrize(
    ("text", "name", "users", "channels"),
    [
        ("Acme Corp", "Acme Corp", [], []),
        ("Acme <@U1|ann> <@U2> <#C1|general> <@U1|ann>", "Acme", ["U1", "U2"], ["C1"]),
        ('"Acme Corp" <#C9>', '"Acme Corp"', [], ["C9"]),
    ],
)
def test_survey_recipients(text: str, name: str, users: list[str], channels: list[str]) -> None:
    assert _recipients(text) == (name, users, channels)


def test_unreadable_recipients_are_refused() -> None:
    with pytest.raises(UserError, match="mention people"):
        _recipients("Acme <@U1> bob")


def test_feedback_partner_modal_uses_the_log_modals_partner_select() -> None:
    view = feedback_partner_modal()
    assert_valid_modal(view)
    (block,) = view["blocks"]
    log_partner = log_modal(LogDraft(today=NOW.date()), LogMetadata())["blocks"][0]
    assert (block["block_id"], block["element"]["action_id"]) == (
        Block.PARTNER.value,
        Action.PARTNER_SELECT.value,
    )
    assert (log_partner["block_id"], log_partner["element"]["action_id"]) == (
        block["block_id"],
        block["element"]["action_id"],
    )
    assert block["element"]["type"] == "external_select"
