"""Joint projects and committed resources: ``/partner project …``, ``/partner resource``, the
project forms, the buttons on a project's confirmation, and questions about projects."""

from __future__ import annotations

from slack_bolt import App

from handlers.projects import commands, questions  # noqa: F401  (declare sub-commands and questions)
from handlers.projects.forms import (
    on_lost_clicked,
    on_new_submitted,
    on_update_clicked,
    on_update_submitted,
    on_won_clicked,
)
from handlers.shared.ids import ProjectIds


def register(app: App) -> None:
    app.view(ProjectIds.NEW_MODAL.value)(on_new_submitted)
    app.view(ProjectIds.UPDATE_MODAL.value)(on_update_submitted)
    app.action(ProjectIds.UPDATE_BUTTON.value)(on_update_clicked)
    app.action(ProjectIds.WON_BUTTON.value)(on_won_clicked)
    app.action(ProjectIds.LOST_BUTTON.value)(on_lost_clicked)
