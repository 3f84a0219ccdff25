"""What each Workflow Builder step does, without Bolt: inputs in, outputs out, or a UserError whose
message tells the workflow author what to change. Each step goes the way of its ``/partner``
command: the same partner lookup ("did you mean …?"), checks and storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from handlers.services.rankings import partner_standing
from handlers.shared.communications import read_kind, require_notes, take_project
from handlers.shared.deps import Deps
from handlers.shared.errors import UserError
from handlers.shared.partner_names import partner_project, require_active, resolve_partner
from handlers.shared.permissions import Act, Person, require
from handlers.shared.survey_invitations import deliver_survey, survey_invitation
from handlers.shared.text import literal
from handlers.workflows import inputs as read
from handlers.workflows.inputs import Inputs
from storage import feedback as feedback_store
from storage import interactions as interaction_store

Outputs = dict[str, Any]


@dataclass(frozen=True)
class Run:
    """One run of a step: the workspace it runs in (the event's team), Slack's ID of this run and
    the client holding the run's own token (``bot_access_token``)."""

    deps: Deps
    team_id: str
    execution_id: str
    client: WebClient
    bot_user_id: str = ""

    @property
    def request_key(self) -> str:
        # Slack retries an event it got no 200 for in 3 seconds: the run's ID keeps one record.
        return f"workflow:{self.execution_id}"

    def require_of(self, user_id: str | None, act: Act, partner: Any, session: Any) -> None:
        """A step given a person runs as that person, refused what they may not do; without one it
        runs as the workflow, which whoever may publish workflows in the workspace set up."""
        if user_id:
            require(Person(self.team_id, user_id, self.client, self.deps), act, partner, session=session)


def log_communication(run: Run, given: Inputs) -> Outputs:
    """ "Log a partner communication": partner, kind, notes and who, as ``/partner log`` stores them."""
    name = read.text(given, "partner", title="Partner", required=True)
    kind_word = read.text(given, "kind", title="Kind")
    notes = read.text(given, "notes", title="Notes")
    user_id = read.person(given, "user", title="Logged by")
    with run.deps.db.transaction(actor=run.request_key) as session:
        partner = resolve_partner(session, run.team_id, name, whole=True).partner
        require_active(partner)
        run.require_of(user_id, Act.LOG, partner, session)
        kind = read_kind(kind_word, example="call")
        notes, project_number = take_project(notes)
        project = partner_project(session, run.team_id, partner, project_number)
        require_notes(kind, notes, example="fill in the step's Notes with what happened.")
        logged = interaction_store.log_interaction(
            session,
            run.team_id,
            partner_id=partner.id,
            kind=kind,
            occurred_at=run.deps.now(),
            notes=notes,
            user_id=user_id,
            request_key=run.request_key,
            project_id=project.id if project else None,
        )
        interaction_id = logged.interaction.id
    run.deps.changes.data_changed(run.team_id, user_id)
    return {"interaction_id": interaction_id}


def send_survey(run: Run, given: Inputs) -> Outputs:
    """ "Send a partner survey": a survey about the partner, its invitation sent to each recipient
    in a direct message, as ``/partner survey <partner> @people`` sends it."""
    name = read.text(given, "partner", title="Partner", required=True)
    recipients = read.people(given, "recipients", title="Recipients")
    person_sending = read.person(given, "sent_by", title="Sent by")
    sent_by = person_sending or run.bot_user_id
    with run.deps.db.transaction(actor=run.request_key) as session:
        partner = resolve_partner(session, run.team_id, name, whole=True).partner
        require_active(partner)
        run.require_of(person_sending, Act.FEEDBACK, partner, session)
        survey, created = feedback_store.create_survey(
            session, run.team_id, partner_id=partner.id, created_by=sent_by, request_key=run.request_key
        )
        survey_id, invitation = survey.id, survey_invitation(survey, partner.name)
        partner_name = partner.name
    if not created:  # a retried event: this run already sent it
        return {"survey_id": survey_id}
    delivery = deliver_survey(
        run.client, run.deps, run.team_id, survey_id, invitation, users=recipients, actor=run.request_key
    )
    if not delivery.sent:
        raise UserError(
            f"Survey #{survey_id} about *{literal(partner_name)}* reached nobody: "
            + " ".join(delivery.problems)
        )
    return {"survey_id": survey_id}


def partner_score(run: Run, given: Inputs) -> Outputs:
    """ "Get a partner's score": the score, rank and loyalty category ``/partner show`` gives."""
    name = read.text(given, "partner", title="Partner", required=True)
    with run.deps.db.read() as session:
        partner = resolve_partner(session, run.team_id, name, whole=True).partner
        require_active(partner)  # archived partners are not ranked
        partner_id, partner_name = partner.id, partner.name
    standing = partner_standing(run.deps.rankings, run.team_id, partner_id)
    if standing is None:
        raise UserError(f"*{literal(partner_name)}* has no score yet: run the workflow again in a minute.")
    score = standing.explanation.score
    if score is None:
        raise UserError(
            f"*{literal(partner_name)}* has no score: every part of the score it has weighs 0 "
            "(`/partner weights` shows them)."
        )
    outputs: Outputs = {
        # The whole number /partner show says ("Score 57/100"), so a workflow's message agrees with it.
        "score": int(f"{score:.0f}"),
        "rank": int(standing.explanation.rank),
    }
    if standing.loyalty:
        outputs["category"] = standing.loyalty
    return outputs
