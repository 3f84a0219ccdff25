"""Files an import refuses (storage.transfer): each with the line and reason a person can act on,
and nothing written; on both databases."""

from __future__ import annotations

import io

import pytest
from transfers import SEED_PARTNERS, count, load

from storage.db import Database
from storage.models import Interaction, Partner
from storage.transfer import ImportFailed, import_csv

PARTNER_COLUMNS = "name, tier, region, category, owner, revenue, cost, status"
KINDS = "call, email, meeting, qbr, event, note, other"
INTERACTION_HEADER = "partner,kind,occurred_at,notes\n"

BAD_FILES = [
    pytest.param(
        "partners",
        "name,colour\nAcme,red\n",
        1,
        f"unknown column 'colour'; partners files have: {PARTNER_COLUMNS}",
        id="unknown-column",
    ),
    pytest.param(
        "partners",
        "name,Colour,size\nAcme,red,xl\n",
        1,
        f"unknown columns 'colour', 'size'; partners files have: {PARTNER_COLUMNS}",
        id="unknown-columns",
    ),
    pytest.param(
        "partners", "tier,region\ngold,EMEA\n", 1, "missing required column 'name'", id="missing-name"
    ),
    pytest.param(
        "interactions",
        "partner,notes\nAcme Corp,hi\n",
        1,
        "missing required columns 'kind', 'occurred_at'",
        id="missing-columns",
    ),
    pytest.param("partners", "name,tier,Name\n", 1, "column 'name' appears twice in the header", id="twice"),
    pytest.param(
        "partners", "name,tier,\nAcme,gold,\n", 1, "column 3 of the header has no name", id="no-name"
    ),
    pytest.param(
        "partners",
        "",
        None,
        f"the file is empty; its first line must name the columns: {PARTNER_COLUMNS}",
        id="empty-file",
    ),
    pytest.param(
        "partners",
        "\nname\nHooli\n",
        1,
        f"the first line is blank; it must name the columns: {PARTNER_COLUMNS}",
        id="blank-first-line",
    ),
    pytest.param(
        "partners", "name,tier\nInitech,gold\n,silver\n", 3, "name is required but empty", id="no-name-value"
    ),
    pytest.param(
        "partners",
        "name,tier\nInitech,gold\nHooli,silver,extra\n",
        3,
        "this row has 3 values but the header names 2 columns",
        id="too-many-values",
    ),
    pytest.param(
        "partners",
        'name,tier\nInitech,gold\n"Hooli,silver\n',
        3,
        "this row is not valid CSV (unexpected end of data); check its quotes",
        id="unclosed-quote",
    ),
    pytest.param(
        "partners",
        "name\nInitech\nHooli\n  initech \n",
        4,
        "partner 'initech' is already on line 2 of this file",
        id="duplicate-in-file",
    ),
    pytest.param(
        "partners",
        "name\nInitech\nACME  corp\n",
        3,
        "a partner named 'ACME  corp' already exists in this workspace",
        id="duplicate-in-workspace",
    ),
    pytest.param(
        "partners",
        "name,revenue\nInitech,1234.5\nHooli,abc\n",
        3,
        "revenue must be an amount of 0 or more like 1234.50, got 'abc'",
        id="revenue-not-a-number",
    ),
    pytest.param(
        "partners",
        "name,cost\nHooli,-5\n",
        2,
        "cost must be an amount of 0 or more like 1234.50, got '-5'",
        id="cost-negative",
    ),
    pytest.param(
        "partners",
        "name,revenue\nHooli,1.234\n",
        2,
        "revenue can have at most 2 decimals, got '1.234'",
        id="revenue-too-precise",
    ),
    pytest.param(
        "partners",
        "name,revenue\nHooli,10000000000000\n",
        2,
        "revenue must be less than 10000000000000, got '10000000000000'",
        id="revenue-too-large",
    ),
    pytest.param(
        "partners",
        "name,owner\nHooli,alice\n",
        2,
        "owner must be a Slack user ID like U0123ABCD or <@U0123ABCD>, got 'alice'",
        id="owner-not-an-id",
    ),
    pytest.param(
        "partners",
        "name,status\nHooli,paused\n",
        2,
        "status must be active or archived, got 'paused'",
        id="bad-status",
    ),
    pytest.param(
        "partners",
        f"name\n{'x' * 201}\n",
        2,
        "name is longer than 200 characters",
        id="name-too-long",
    ),
    pytest.param(
        "partners",
        "name,tier\nHooli,=" + "x" * 80 + "\n",
        2,
        "tier is longer than 80 characters",
        id="tier-too-long",
    ),
    pytest.param(
        "interactions",
        INTERACTION_HEADER + "Acme Corp,call,2024-05-01,ok\nGlobex,lunch,2024-05-01,\n",
        3,
        f"kind must be one of {KINDS}, got 'lunch'",
        id="bad-kind",
    ),
    pytest.param(
        "interactions",
        INTERACTION_HEADER + "Globex,,2024-05-01,\n",
        2,
        "kind is required but empty",
        id="no-kind",
    ),
    pytest.param(
        "interactions",
        INTERACTION_HEADER + "Globex,call,yesterday,\n",
        2,
        "occurred_at must be an ISO 8601 date or time like 2024-05-01T10:00:00Z, got 'yesterday'",
        id="bad-date",
    ),
    pytest.param(
        "interactions",
        INTERACTION_HEADER + "Globex,call,2024-13-01,\n",
        2,
        "occurred_at must be an ISO 8601 date or time like 2024-05-01T10:00:00Z, got '2024-13-01'",
        id="impossible-date",
    ),
    pytest.param(
        "interactions",
        INTERACTION_HEADER + "Globex,call,,\n",
        2,
        "occurred_at is required but empty",
        id="no-date",
    ),
    pytest.param(
        "interactions",
        "partner,kind,occurred_at,follow_up_on\nGlobex,call,2024-05-01,next week\n",
        2,
        "follow_up_on must be a date like 2024-05-01, got 'next week'",
        id="bad-follow-up",
    ),
    pytest.param(
        "interactions",
        "partner,kind,occurred_at,user\nGlobex,call,2024-05-01,@alice\n",
        2,
        "user must be a Slack user ID like U0123ABCD or <@U0123ABCD>, got '@alice'",
        id="user-not-an-id",
    ),
    pytest.param(
        "interactions",
        INTERACTION_HEADER + "Globex,call,2024-05-01,\nInitech,call,2024-05-01,\n",
        3,
        "no partner named 'Initech' in this workspace",
        id="unknown-partner",
    ),
    pytest.param(
        "interactions",
        INTERACTION_HEADER + "Acme Crop,call,2024-05-01,\n",
        2,
        "no partner named 'Acme Crop' in this workspace — did you mean 'Acme Corp'?",
        id="unknown-partner-suggestion",
    ),
    pytest.param(
        "interactions",
        INTERACTION_HEADER + 'Globex,call,2024-05-01,"one\ntwo\n\nthree"\n\nGlobex,lunch,2024-05-02,\n',
        7,
        f"kind must be one of {KINDS}, got 'lunch'",
        id="line-after-multiline-notes",
    ),
]


@pytest.mark.parametrize(("kind", "csv_text", "line", "reason"), BAD_FILES)
def test_a_bad_file_is_refused_with_its_line_and_writes_nothing(
    database: Database, team_id: str, kind: str, csv_text: str, line: int | None, reason: str
) -> None:
    load(database, "partners", SEED_PARTNERS, team_id)
    with pytest.raises(ImportFailed) as failure:
        load(database, kind, csv_text, team_id)
    assert (failure.value.line, failure.value.reason) == (line, reason)
    assert str(failure.value) == (reason if line is None else f"line {line}: {reason}")
    assert count(database, Partner, team_id) == 2
    assert count(database, Interaction, team_id) == 0


def test_a_file_that_is_not_utf8_is_refused(database: Database, team_id: str) -> None:
    source = io.TextIOWrapper(io.BytesIO(b"name\nAcme\nCaf\xe9\n"), encoding="utf-8", newline="")
    with pytest.raises(ImportFailed) as failure:
        import_csv(database, "partners", source, team_id=team_id)
    assert str(failure.value) == (
        "the file is not UTF-8 text (invalid continuation byte); save it as UTF-8 and try again"
    )
    assert count(database, Partner, team_id) == 0
