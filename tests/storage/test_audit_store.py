"""The audit trail (storage/audit.py): one row per change, in the change's transaction, with who,
what and each field's before → after; refused writes behind its back; anonymous answers never
name anyone; paging, export. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from storage import alerts as alert_store
from storage import audit
from storage import digests as digest_store
from storage import followups as follow_up_store
from storage import interactions as interaction_store
from storage import needs as need_store
from storage import partners as partner_store
from storage import projects as project_store
from storage.db import Database
from storage.feedback import record_feedback
from storage.models import (
    AuditEntry,
    DigestSubscription,
    InteractionKind,
    NeedStatus,
    NeedType,
    Partner,
    PartnerStatus,
    ProjectStatus,
    ResourceKind,
    ScoringWeights,
)
from storage.transfer import import_csv

AT = datetime(2026, 6, 15, 12, tzinfo=UTC)
ANN = "U0ANN"


def trail(database: Database, team_id: str) -> list[AuditEntry]:
    with database.read() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.team_id == team_id).order_by(AuditEntry.id))
        )


def add_acme(database: Database, team_id: str, actor: str = ANN) -> int:
    with database.transaction(actor=actor) as session:
        return partner_store.add_partner(session, team_id, "Acme", tier="gold", owner=ANN).id


def test_adding_changing_and_archiving_a_partner_records_who_what_and_before_after(
    database: Database, team_id: str
) -> None:
    partner_id = add_acme(database, team_id)
    with database.transaction(actor="U0BOB") as session:
        partner = partner_store.get_partner(session, team_id, partner_id)
        partner_store.update_partner(session, partner, tier="silver", revenue=Decimal("1200.50"))
    with database.transaction(actor="cli:ops") as session:
        partner_store.set_status(
            session, partner_store.get_partner(session, team_id, partner_id), PartnerStatus.ARCHIVED
        )

    added, changed, archived = trail(database, team_id)
    assert (added.actor, added.action, added.table_name, added.record_id, added.label) == (
        ANN,
        "added",
        "partner",
        str(partner_id),
        "Acme",
    )
    assert added.changes["name"] == [None, "Acme"] and added.changes["tier"] == [None, "gold"]
    assert "name_key" not in added.changes and "created_at" not in added.changes
    assert (changed.actor, changed.action) == ("U0BOB", "changed")
    assert changed.changes == {"tier": ["gold", "silver"], "revenue": [None, "1200.50"]}
    assert (archived.actor, archived.action, archived.changes) == (
        "cli:ops",
        "archived",
        {"status": ["active", "archived"]},
    )
    assert {e.partner_id for e in (added, changed, archived)} == {partner_id}


def test_every_storage_write_function_writes_exactly_one_row_per_record_it_changes(
    database: Database, team_id: str
) -> None:
    partner_id = add_acme(database, team_id)
    steps: list[tuple[str, str, str]] = []  # (table, action) expected per step, in order

    def step(table: str, action: str, actor: str = ANN) -> object:
        steps.append((table, action, actor))
        return database.transaction(actor=actor)

    with step("interaction", "added") as session:
        logged = interaction_store.log_interaction(
            session,
            team_id,
            partner_id=partner_id,
            kind=InteractionKind.CALL,
            occurred_at=AT,
            notes="kick-off",
            user_id=ANN,
        )
        interaction_id = logged.interaction.id
    with step("interaction", "changed") as session:
        interaction = interaction_store.get_interaction(session, team_id, interaction_id)
        interaction_store.update_interaction(
            session,
            interaction,
            partner_id=partner_id,
            kind=InteractionKind.MEETING,
            occurred_at=AT,
            notes="kick-off",
            follow_up_on=None,
        )
    with step("follow_up", "added") as session:
        follow_up, _ = follow_up_store.add_follow_up(
            session,
            team_id,
            partner_id=partner_id,
            owner=ANN,
            what="send deck",
            due_on=date(2026, 6, 20),
            created_by=ANN,
            interaction_id=interaction_id,
        )
        follow_up_id = follow_up.id
    with step("follow_up", "snoozed") as session:
        follow_up_store.snooze(
            session,
            follow_up_store.get_follow_up(session, team_id, follow_up_id),
            days=1,
            today=date(2026, 6, 20),
        )
    with step("follow_up", "done") as session:
        follow_up_store.mark_done(
            session,
            follow_up_store.get_follow_up(session, team_id, follow_up_id),
            on=date(2026, 6, 21),
            by=ANN,
        )
    with step("interaction", "removed") as session:
        assert interaction_store.delete_interaction(session, team_id, interaction_id)
    with step("project", "added") as session:
        project, _ = project_store.add_project(
            session, team_id, partner_id=partner_id, name="Pilot", created_by=ANN
        )
        project_id = project.id
    with step("project", "changed") as session:
        project_store.update_project(
            session, project_store.get_project(session, team_id, project_id), by=ANN, progress=50
        )
    with step("project", "changed") as session:
        project_store.close_project(
            session,
            project_store.get_project(session, team_id, project_id),
            ProjectStatus.WON,
            on=date(2026, 6, 22),
            by=ANN,
        )
    with step("resource", "added") as session:
        project_store.add_resource(
            session,
            team_id,
            partner_id=partner_id,
            kind=ResourceKind.PEOPLE,
            amount=Decimal(10),
            committed_on=date(2026, 6, 22),
            created_by=ANN,
        )
    with step("need", "added") as session:
        need_id = need_store.add_need(
            session,
            team_id,
            partner_id=partner_id,
            type=NeedType.PRICING,
            description="discount",
            raised_on=date(2026, 6, 22),
            created_by=ANN,
        )[0].id
    with step("need", "met") as session:
        need_store.close_need(
            session,
            need_store.get_need(session, team_id, need_id),
            NeedStatus.MET,
            on=date(2026, 6, 23),
            by=ANN,
        )
    with step("alert_settings", "added") as session:
        alert_store.save_settings(session, team_id, drop_points=15, enabled=True, changed_by=ANN, now=AT)
    with step("alert_settings", "changed") as session:
        alert_store.save_settings(session, team_id, drop_points=20, enabled=None, changed_by=ANN, now=AT)
    with step("digest_subscription", "added") as session:
        subscription = DigestSubscription(
            team_id=team_id, channel_id="C1", every="weekly", timezone="UTC", created_by=ANN
        )
        session.add(subscription)
        session.flush()
        subscription_id = subscription.id
    with step("digest_subscription", "changed", audit.SCHEDULER) as session:
        digest_store.disable(session, subscription_id, "channel archived")
    with step("digest_subscription", "removed") as session:
        digest_store.remove_subscription(session, session.get(DigestSubscription, subscription_id))
    with step("scoring_weights", "added") as session:
        session.add(
            ScoringWeights(
                team_id=team_id,
                satisfaction=1,
                engagement=1,
                recency=1,
                business=1,
                delivery=1,
                updated_by=ANN,
            )
        )

    rows = trail(database, team_id)[1:]  # after the partner's own "added"
    assert [(r.table_name, r.action, r.actor) for r in rows] == steps
    assert rows[1].changes == {"kind": ["call", "meeting"]}
    assert rows[3].changes["snoozes"] == [0, 1] and "reminded_for" not in rows[3].changes
    assert rows[5].changes["notes"] == ["kick-off", None]  # what was removed is kept
    assert all(
        r.label.startswith("Acme · ")
        for r in rows
        if r.table_name in ("interaction", "project", "need", "follow_up")
    )
    assert rows[15].changes == {"enabled": [True, False], "disabled_reason": [None, "channel archived"]}


def test_a_failed_change_leaves_no_row_and_a_failed_row_undoes_the_change(
    database: Database, team_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_acme(database, team_id)
    with pytest.raises(partner_store.PartnerExists), database.transaction(actor=ANN) as session:
        partner_store.add_partner(session, team_id, "Globex")
        partner_store.add_partner(session, team_id, "acme")  # refused: the whole transaction goes
    assert [e.label for e in trail(database, team_id)] == ["Acme"]

    def broken(*_args: object) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(audit, "_write", broken)
    with pytest.raises(RuntimeError), database.transaction(actor=ANN) as session:
        partner_store.add_partner(session, team_id, "Initech")
    monkeypatch.undo()
    with database.read() as session:
        assert partner_store.get_partner_by_name(session, team_id, "Initech") is None
    assert len(trail(database, team_id)) == 1


def test_statements_behind_the_trails_back_are_refused_and_the_trail_cannot_be_edited(
    database: Database, team_id: str
) -> None:
    partner_id = add_acme(database, team_id)
    with pytest.raises(audit.UnauditedWrite, match="partner"), database.transaction(actor=ANN) as session:
        session.execute(update(Partner).where(Partner.id == partner_id).values(tier="bronze"))
    with (
        pytest.raises(audit.UnauditedWrite, match="only appended"),
        database.transaction(actor=ANN) as session,
    ):
        session.execute(update(AuditEntry).where(AuditEntry.team_id == team_id).values(actor="U0FAKE"))
    with database.read() as session:
        assert session.get(Partner, partner_id).tier == "gold"
    assert [e.actor for e in trail(database, team_id)] == [ANN]


def test_an_anonymous_answer_never_names_its_respondent(database: Database, team_id: str) -> None:
    partner_id = add_acme(database, team_id, actor="U0OWNER")
    for csat in (3, 5):  # answered, then replaced within the same (no) survey context
        with database.transaction(actor=audit.ANONYMOUS) as session:
            record_feedback(
                session,
                team_id,
                partner_id=partner_id,
                csat=csat,
                nps=None,
                comment="fine",
                user_team_id=team_id,
                user_id=ANN,
                anonymous=True,
                submitted_at=AT,
            )
    # Even with the person's own ID as the transaction's actor, the answer's row says anonymous.
    with database.transaction(actor=ANN) as session:
        record_feedback(
            session,
            team_id,
            partner_id=partner_id,
            csat=4,
            nps=9,
            comment="",
            user_team_id=team_id,
            user_id=ANN,
            anonymous=True,
            submitted_at=AT,
        )
    feedback_rows = [e for e in trail(database, team_id) if e.table_name == "feedback"]
    assert feedback_rows and all(e.actor == audit.ANONYMOUS for e in feedback_rows)
    for entry in feedback_rows:
        assert "respondent" not in entry.changes and "respondent_key" not in entry.changes
        assert ANN not in repr(entry.changes) and ANN not in entry.label


def test_an_import_writes_one_row_with_the_rows_added_and_the_file(database: Database, team_id: str) -> None:
    source = io.StringIO("name,tier\nAcme,gold\nGlobex,silver\nInitech,\n")
    import_csv(database, "partners", source, team_id=team_id, actor="cli:ops", file_name="partners.csv")
    (entry,) = trail(database, team_id)
    assert (entry.actor, entry.action, entry.table_name, entry.label, entry.changes) == (
        "cli:ops",
        "imported",
        "partner",
        "partners.csv",
        {"rows": [None, 3]},
    )


def test_a_partners_trail_is_paged_newest_first_and_scoped_to_the_workspace(
    database: Database, team_id: str, other_team_id: str
) -> None:
    partner_id = add_acme(database, team_id)
    add_acme(database, other_team_id)
    for number in range(1, 13):
        with database.transaction(actor=ANN) as session:
            partner_store.update_partner(
                session, partner_store.get_partner(session, team_id, partner_id), region=f"R{number}"
            )
    with database.read() as session:
        first = audit.partner_trail(session, team_id, partner_id, page=1, per_page=5)
        third = audit.partner_trail(session, team_id, partner_id, page=3, per_page=5)
    assert [e.changes["region"][1] for e in first.entries] == ["R12", "R11", "R10", "R9", "R8"]
    assert first.has_older and not third.has_older
    assert [e.action for e in third.entries] == ["changed", "changed", "added"]


def test_the_export_is_one_line_per_field_formula_safe_and_since_a_date(
    database: Database, team_id: str
) -> None:
    partner_id = add_acme(database, team_id)
    with database.transaction(actor=ANN) as session:
        partner_store.update_partner(
            session,
            partner_store.get_partner(session, team_id, partner_id),
            region="=HYPERLINK(1)",
            tier=None,
        )
    out = io.StringIO()
    with database.read() as session:
        lines = audit.export_csv(session, team_id, out)
        later = audit.export_csv(session, team_id, io.StringIO(), since=datetime.now(UTC) + timedelta(days=1))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert lines == len(rows) and later == 0
    assert list(rows[0]) == list(audit.CSV_COLUMNS)
    changed = {r["field"]: (r["before"], r["after"]) for r in rows if r["action"] == "changed"}
    assert changed == {"region": ("", "'=HYPERLINK(1)"), "tier": ("gold", "")}
    assert {r["record_id"] for r in rows} == {str(partner_id)}
