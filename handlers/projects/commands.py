"""``/partner project add|list|update|close`` (and ``/partner project`` alone: the form) and
``/partner resource``: joint projects with partners and the resources committed to them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from handlers.projects.views import (
    ProjectMetadata,
    already_closed,
    new_project_modal,
    project_reply,
    projects_reply,
    resource_reply,
    update_project_modal,
)
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.dates import PLANNING_AHEAD, out_of_range, parse_day
from handlers.shared.errors import UserError
from handlers.shared.modals import open_modal
from handlers.shared.parsing import extract_options, first_word, record_id
from handlers.shared.partner_names import partner_project, require_active, resolve_partner
from handlers.shared.permissions import Act, Asker, require
from handlers.shared.replies import Reply
from handlers.shared.text import escape, shorten
from handlers.shared.typed import one_name, parse_money
from storage import projects as project_store
from storage.models import Partner, Project, ProjectStatus, ResourceKind

ADD_OPTIONS = ("due", "start", "value", "goal")
NAME_LIMIT = 200
# Placeholders escaped as Slack needs (&lt;id&gt; shows as <id>).
USAGE = (
    "`/partner project add &lt;partner&gt; &lt;name…&gt; [due:YYYY-MM-DD] [value:&lt;amount&gt;] "
    '[goal:"…"]`, `/partner project` (a form), '
    "`/partner project list [&lt;partner&gt;] [open|closed|all]`, `/partner project update &lt;id&gt;`, "
    "`/partner project close &lt;id&gt; won|lost|cancelled [result…]`"
)
CLOSING_WORDS = {"won": ProjectStatus.WON, "lost": ProjectStatus.LOST, "cancelled": ProjectStatus.CANCELLED}
CLOSING_WORDS |= {"win": ProjectStatus.WON, "lose": ProjectStatus.LOST, "canceled": ProjectStatus.CANCELLED}
RESOURCE_WORDS = {kind.value: kind for kind in ResourceKind} | {
    "hours": ResourceKind.PEOPLE,
    "money": ResourceKind.FUNDS,
    "tech": ResourceKind.TECHNOLOGY,
}
# People are counted in hours (the seeds' wins per 100 hours divides by them): these words are
# hours once converted; any other word after a people amount begins the notes.
HOURS_PER = {"hour": 1, "hours": 1, "h": 1, "hr": 1, "hrs": 1, "day": 8, "days": 8, "week": 40, "weeks": 40}
# Words taken as technology's unit right after its amount; anything else begins the notes.
TECHNOLOGY_UNITS = {
    "licence", "licences", "license", "licenses", "seat", "seats", "environment", "environments",
    "server", "servers", "instance", "instances",
}  # fmt: skip


def resource_amount(kind: ResourceKind, amount: Decimal, after: str) -> tuple[Decimal, str | None, str]:
    """(amount, unit, notes) from what follows a resource's amount: people become hours (``2 days``
    is 16 hours), technology keeps its unit word, funds a currency code (``EUR``)."""
    word, notes = first_word(after)
    folded = word.casefold()
    if kind is ResourceKind.PEOPLE:
        if folded in HOURS_PER:
            return amount * HOURS_PER[folded], "hours", notes
        return amount, "hours", after
    if kind is ResourceKind.TECHNOLOGY and folded in TECHNOLOGY_UNITS:
        return amount, word, notes
    if kind is ResourceKind.FUNDS and len(word) == 3 and word.isalpha() and word.isupper():
        return amount, word, notes
    return amount, None, after


def _day(text: str, what: str, today: date) -> date:
    day = parse_day(text)
    if day is None:
        raise UserError(
            f"The {what} date must be written YYYY-MM-DD, like `2026-09-30` (not “{escape(text[:20])}”)."
        )
    problem = out_of_range(day, today=today, ahead=PLANNING_AHEAD)
    if problem:
        raise UserError(f"The {what} date is out of range. {problem}")
    return day


def check_dates(started_on: date | None, due_on: date | None) -> str | None:
    if started_on and due_on and due_on < started_on:
        return "The due date can't be before the start."
    return None


def project_of(request: CommandRequest, text: str) -> Project:
    """The project a number names in this workspace; "no such project" for anything else."""
    number = text.strip().removeprefix("#")
    project_id = record_id(number)
    with request.deps.db.read() as session:
        project = project_store.get_project(session, request.team_id, project_id) if project_id else None
    if project is None:
        shown = escape(shorten(number, 25)) or "?"
        raise UserError(
            f"There is no project #{shown} in this workspace. `/partner project list` shows them."
        )
    return project


@subcommand("project", "projects")
def project_command(request: CommandRequest, rest: str) -> Reply | None:
    action, after = first_word(rest)
    handlers = {
        "add": add,
        "new": add,
        "list": list_projects,
        "update": update,
        "edit": update,
        "close": close,
    }
    if not action:
        request.ack()
        view = new_project_modal(None, ProjectMetadata(response_url=request.response_url))
        return open_modal(request.client, request.trigger_id, view)
    handler = handlers.get(action.casefold())
    if handler is None:
        raise UserError(f"I didn't understand “{escape(shorten(action, 30))}”. Try {USAGE}.")
    return handler(request, after)


def add(request: CommandRequest, rest: str) -> Reply:
    options = extract_options(rest, set(ADD_OPTIONS))
    today = request.deps.now().astimezone(request.zone()).date()
    due_on = _day(options.values["due"], "due", today) if options.values.get("due") else None
    started_on = _day(options.values["start"], "start", today) if options.values.get("start") else None
    if problem := check_dates(started_on, due_on):
        raise UserError(problem)
    value = parse_money("The value", options.values["value"]) if options.values.get("value") else None
    with request.deps.db.transaction(actor=request.user_id) as session:
        match = resolve_partner(session, request.team_id, options.remainder, ends_name=lambda word: False)
        require_active(match.partner)
        require(request, Act.ADD_PROJECT, match.partner, session=session)
        name = one_name(
            match.rest,
            what="project",
            example=f'/partner project add {escape(match.partner.name)} "Phase 2: rollout" due:2026-09-30',
            options=ADD_OPTIONS,
        )
        name = " ".join(name.split())
        if not name:
            raise UserError(
                f"What is the project called? e.g. `/partner project add {escape(match.partner.name)} "
                "Q3 pilot due:2026-09-30`."
            )
        if len(name) > NAME_LIMIT:
            raise UserError(f"That project name is too long: keep it to {NAME_LIMIT} characters.")
        project, _ = project_store.add_project(
            session,
            request.team_id,
            partner_id=match.partner.id,
            name=name,
            goal=options.values.get("goal", ""),
            started_on=started_on,
            due_on=due_on,
            value=value,
            created_by=request.user_id,
            request_key=f"command:{request.trigger_id}" if request.trigger_id else None,
        )
        session.refresh(project, ["partner"])
        reply = project_reply(project, "Added", today=today)
    request.deps.changes.data_changed(request.team_id, request.user_id)
    return reply


def list_projects(request: CommandRequest, rest: str) -> Reply:
    words = rest.split()
    which = words[-1].casefold() if words and words[-1].casefold() in {"open", "closed", "all"} else "open"
    name = " ".join(words[:-1] if words and words[-1].casefold() in {"open", "closed", "all"} else words)
    closed = {"open": False, "closed": True, "all": None}[which]
    today = request.deps.now().astimezone(request.zone()).date()
    with request.deps.db.read() as session:
        partner: Partner | None = None
        if name:
            partner = resolve_partner(session, request.team_id, name, whole=True).partner
        found, total = project_store.projects(
            session, request.team_id, partner_id=partner.id if partner else None, closed=closed
        )
        scope = f"{which} projects" + (f" with {partner.name}" if partner else "")
        return projects_reply(found, total, scope=scope, today=today, with_partner=partner is None)


def update(request: CommandRequest, rest: str) -> Reply | None:
    project = project_of(request, rest)
    require(request, Act.CHANGE_PROJECT, project.partner, creator=project.created_by)
    if project.status.closed:
        raise UserError(already_closed(project))
    meta = ProjectMetadata(project_id=project.id, response_url=request.response_url)
    view = update_project_modal(project, meta)
    request.ack()
    return open_modal(request.client, request.trigger_id, view)


def close_project(
    who: Asker,
    project_id: int,
    status: ProjectStatus,
    *,
    today: date,
    result: str = "",
) -> Reply:
    """Close a project (the command and the buttons); says how it was closed when it already was."""
    deps, team_id, user_id = who.deps, who.team_id, who.user_id
    with deps.db.transaction(actor=user_id) as session:
        project = project_store.get_project(session, team_id, project_id)
        if project is None:
            raise UserError(f"There is no project #{project_id} in this workspace.")
        require(who, Act.CHANGE_PROJECT, project.partner, creator=project.created_by, session=session)
        try:
            project_store.close_project(session, project, status, on=today, by=user_id, result=result or None)
        except project_store.ProjectClosed:
            return Reply(already_closed(project))
        reply = project_reply(project, "Closed", today=today)
    deps.changes.data_changed(team_id, user_id)
    return reply


def close(request: CommandRequest, rest: str) -> Reply:
    number, after = first_word(rest)
    how, result = first_word(after)
    status = CLOSING_WORDS.get(how.casefold())
    if not number or status is None:
        raise UserError(
            "How did it end? e.g. `/partner project close 12 won Signed a 2-year deal` "
            "(won, lost or cancelled)."
        )
    project = project_of(request, number)
    today = request.deps.now().astimezone(request.zone()).date()
    return close_project(request, project.id, status, today=today, result=result)


@subcommand("resource", "resources")
def resource(request: CommandRequest, rest: str) -> Reply:
    options = extract_options(rest, {"project"})
    today = request.deps.now().astimezone(request.zone()).date()
    with request.deps.db.transaction(actor=request.user_id) as session:
        match = resolve_partner(
            session,
            request.team_id,
            options.remainder,
            ends_name=lambda word: word.casefold() in RESOURCE_WORDS,
        )
        require_active(match.partner)
        require(request, Act.ADD_PROJECT, match.partner, session=session)
        kind_word, after = first_word(match.rest)
        kind = RESOURCE_WORDS.get(kind_word.casefold())
        if kind is None:
            raise UserError(
                f"What was committed? `/partner resource {escape(match.partner.name)} people 40 hours`, "
                "`… funds 5000`, or `… technology 3 licences`."
            )
        amount_text, after = first_word(after)
        amount = parse_money("The amount", amount_text)
        if amount <= 0:
            raise UserError("The amount must be more than 0.")
        amount, unit, notes = resource_amount(kind, amount, after)
        project = partner_project(session, request.team_id, match.partner, options.values.get("project"))
        committed, _ = project_store.add_resource(
            session,
            request.team_id,
            partner_id=match.partner.id,
            project_id=project.id if project else None,
            kind=kind,
            amount=amount,
            unit=unit,
            committed_on=today,
            notes=notes,
            created_by=request.user_id,
            request_key=f"command:{request.trigger_id}" if request.trigger_id else None,
        )
        reply = resource_reply(committed, match.partner, project)
    request.deps.changes.data_changed(request.team_id, request.user_id)
    return reply
