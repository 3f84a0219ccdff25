"""Errors a person can cause, and the one error handler that turns any failure into a message.

Listeners raise :class:`UserError` (or a subclass) with words for the partner manager; the
``/partner`` dispatcher shows them. Anything else (a database outage, a bug) reaches
:func:`handle_error`, which apologises in the place the person is looking and keeps serving.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.context.respond import Respond
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from handlers.shared.blocks import modal, section
from handlers.shared.ids import Callback
from handlers.shared.text import escape, literal

log = logging.getLogger(__name__)

DATABASE_APOLOGY = (
    "Sorry — Partnerbot couldn't reach its database just now, so nothing was saved. "
    "Please try again in a minute; if it keeps happening, tell whoever runs Partnerbot."
)
GENERIC_APOLOGY = (
    "Sorry — something went wrong on Partnerbot's side and nothing was saved. "
    "Please try again; if it keeps happening, tell whoever runs Partnerbot."
)


class UserError(Exception):
    """Something the person typed or chose cannot be done; ``message`` is mrkdwn, already escaped."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownPartner(UserError):
    def __init__(self, typed: str, suggestions: list[str]) -> None:
        self.typed = typed
        self.suggestions = suggestions
        if suggestions:
            names = ", ".join(f"*{literal(n)}*" for n in suggestions)
            message = f"I don't know a partner called “{escape(typed)}”. Did you mean {names}?"
        elif typed:
            message = (
                f"I don't know a partner called “{escape(typed)}”. "
                f"Add it first with `/partner add {escape(typed)}`."
            )
        else:
            message = "Which partner? Put the partner's name first, e.g. `/partner show Acme`."
        super().__init__(message)


SLACK_APOLOGY = (
    "Sorry — Slack turned down a request of mine just now ({error}), so this didn't go through. "
    "Please try again in a minute; if it keeps happening, tell whoever runs Partnerbot."
)


def apology_for(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return SLACK_APOLOGY.format(error=escape(str(error.response.get("error") or "no answer"))[:60])
    return DATABASE_APOLOGY if isinstance(error, SQLAlchemyError) else GENERIC_APOLOGY


def apology_modal(text: str) -> dict[str, Any]:
    """Pushed over a modal whose submission failed, so the person's input underneath survives."""
    return modal("Not saved", [section(text)], callback_id=Callback.APOLOGY_MODAL.value, close="Back")


def _json(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


def handle_error(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    respond: Respond | None,
    client: WebClient | None = None,
) -> BoltResponse | None:
    """Bolt's global error handler: log it, then tell the person where they will see it.

    A UserError raised outside the /partner dispatcher (a modal or a button) is shown as is;
    anything else gets an apology. A request not yet acknowledged always gets its 200 here (Slack
    shows its own error for anything else), with the message in it where Slack displays one.
    """
    if isinstance(error, BoltUnhandledRequestError):
        # A signed request no listener wants (an old button, an event we don't use): one line, a 200.
        log.info("no listener for a %s request; acknowledged and ignored", body.get("type") or "slash")
        return BoltResponse(status=200, body="")
    if isinstance(error, UserError):
        text = error.message
    elif isinstance(error, SlackApiError):
        # Slack said no (an outage, a refused call): its answer says it all, no traceback needed.
        log.warning(
            "request failed: Slack answered %s", error.response.get("error", error.response.status_code)
        )
        text = apology_for(error)
    else:
        log.exception("request failed: %s", type(error).__name__, exc_info=error)
        text = apology_for(error)
    not_yet_acknowledged = response is not None
    if not_yet_acknowledged and body.get("command"):
        return _json({"response_type": "ephemeral", "text": text})
    if not_yet_acknowledged and body.get("type") == "view_submission":
        return _json({"response_action": "push", "view": apology_modal(text)})
    if not_yet_acknowledged and body.get("type") == "block_suggestion":
        return _json({"options": []})
    _tell(text, body, respond, client)
    return BoltResponse(status=200, body="") if not_yet_acknowledged else None


def _tell(text: str, body: dict[str, Any], respond: Respond | None, client: WebClient | None) -> None:
    """After the acknowledgement: through response_url where the request had one, else (the Home
    tab, a modal) as a direct message to the person. Best effort: the failure is logged already."""
    try:
        if respond is not None and respond.response_url:
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        user = body.get("user")
        user_id = user.get("id") if isinstance(user, dict) else body.get("user_id")
        if client is not None and isinstance(user_id, str) and user_id:
            client.chat_postMessage(channel=user_id, text=text)
    except Exception:
        log.warning("could not deliver the message about a failed request to the person")
