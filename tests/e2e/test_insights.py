"""What drives satisfaction through the real server: a workspace imported with ``partnerbot import``
(timestamps relative to now) where satisfaction rises with meetings, asked with ``/partner insights``
and in plain words; too little feedback, an unknown tier and a bad period in words. On SQLite and
PostgreSQL (conftest's module-scoped server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .conftest import run_cli
from .slack_client import SlackClient, SlackResult, text_of

pytestmark = pytest.mark.e2e


def answer(slack: SlackClient, result: SlackResult) -> str:
    """The reply: in the acknowledgement, or what followed through the response_url."""
    assert result.status == 200, result.text
    if isinstance(result.json, dict) and (result.json.get("text") or result.json.get("blocks")):
        return text_of(result.json)
    assert result.response_url
    return text_of(slack.standin.wait_for_response(result.response_url, timeout=10).args)


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def import_workspace(database_url: str, team: str, *, partners: int, gold: int) -> None:
    """``partners`` partners (the first ``gold`` of them in tier gold; one called ``<!channel>``): each
    meets 0-3 times and emails once in the last 60 days, and rates higher the more it met."""
    names = ["<!channel> *Co*"] + [f"Partner {i:02}" for i in range(1, partners)]
    rows = ["name,tier"] + [f'"{name}",{"gold" if i < gold else "silver"}' for i, name in enumerate(names)]
    contacts, answers = ["partner,kind,occurred_at"], ["partner,csat,nps,submitted_at"]
    for i, name in enumerate(names):
        meetings = i % 4
        contacts += [f'"{name}",meeting,{ago(5 + 13 * m)}' for m in range(meetings)]
        contacts.append(f'"{name}",email,{ago(2 + i % 50)}')
        answers.append(f'"{name}",{2 + meetings},{(i * 7) % 11},{ago(1 + i % 30)}')
    for kind, lines in (("partners", rows), ("interactions", contacts), ("feedback", answers)):
        run_cli(database_url, "import", kind, "-", "--team", team, input="\n".join(lines) + "\n")


def test_insights_find_the_planted_link_for_a_tier_and_in_plain_words(
    slack: SlackClient, team: str, database_url: str
) -> None:
    import_workspace(database_url, team, partners=44, gold=36)
    said = answer(slack, slack.send_command("insights", team=team))
    assert "From *44 partners* with feedback in the last 90 days" in said, said
    assert "Each extra meeting a month goes with *+" in said and "95% CI" in said
    assert "from 44 partners." in said and "R² = " in said and "not causes" in said
    assert "calls a month — the same for every partner with feedback (0 calls a month)" in said
    assert "project success rate — no partner with feedback has one" in said

    gold = answer(slack, slack.send_command("insights tier:Gold last 90d", team=team))
    assert "From *36 partners* with feedback in tier “Gold” in the last 90 days" in gold, gold
    year = answer(slack, slack.send_command("insights last year", team=team))
    assert "in the last year" in year and "Each extra meeting a month goes with" in year

    asked = slack.ask("what drives satisfaction?", team=team)
    assert "From *44 partners*" in asked and "Each extra meeting a month goes with" in asked


def test_too_little_feedback_and_bad_input_are_answered_in_words(
    slack: SlackClient, team: str, database_url: str
) -> None:
    import_workspace(database_url, team, partners=12, gold=5)
    said = answer(slack, slack.send_command("insights", team=team))
    assert "Not enough data yet: 12 partners with feedback in the last 90 days, 30 needed." in said, said
    nasty = answer(slack, slack.send_command('insights tier:"<!here> platinum"', team=team))
    assert "No active partner has tier “&lt;!here&gt; platinum”. Tiers in use: “gold”, “silver”." in nasty
    period = answer(slack, slack.send_command("insights last 30d", team=team))
    assert "`last 90d` (the default) or `last year`" in period, period
    asked = slack.ask("what makes partners happy?", team=team)
    assert "Not enough data yet: 12 partners with feedback" in asked
