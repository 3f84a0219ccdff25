"""``/partner trend``'s summary and chart: valid Block Kit with ▲▼ per component, names shown
literally, the chart a PNG whatever the name; and the answers for a partner without history."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from records import NASTY

from bot.standin.blockkit import validate_message_payload
from handlers.shared.lines import from_to, points_change
from handlers.trends.chart import trend_chart
from handlers.trends.views import no_history_reply, trend_reply

TODAY = date(2026, 6, 15)


def sent(reply: Any) -> str:
    return json.dumps(reply.as_ack(), ensure_ascii=False)


def history(points: int = 85) -> pd.DataFrame:
    start = datetime(2026, 3, 23, tzinfo=UTC)
    steps = np.arange(points)
    return pd.DataFrame(
        {
            "moment": [start + timedelta(days=int(i)) for i in steps],
            "score": 60 + steps * 0.1,
            "satisfaction": [np.nan] * points,
            "engagement": 80 - steps * 0.5,
            "recency": 50 + steps * 0.2,
            "business": [40.0] * points,
            "delivery": [np.nan] * (points - 1) + [70.0],
        }
    )


def test_points_change_and_from_to() -> None:
    assert points_change(62.4, 70.2) == "▲ 8 points"
    assert points_change(70, 69) == "▼ 1 point"
    assert points_change(70.2, 69.8) == "no change"
    assert points_change(None, 5) == "" and points_change(float("nan"), 5) == ""
    assert from_to(62, 70) == "62 → 70 (▲ 8 points)"
    assert from_to(None, 70) == "— → 70"


def test_the_summary_compares_each_component_with_the_first_point() -> None:
    reply = trend_reply(NASTY, history(), weeks=12, today=TODAY, chart=True)
    validate_message_payload(reply.as_ack())
    shown = sent(reply)
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "60 → 68 (▲ 8 points)" in shown  # the score
    assert "80 → 38 (▼ 42 points)" in shown  # engagement, which also moved most
    assert "Moved most: engagement ▼ 42 points" in shown
    assert "*Satisfaction*\\n—" in shown and "*Business*\\n40 → 40 (no change)" in shown
    assert "— → 70" in shown  # delivery: none then, 70 now
    assert "direct messages" in shown


def test_a_short_history_says_when_it_starts() -> None:
    reply = trend_reply("Acme", history(10), weeks=20, today=TODAY, chart=False)
    validate_message_payload(reply.as_ack())
    assert "history for Acme starts 2026-03-23" in sent(reply)
    assert "direct messages" not in sent(reply)


def test_no_history_says_since_when_there_is_data() -> None:
    since = datetime(2026, 5, 2, 10, tzinfo=UTC)
    for reply, expected in (
        (no_history_reply(NASTY, data_since=since, first_day=None, weeks=12), "data since 2026-05-02"),
        (no_history_reply("Acme", data_since=None, first_day=None, weeks=12), "nothing logged"),
        (
            no_history_reply("Acme", data_since=since, first_day=date(2026, 1, 5), weeks=4),
            "starts 2026-01-05",
        ),
    ):
        validate_message_payload(reply.as_ack())
        assert expected in sent(reply) and "<!channel>" not in sent(reply)


def test_the_chart_is_a_png_whatever_the_name() -> None:
    png = trend_chart("$x^2$ <!channel> " + NASTY * 5, history(), weeks=12)
    assert png.startswith(b"\x89PNG")
