"""Needs and follow-ups files an import refuses: each with the line and reason a person can act on,
and nothing written; on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from transfers import SEED_PARTNERS, load

from storage.db import Database
from storage.models import FollowUp, Need
from storage.transfer import ImportFailed

NEEDS = "partner,type,priority,difficulty,description,status,raised_on,closed_on\n"
FOLLOW_UPS = "partner,owner,due_on,what,status,done_on\n"
GOOD_NEED = "Globex,pricing,,,Fine,,,\n"  # line 2: the bad row is line 3
GOOD_FOLLOW_UP = "Globex,,2030-01-01,Fine,,\n"
NEED_COLUMNS = "partner, type, priority, difficulty, description, status, raised_on, closed_on"
FOLLOW_UP_COLUMNS = "partner, owner, due_on, what, status, done_on"
TYPES = "pricing, technical, integration, marketing, funding, training, support, other"
ONLY_CLOSED = "(only met and declined needs are closed)"

BAD_FILES = [
    # --- needs
    pytest.param(
        "needs",
        "partner,type,description,owner\nGlobex,pricing,x,U01\n",
        1,
        f"unknown column 'owner'; needs files have: {NEED_COLUMNS}",
        id="needs-unknown-column",
    ),
    pytest.param(
        "needs",
        "partner,priority\nGlobex,high\n",
        1,
        "missing required columns 'type', 'description'",
        id="needs-missing-columns",
    ),
    pytest.param(
        "needs",
        NEEDS + GOOD_NEED + "Globx,pricing,,,x,,,\n",
        3,
        "no partner named 'Globx' in this workspace — did you mean 'Globex'?",
        id="needs-unknown-partner",
    ),
    pytest.param(
        "needs",
        NEEDS + "Globex,pricng,,,x,,,\n",
        2,
        f"type must be one of {TYPES} (or a word for one, like discount, api, mdf), got 'pricng' — "
        "did you mean 'pricing'?",
        id="needs-typo-in-type",
    ),
    pytest.param("needs", NEEDS + "Globex,,,,x,,,\n", 2, "type is required but empty", id="needs-no-type"),
    pytest.param(
        "needs",
        NEEDS + GOOD_NEED + "Globex,pricing,urgent!,,x,,,\n",
        3,
        "priority must be one of high, medium, low, got 'urgent!'",
        id="needs-bad-priority",
    ),
    pytest.param(
        "needs",
        NEEDS + "Globex,pricing,,trivial,x,,,\n",
        2,
        "difficulty must be one of easy, medium, hard, got 'trivial'",
        id="needs-bad-difficulty",
    ),
    pytest.param(
        "needs",
        NEEDS + "Globex,pricing,,,   ,,,\n",
        2,
        "description is required but empty",
        id="needs-empty-description",
    ),
    pytest.param(
        "needs",
        NEEDS + "Globex,pricing,,,x,done,,2024-01-01\n",
        2,
        "status must be one of open, met, declined, got 'done'",
        id="needs-bad-status",
    ),
    pytest.param(
        "needs",
        NEEDS + "Globex,pricing,,,x,met,2024-01-01,\n",
        2,
        "closed_on is required when the status is met",
        id="needs-met-without-closed-on",
    ),
    pytest.param(
        "needs",
        NEEDS + "Globex,pricing,,,x,,2024-01-01,2024-02-01\n",
        2,
        f"closed_on must be empty when the status is open {ONLY_CLOSED}",
        id="needs-open-with-closed-on",
    ),
    pytest.param(
        "needs",
        NEEDS + "Globex,pricing,,,x,declined,2024-02-01,2024-01-31\n",
        2,
        "closed_on 2024-01-31 is before raised_on 2024-02-01",
        id="needs-closed-before-raised",
    ),
    pytest.param(
        "needs",
        NEEDS + "Globex,pricing,,,x,,01/02/2024,\n",
        2,
        "raised_on must be a date like 2024-05-01, got '01/02/2024'",
        id="needs-bad-date",
    ),
    pytest.param(
        "needs",
        'partner,type,description,priority\nGlobex,other,"one\ntwo\n\nthree",\nGlobex,other,y,top\n',
        6,
        "priority must be one of high, medium, low, got 'top'",
        id="needs-line-after-multiline-description",
    ),
    # --- follow-ups
    pytest.param(
        "followups",
        "partner,due_on,what,kind\nGlobex,2030-01-01,x,call\n",
        1,
        f"unknown column 'kind'; followups files have: {FOLLOW_UP_COLUMNS}",
        id="followups-unknown-column",
    ),
    pytest.param(
        "followups",
        "partner,what\nGlobex,x\n",
        1,
        "missing required column 'due_on'",
        id="followups-missing-due-on",
    ),
    pytest.param(
        "followups",
        FOLLOW_UPS + GOOD_FOLLOW_UP + "Initech,,2030-01-01,x,,\n",
        3,
        "no partner named 'Initech' in this workspace",
        id="followups-unknown-partner",
    ),
    pytest.param(
        "followups",
        FOLLOW_UPS + "Globex,ana,2030-01-01,x,,\n",
        2,
        "owner must be a Slack user ID like U0123ABCD or <@U0123ABCD>, got 'ana'",
        id="followups-owner-not-an-id",
    ),
    pytest.param(
        "followups",
        FOLLOW_UPS + "Globex,,,x,,\n",
        2,
        "due_on is required but empty",
        id="followups-no-due-on",
    ),
    pytest.param(
        "followups",
        FOLLOW_UPS + "Globex,,next friday,x,,\n",
        2,
        "due_on must be a date like 2024-05-01, got 'next friday'",
        id="followups-due-on-in-words",
    ),
    pytest.param(
        "followups",
        FOLLOW_UPS + "Globex,,2030-01-01,  ,,\n",
        2,
        "what is required but empty",
        id="followups-no-what",
    ),
    pytest.param(
        "followups",
        FOLLOW_UPS + GOOD_FOLLOW_UP + "Globex,,2030-01-01,x,snoozed,\n",
        3,
        "status must be one of open, done, got 'snoozed'",
        id="followups-bad-status",
    ),
    pytest.param(
        "followups",
        FOLLOW_UPS + "Globex,,2024-01-01,x,done,\n",
        2,
        "done_on is required when the status is done",
        id="followups-done-without-done-on",
    ),
    pytest.param(
        "followups",
        FOLLOW_UPS + "Globex,,2024-01-01,x,,2024-01-02\n",
        2,
        "done_on must be empty when the status is open (only done follow-ups have it)",
        id="followups-open-with-done-on",
    ),
]


def count(database: Database, model: type[Need] | type[FollowUp], team_id: str) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(model.team_id == team_id)) or 0


@pytest.mark.parametrize(("kind", "csv_text", "line", "reason"), BAD_FILES)
def test_a_bad_needs_or_followups_file_is_refused_with_its_line_and_writes_nothing(
    database: Database, team_id: str, kind: str, csv_text: str, line: int, reason: str
) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    with pytest.raises(ImportFailed) as failure:
        load(database, kind, csv_text, team_id)
    assert (failure.value.line, failure.value.reason) == (line, reason)
    assert (count(database, Need, team_id), count(database, FollowUp, team_id)) == (0, 0)
