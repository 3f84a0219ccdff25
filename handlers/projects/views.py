"""Block Kit for joint projects and resources: the new-project and update forms, a project's
confirmation with its buttons, lists, and what the plain-words questions answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import Option

from handlers.services.projects import ProgrammeProjects
from handlers.shared import metadata
from handlers.shared.blocks import (
    SlackBlock,
    actions,
    button,
    choice_input,
    context_block,
    date_input,
    form_field,
    header,
    modal,
    number_input,
    option,
    section,
    sections,
    text_input,
)
from handlers.shared.ids import ProjectIds as Ids
from handlers.shared.limits import PLAIN_TEXT_INPUT_LIMIT
from handlers.shared.lines import money, project_line
from handlers.shared.partner_picker import partner_input
from handlers.shared.replies import Reply
from handlers.shared.text import escape, literal, mention, plural, shorten
from scoring.projects import success_rate
from storage.models import Partner, Project, ProjectStatus, Resource, ResourceKind
from storage.projects import OutcomeRow

NAME_LIMIT = 200
LIST_LIMIT = 40
UNITS = {ResourceKind.PEOPLE: "hours", ResourceKind.FUNDS: "", ResourceKind.TECHNOLOGY: "items"}


@dataclass(frozen=True)
class ProjectMetadata:
    project_id: int | None = None  # the project an update form changes
    response_url: str | None = None  # where to confirm (the command's)


# --- forms -------------------------------------------------------------------------------------


def _text_field(block: str, action: str, label: str, *, initial: str = "", multiline: bool = True) -> Any:
    box = text_input(action, max_length=PLAIN_TEXT_INPUT_LIMIT, initial=initial, multiline=multiline)
    return form_field(block, label, box, optional=True)


def _value_field(value: Decimal | None, label: str) -> Any:
    initial = format(value.normalize(), "f") if value is not None else None
    return form_field(
        Ids.VALUE_BLOCK.value,
        label,
        number_input(Ids.VALUE_INPUT.value, decimals=True, lowest="0", initial=initial),
        optional=True,
        hint="In the workspace's currency",
    )


def new_project_modal(partner: Partner | None, meta: ProjectMetadata) -> dict[str, Any]:
    name = text_input(Ids.NAME_INPUT.value, max_length=NAME_LIMIT, placeholder="e.g. Q3 pilot in Germany")
    blocks: list[SlackBlock] = [
        partner_input(partner),
        form_field(Ids.NAME_BLOCK.value, "Project", name),
        _text_field(Ids.GOAL_BLOCK.value, Ids.GOAL_INPUT.value, "Goal"),
        _text_field(Ids.PLAN_BLOCK.value, Ids.PLAN_INPUT.value, "Plan"),
        form_field(Ids.START_BLOCK.value, "Starts", date_input(Ids.START_INPUT.value), optional=True),
        form_field(Ids.DUE_BLOCK.value, "Due", date_input(Ids.DUE_INPUT.value), optional=True),
        _value_field(None, "Expected value"),
    ]
    return modal(
        "New joint project",
        blocks,
        callback_id=Ids.NEW_MODAL.value,
        submit="Add",
        close="Cancel",
        private_metadata=metadata.dump(meta),
    )


def status_option(status: ProjectStatus) -> Option:
    return option(status.value.capitalize(), status.value)


def update_project_modal(project: Project, meta: ProjectMetadata) -> dict[str, Any]:
    statuses = [status_option(s) for s in ProjectStatus]
    progress = number_input(
        Ids.PROGRESS_INPUT.value, decimals=False, lowest="0", highest="100", initial=str(project.progress)
    )
    blocks: list[SlackBlock] = [
        section(
            f"*#{project.id}* *{literal(shorten(project.name, 150))}* "
            f"with *{literal(shorten(project.partner.name, 100))}*"
        ),
        form_field(
            Ids.STATUS_BLOCK.value,
            "Status",
            choice_input(Ids.STATUS_INPUT.value, statuses, initial=status_option(project.status)),
        ),
        form_field(Ids.PROGRESS_BLOCK.value, "Progress (%)", progress),
        form_field(
            Ids.DUE_BLOCK.value, "Due", date_input(Ids.DUE_INPUT.value, project.due_on), optional=True
        ),
        _value_field(project.value, "Value"),
        _text_field(Ids.RESULT_BLOCK.value, Ids.RESULT_INPUT.value, "Result notes", initial=project.result),
    ]
    return modal(
        f"Project #{project.id}",
        blocks,
        callback_id=Ids.UPDATE_MODAL.value,
        submit="Save",
        close="Cancel",
        private_metadata=metadata.dump(meta),
    )


# --- messages ----------------------------------------------------------------------------------


def project_buttons(project: Project) -> SlackBlock:
    value = str(project.id)
    return actions(
        button("Update", Ids.UPDATE_BUTTON.value, value),
        button("Close as won", Ids.WON_BUTTON.value, value, style="primary"),
        button("Close as lost", Ids.LOST_BUTTON.value, value, style="danger"),
    )


def project_reply(project: Project, verb: str, *, today: date) -> Reply:
    """``Added Project #12 …`` (or Saved, Closed …), with its buttons while it is open."""
    text = f"{verb} Project {project_line(project, today=today)}"
    blocks: list[SlackBlock] = [section(text)]
    extra = [f"Goal: {literal(shorten(project.goal, 300))}" if project.goal else ""]
    if project.result:
        extra.append(f"Result: {literal(shorten(project.result, 300))}")
    if any(extra):
        blocks.append(context_block(*[e for e in extra if e]))
    if not project.status.closed:
        blocks.append(project_buttons(project))
    fallback = f"{verb} Project #{project.id} {literal(shorten(project.name, 80))}"
    return Reply(fallback, blocks)


def already_closed(project: Project) -> str:
    by = f" by {mention(project.closed_by)}" if project.closed_by else ""
    when = f" on {project.closed_on.isoformat()}" if project.closed_on else ""
    return f"Project #{project.id} was already closed as *{project.status.value}*{when}{by}; nothing changed."


def projects_reply(found: list[Project], total: int, *, scope: str, today: date, with_partner: bool) -> Reply:
    if not found:
        return Reply(f"No {scope} yet. Add one with `/partner project add &lt;partner&gt; &lt;name&gt;`.")
    lines = [f"• {project_line(p, today=today, with_partner=with_partner)}" for p in found[:LIST_LIMIT]]
    blocks: list[SlackBlock] = [header(f"{plural(total, 'project')}: {scope}"), *sections(lines)]
    if total > len(lines):
        blocks.append(context_block(f"…and {total - len(lines)} more."))
    blocks.append(
        context_block(
            "Change one with `/partner project update &lt;id&gt;`; "
            "close it with `/partner project close &lt;id&gt; won`."
        )
    )
    return Reply(f"{plural(total, 'project')}: {escape(scope)}", blocks)


def resource_reply(resource: Resource, partner: Partner, project: Project | None) -> Reply:
    unit = resource.unit or UNITS[resource.kind]
    if resource.kind is ResourceKind.FUNDS:
        amount = money(resource.amount)
    else:
        amount = f"{resource.amount.normalize():,f}"
    what = f"{amount} {escape(unit)}".strip()
    name = literal(shorten(partner.name, 100))
    text = f"Recorded Resource #{resource.id}: {resource.kind.value} — {what} for *{name}*"
    if project is not None:
        text += f" (project #{project.id} *{literal(shorten(project.name, 80))}*)"
    if resource.notes:
        text += f": “{literal(shorten(resource.notes, 200))}”"
    return Reply(text + ".")


def _rate(won: int, lost: int) -> str:
    rate = success_rate(won, lost)
    return "—" if rate is None else f"{rate:.0f}% ({won} of {won + lost} won)"


def by_tier_reply(rows: list[OutcomeRow]) -> Reply:
    lines = [
        f"• *{literal(shorten(row.key, 60)) if row.key else 'no tier'}* — {_rate(row.won, row.lost)}"
        f" · won value {money(row.won_value)}"
        for row in sorted(rows, key=lambda r: (r.key is None, (r.key or "").casefold()))
        if row.won + row.lost
    ]
    if not lines:
        return Reply("No joint project has been closed as won or lost yet, so there is no success rate.")
    blocks = [header("Project success rate by tier"), *sections(lines)]
    blocks.append(
        context_block("Won ÷ (won + lost); cancelled projects count for neither. Active partners only.")
    )
    return Reply("Project success rate by tier", blocks)


def winners_reply(rows: list[OutcomeRow], *, since: date) -> Reply:
    if not rows:
        return Reply(f"No partner has won a joint project since {since.isoformat()}.")
    lines = [
        f"*{i}.* *{literal(shorten(row.key or '', 80))}* — {plural(row.won, 'project')} won · "
        f"value {money(row.won_value)} · {_rate(row.won, row.lost)}"
        for i, row in enumerate(rows, start=1)
    ]
    blocks = [header(f"Most projects won since {since.isoformat()}"), *sections(lines)]
    return Reply(f"Most projects won since {since.isoformat()}", blocks)


def programme_reply(data: ProgrammeProjects) -> Reply:
    numbers, measures = data.measures.numbers, data.measures
    degree = "—" if data.relationship_degree is None else f"{data.relationship_degree:.2f}"
    rate = "—" if measures.success_rate is None else f"{measures.success_rate:.0f}%"
    lines = [
        f"*Relationship degree:* {degree} projects per active partner ({numbers.projects} / {data.partners})",
        f"*Success rate:* {rate} ({numbers.won} won, {numbers.lost} lost, {numbers.cancelled} cancelled)",
        f"*Won value:* {money(numbers.won_value)}",
        f"*Per unit of funds:* {_number(measures.value_per_fund)} · *won per 100 people-hours:* "
        f"{_number(measures.wins_per_100_hours)}",
    ]
    return Reply("Partner programme projects", [header("Joint projects"), section("\n".join(lines))])


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"
