"""Logging communications: ``/partner log`` inline or through the form, the "Log to partner"
message shortcut, the "Log communication" buttons of the Home tab, a reminder and a drop alert,
and Edit / Undo on a confirmation; a log may promise a follow-up (handlers.log.follow_ups)."""

from __future__ import annotations

from slack_bolt import App

from handlers.log import commands  # noqa: F401  (declares the sub-command)
from handlers.log.buttons import on_edit_clicked, on_undo_clicked
from handlers.log.form import (
    on_alert_log_clicked,
    on_follow_up_log_clicked,
    on_home_log_clicked,
    on_log_shortcut,
    on_log_submitted,
)
from handlers.shared.ids import Action, AlertIds, Callback, FollowUpIds, HomeIds


def register(app: App) -> None:
    app.view(Callback.LOG_MODAL.value)(on_log_submitted)
    app.shortcut(Callback.LOG_SHORTCUT.value)(on_log_shortcut)
    app.action(HomeIds.LOG_BUTTON.value)(on_home_log_clicked)
    app.action(Action.EDIT_LOGGED.value)(on_edit_clicked)
    app.action(Action.UNDO_LOGGED.value)(on_undo_clicked)
    app.action(FollowUpIds.LOG_BUTTON.value)(on_follow_up_log_clicked)
    app.action(AlertIds.LOG_BUTTON.value)(on_alert_log_clicked)
