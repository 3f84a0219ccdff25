"""Workflow Builder steps ("custom steps"): "Log a partner communication", "Send a partner survey"
and "Get a partner's score", declared under ``functions`` in manifest.yml and run on Slack's
``function_executed`` event. Each goes the way of its ``/partner`` command (handlers.workflows.steps)."""

from __future__ import annotations

from slack_bolt import App

from handlers.shared.ids import WorkflowStep
from handlers.workflows.listeners import step_listener
from handlers.workflows.steps import log_communication, partner_score, send_survey


def register(app: App) -> None:
    app.function(WorkflowStep.LOG_COMMUNICATION.value)(step_listener(log_communication))
    app.function(WorkflowStep.SEND_SURVEY.value)(step_listener(send_survey))
    app.function(WorkflowStep.PARTNER_SCORE.value)(step_listener(partner_score))
