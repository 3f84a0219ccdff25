"""``/partner insights`` and "what drives satisfaction?" over a real database (SQLite and PostgreSQL):
the period and tier as typed, a planted effect found in stored records, an unknown tier or period
answered with the valid ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

import handlers  # noqa: F401  (every feature declares its questions)
from handlers.insights.commands import InsightsQuery, insights_answer, parse_insights
from handlers.mentions.listeners import answer
from handlers.shared.deps import Deps
from handlers.shared.errors import UserError
from storage import partners
from storage.db import Database
from storage.models import Feedback, Interaction, InteractionKind

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", InsightsQuery()),
        ("last 90d", InsightsQuery(90)),
        ("90d", InsightsQuery(90)),
        ("last 90 days", InsightsQuery(90)),
        ("last year", InsightsQuery(365)),
        ("year tier:gold", InsightsQuery(365, "gold")),
        ('tier:"Gold Plus" last quarter', InsightsQuery(90, "Gold Plus")),
        ("Last Year", InsightsQuery(365)),
    ],
)
def test_the_slash_command_takes_a_tier_and_one_of_two_periods(text: str, expected: InsightsQuery) -> None:
    assert parse_insights(text, strict=True) == expected


@pytest.mark.parametrize("text", ["last 30d", "month", "since 2020", "last <!here>"])
def test_any_other_period_is_answered_with_the_valid_ones(text: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_insights(text, strict=True)
    assert "`last 90d` (the default) or `last year`" in refused.value.message
    assert "<!here>" not in refused.value.message


def test_an_empty_tier_asks_which() -> None:
    with pytest.raises(UserError, match="Which tier"):
        parse_insights("tier:", strict=True)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("what drives satisfaction?", InsightsQuery()),
        ("what makes our partners happy this year?", InsightsQuery(365)),
        ("what drives satisfaction in tier:gold?", InsightsQuery(90, "gold")),
        ("which things go with satisfaction over the last 12 months", InsightsQuery(365)),
    ],
)
def test_questions_read_their_period_and_tier(asked: str, expected: InsightsQuery) -> None:
    assert parse_insights(asked, strict=False) == expected


def fill(database: Database, team_id: str, *, gold: int, silver: int = 0, seed: int = 5) -> None:
    """Partners whose satisfaction rises with their meetings (and emails that do nothing)."""
    rng = np.random.default_rng(seed)
    with database.transaction() as session:
        for i in range(gold + silver):
            tier = "gold" if i < gold else "silver"
            partner = partners.add_partner(session, team_id, f"Partner {i}", tier=tier)
            meetings = i % 4
            kinds = [InteractionKind.MEETING] * meetings + [InteractionKind.EMAIL] * int(rng.integers(1, 6))
            for kind in kinds:
                session.add(
                    Interaction(
                        team_id=team_id,
                        partner_id=partner.id,
                        kind=kind,
                        occurred_at=NOW - timedelta(days=int(rng.integers(1, 89))),
                        notes="",
                        user_id="U1",
                    )
                )
            session.add(
                Feedback(
                    team_id=team_id,
                    partner_id=partner.id,
                    csat=2 + meetings,
                    nps=int(rng.integers(0, 11)),
                    submitted_at=NOW - timedelta(days=3),
                )
            )


def deps(database: Database) -> Deps:
    return Deps(db=database, clock=lambda: NOW)


def blocks(reply: object) -> str:
    return json.dumps(reply.blocks, ensure_ascii=False)  # type: ignore[attr-defined]


def test_a_planted_effect_is_found_in_stored_records_for_the_tier_asked(
    database: Database, team_id: str
) -> None:
    fill(database, team_id, gold=40, silver=12)
    shown = blocks(insights_answer(deps(database), team_id, InsightsQuery(tier="GOLD")))
    assert "From *40 partners* with feedback in tier “GOLD” in the last 90 days" in shown
    assert "Each extra meeting a month goes with *+" in shown
    assert "calls a month — the same for every partner with feedback (0 calls a month)" in shown
    every = blocks(insights_answer(deps(database), team_id, InsightsQuery()))
    assert "From *52 partners*" in every


def test_an_unknown_tier_is_answered_with_the_tiers_in_use(database: Database, team_id: str) -> None:
    fill(database, team_id, gold=2, silver=1)
    with pytest.raises(UserError) as refused:
        insights_answer(deps(database), team_id, InsightsQuery(tier="<!channel> platinum"))
    assert refused.value.message == (
        "No active partner has tier “&lt;!channel&gt; platinum”. Tiers in use: “gold”, “silver”."
    )


def test_a_tier_asked_of_a_workspace_without_partners_is_refused_in_words(
    database: Database, team_id: str
) -> None:
    with pytest.raises(UserError) as refused:
        insights_answer(deps(database), team_id, InsightsQuery(tier="gold"))
    assert refused.value.message.startswith("No active partner has tier “gold”.")


def test_too_few_partners_with_feedback_is_not_enough_data(database: Database, team_id: str) -> None:
    fill(database, team_id, gold=29)
    reply = insights_answer(deps(database), team_id, InsightsQuery())
    assert reply.text.startswith(
        "Not enough data yet: 29 partners with feedback in the last 90 days, 30 needed."
    )


def test_the_question_reaches_insights_before_any_other(database: Database, team_id: str) -> None:
    fill(database, team_id, gold=3)
    for asked in (
        "what drives satisfaction?",
        "What makes partners unhappy?",
        "insights",
        "satisfaction drivers",
    ):
        said = answer(deps(database), team_id, f"<@UBOT> {asked}").text
        assert said.startswith("Not enough data yet: 3 partners with feedback"), (asked, said)
