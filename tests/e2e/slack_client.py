"""The Slack side of the end-to-end tests: :class:`SlackClient` sends the server what Slack would
(signed slash commands, interactions, events, option requests, built by ``bot.standin.signed``)
and checks every answer as Slack would; helpers read the app's answers."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

from bot.standin.blockkit import validate_message_payload
from bot.standin.http import HttpStandIn
from bot.standin.records import FunctionExecution
from bot.standin.signed import (
    FORM,
    JSON,
    command_body,
    event_body,
    event_envelope,
    function_executed,
    interaction_body,
    sign,
    slash_command,
)
from bot.standin.texts import iter_texts


@dataclass
class SlackResult:
    """The app's HTTP answer to one Slack request."""

    status: int
    text: str
    headers: dict[str, str]
    elapsed: float  # seconds from sending to the whole answer
    response_url: str | None = None
    trigger_id: str | None = None
    json: Any = None
    request: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks_text(self) -> str:
        """Every text in the answer (fallback text and blocks), joined, for ``in`` checks."""
        return "\n".join(t for _, _, t in iter_texts(self.json or {}))


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def check_options(body: dict[str, Any]) -> None:
    """An answer to an options request as Slack accepts it: at most 100 options, each with
    plain_text text of at most 75 characters and a value of at most 150."""
    options = body.get("options")
    assert isinstance(options, list), f"an options answer needs an options list: {body}"
    assert len(options) <= 100, f"{len(options)} options; Slack shows at most 100"
    for option in options:
        text = option.get("text") or {}
        assert text.get("type") == "plain_text" and 0 < len(text.get("text", "")) <= 75, option
        assert isinstance(option.get("value"), str) and 0 < len(option["value"]) <= 150, option


class SlackClient:
    """Sends the app what Slack would: signed slash commands, interactions, events, option requests.

    Every answer with a body is checked as Slack would check it (Block Kit, fallback text,
    response_action) before the test sees it.
    """

    def __init__(self, base_url: str, secret: str, standin: HttpStandIn) -> None:
        self.base_url = base_url
        self.events_url = base_url + "/slack/events"
        self.secret = secret
        self.standin = standin

    # --- transport ------------------------------------------------------------------------

    def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        signed: bool = True,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 15,
    ) -> SlackResult:
        sent = {"Content-Type": content_type, **(headers or {})}
        if signed:
            sent.update(sign(secret or self.secret, body, timestamp))
        start = time.monotonic()
        # A fresh connection each time, like Slack: no keep-alive surprises between tests.
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        answer = requests.post(self.events_url, data=data, headers=sent, timeout=timeout)
        elapsed = time.monotonic() - start
        result = SlackResult(answer.status_code, answer.text, dict(answer.headers), elapsed)
        if answer.text and answer.headers.get("content-type", "").startswith("application/json"):
            result.json = answer.json()
        return result

    @staticmethod
    def _check_ack(result: SlackResult, kind: str) -> SlackResult:
        """Refuse an answer Slack would refuse (Block Kit, fallback text, response_action, options)."""
        body = result.json
        if result.status != 200 or not isinstance(body, dict):
            return result
        if kind == "block_suggestion":
            check_options(body)
        elif {"text", "blocks", "response_action"} & set(body):
            validate_message_payload(body)
        return result

    def send_command(
        self,
        text: str,
        user: str = "U1",
        team: str = "T1",
        trigger_id: str | None = None,
        *,
        channel: str = "C1",
        response_url: str | None = None,
        command: str = "/partner",
        signed: bool = True,
        timestamp: int | None = None,
        secret: str | None = None,
        ext_shared: bool | None = False,
    ) -> SlackResult:
        trigger_id = trigger_id or self.standin.new_trigger_id()
        response_url = response_url or self.standin.new_response_url()
        form = slash_command(
            command=command,
            text=text,
            team_id=team,
            user_id=user,
            channel_id=channel,
            response_url=response_url,
            trigger_id=trigger_id,
            app_id=self.standin.app_id,
            ext_shared=ext_shared,
        )
        result = self.post(command_body(form), FORM, signed=signed, timestamp=timestamp, secret=secret)
        result.response_url, result.trigger_id, result.request = response_url, trigger_id, form
        return self._check_ack(result, "command")

    def send_interaction(self, payload: dict[str, Any], **kwargs: Any) -> SlackResult:
        result = self.post(interaction_body(payload), FORM, **kwargs)
        result.request = payload
        result.response_url = payload.get("response_url")
        result.trigger_id = payload.get("trigger_id")
        return self._check_ack(result, str(payload.get("type")))

    def send_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        team: str = "T1",
        retry_num: int = 0,
        ext_shared: bool = False,
    ) -> SlackResult:
        envelope = event_envelope(
            event,
            team_id=team,
            app_id=self.standin.app_id,
            bot_user_id=self.standin.bot_user_id,
            event_id=event_id,
            ext_shared=ext_shared,
        )
        headers = (
            {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        )
        result = self.post(event_body(envelope), JSON, headers=headers)
        result.request = envelope
        return result

    def run_step(self, callback_id: str, inputs: dict[str, Any], *, team: str) -> FunctionExecution:
        """Run a Workflow Builder step as Slack does: a run with its own token, the signed
        ``function_executed`` event (acknowledged within 3 s), then the run once the app ended it."""
        execution = self.standin.start_function(callback_id, inputs)
        event = function_executed(
            callback_id=callback_id,
            inputs=inputs,
            function_execution_id=execution.id,
            bot_access_token=execution.token,
            app_id=self.standin.app_id,
        )
        result = self.send_event(event, team=team)
        assert result.status == 200 and result.elapsed < 3, (result.status, result.elapsed, result.text)
        return self.standin.wait_for_function(execution.id, timeout=15)

    def send_options(
        self,
        value: str,
        *,
        action_id: str = "partner_select",
        block_id: str = "partner",
        user: str = "U1",
        team: str = "T1",
        view: dict[str, Any] | None = None,
    ) -> SlackResult:
        payload = {
            "type": "block_suggestion",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "container": {"type": "view", "view_id": (view or {}).get("id", "V0")},
            "api_app_id": self.standin.app_id,
            "token": "legacy-verification-token",
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "team": {"id": team, "domain": team.lower()},
            "enterprise": None,
            "is_enterprise_install": False,
            "view": view or {"id": "V0", "type": "modal", "callback_id": "log_interaction"},
        }
        return self.send_interaction(payload)

    # --- interactions built like Slack builds them ----------------------------------------

    @staticmethod
    def user(user: str, team: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team}

    def submit_view(
        self,
        view: dict[str, Any],
        changes: dict[str, Any] | None = None,
        *,
        user: str = "U1",
        team: str = "T1",
    ) -> SlackResult:
        """Submit a modal as Slack would: its inputs keep their initial values unless ``changes`` says.

        ``changes`` maps block_id to the new value: for selects and radio buttons an option value
        (or an option dict), for checkboxes a list of option values, for date pickers "YYYY-MM-DD",
        for text inputs the text, None to empty the field.
        """
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": team.lower()},
            "user": self.user(user, team),
            "api_app_id": self.standin.app_id,
            "token": "legacy-verification-token",
            "trigger_id": self.standin.new_trigger_id(),
            "view": {**view, "state": {"values": view_state(view, changes or {})}},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.send_interaction(payload)

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U1",
        team: str = "T1",
        response_url: str | None = None,
        channel: str = "C1",
        trigger_id: str | None = None,
    ) -> SlackResult:
        """Click a button in an (ephemeral) message the app posted."""
        payload = {
            "type": "block_actions",
            "user": self.user(user, team),
            "api_app_id": self.standin.app_id,
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": channel,
                "is_ephemeral": True,
            },
            "trigger_id": trigger_id or self.standin.new_trigger_id(),
            "team": {"id": team, "domain": team.lower()},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "partners"},
            "state": {"values": {}},
            "response_url": response_url or self.standin.new_response_url(),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "text": plain(action_id),
                    "value": value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.send_interaction(payload)

    def message_shortcut(
        self,
        message_text: str,
        *,
        callback_id: str = "log_to_partner",
        user: str = "U1",
        team: str = "T1",
        channel: str = "C1",
        message_ts: str = "1700000000.000200",
        trigger_id: str | None = None,
    ) -> SlackResult:
        payload = {
            "type": "message_action",
            "token": "legacy-verification-token",
            "action_ts": f"{time.time():.6f}",
            "team": {"id": team, "domain": team.lower()},
            "user": self.user(user, team),
            "channel": {"id": channel, "name": "partners"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or self.standin.new_trigger_id(),
            "response_url": self.standin.new_response_url(),
            "message_ts": message_ts,
            "message": {
                "type": "message",
                "user": "U9",
                "ts": message_ts,
                "text": message_text,
                "team": team,
            },
        }
        return self.send_interaction(payload)

    # --- conveniences ---------------------------------------------------------------------

    def command_ok(self, text: str, **kwargs: Any) -> SlackResult:
        """A command that must be answered in the acknowledgement itself."""
        result = self.send_command(text, **kwargs)
        assert result.status == 200, (result.status, result.text)
        assert isinstance(result.json, dict), f"no reply in the acknowledgement: {result.text!r}"
        return result

    def add_partner(self, name: str, *, team: str, user: str = "U1") -> SlackResult:
        result = self.command_ok(f'add "{name}"', team=team, user=user)
        assert "Added" in result.json["text"] + result.blocks_text, result.json
        return result

    def open_log_modal(self, *, team: str, user: str = "U1") -> tuple[SlackResult, dict[str, Any]]:
        """``/partner log`` with no text; returns the ack and the modal the app opened."""
        result = self.send_command("log", team=team, user=user)
        assert result.status == 200, result.text
        call = self.standin.wait_for(
            "views.open", timeout=5, where=lambda c: c.args.get("trigger_id") == result.trigger_id
        )
        assert call.ok, call.response
        return result, call.response["view"]  # type: ignore[index]

    def ask(self, question: str, *, team: str) -> str:
        """Mention the bot with ``question`` in a channel of ``team``; the text of its threaded answer."""
        ts = f"{time.time():.6f}"
        event = {
            "type": "app_mention",
            "user": "U1",
            "text": f"<@{self.standin.bot_user_id}> {question}",
            "channel": "C" + team[1:],
            "ts": ts,
            "event_ts": ts,
        }
        assert self.send_event(event, team=team).status == 200
        reply = self.standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts") == ts)
        return text_of(reply.args)


def _option_named(element: dict[str, Any], value: str) -> dict[str, Any]:
    """The element's option with this value (or one made up, as a tampered payload would carry)."""
    options = [o for o in element.get("options", []) if o["value"] == value]
    return options[0] if options else {"text": plain(value), "value": value}


def view_state(view: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``view.state.values`` as Slack sends it with a view_submission."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id, action_id, kind = block["block_id"], element["action_id"], element["type"]
        entry: dict[str, Any] = {"type": kind}
        if kind in ("static_select", "external_select", "radio_buttons"):
            option = changes[block_id] if block_id in changes else element.get("initial_option")
            if isinstance(option, str):
                option = _option_named(element, option)
            entry["selected_option"] = option
        elif kind == "checkboxes":
            chosen = changes[block_id] if block_id in changes else element.get("initial_options")
            entry["selected_options"] = [
                _option_named(element, o) if isinstance(o, str) else o for o in chosen or []
            ]
        elif kind == "datepicker":
            entry["selected_date"] = changes[block_id] if block_id in changes else element.get("initial_date")
        elif kind == "users_select":
            entry["selected_user"] = changes[block_id] if block_id in changes else element.get("initial_user")
        else:  # plain_text_input, number_input, …
            entry["value"] = changes[block_id] if block_id in changes else element.get("initial_value")
        values[block_id] = {action_id: entry}
    return values


# --- reading the app's answers -------------------------------------------------------------


def text_of(payload: Any) -> str:
    """Every text of a payload (fallback text, blocks, a view), one a line."""
    return "\n".join(text for _, _, text in iter_texts(payload))


def opened_view(slack: SlackClient, result: SlackResult) -> dict[str, Any]:
    """The modal the app opened with the trigger of ``result`` (a command or a click)."""
    call = slack.standin.wait_for("views.open", where=lambda c: c.args.get("trigger_id") == result.trigger_id)
    assert call.ok, call.response
    return call.response["view"]  # type: ignore[index]


def button_value(reply: dict[str, Any], action_id: str) -> str:
    for block in reply.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button in {json.dumps(reply)[:500]}")


def counts_90_days(slack: SlackClient, team: str, name: str) -> str:
    """What ``/partner show`` says about the last 90 days, e.g. ``2 calls, 1 note`` or ``none``."""
    shown = slack.command_ok(f'show "{name}"', team=team).blocks_text
    match = re.search(r"\*Last 90 days:\* (.+)", shown)
    assert match, shown
    return match.group(1).strip()


def shown_notes(slack: SlackClient, team: str, name: str) -> str:
    return slack.command_ok(f'show "{name}"', team=team).blocks_text


def partner_option(slack: SlackClient, team: str, name: str, view: dict[str, Any] | None = None) -> dict:
    """The option the type-ahead offers for ``name`` (what the person picks in the modal)."""
    answer = slack.send_options(name[:20], team=team, view=view)
    assert answer.status == 200, answer.text
    found = [o for o in answer.json["options"] if o["text"]["text"] == name]
    assert found, answer.json
    return found[0]


def today_in(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()
