"""What Slack would send the app, signed (with a secret made up for the session, so request
verification stays on) and dispatched to the Bolt app in this process."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.console.activity import Activity
from bot.console.slack import APP_ID, BOT_USER_ID
from bot.requests import SlackRequest
from bot.standin.signed import SignedRequest, event_envelope, signed_command, signed_event, signed_interaction

TOKEN = "console"  # the verification token Slack would put in a request


class Dispatcher:
    def __init__(self, app: App, *, signing_secret: str, team_id: str, activity: Activity) -> None:
        self.app = app
        self.secret = signing_secret
        self.team_id = team_id
        self.activity = activity

    def _dispatch(self, request: SignedRequest) -> BoltResponse:
        self.activity.touch()
        response = self.app.dispatch(SlackRequest(body=request.body, headers=request.headers))
        self.activity.touch()
        return response

    def command(self, form: dict[str, str]) -> BoltResponse:
        return self._dispatch(signed_command(self.secret, form))

    def interaction(self, payload: dict[str, Any]) -> BoltResponse:
        return self._dispatch(signed_interaction(self.secret, payload))

    def event(self, event: dict[str, Any]) -> BoltResponse:
        envelope = event_envelope(
            event, team_id=self.team_id, app_id=APP_ID, bot_user_id=BOT_USER_ID, token=TOKEN
        )
        return self._dispatch(signed_event(self.secret, envelope))
