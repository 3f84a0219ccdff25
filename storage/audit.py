"""The audit trail: one ``audit_entry`` row for every change to a workspace's records, written in
the transaction of the change, so there is never a change without its row nor a row without its
change.

How rows get written:

- Records changed through the ORM (``session.add``, attribute changes, ``session.delete``) are
  recorded by a flush hook (``watch``): one row per record of an audited model, with each changed
  field's before and after from SQLAlchemy's attribute history. Auditing a new model is one line in
  ``AUDITED`` (``audited(Model)``: its name or id is the label, its ``partner_id`` the partner).
- Statements that bypass the ORM (``update()``, ``delete()``, bulk inserts) on an audited table are
  refused by the same hook unless they say, with ``execution_options(**EXPLICIT)``, that the
  storage function records them itself (``record``), or with ``**BOOKKEEPING`` that they touch only
  fields the trail does not keep (reminder claims).

Who: the actor ``Database.transaction(actor=…)`` put in ``session.info`` — a Slack user ID,
``cli:<login>``, ``scheduler``, ``workflow:<id>``. An anonymous answer is always recorded as by
``anonymous``, and never with its respondent.

The trail is never updated or deleted by the app except by ``storage.erasure`` (which passes
``**ERASURE``): forget-team removes a workspace's trail with everything else, forget-partner
replaces the partner's rows by one "erased" row, forget-user replaces the person in actors and
recorded values by ``FORMER_USER``.
"""

from __future__ import annotations

import csv
import enum
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import String, Table, cast, event, insert, inspect, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.util import identity_key

from storage.csv.formulas import escape_formula
from storage.models import (
    AlertSettings,
    AuditEntry,
    DigestSubscription,
    Feedback,
    FeedbackSubmission,
    FollowUp,
    FollowUpStatus,
    Interaction,
    Need,
    Partner,
    PartnerStatus,
    PermissionSetting,
    Project,
    Resource,
    ScoringWeights,
    Survey,
    utc_now,
)

ACTOR = "partnerbot_audit_actor"
UNKNOWN_ACTOR = "unknown"  # a transaction nobody named (tests' set-up); the app always names one
ANONYMOUS = "anonymous"
SCHEDULER = "scheduler"  # the app's own timed jobs (digests, reminders, alerts, retention)
_OFF = "partnerbot_audit_off"  # the benchmark's "without audit" run only
_OPTION = "partnerbot_audit"
# Execution options of a statement on an audited table that bypasses the ORM:
EXPLICIT = {_OPTION: "explicit"}  # the storage function writes its audit rows itself
BOOKKEEPING = {_OPTION: "bookkeeping"}  # touches only fields the trail does not keep (claims)
ERASURE = {_OPTION: "erasure"}  # storage.erasure: the only writer allowed to rewrite the trail

# Fields never recorded: the record's own key (the row says it), bookkeeping the database keeps,
# and the respondent key (a hash of the person: it would link an anonymous answer to others).
_NEVER = frozenset({"id", "team_id", "created_at", "updated_at", "request_key", "name_key", "respondent_key"})
_LABEL_LIMIT = 300


class UnauditedWrite(Exception):
    """A statement would change an audited table behind the trail's back."""


@dataclass(frozen=True)
class Audited:
    """How one model's records appear in the trail."""

    label: Callable[[Session, Any], str]
    hidden: frozenset[str] = frozenset()
    # The action word for a change, from the changed fields' (before, after); None: "changed".
    action: Callable[[dict[str, list[Any]]], str | None] | None = None


def _default_label(session: Session, record: Any) -> str:
    name = getattr(record, "name", None)
    partner = _partner_name(session, record)
    own = str(name) if name else f"{type(record).__tablename__} {_record_id(record)}"
    return f"{partner} · {own}" if partner and not isinstance(record, Partner) else own


def audited(
    model: type,
    *,
    label: Callable[[Session, Any], str] = _default_label,
    hidden: Sequence[str] = (),
    action: Callable[[dict[str, list[Any]]], str | None] | None = None,
) -> tuple[type, Audited]:
    """One entry of ``AUDITED``: a model whose every change is recorded."""
    return model, Audited(label, frozenset(hidden), action)


def _about(describe: Callable[[Any], str]) -> Callable[[Session, Any], str]:
    """A label: the partner's name, then what the record is."""

    def label(session: Session, record: Any) -> str:
        partner = _partner_name(session, record)
        return f"{partner} · {describe(record)}" if partner else describe(record)

    return label


def _status_action(words: dict[str, str]) -> Callable[[dict[str, list[Any]]], str | None]:
    def action(changes: dict[str, list[Any]]) -> str | None:
        status = changes.get("status")
        return words.get(status[1]) if status else None

    return action


def _follow_up_action(changes: dict[str, list[Any]]) -> str | None:
    status = changes.get("status")
    if status and status[1] == FollowUpStatus.DONE.value:
        return "done"
    if "snoozes" in changes:
        return "snoozed"
    return None


AUDITED: dict[type, Audited] = dict(
    [
        audited(
            Partner,
            label=lambda _s, p: p.name,
            action=_status_action(
                {PartnerStatus.ARCHIVED.value: "archived", PartnerStatus.ACTIVE.value: "restored"}
            ),
        ),
        audited(
            Interaction, label=_about(lambda i: f"{_value(i.kind)} communication"), hidden=("permalink",)
        ),
        audited(Feedback, label=_about(lambda _f: "feedback")),
        audited(Survey, label=_about(lambda _s: "survey")),
        audited(Project, label=_about(lambda p: f"project {p.name}")),
        audited(Resource, label=_about(lambda r: f"{_value(r.kind)} resource")),
        audited(
            Need,
            label=_about(lambda n: f"{_value(n.type)} need"),
            action=_status_action({"met": "met", "declined": "declined"}),
        ),
        audited(
            FollowUp,
            label=_about(lambda f: f"follow-up: {f.what}"),
            hidden=("reminded_for", "reminder_claimed_at", "reminder_channel", "reminder_ts"),
            action=_follow_up_action,
        ),
        audited(ScoringWeights, label=lambda _s, _w: "scoring weights"),
        audited(DigestSubscription, label=lambda _s, d: f"{d.every} digest in {d.channel_id}"),
        audited(AlertSettings, label=lambda _s, _a: "drop alerts"),
        audited(PermissionSetting, label=lambda _s, p: f"who may {p.action}"),
    ]
)
# Tables written only by bulk imports, recorded once per import (``imported``).
_IMPORT_ONLY: tuple[type, ...] = (FeedbackSubmission,)


def audited_tables() -> set[str]:
    return {model.__tablename__ for model in AUDITED} | {m.__tablename__ for m in _IMPORT_ONLY}


# --- writing ---------------------------------------------------------------------------------------


def actor_of(session: Session) -> str:
    return session.info.get(ACTOR) or UNKNOWN_ACTOR


def record(
    session: Session,
    team_id: str,
    *,
    table: str,
    record_id: object,
    action: str,
    label: str,
    partner_id: int | None = None,
    changes: dict[str, list[Any]] | None = None,
    actor: str | None = None,
) -> None:
    """Append one row to the trail, in the session's transaction: for changes the flush hook cannot
    see (bulk imports, ``update()`` statements, erasure)."""
    if session.info.get(_OFF):
        return
    _write(
        session,
        [
            _row(
                team_id,
                actor or actor_of(session),
                action,
                table,
                record_id,
                label,
                partner_id,
                changes or {},
            )
        ],
    )


def _row(
    team_id: str,
    actor: str,
    action: str,
    table: str,
    record_id: object,
    label: str,
    partner_id: int | None,
    changes: dict[str, list[Any]],
) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "at": utc_now(),
        "actor": actor[:64],
        "action": action,
        "table_name": table,
        "record_id": str(record_id),
        "label": label[:_LABEL_LIMIT],
        "partner_id": partner_id,
        "changes": changes,
    }


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    # On the session's connection, not session.execute: this runs inside a flush, where an ORM
    # statement would try to flush again.
    session.connection().execute(insert(AuditEntry.__table__).execution_options(**ERASURE), rows)


def _value(value: Any) -> Any:
    """A field's value as JSON keeps it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _record_id(record: Any) -> str:
    # The primary key as the object holds it (a new record's identity is registered only after
    # the flush hooks have run).
    key = inspect(record).mapper.primary_key_from_instance(record)
    return ",".join(str(part) for part in key)


def _partner_name(session: Session, record: Any) -> str | None:
    if isinstance(record, Partner):
        return record.name
    partner_id = getattr(record, "partner_id", None)
    if partner_id is None:
        return None
    partner = session.identity_map.get(identity_key(Partner, partner_id))
    if partner is not None:
        return partner.name
    return session.connection().execute(select(Partner.name).where(Partner.id == partner_id)).scalar()


def _partner_of(record: Any) -> int | None:
    if isinstance(record, Partner):
        return record.id
    return getattr(record, "partner_id", None)


def _fields(record: Any, hidden: frozenset[str]) -> list[str]:
    return [a.key for a in inspect(record).mapper.column_attrs if a.key not in _NEVER and a.key not in hidden]


def _anonymous(record: Any, changes: dict[str, list[Any]]) -> bool:
    return isinstance(record, Feedback) and (record.anonymous or changes.get("anonymous", [False])[0] is True)


def _entry(session: Session, record: Any, how: str, actor: str) -> dict[str, Any] | None:
    spec = AUDITED[type(record)]
    state = inspect(record)
    changes: dict[str, list[Any]] = {}
    for key in _fields(record, spec.hidden):
        if how == "added":
            value = _value(getattr(record, key))
            if value is not None:
                changes[key] = [None, value]
        elif how == "removed":
            loaded = state.attrs[key].loaded_value
            if loaded is not NO_VALUE and loaded is not None:
                changes[key] = [_value(loaded), None]
        else:
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            before = _value(history.deleted[0]) if history.deleted else None
            after = _value(history.added[0]) if history.added else None
            if before != after:
                changes[key] = [before, after]
    if not changes:
        return None  # only fields the trail does not keep moved
    if _anonymous(record, changes):
        changes.pop("respondent", None)
        actor = ANONYMOUS
    action = how
    if how == "changed" and spec.action is not None:
        action = spec.action(changes) or how
    team_id = getattr(record, "team_id", None) or ""
    return _row(
        team_id,
        actor,
        action,
        type(record).__tablename__,
        _record_id(record),
        spec.label(session, record),
        _partner_of(record),
        changes,
    )


def _record_flush(session: Session, _context: Any) -> None:
    if session.info.get(_OFF):
        return
    actor = actor_of(session)
    rows: list[dict[str, Any]] = []
    for how, records in (("added", session.new), ("changed", session.dirty), ("removed", session.deleted)):
        for record in records:
            if type(record) in AUDITED and (how != "changed" or session.is_modified(record)):
                row = _entry(session, record, how, actor)
                if row is not None:
                    rows.append(row)
    if rows:
        _write(session, rows)


def _statement_table(state: ORMExecuteState) -> str | None:
    table = getattr(state.statement, "table", None)
    return table.name if isinstance(table, Table) else None


def _guard(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    name = _statement_table(state)
    if name is None:
        return
    said = state.execution_options.get(_OPTION) or state.statement.get_execution_options().get(_OPTION)
    if name == AuditEntry.__tablename__ and said != "erasure":
        raise UnauditedWrite("the audit trail is only appended to, and rewritten only by the forget commands")
    if name in audited_tables() and said is None:
        raise UnauditedWrite(
            f"a statement changes {name} without an audit row: record it (storage.audit.record, "
            "execution_options(**EXPLICIT)) or change the records through the ORM"
        )


def watch(sessions: sessionmaker[Session]) -> None:
    """Keep the trail for every write transaction made by ``sessions``."""
    event.listen(sessions, "after_flush", _record_flush)
    event.listen(sessions, "do_orm_execute", _guard)


def switch_off(session: Session) -> None:
    """No audit rows for this session's changes: only for measuring what the trail costs."""
    session.info[_OFF] = True


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    entries: list[AuditEntry]
    page: int
    has_older: bool


def partner_trail(
    session: Session, team_id: str, partner_id: int, *, page: int = 1, per_page: int = 10
) -> Page:
    """The partner's trail (its own rows and its records'), newest first, ``page`` counting from 1."""
    page = max(page, 1)
    rows = list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.team_id == team_id, AuditEntry.partner_id == partner_id)
            .order_by(AuditEntry.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
    )
    return Page(rows[:per_page], page, len(rows) > per_page)


def entries(session: Session, team_id: str, *, since: datetime | None = None) -> Iterator[AuditEntry]:
    """The workspace's trail, oldest first (streamed)."""
    query = select(AuditEntry).where(AuditEntry.team_id == team_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    yield from session.scalars(
        query.order_by(AuditEntry.at, AuditEntry.id).execution_options(yield_per=1_000)
    )


# --- export ----------------------------------------------------------------------------------------

CSV_COLUMNS = ("at", "actor", "action", "table", "record_id", "label", "field", "before", "after")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return escape_formula(text)


def export_csv(session: Session, team_id: str, target: TextIO, *, since: datetime | None = None) -> int:
    """Write the workspace's trail as CSV, one line per changed field (a row with no fields: one
    line with them empty); returns the lines written. Cells a spreadsheet would run are defused."""
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    written = 0
    for entry in entries(session, team_id, since=since):
        head = [
            entry.at.isoformat(),
            entry.actor,
            entry.action,
            entry.table_name,
            entry.record_id,
            entry.label,
        ]
        fields = sorted((entry.changes or {}).items()) or [("", [None, None])]
        for field, (before, after) in fields:
            writer.writerow([_cell(v) for v in head] + [_cell(field), _cell(before), _cell(after)])
            written += 1
    return written


# --- erasure's rewrites ----------------------------------------------------------------------------


def replace_person(session: Session, team_ids: Sequence[str] | None, user_id: str, former: str) -> set[str]:
    """``user_id`` becomes ``former`` in the trail's actors, labels and recorded values (for
    forget-user); the workspaces whose trail changed."""
    conditions = [or_(AuditEntry.actor == user_id, AuditEntry.label.contains(user_id), _mentions(user_id))]
    if team_ids is not None:
        conditions.append(AuditEntry.team_id.in_(list(team_ids)))
    touched: set[str] = set()
    for entry in session.scalars(select(AuditEntry).where(*conditions).execution_options(**ERASURE)):
        entry_changes = json.loads(json.dumps(entry.changes).replace(user_id, former))
        values = {
            "actor": former if entry.actor == user_id else entry.actor,
            "label": entry.label.replace(user_id, former),
            "changes": entry_changes,
        }
        session.execute(
            AuditEntry.__table__.update()
            .where(AuditEntry.id == entry.id)
            .values(values)
            .execution_options(**ERASURE)
        )
        touched.add(entry.team_id)
    return touched


def _mentions(user_id: str) -> Any:
    return cast(AuditEntry.changes, String).contains(user_id)


def blank_notes(session: Session, team_id: str, interaction_ids: Sequence[int]) -> None:
    """Notes blanked by retention go from the trail's records of those communications too."""
    keys = [str(i) for i in interaction_ids]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found = session.scalars(
            select(AuditEntry).where(
                AuditEntry.team_id == team_id,
                AuditEntry.table_name == Interaction.__tablename__,
                AuditEntry.record_id.in_(chunk),
            )
        )
        for entry in found:
            notes = (entry.changes or {}).get("notes")
            if not notes or not any(notes):
                continue
            blanked = {**entry.changes, "notes": ["" if v else v for v in notes]}
            session.execute(
                AuditEntry.__table__.update()
                .where(AuditEntry.id == entry.id)
                .values(changes=blanked)
                .execution_options(**ERASURE)
            )
