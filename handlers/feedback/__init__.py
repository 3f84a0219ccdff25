"""Satisfaction feedback and surveys: ``/partner feedback``, ``/partner survey …``, the survey
invitations' "Give feedback" button, the Home tab's "Give feedback", a drop alert's "Send survey",
and the feedback form."""

from __future__ import annotations

from slack_bolt import App

from handlers.feedback import surveys  # noqa: F401  (declares the sub-command)
from handlers.feedback.give import (
    on_feedback_partner_chosen,
    on_feedback_submitted,
    on_give_feedback,
    on_home_feedback_clicked,
)
from handlers.feedback.surveys import on_alert_survey_clicked
from handlers.shared.ids import AlertIds, FeedbackIds, HomeIds


def register(app: App) -> None:
    app.view(FeedbackIds.MODAL.value)(on_feedback_submitted)
    app.action(FeedbackIds.GIVE_BUTTON.value)(on_give_feedback)
    app.action(HomeIds.FEEDBACK_BUTTON.value)(on_home_feedback_clicked)
    app.view(HomeIds.FEEDBACK_PICK_MODAL.value)(on_feedback_partner_chosen)
    app.action(AlertIds.SURVEY_BUTTON.value)(on_alert_survey_clicked)
