"""Forgetting on request, and keeping communication notes no longer than the workspace allows.

Four operations, each one function taking ``(session, team_id, actor, …)`` and running inside the
caller's single transaction, so that all of it happens or none of it does, and so that the audit
trail (issue 16) can be appended in one place per operation:

- ``forget_team``: every row of a workspace, in every table (and the Slack installation tables,
  when the app keeps its own installations).
- ``forget_user``: a person's identity wherever a record names them; the records stay, written by
  ``FORMER_USER`` ("a former user"), and every number computed from them is unchanged.
- ``forget_partner``: a partner and everything recorded about it, score history included.
- ``blank_old_notes``: communication notes older than the retention period become empty; the
  communications themselves stay, because they count for the scores.

``actor`` names who asked (``cli:<login>``, ``scheduler``); the audit trail (``storage.audit``)
records each operation under that name, in the same transaction. The statements here bypass the
ORM, so each carries ``audit.ERASURE`` and the function writes its own audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Column, Table, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage import audit, versions
from storage.feedback import respondent_key
from storage.models import (
    AlertSent,
    AlertSettings,
    Base,
    DataChange,
    DigestRun,
    DigestSubscription,
    Feedback,
    FeedbackSubmission,
    FollowUp,
    Interaction,
    Need,
    Partner,
    PermissionSetting,
    Project,
    Resource,
    ScoringWeights,
    SlackInstallations,
    Survey,
    SurveyInvitation,
    WeightChange,
)
from storage.partners import get_partner_by_name, suggest_names
from storage.slack_ids import FORMER_USER

# Tables of the models without a team_id, and how a workspace's rows in them are found. A new
# table without team_id must be added here (forget_team refuses to run otherwise).
WITHOUT_TEAM_ID: dict[str, str] = {
    "survey_invitation": "erased with its survey (survey_id)",
    "secret": "installation-wide keys, nobody's data",
    "slack_oauth_states": "a one-time install link: lives ten minutes, before any workspace exists",
}
# Every column that names a person (a Slack user ID). tests/storage/test_erasure_store.py checks
# that each column of the models called like one (``*_by``, owner, user_id …) is listed.
PERSON_COLUMNS: dict[type[Base] | Table, tuple[str, ...]] = {
    Partner: ("owner",),
    Project: ("created_by", "updated_by", "closed_by"),
    Resource: ("created_by",),
    Interaction: ("user_id",),
    FollowUp: ("owner", "done_by", "created_by"),
    Need: ("closed_by", "created_by"),
    Survey: ("created_by",),
    Feedback: ("respondent",),
    ScoringWeights: ("updated_by",),
    WeightChange: ("changed_by",),
    DigestSubscription: ("created_by",),
    AlertSettings: ("updated_by",),
    PermissionSetting: ("updated_by",),
    AlertSent: ("owner",),
    SlackInstallations: ("user_id",),  # who installed Partnerbot (installed in many workspaces)
}


class TableWithoutTeam(Exception):
    """A table has no team_id and no known way to find a workspace's rows in it."""


class UnknownPartnerName(Exception):
    """No partner of the workspace has that name; ``suggestions`` are the closest ones."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no partner named {name!r} in team.{hint}")


@dataclass
class Removed:
    """How many rows each table lost (or had changed), in the order they were touched."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        if count:
            self.rows[table] = self.rows.get(table, 0) + count

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- forget-team ---------------------------------------------------------------------------------


def tables_without_team_id() -> list[str]:
    """The models' tables with no team_id column that nobody said how to erase."""
    return sorted(
        table.name
        for table in Base.metadata.tables.values()
        if "team_id" not in table.c and table.name not in WITHOUT_TEAM_ID
    )


def _team_tables(session: Session) -> list[Table]:
    missing = tables_without_team_id()
    if missing:
        raise TableWithoutTeam(
            f"tables without team_id: {', '.join(missing)}; say in storage/erasure.py how to erase them"
        )
    # Dependents before what they refer to, so no foreign key is ever left pointing at nothing. The
    # installation tables (slack_installations, slack_bots) are among them: a forgotten workspace
    # must install Partnerbot again.
    return [t for t in reversed(Base.metadata.sorted_tables) if "team_id" in t.c]


def _team_surveys(team_id: str) -> object:
    return select(Survey.id).where(Survey.team_id == team_id).scalar_subquery()


def team_footprint(session: Session, team_id: str) -> Removed:
    """What ``forget_team`` would remove: rows per table (for the confirmation)."""
    found = Removed()
    found.add(
        SurveyInvitation.__tablename__,
        session.scalar(select(func.count()).where(SurveyInvitation.survey_id.in_(_team_surveys(team_id))))
        or 0,
    )
    for table in _team_tables(session):
        count = session.scalar(select(func.count()).select_from(table).where(table.c.team_id == team_id))
        found.add(table.name, count or 0)
    return found


def forget_team(session: Session, team_id: str, actor: str) -> Removed:
    """Erase every row of the workspace in every table. The data version goes too: a process
    holding a ranking of it sees a version lower than its own and computes afresh."""
    tables = _team_tables(session)  # before anything is deleted: refuses an unknown table
    removed = Removed()
    removed.add(
        SurveyInvitation.__tablename__,
        session.execute(
            delete(SurveyInvitation).where(SurveyInvitation.survey_id.in_(_team_surveys(team_id)))
        ).rowcount,
    )
    for table in tables:
        statement = delete(table).where(table.c.team_id == team_id).execution_options(**audit.ERASURE)
        removed.add(table.name, session.execute(statement).rowcount)
    # Audit: none. The workspace's trail (audit_entry has a team_id) is erased with the rest, as
    # the request asks; who ran it is in the operator's own logs (the CLI prints the counts).
    return removed


# --- forget-user ---------------------------------------------------------------------------------


def forget_user(session: Session, team_id: str | None, actor: str, user_id: str) -> Removed:
    """Replace ``user_id`` by ``FORMER_USER`` in every record that names them, in one workspace
    or (``team_id`` None) in all. Their feedback keeps its ratings, so every average is unchanged;
    its respondent key (a keyed hash of the person) is cleared, anonymous answers' included, so
    nothing left leads back to them. Returns the rows changed per table."""
    changed = Removed()
    teams: set[str] = set()
    for model, columns in PERSON_COLUMNS.items():
        table = getattr(model, "__table__", model)
        for name in columns:
            column: Column = table.c[name]
            where = [column == user_id]
            if team_id is not None:
                where.append(table.c.team_id == team_id)
            touched = session.execute(
                update(table)
                .where(*where)
                .values({name: FORMER_USER})
                .returning(table.c.team_id)
                .execution_options(**audit.ERASURE)
            ).all()
            changed.add(f"{table.name}.{name}", len(touched))
            teams.update(row.team_id for row in touched)
    invitations = update(SurveyInvitation).where(SurveyInvitation.recipient == user_id)
    if team_id is not None:
        invitations = invitations.where(SurveyInvitation.survey_id.in_(_team_surveys(team_id)))
    changed.add(
        "survey_invitation.recipient",
        session.execute(invitations.values(recipient=FORMER_USER)).rowcount,
    )
    changed.add("feedback.respondent_key", _forget_respondent_keys(session, team_id, user_id, teams))
    for team in sorted(teams):
        versions.changed(session, team)  # rankings show owners: read them again
    # Audit: the person goes from the trail too (actors, labels, recorded values), then one row per
    # workspace concerned says it happened and what changed, without naming them.
    trail = audit.replace_person(session, None if team_id is None else [team_id], user_id, FORMER_USER)
    changed.add(audit.AuditEntry.__tablename__, len(trail))
    concerned = {team_id} if team_id is not None else teams | set(trail)
    counts = {name: [count, None] for name, count in changed.rows.items()}
    for team in sorted(concerned):
        audit.record(
            session,
            team,
            table="person",
            record_id=FORMER_USER,
            action="forgotten",
            label="a former user",
            changes=counts,
            actor=actor,
        )
    return changed


def _forget_respondent_keys(session: Session, team_id: str | None, user_id: str, teams: set[str]) -> int:
    # The key hashes the person's own workspace with their ID. Answers from another workspace
    # (Slack Connect) hash a workspace this one never saw, so only the workspaces here are tried.
    scope = [team_id] if team_id is not None else _feedback_teams(session)
    cleared = 0
    for team in scope:
        key = respondent_key(session, team, user_id)
        where = [Feedback.team_id.in_(scope), Feedback.respondent_key == key]
        touched = session.execute(
            update(Feedback)
            .where(*where)
            .values(respondent_key=None)
            .returning(Feedback.team_id)
            .execution_options(**audit.ERASURE)
        ).all()
        cleared += len(touched)
        teams.update(row.team_id for row in touched)
    return cleared


def _feedback_teams(session: Session) -> list[str]:
    return list(session.scalars(select(Feedback.team_id).distinct()))


# --- forget-partner ------------------------------------------------------------------------------


def _partner_tables() -> list[Table]:
    """Every table of the models that records something about one partner (its partner_id),
    dependents first. The data-change log is left: it holds a number, and rewriting it would
    make every process's cached ranking look up to date."""
    return [
        table
        for table in reversed(Base.metadata.sorted_tables)
        if "partner_id" in table.c and "team_id" in table.c and table.name != DataChange.__tablename__
    ]


def find_partner(session: Session, team_id: str, name: str) -> Partner:
    """The workspace's partner called ``name`` (case-insensitive), or UnknownPartnerName."""
    partner = get_partner_by_name(session, team_id, name)
    if partner is None:
        raise UnknownPartnerName(name, suggest_names(session, team_id, name))
    return partner


def _partner_children(team_id: str, partner_id: int) -> list[tuple[Table, ColumnElement[bool]]]:
    """The rows about the partner in tables without a partner_id: its feedback's submissions, its
    surveys' invitations."""
    feedback = select(Feedback.id).where(Feedback.team_id == team_id, Feedback.partner_id == partner_id)
    surveys = select(Survey.id).where(Survey.team_id == team_id, Survey.partner_id == partner_id)
    return [
        (
            FeedbackSubmission.__table__,
            (FeedbackSubmission.team_id == team_id) & FeedbackSubmission.feedback_id.in_(feedback),
        ),
        (SurveyInvitation.__table__, SurveyInvitation.survey_id.in_(surveys)),
    ]


def partner_footprint(session: Session, team_id: str, partner_id: int) -> Removed:
    """What ``forget_partner`` would remove: rows per table."""
    found = Removed()
    for table, where in _partner_children(team_id, partner_id):
        found.add(table.name, session.scalar(select(func.count()).select_from(table).where(where)) or 0)
    for table in _partner_tables():
        count = session.scalar(
            select(func.count())
            .select_from(table)
            .where(table.c.team_id == team_id, table.c.partner_id == partner_id)
        )
        found.add(table.name, count or 0)
    found.add(Partner.__tablename__, 1)
    return found


def forget_partner(session: Session, team_id: str, actor: str, partner_id: int) -> Removed:
    """Delete the partner and everything about it: communications, feedback and surveys, projects,
    resources, needs, follow-ups, score history, drop alerts, the roll-ups, and its rank in the
    digests' memory of the last ranking. Explicitly, table by table: score history has no foreign
    key to the partner, and the counts are reported."""
    removed = Removed()
    for table, where in _partner_children(team_id, partner_id):
        removed.add(
            table.name,
            session.execute(delete(table).where(where).execution_options(**audit.ERASURE)).rowcount,
        )
    # audit_entry is among these tables (its partner_id): the partner's own trail goes too.
    for table in _partner_tables():
        removed.add(
            table.name,
            session.execute(
                delete(table)
                .where(table.c.team_id == team_id, table.c.partner_id == partner_id)
                .execution_options(**audit.ERASURE)
            ).rowcount,
        )
    removed.add("digest_run.ranks", _forget_digest_ranks(session, team_id, partner_id))
    removed.add(
        Partner.__tablename__,
        session.execute(
            delete(Partner)
            .where(Partner.team_id == team_id, Partner.id == partner_id)
            .execution_options(**audit.ERASURE)
        ).rowcount,
    )
    # Every rank after it moves up: the whole ranking is read again, in every process.
    versions.changed(session, team_id)
    # Audit: the trail keeps only that a partner was forgotten, by whom, and how many rows of each
    # table went — not its name, nor the partner it was (no partner_id: nobody's trail shows it).
    audit.record(
        session,
        team_id,
        table=Partner.__tablename__,
        record_id=partner_id,
        action="erased",
        label="a forgotten partner",
        changes={name: [count, None] for name, count in removed.rows.items()},
        actor=actor,
    )
    return removed


def _forget_digest_ranks(session: Session, team_id: str, partner_id: int) -> int:
    key = str(partner_id)
    runs = session.execute(
        select(DigestRun.id, DigestRun.ranks).where(
            DigestRun.team_id == team_id, DigestRun.ranks.is_not(None)
        )
    ).all()
    rewritten = 0
    for run_id, ranks in runs:
        if isinstance(ranks, dict) and key in ranks:
            kept = {k: v for k, v in ranks.items() if k != key}
            session.execute(update(DigestRun).where(DigestRun.id == run_id).values(ranks=kept or None))
            rewritten += 1
    return rewritten


# --- note retention ------------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    next_month = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=moment.tzinfo)
    last_day = (next_month - datetime(year, month, 1, tzinfo=moment.tzinfo)).days
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def workspaces_with_notes(session: Session) -> list[str]:
    """The workspaces with any communication notes to look at."""
    return list(
        session.scalars(
            select(Interaction.team_id)
            .where(Interaction.notes != "")
            .distinct()
            .order_by(Interaction.team_id)
        )
    )


def blank_old_notes(session: Session, team_id: str, actor: str, *, months: int, now: datetime) -> int:
    """Empty the notes of the workspace's communications that happened more than ``months``
    months before ``now``; how many were blanked. The communications stay (they count for the
    scores, which never read notes, so no ranking moves). Running it twice changes nothing more,
    so several schedulers may run it the same day without a claim."""
    cutoff = months_before(now, months)
    blanked = list(
        session.scalars(
            update(Interaction)
            .where(Interaction.team_id == team_id, Interaction.occurred_at < cutoff, Interaction.notes != "")
            .values(notes="")
            .returning(Interaction.id)
            .execution_options(synchronize_session=False, **audit.ERASURE)
        )
    )
    if blanked:
        # Audit: the notes go from the trail's records of those communications too (or retention
        # would keep them there), and one row says how many were blanked, and by whom.
        audit.blank_notes(session, team_id, blanked)
        audit.record(
            session,
            team_id,
            table=Interaction.__tablename__,
            record_id="*",
            action="notes blanked",
            label=f"notes older than {months} months",
            changes={"notes": [len(blanked), None]},
            actor=actor,
        )
    return len(blanked)
