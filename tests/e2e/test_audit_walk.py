"""The audit trail, walked through every action a person can take in Slack (the same scenarios
as the permissions test: command, button, form or upload), against the real server on SQLite and
PostgreSQL: each change leaves its audit rows, one per record changed and each naming the person
who made it; a refused one, and a mere export, leave none. Read back with `partnerbot audit`."""

from __future__ import annotations

import csv
import io

import pytest

from handlers.shared.permissions import RULES, Act, Role

from .conftest import new_team_id, run_cli
from .slack_client import SlackClient
from .test_permissions import SCENARIOS, World

pytestmark = pytest.mark.e2e

Entry = tuple[str, str, str, str, str]  # at, actor, action, table, record id


def entries(database_url: str, team: str) -> list[Entry]:
    """The team's audit entries (`partnerbot audit` writes one line per changed field)."""
    lines = csv.DictReader(io.StringIO(run_cli(database_url, "audit", "--team", team).stdout, newline=""))
    seen: dict[Entry, None] = {}
    for line in lines:
        seen[(line["at"], line["actor"], line["action"], line["table"], line["record_id"])] = None
    return list(seen)


@pytest.mark.parametrize("act", list(Act), ids=lambda act: act.value)
def test_every_change_made_in_slack_is_in_the_trail_once_by_whoever_made_it(
    slack: SlackClient, database_url: str, act: Act
) -> None:
    w = World(slack, new_team_id())
    before = set(entries(database_url, w.team))
    said, changed = SCENARIOS[act](w, w.admin)
    assert changed(), said
    new = [e for e in entries(database_url, w.team) if e not in before]
    assert all(actor != "unknown" for _, actor, *_ in new), new
    mine = [e for e in new if e[1] == w.admin]
    if act == Act.EXPORT:
        assert mine == [], "an export changes nothing, so it leaves no row"
        return
    assert mine, f"{act.value}: no audit row by the person who made the change"
    records = {(action, table, record) for _, _, action, table, record in mine}
    assert len(records) == len(mine), f"{act.value}: a record recorded twice for one change: {mine}"


@pytest.mark.parametrize(
    "act", [a for a in Act if RULES[a].default == Role.ADMINS], ids=lambda act: act.value
)
def test_a_refused_change_leaves_no_row(slack: SlackClient, database_url: str, act: Act) -> None:
    w = World(slack, new_team_id())
    before = entries(database_url, w.team)
    said, changed = SCENARIOS[act](w, w.member)
    assert "Only " in said and not changed(), said
    assert [e for e in entries(database_url, w.team) if e not in before and e[1] == w.member] == []
