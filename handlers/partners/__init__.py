"""Partner records: ``/partner add|edit|archive``, the edit form and the Home tab's add form."""

from __future__ import annotations

from slack_bolt import App

from handlers.partners import commands  # noqa: F401  (declares the sub-commands)
from handlers.partners.forms import on_add_clicked, on_add_submitted, on_edit_submitted
from handlers.shared.ids import Callback, HomeIds


def register(app: App) -> None:
    app.view(Callback.EDIT_PARTNER_MODAL.value)(on_edit_submitted)
    app.action(HomeIds.ADD_BUTTON.value)(on_add_clicked)
    app.view(HomeIds.ADD_MODAL.value)(on_add_submitted)
