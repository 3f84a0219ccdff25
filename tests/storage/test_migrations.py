"""Migrations keep what is stored: a database with data at one revision comes out at the head with
nothing lost; and the migrated schema is the one the models declare. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert, inspect, select
from transfers import dump

from storage import digests, ranking
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.models import (
    Base,
    DigestRun,
    DigestRunStatus,
    DigestSubscription,
    Interaction,
    InteractionKind,
    Partner,
    PartnerStatus,
    Survey,
    SurveyStatus,
)
from storage.transfer import import_csv
from storage.types import UTCDateTime
from tests.storage.test_rollups import recounted, stored_rollups

TEAM = "T0MIGRATE"
AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
JSON_COLUMNS = {("weight_change", "old_weights"), ("weight_change", "new_weights"), ("digest_run", "ranks")}

# The two tables with JSON as revision 0007 left them: TEXT, written with json.dumps by hand.
_AT_0007 = MetaData()
_WEIGHT_CHANGE_0007 = Table(
    "weight_change",
    _AT_0007,
    Column("id", Integer, primary_key=True),
    Column("team_id", String),
    Column("changed_by", String),
    Column("changed_at", UTCDateTime()),
    Column("old_weights", Text),
    Column("new_weights", Text),
)
_DIGEST_RUN_0007 = Table(
    "digest_run",
    _AT_0007,
    Column("id", Integer, primary_key=True),
    Column("subscription_id", Integer),
    Column("team_id", String),
    Column("period", String),
    Column("scheduled_for", UTCDateTime()),
    Column("status", String),
    Column("claimed_at", UTCDateTime()),
    Column("finished_at", UTCDateTime()),
    Column("outcome", Text),
    Column("ranks", Text),
)

PARTNERS = (
    "name,tier,region,category,owner,revenue,cost,status\n"
    "Acme Corp,gold,EMEA,reseller,U0AAA1,1234.5,10,\n"
    "Globex,silver,,,<@W0BBB2>,,,archived\n"
    '"=HYPERLINK(""x"")",,,,,,,active\n'
)
INTERACTIONS = (
    "partner,kind,occurred_at,notes,user,follow_up_on\n"
    'Acme Corp,mtg,2026-10-01T10:00:00+02:00,"multi\nline",U0AAA1,2026-11-01\n'
    "globex,qbr,2026-10-02,'=1+1,,\n"
)
FEEDBACK = (
    "partner,csat,nps,comment,respondent,submitted_at\n"
    "Acme Corp,5,10,great,U0AAA1,2026-10-03T08:00:00Z\n"
    "Globex,2,,,,2026-10-04T08:00:00Z\n"
)
OLD_WEIGHTS = {"business": 0.1, "engagement": 0.3, "recency": 0.2, "satisfaction": 0.4}
NEW_WEIGHTS = {"business": 0.25, "engagement": 0.25, "recency": 0.25, "satisfaction": 0.25}
RANKS = {"1": [1, 80.5], "2": [2, 61.25]}


def _migrate(database: Database, revision: str, *, down: bool = False) -> None:
    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _fill_at_0007(database: Database) -> int:
    """Rows in every table the migration touches or reads, written as 0007's code wrote them;
    returns the digest subscription's ID."""
    # Today's import also writes the roll-ups and data versions (0015): lend it those tables for the
    # fill, and drop them again, so that 0015 counts the roll-ups from the rows as 0007 left them.
    # The audit trail (0018) too: 0018 starts the trail empty, whatever was there.
    lent = [
        Base.metadata.tables[name]
        for name in ("activity_day", "last_contact", "data_version", "data_change", "audit_entry")
    ]
    Base.metadata.create_all(database.engine, tables=lent)
    for kind, text in (("partners", PARTNERS), ("interactions", INTERACTIONS), ("feedback", FEEDBACK)):
        import_csv(database, kind, io.StringIO(text, newline=""), team_id=TEAM)
    Base.metadata.drop_all(database.engine, tables=lent)
    with database.engine.begin() as connection:
        acme = connection.scalar(
            select(Partner.id).where(Partner.team_id == TEAM, Partner.name == "Acme Corp")
        )
        survey = {"team_id": TEAM, "partner_id": acme, "created_by": "U0AAA1", "created_at": AT}
        connection.execute(insert(Survey), [{**survey, "status": "open"}, {**survey, "status": "closed"}])
        connection.execute(
            insert(_WEIGHT_CHANGE_0007).values(
                team_id=TEAM,
                changed_by="U0AAA1",
                changed_at=AT,
                old_weights=json.dumps(OLD_WEIGHTS, sort_keys=True),
                new_weights=json.dumps(NEW_WEIGHTS, sort_keys=True),
            )
        )
        subscription = connection.execute(
            insert(DigestSubscription)
            .values(
                team_id=TEAM,
                channel_id="C0PARTNERS",
                every="daily",
                timezone="UTC",
                created_by="U0AAA1",
                created_at=AT,
            )
            .returning(DigestSubscription.id)
        ).scalar_one()
        connection.execute(
            insert(_DIGEST_RUN_0007),
            [
                {
                    "subscription_id": subscription,
                    "team_id": TEAM,
                    "period": period,
                    "scheduled_for": AT + timedelta(days=day),
                    "status": status,
                    "claimed_at": AT + timedelta(days=day),
                    "finished_at": AT + timedelta(days=day),
                    "outcome": status,
                    "ranks": ranks,
                }
                for day, period, status, ranks in (
                    (0, "2026-11-02", "posted", json.dumps(RANKS)),
                    (1, "2026-11-03", "failed", None),
                )
            ],
        )
    return subscription


def _column_types(database: Database) -> dict[tuple[str, str], str]:
    with database.engine.connect() as connection:
        found = inspect(connection)
        return {
            (table, column["name"]): str(column["type"]).upper()
            for table in ("weight_change", "digest_run")
            for column in found.get_columns(table)
        }


def test_migration_0008_keeps_every_row_and_reads_json_and_enums(empty_database: Database) -> None:
    database = empty_database
    _migrate(database, "0007")
    subscription = _fill_at_0007(database)
    exported = {kind: dump(database, kind, TEAM) for kind in ("partners", "interactions", "feedback")}

    upgrade(database)

    assert {kind: dump(database, kind, TEAM) for kind in exported} == exported
    json_type = "JSON" if database.dialect == "postgresql" else "TEXT"
    types = _column_types(database)
    assert {column: types[column] for column in JSON_COLUMNS} == dict.fromkeys(JSON_COLUMNS, json_type)
    with database.read() as session:
        statuses = dict(
            session.execute(select(Partner.name, Partner.status).where(Partner.team_id == TEAM)).all()
        )
        kinds = set(session.scalars(select(Interaction.kind).where(Interaction.team_id == TEAM)))
        surveys = set(session.scalars(select(Survey.status).where(Survey.team_id == TEAM)))
        runs = {
            run.period: run for run in session.scalars(select(DigestRun).where(DigestRun.team_id == TEAM))
        }
        history = ranking.weight_history(session, TEAM)
        previous = digests.previous_ranks(session, subscription, before=AT + timedelta(days=5))
    assert statuses == {
        "Acme Corp": PartnerStatus.ACTIVE,
        "Globex": PartnerStatus.ARCHIVED,
        '=HYPERLINK("x")': PartnerStatus.ACTIVE,
    }
    assert all(type(status) is PartnerStatus for status in statuses.values())
    assert kinds == {InteractionKind.MEETING, InteractionKind.QBR}
    assert all(type(kind) is InteractionKind for kind in kinds)
    assert surveys == {SurveyStatus.OPEN, SurveyStatus.CLOSED}
    assert all(type(status) is SurveyStatus for status in surveys)
    assert runs["2026-11-02"].status is DigestRunStatus.POSTED and runs["2026-11-02"].ranks == RANKS
    assert runs["2026-11-03"].status is DigestRunStatus.FAILED and runs["2026-11-03"].ranks is None
    assert [(change.old, change.new) for change in history] == [(OLD_WEIGHTS, NEW_WEIGHTS)]
    assert previous == {1: (1, 80.5), 2: (2, 61.25)}

    # What the new code writes reads back too, and survives going back to 0007 as JSON text.
    with database.transaction() as session:
        ranking.save_weights(session, TEAM, OLD_WEIGHTS, old=NEW_WEIGHTS, changed_by="U0AAA1", now=AT)
    _migrate(database, "0007", down=True)
    with database.engine.connect() as connection:
        texts = connection.execute(
            select(_WEIGHT_CHANGE_0007.c.old_weights, _WEIGHT_CHANGE_0007.c.new_weights)
            .where(_WEIGHT_CHANGE_0007.c.team_id == TEAM)
            .order_by(_WEIGHT_CHANGE_0007.c.id)
        ).all()
        ranks = connection.scalars(select(_DIGEST_RUN_0007.c.ranks).order_by(_DIGEST_RUN_0007.c.id)).all()
    assert [(json.loads(old), json.loads(new)) for old, new in texts] == [
        (OLD_WEIGHTS, NEW_WEIGHTS),
        (NEW_WEIGHTS, OLD_WEIGHTS),
    ]
    assert [None if text is None else json.loads(text) for text in ranks] == [RANKS, None]


def test_the_migrated_schema_is_the_models_schema(database: Database) -> None:
    """Autogenerate finds nothing to do, except SQLite's JSON columns, which stay TEXT (0008)."""
    with database.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    # Column changes come as lists of one; table and index changes as bare tuples.
    flat = [change for item in differences for change in (item if isinstance(item, list) else [item])]
    changed = {(change[2], change[3]) for change in flat if change[0] == "modify_type"}
    assert changed == (JSON_COLUMNS if database.dialect == "sqlite" else set()), flat
    assert len(flat) == len(changed), flat


def test_migration_0011_turns_stored_follow_up_dates_into_follow_ups(empty_database: Database) -> None:
    """Every follow-up date on a communication becomes an open follow-up of whoever logged it (the
    partner's owner when nobody did); a date already past counts as reminded, so upgrading never
    sends a burst of old reminders."""
    database = empty_database
    _migrate(database, "0010")
    today = datetime.now(UTC).date()
    partners = Table("partner", MetaData(), autoload_with=database.engine)
    interactions = Table("interaction", MetaData(), autoload_with=database.engine)
    with database.engine.begin() as connection:
        acme = connection.execute(
            insert(partners).values(
                team_id=TEAM,
                name="Acme",
                name_key="acme",
                owner="UOWNER",
                status="active",
                created_at=AT,
                updated_at=AT,
            )
        ).inserted_primary_key[0]
        rows = [
            ("ULOGGER", "Send the pricing deck", today + timedelta(days=3)),
            (None, "", today - timedelta(days=10)),
            ("ULOGGER", "no follow-up here", None),
        ]
        for user, notes, follow_up_on in rows:
            connection.execute(
                insert(interactions).values(
                    team_id=TEAM, partner_id=acme, kind="call", occurred_at=AT, notes=notes,
                    user_id=user, follow_up_on=follow_up_on, created_at=AT,
                )
            )  # fmt: skip
    upgrade(database)
    follow_ups = Table("follow_up", MetaData(), autoload_with=database.engine)
    with database.engine.connect() as connection:
        found = connection.execute(
            select(
                follow_ups.c.owner,
                follow_ups.c.what,
                follow_ups.c.due_on,
                follow_ups.c.status,
                follow_ups.c.reminded_for,
                follow_ups.c.team_id,
            ).order_by(follow_ups.c.due_on)
        ).all()
    assert [tuple(row) for row in found] == [
        (
            "UOWNER",
            "Follow up on the call",
            today - timedelta(days=10),
            "open",
            today - timedelta(days=10),
            TEAM,
        ),
        ("ULOGGER", "Send the pricing deck", today + timedelta(days=3), "open", None, TEAM),
    ]


def test_migration_0015_counts_the_rollups_of_what_was_logged(empty_database: Database) -> None:
    """The roll-ups start equal to a recount of the communications logged before them, per
    workspace, with each UTC day (not the local one) and each partner's last contact."""
    database = empty_database
    _migrate(database, "0014")
    partners = Table("partner", MetaData(), autoload_with=database.engine)
    interactions = Table("interaction", MetaData(), autoload_with=database.engine)
    other = "T0OTHERTEAM"
    with database.engine.begin() as connection:
        ids = {}
        for team, name in ((TEAM, "Acme"), (TEAM, "Globex"), (other, "Acme")):
            ids[team, name] = connection.execute(
                insert(partners).values(
                    team_id=team,
                    name=name,
                    name_key=name.lower(),
                    status="active",
                    created_at=AT,
                    updated_at=AT,
                )
            ).inserted_primary_key[0]
        logged = [
            (TEAM, "Acme", "call", AT),
            (TEAM, "Acme", "meeting", AT + timedelta(hours=14, minutes=59)),  # 23:59 UTC: same day
            (TEAM, "Acme", "qbr", AT + timedelta(hours=15)),  # 00:00 UTC: the next day
            (TEAM, "Globex", "email", AT - timedelta(days=40)),
            (other, "Acme", "note", AT),
        ]
        for team, name, kind, when in logged:
            connection.execute(
                insert(interactions).values(
                    team_id=team,
                    partner_id=ids[team, name],
                    kind=kind,
                    occurred_at=when,
                    notes="",
                    created_at=AT,
                )
            )
    upgrade(database)
    for team in (TEAM, other):
        assert stored_rollups(database, team) == recounted(database, team)
    days, last = stored_rollups(database, TEAM)
    assert days[AT.date(), ids[TEAM, "Acme"]] == (2, 1, 0, 1, 0, 0, 0, 0)
    assert last[ids[TEAM, "Acme"]] == AT + timedelta(hours=15)
