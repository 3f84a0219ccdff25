"""Follow-ups: ``/partner followup``, ``/partner followups``, the reminders sent on the day
(``handlers.followups.reminders``, run by the scheduler), and their Done and Snooze buttons."""

from __future__ import annotations

from slack_bolt import App

from handlers.followups import commands  # noqa: F401  (declares the sub-commands)
from handlers.followups.buttons import on_done_clicked, on_snooze_day_clicked, on_snooze_week_clicked
from handlers.shared.ids import FollowUpIds


def register(app: App) -> None:
    app.action(FollowUpIds.DONE_BUTTON.value)(on_done_clicked)
    app.action(FollowUpIds.SNOOZE_DAY_BUTTON.value)(on_snooze_day_clicked)
    app.action(FollowUpIds.SNOOZE_WEEK_BUTTON.value)(on_snooze_week_clicked)
