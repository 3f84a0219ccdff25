"""Insights' Block Kit: valid for Slack, only clear effects stated (with interval and n, never as
causes), the reasons an input or the whole fit is left out in words, and a typed tier shown
literally."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from records import NASTY, sent

from bot.standin.blockkit import validate_message_payload
from handlers.insights.views import effect_words, insights_reply
from handlers.services.insights import SatisfactionInsights
from scoring.insights import PREDICTORS, Effect, explain_satisfaction


def workspace(n: int, seed: int, effect: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "meetings_per_month": rng.poisson(2.0, n).astype(float),
            "calls_per_month": rng.poisson(3.0, n).astype(float),
            "emails_per_month": rng.poisson(6.0, n).astype(float),
            "days_since_contact": rng.uniform(0, 90, n),
            "success_rate": np.full(n, np.nan),
            "open_needs": np.zeros(n),
        }
    )
    frame["satisfaction"] = 50 + effect * frame["meetings_per_month"] + rng.normal(0, 10, n)
    return frame


def reply_for(frame: pd.DataFrame, *, tier: str | None = None, days: int = 90):  # type: ignore[no-untyped-def]
    found = SatisfactionInsights(days, tier, ["gold"], explain_satisfaction(frame))
    reply = insights_reply(found)
    validate_message_payload(reply.as_ack())
    return reply


def shown(reply: object) -> str:
    return json.dumps(reply.blocks, ensure_ascii=False)  # type: ignore[attr-defined]


def test_a_clear_effect_is_stated_with_its_interval_n_and_r_squared() -> None:
    reply = reply_for(workspace(200, seed=10, effect=4.0))
    text = shown(reply)
    assert "From *200 partners* with feedback in the last 90 days" in text
    assert "*R² = 0." in text and "(adjusted 0." in text
    assert "*Clear links* (the 95% interval excludes zero)" in text
    assert "Each extra meeting a month goes with *+4." in text and "from 200 partners." in text
    assert "No clear link for: calls a month, emails a month and days since the last contact." in text
    assert "project success rate — no partner with feedback has one" in text
    assert "open needs — the same for every partner with feedback (0 open needs)" in text
    assert "not causes" in text
    assert reply.text == "What goes with partner satisfaction: 1 clear link, from 200 partners"


def test_claims_never_speak_of_causes() -> None:
    reply = reply_for(workspace(200, seed=10, effect=4.0))
    claims = [b["text"]["text"] for b in reply.blocks if b["type"] == "section"]
    for claim in claims:
        assert not any(word in claim.casefold() for word in ("cause", "drive", "because", "leads to"))


def test_noise_says_no_clear_link_was_found() -> None:
    reply = reply_for(workspace(200, seed=20))  # a seed with no chance link
    text = shown(reply)
    assert "*No clear link found*: for none of these inputs does the 95% interval exclude zero" in text
    assert "goes with *" not in text and "No clear link for:" not in text
    assert reply.text.endswith("no clear link found, from 200 partners")


def test_too_few_partners_is_not_enough_data_with_the_period_and_what_to_do() -> None:
    reply = reply_for(workspace(12, seed=1), days=365)
    assert reply.text == (
        "Not enough data yet: 12 partners with feedback in the last year, 30 needed. "
        "Ask for feedback with `/partner survey &lt;partner&gt;`."
    )
    assert "last year`" in reply_for(workspace(1, seed=1)).text  # 90 days: look further back
    assert "1 partner with feedback in the last 90 days" in reply_for(workspace(1, seed=1)).text


def test_a_fit_that_cannot_be_made_says_why() -> None:
    frame = workspace(100, seed=3)
    frame["calls_per_month"] = frame["meetings_per_month"] * 2
    reply = reply_for(frame)
    assert reply.text == (
        "I can't fit the model in the last 90 days: meetings a month and calls a month move together "
        "exactly (correlation 1.00), so their effects can't be told apart."
    )


def test_a_fit_with_nothing_left_out_that_cannot_be_made_is_still_valid_block_kit() -> None:
    frame = workspace(100, seed=4)
    frame["success_rate"] = frame["calls_per_month"] * 10
    frame["open_needs"] = frame["meetings_per_month"] + 1
    reply = reply_for(frame)  # validated inside
    assert [b["type"] for b in reply.blocks] == ["header", "section"]
    assert "calls a month and project success rate move together exactly" in reply.text
    assert "meetings a month and open needs move together exactly" in reply.text


def test_partners_missing_two_inputs_are_counted_once() -> None:
    frame = workspace(100, seed=5)
    rates = np.random.default_rng(5).uniform(0, 100, 100)
    frame["success_rate"] = np.where(np.arange(100) < 80, rates, np.nan)
    frame.loc[95:, "days_since_contact"] = np.nan  # these five have no success rate either
    shown_ = shown(reply_for(frame))
    assert (
        "20 partners with feedback not in the fit (5 never contacted and 20 no projects won or lost" in shown_
    )


def test_a_nasty_tier_is_shown_literally() -> None:
    reply = reply_for(workspace(20, seed=2), tier=NASTY)
    assert "<!channel>" not in sent(reply)
    assert "&lt;!channel&gt;" in shown(reply)
    assert "*bold*" not in reply.blocks[1]["text"]["text"]  # mrkdwn markers neutralised


def test_effects_smaller_than_a_point_get_two_decimals_and_negative_ones_their_sign() -> None:
    stale = next(p for p in PREDICTORS if p.column == "days_since_contact")
    assert effect_words(Effect(stale, -0.42, -0.71, -0.13, 0.004), 84) == (
        "Every 10 more days since the last contact goes with *-0.42* satisfaction points "
        "(95% CI -0.71 to -0.13), from 84 partners."
    )
