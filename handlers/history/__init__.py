"""The audit trail seen by people: ``/partner history <partner>`` — who changed what about a
partner and its records, newest first, a page at a time ("Older" shows the next). The trail itself
is written by ``storage.audit`` in the transaction of every change."""

from __future__ import annotations

from slack_bolt import App

from handlers.history import command
from handlers.shared.ids import HistoryIds


def register(app: App) -> None:
    app.action(HistoryIds.OLDER_BUTTON.value)(command.on_older_clicked)
