"""The digest message and the lines of ``/partner digest list``: valid Block Kit within Slack's
limits at every size, marks against the previous digest, movers, attention, names escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from bot.standin.blockkit import validate_message_payload
from handlers.digests.views import digest_message, for_subscription, subscription_line
from scoring import ScoringSettings, needs_attention, score_partners
from storage.digests import LastRun
from storage.models import DigestSubscription

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
NASTY = "<!channel> *bold* & <@U123> `code` " + "x" * 150


def scored_workspace(size: int, *, seed: int = 7) -> pd.DataFrame:
    """A scored workspace as compute_ranking returns it (with owner), ranked 1..size."""
    rng = np.random.default_rng(seed)
    contact_days = rng.integers(0, 80, size)
    partners = pd.DataFrame(
        {
            "partner_id": range(1, size + 1),
            "name": [NASTY if i == 0 else f"Partner {i}" for i in range(size)],
            "tier": ["gold"] * size,
            "revenue": rng.uniform(0, 1000, size),
            "cost": rng.uniform(1, 500, size),
            "last_contact": pd.to_datetime(
                [None if i % 7 == 3 else NOW - timedelta(days=int(d)) for i, d in enumerate(contact_days)],
                utc=True,
            ),
        }
    )
    activity = pd.DataFrame(
        {
            "partner_id": range(1, size + 1),
            "day": partners["last_contact"].dt.floor("D").fillna(pd.Timestamp(NOW - timedelta(days=200))),
            "weight": rng.integers(1, 4, size).astype(float),
            "count": 1,
        }
    )
    feedback = pd.DataFrame(
        {"partner_id": range(1, size + 1), "score_sum": rng.uniform(0, 100, size), "count": 1}
    )
    scored = score_partners(partners, activity, feedback, ScoringSettings(now=NOW))
    scored["owner"] = ["U1" if i % 2 else None for i in range(size)]
    return scored


def message(scored: pd.DataFrame, previous: dict[int, tuple[int, float]] | None, top_n: int = 10):  # type: ignore[no-untyped-def]
    attention = needs_attention(scored, NOW, stale_days=30, floor=60)
    return digest_message(
        scored, previous, attention, top_n=top_n, subscription_id=4, now=NOW, window_days=90
    )


def section_texts(payload: dict) -> list[str]:  # type: ignore[type-arg]
    return [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]


def top_lines(payload: dict) -> list[str]:  # type: ignore[type-arg]
    return [
        line
        for text in section_texts(payload)
        if not text.startswith(("*Biggest movers:*", "*Needs attention*"))
        for line in text.split("\n")
    ]


@pytest.mark.parametrize(("size", "top_n"), [(1, 10), (12, 10), (60, 25), (60, 1), (300, 25)])
def test_the_digest_is_valid_block_kit_at_every_size(size: int, top_n: int) -> None:
    scored = scored_workspace(size)
    previous = {
        int(p): (int(r) + (int(p) % 5) - 2, 50.0)
        for p, r in zip(scored["partner_id"], scored["rank"], strict=True)
        if int(p) % 4
    }
    payload = message(scored, previous, top_n).as_message()
    validate_message_payload(payload)
    assert len(payload["blocks"]) <= 50
    assert len(top_lines(payload)) == min(size, top_n)
    assert payload["blocks"][0]["text"]["text"] == f"Top {min(size, top_n)} partners · 15 Jun 2026"
    text = json.dumps(payload)
    assert "<!channel>" not in text and "<@U123>" not in text  # a partner's name pings nobody
    assert payload["text"].startswith("Partner ranking: 1. ") and "<!channel>" not in payload["text"]


def test_marks_compare_with_the_previous_digest() -> None:
    scored = scored_workspace(6)
    ids = [int(p) for p in scored["partner_id"]]  # in rank order
    previous = {ids[0]: (3, 40.0), ids[1]: (1, 70.0), ids[2]: (2, 60.0), ids[4]: (5, 10.0), ids[5]: (6, 9.0)}
    payload = message(scored, previous, 6).as_message()
    marks = [line.split(" · ")[1] for line in top_lines(payload)]
    assert marks == ["▲2", "▼1", "▼1", "new", "=", "="]
    movers = next(t for t in section_texts(payload) if t.startswith("*Biggest movers:*"))
    # the three biggest changes, biggest first; unchanged and new partners are not movers
    assert movers.count("(now #") == 3 and movers.index("▲2") < movers.index("▼1")
    assert "(now #1)" in movers and "(now #4)" not in movers
    assert "▲▼ since the previous digest" in json.dumps(payload, ensure_ascii=False)


def test_the_first_digest_says_every_partner_is_new_and_has_no_movers() -> None:
    payload = message(scored_workspace(8), None).as_message()
    assert all(" · new" in line for line in top_lines(payload))
    assert not any(t.startswith("*Biggest movers:*") for t in section_texts(payload))
    footer = payload["blocks"][-1]["elements"][0]["text"]
    assert "first digest: every partner is new" in footer and "`/partner digest remove 4`" in footer
    assert "the last 90 days" in footer


def test_needs_attention_lists_ten_and_counts_the_rest() -> None:
    scored = scored_workspace(60)
    attention = needs_attention(scored, NOW, stale_days=30, floor=60)
    assert len(attention) > 10
    payload = message(scored, None).as_message()
    block = next(t for t in section_texts(payload) if t.startswith("*Needs attention*"))
    assert block.count("\n• ") == 10
    assert block.endswith(f"…and {len(attention) - 10} more")
    assert "never contacted" in block or "no contact for" in block or "satisfaction" in block


def test_nobody_needs_attention() -> None:
    scored = scored_workspace(3)
    scored["last_contact"] = pd.Timestamp(NOW - timedelta(days=1))
    scored["satisfaction"] = 90.0
    payload = message(scored, None).as_message()
    validate_message_payload(payload)
    assert not any(t.startswith("*Needs attention*") for t in section_texts(payload))


def test_an_empty_workspace_gets_a_short_valid_digest() -> None:
    empty = scored_workspace(3).iloc[0:0]
    reply = message(empty, None)
    validate_message_payload(reply.as_message())
    assert reply.text == "Partner ranking: no active partners yet."


def test_a_partner_without_a_score_is_listed_without_one() -> None:
    scored = scored_workspace(3)
    scored.loc[scored.index[2], "score"] = np.nan
    lines = top_lines(message(scored, None).as_message())
    assert " — " in lines[0] and " — " not in lines[2].split(" · ")[0]


def subscription_row(**fields: object) -> DigestSubscription:
    values: dict[str, object] = {
        "id": 3,
        "team_id": "T1",
        "channel_id": "C42",
        "every": "weekly",
        "weekday": 4,
        "day": 1,
        "hour": 17,
        "minute": 0,
        "timezone": "Europe/Berlin",
        "top_n": 10,
        "chart": True,
        "created_by": "U1",
        "enabled": True,
        "disabled_reason": None,
    }
    values.update(fields)
    return DigestSubscription(**values)


def test_a_subscription_line_shows_cadence_next_and_last_run() -> None:
    last = LastRun(NOW - timedelta(days=7), "posted", "posted")
    line = subscription_line(subscription_row(), NOW + timedelta(days=4), last)
    assert line.startswith("*#3* <#C42> · every Friday at 17:00 (Europe/Berlin) · top 10\n")
    assert f"next <!date^{int((NOW + timedelta(days=4)).timestamp())}^" in line
    assert f"last <!date^{int((NOW - timedelta(days=7)).timestamp())}^" in line and line.endswith(": posted")
    never = subscription_line(subscription_row(chart=False, every="daily"), NOW, None)
    assert "daily at 17:00" in never and "· no chart" in never and "last" not in never


def test_a_subscription_line_escapes_the_outcome_and_shows_why_it_is_off() -> None:
    odd = LastRun(NOW, "failed", "failed: <!here> & co")
    line = subscription_line(subscription_row(), NOW, odd)
    assert "&lt;!here&gt; &amp; co" in line and "<!here>" not in line
    off = subscription_line(subscription_row(enabled=False, disabled_reason="channel is archived"), NOW, odd)
    assert off.endswith("· *off*: channel is archived") and "next" not in off


def test_a_digest_rendered_once_is_signed_per_subscription_as_if_rendered_for_it() -> None:
    scored = scored_workspace(12)
    attention = needs_attention(scored, NOW, stale_days=30, floor=60)
    shared = digest_message(
        scored, None, attention, top_n=10, subscription_id=None, now=NOW, window_days=90
    ).as_message()
    for subscription_id in (4, 1234):
        own = digest_message(
            scored, None, attention, top_n=10, subscription_id=subscription_id, now=NOW, window_days=90
        ).as_message()
        assert for_subscription(shared, subscription_id) == own
    assert "digest remove" not in json.dumps(shared)  # signing copies: the shared one stays unsigned
    empty = digest_message(
        scored.iloc[0:0], None, attention.iloc[0:0], top_n=10, subscription_id=None, now=NOW, window_days=90
    ).as_message()
    assert for_subscription(empty, 4) == empty  # no ranking, no small print to sign
