"""What a drop alert's notification says, whichever rule raised it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from handlers.alerts.views import alert_message
from handlers.services.alerts import Alert


def alert(**changes: object) -> Alert:
    fields: dict = dict(
        alert_id=1, claimed_at=datetime(2026, 11, 30, 9, tzinfo=UTC), team_id="T1", partner_id=7,
        partner_name="<!channel> Acme", owner="U0OWN",
        since=date(2026, 11, 23), score_before=60.0, score_after=64.2, category_before="satisfied",
        category_after="neutral", threshold=10, moves=(),
    )  # fmt: skip
    return Alert(**(fields | changes))


def test_a_category_that_falls_while_the_score_rises_is_not_called_a_score_drop() -> None:
    text = alert_message(alert(), today=date(2026, 11, 30)).text
    assert text == "&lt;!channel&gt; Acme's satisfaction fell from satisfied to neutral"


def test_a_score_drop_names_its_points() -> None:
    text = alert_message(alert(score_after=45.0), today=date(2026, 11, 30)).text
    assert text == "&lt;!channel&gt; Acme's score fell 15 points: 60 → 45"
