"""CSV files in Slack: ``/partner export [table]`` sends a table as CSV to the person's direct
messages with the app; an admin imports one by uploading it there with the message ``import
<table>``. Both run ``storage.transfer``, the code ``partnerbot export`` and ``import`` run."""

from __future__ import annotations

from slack_bolt import App

from handlers.files import export, questions  # noqa: F401  (declare the sub-command and questions)
from handlers.files.imports import on_file_shared


def register(app: App) -> None:
    # Registered before handlers.mentions' listener for every message: Bolt hands an event to the
    # first listener that matches, so uploads come here and plain messages go on to the questions.
    app.event({"type": "message", "subtype": "file_share"})(on_file_shared)
