"""The project forms' submissions (new project, update) and the buttons on a project's
confirmation: Update opens the update form, Close as won and Close as lost close it at once."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from handlers.projects.commands import NAME_LIMIT, check_dates, close_project
from handlers.projects.views import ProjectMetadata, already_closed, project_reply, update_project_modal
from handlers.shared import metadata
from handlers.shared.dates import PLANNING_AHEAD
from handlers.shared.deps import Deps, deps_of, user_zone, workspace
from handlers.shared.errors import UserError
from handlers.shared.form import Form
from handlers.shared.ids import Action, Block
from handlers.shared.ids import ProjectIds as Ids
from handlers.shared.modals import open_modal
from handlers.shared.notify import tell
from handlers.shared.parsing import action_value, record_id, whole_number
from handlers.shared.partner_picker import PICK_ANOTHER, active_partner
from handlers.shared.permissions import Act, form_text, person, require
from handlers.shared.typed import parse_money
from storage import projects as project_store
from storage.models import ProjectStatus


def _today(deps: Deps, client: WebClient, team_id: str, user_id: str) -> Any:
    return deps.now().astimezone(user_zone(deps, client, team_id, user_id)).date()


def _value(form: Form) -> Any:
    raw = form.number(Ids.VALUE_BLOCK, Ids.VALUE_INPUT)
    try:
        return parse_money("The value", raw) if raw else None
    except UserError as error:
        form.error(Ids.VALUE_BLOCK, error.message)
        return None


def on_new_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = metadata.load(ProjectMetadata, view.get("private_metadata"))
    deps, team_id, user_id = deps_of(context), workspace(context), body["user"]["id"]
    today = _today(deps, client, team_id, user_id)
    form = Form(view)
    partner_id = form.record(Block.PARTNER, Action.PARTNER_SELECT, missing="Choose a partner from the list.")
    name = " ".join(form.text(Ids.NAME_BLOCK, Ids.NAME_INPUT).split())
    if not name:
        form.error(Ids.NAME_BLOCK, "The project needs a name.")
    elif len(name) > NAME_LIMIT:
        form.error(Ids.NAME_BLOCK, f"Keep the name to {NAME_LIMIT} characters.")
    started_on = form.date(Ids.START_BLOCK, Ids.START_INPUT, today=today, ahead=PLANNING_AHEAD)
    due_on = form.date(Ids.DUE_BLOCK, Ids.DUE_INPUT, today=today, ahead=PLANNING_AHEAD)
    if problem := check_dates(started_on, due_on):
        form.error(Ids.DUE_BLOCK, problem)
    value = _value(form)
    if form.errors or partner_id is None:
        ack(response_action="errors", errors=form.errors)
        return
    with deps.db.transaction(actor=user_id) as session:
        partner = active_partner(session, team_id, partner_id)
        if partner is None:
            ack(response_action="errors", errors=PICK_ANOTHER)
            return
        try:
            require(person(body, client, context), Act.ADD_PROJECT, partner, session=session)
        except UserError as error:
            ack(response_action="errors", errors={Block.PARTNER.value: form_text(error.message)})
            return
        project, _ = project_store.add_project(
            session,
            team_id,
            partner_id=partner.id,
            name=name,
            goal=form.text(Ids.GOAL_BLOCK, Ids.GOAL_INPUT),
            plan=form.text(Ids.PLAN_BLOCK, Ids.PLAN_INPUT),
            started_on=started_on,
            due_on=due_on,
            value=value,
            created_by=user_id,
            request_key=f"view:{view.get('id')}",
        )
        session.refresh(project, ["partner"])
        reply = project_reply(project, "Added", today=today)
    ack()
    deps.changes.data_changed(team_id, user_id)
    tell(client, user_id=user_id, reply=reply, response_url=meta.response_url)


def on_update_submitted(
    ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = metadata.load(ProjectMetadata, view.get("private_metadata"))
    deps, team_id, user_id = deps_of(context), workspace(context), body["user"]["id"]
    today = _today(deps, client, team_id, user_id)
    form = Form(view)
    status_value = form.choice(
        Ids.STATUS_BLOCK,
        Ids.STATUS_INPUT,
        allowed={s.value for s in ProjectStatus},
        missing="Choose a status.",
    )
    progress_text = form.number(Ids.PROGRESS_BLOCK, Ids.PROGRESS_INPUT)
    progress = whole_number(progress_text) if progress_text else 0
    if progress is None or not 0 <= progress <= 100:
        form.error(Ids.PROGRESS_BLOCK, "Progress is a whole number of percent, from 0 to 100.")
    due_on = form.date(Ids.DUE_BLOCK, Ids.DUE_INPUT, today=today, ahead=PLANNING_AHEAD)
    value = _value(form)
    result = form.text(Ids.RESULT_BLOCK, Ids.RESULT_INPUT)
    if form.errors or status_value is None or progress is None or meta.project_id is None:
        ack(response_action="errors", errors=form.errors or {Ids.STATUS_BLOCK.value: "Choose a status."})
        return
    status = ProjectStatus(status_value)
    with deps.db.transaction(actor=user_id) as session:
        project = project_store.get_project(session, team_id, meta.project_id)
        if project is None:
            raise metadata.StaleMetadata()
        try:
            who = person(body, client, context)
            require(who, Act.CHANGE_PROJECT, project.partner, creator=project.created_by, session=session)
        except UserError as error:
            ack(response_action="errors", errors={Ids.STATUS_BLOCK.value: form_text(error.message)})
            return
        if project.status.closed:
            ack(response_action="errors", errors={Ids.STATUS_BLOCK.value: already_closed(project)[:150]})
            return
        if problem := check_dates(project.started_on, due_on):
            ack(response_action="errors", errors={Ids.DUE_BLOCK.value: problem})
            return
        fields: dict[str, Any] = {"progress": progress, "due_on": due_on, "value": value, "result": result}
        if status.closed:
            project_store.update_project(session, project, by=user_id, **fields)
            project_store.close_project(session, project, status, on=today, by=user_id)
            verb = "Closed"
        else:
            project_store.update_project(session, project, by=user_id, status=status, **fields)
            verb = "Saved"
        reply = project_reply(project, verb, today=today)
    ack()
    deps.changes.data_changed(team_id, user_id)
    tell(client, user_id=user_id, reply=reply, response_url=meta.response_url)


def _project_id(body: dict[str, Any]) -> int:
    project_id = record_id(action_value(body))
    if project_id is None:
        raise UserError("That project no longer exists.")
    return project_id


def on_update_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    deps, team_id = deps_of(context), workspace(context)
    with deps.db.read() as session:
        project = project_store.get_project(session, team_id, _project_id(body))
        if project is None:
            raise UserError("That project no longer exists.")
        require(
            person(body, client, context), Act.CHANGE_PROJECT, project.partner, creator=project.created_by
        )
        if project.status.closed:
            raise UserError(already_closed(project))
        view = update_project_modal(
            project, ProjectMetadata(project_id=project.id, response_url=body.get("response_url"))
        )
    reply = open_modal(client, body["trigger_id"], view)
    if reply is not None:
        respond(text=reply.text, response_type="ephemeral", replace_original=False)


def _close_clicked(status: ProjectStatus) -> Any:
    def on_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        who = person(body, client, context)
        today = _today(who.deps, client, who.team_id, who.user_id)
        reply = close_project(who, _project_id(body), status, today=today)
        # The confirmation replaces the message whose buttons were used: they no longer apply.
        respond(**reply.as_ack(), replace_original=True)

    on_clicked.__name__ = f"on_close_as_{status.value}_clicked"
    return on_clicked


on_won_clicked = _close_clicked(ProjectStatus.WON)
on_lost_clicked = _close_clicked(ProjectStatus.LOST)
