"""Partner needs: ``/partner need …`` and ``/partner needs``, the new-need form, the Met and
Declined buttons on a need's confirmation, and questions about what partners need."""

from __future__ import annotations

from slack_bolt import App

from handlers.needs import commands, questions  # noqa: F401  (declare sub-commands and questions)
from handlers.needs.forms import on_declined_clicked, on_met_clicked, on_new_submitted
from handlers.shared.ids import NeedIds


def register(app: App) -> None:
    app.view(NeedIds.NEW_MODAL.value)(on_new_submitted)
    app.action(NeedIds.MET_BUTTON.value)(on_met_clicked)
    app.action(NeedIds.DECLINED_BUTTON.value)(on_declined_clicked)
