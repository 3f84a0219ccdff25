"""``partnerbot console``: the whole app in a terminal, with no Slack and no network.

The way Errbot's text mode and Hubot's shell adapter let people try a bot: the same Bolt app
(``bot.app.build_app``: the same listeners, storage and scoring, the embedded SQLite database by
default, DATABASE_URL honoured) receives what Slack would send, signed with a signing secret made
up for the session, so request verification stays on; what it sends back to "Slack" is answered
in-process (``bot.console_slack``) and printed as readable text.

- ``/partner …`` is the slash command; any other text is a message to the bot (an app_mention);
- replies are printed as text, buttons numbered ``[1] Edit  [2] Undo``; type the number (or
  ``:press 1``) to press one;
- a modal the app opens is filled in field by field (``bot.console_forms``), submitted, and its
  errors shown and asked again;
- ``:home`` opens the App Home tab, ``:as U123`` acts as someone else, ``:help``, ``:quit``.

After each line the console waits until the app is quiet (no listener running, nothing sent for
100 ms) before printing, so a script piped in always gives the same output.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.app import build_app, build_deps
from bot.console_args import DEFAULT_USER, build_console_parser
from bot.console_forms import (
    Field,
    FormCancelled,
    FormFiller,
    InputEnded,
    QuitRequested,
    Terminal,
    form_fields,
    options_of,
)
from bot.console_render import Renderer, Style, text_object
from bot.console_slack import (
    API_URL,
    APP_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    CHANNEL_ID,
    CHANNEL_NAME,
    Activity,
    ConsoleSlack,
    MessageRef,
    Output,
    intercepted,
)
from bot.requests import SlackRequest
from bot.settings import ConfigurationError, Settings
from handlers.shared.ids import SLASH_COMMAND, Callback
from storage.db import Database, DatabaseUnavailable
from storage.migrate import upgrade

log = logging.getLogger(__name__)
QUIET_SECONDS = 0.1
WAIT_TIMEOUT = 30.0
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
# What Slack does to a slash command's text when the command has should_escape (manifest.yml).
_TYPED_CHANNEL = re.compile(r"(?<![^\s:(])#([a-z][a-z0-9_-]{0,79})\b")
_TYPED_USER = re.compile(r"(?<![^\s:(])@([UW][A-Z0-9]+)\b")

HELP = """\
Type what you would type in Slack:
  /partner help                    the slash command (every /partner sub-command works)
  top 5 partners this quarter      anything else is a message to the bot (an @-mention)
  1   or   :press 1                press button [1] of the latest buttons shown
Console commands:
  :home              open your App Home tab (the dashboard)
  :dm TEXT           send TEXT to the bot as a direct message
  :shortcut TEXT     use "Log to partner" on a message saying TEXT
  :as U123           act as another Slack user
  :help              this help
  :quit              leave (end of input does too)
In a form: answer each field; Enter keeps the value shown in [brackets] (or skips an
optional field), - empties an optional field, choices are picked by number, :cancel closes
the form without sending it."""


def local_time_zone() -> str:
    """This machine's IANA time zone name (what Slack would report as the user's tz), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    timezone_file = Path("/etc/timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text(encoding="utf-8", errors="replace").strip())
    for name in candidates:
        if name and _valid_zone(name):
            return name
    return "UTC"


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def channel_id(name: str) -> str:
    """The console's made-up channel ID for a channel name (#console is the one you type in)."""
    if name == CHANNEL_NAME:
        return CHANNEL_ID
    return "C" + (re.sub(r"[^A-Z0-9]", "", name.upper()) or "X")[:20]


def escape_typed(text: str, channels: dict[str, str] | None = None) -> str:
    """``#general`` → ``<#CGENERAL|general>``, ``@U123`` → ``<@U123|u123>``, as Slack sends a
    slash command's text when it escapes channels and users. ``channels`` learns the names."""

    def channel(match: re.Match[str]) -> str:
        name = match.group(1)
        if channels is not None:
            channels[channel_id(name)] = name
        return f"<#{channel_id(name)}|{name}>"

    text = _TYPED_CHANNEL.sub(channel, text)
    return _TYPED_USER.sub(lambda m: f"<@{m.group(1)}|{m.group(1).lower()}>", text)


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers for ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": ts, "x-slack-signature": f"v0={digest}"}


@dataclass
class Pressable:
    """A button shown on screen: in a message (``message``) or in a view (``view_id``)."""

    element: dict[str, Any]
    block_id: str
    message: MessageRef | None = None
    message_payload: dict[str, Any] | None = None
    view_id: str | None = None


class Console:
    def __init__(
        self,
        app: App,
        slack: ConsoleSlack,
        *,
        signing_secret: str,
        user_id: str,
        team_id: str,
        terminal: Terminal,
        activity: Activity,
        wait_timeout: float = WAIT_TIMEOUT,
    ) -> None:
        self.app = app
        self.slack = slack
        self.secret = signing_secret
        self.user_id = user_id
        self.team_id = team_id
        self.term = terminal
        self.style = terminal.style
        self.activity = activity
        self.wait_timeout = wait_timeout
        self.buttons: list[Pressable] = []
        self.stack: list[str] = []  # the open modal's views, the one shown last
        self.on_home = False  # looking at the Home tab (its updates are shown in full)
        self.forms: dict[str, FormFiller] = {}  # answers so far, per view id
        self.channels = {CHANNEL_ID: CHANNEL_NAME}  # channel ID → name, for showing <#C…>

    # --- the loop -------------------------------------------------------------------------

    def run(self) -> int:
        while True:
            try:
                line = self.term.ask("partnerbot> ")
            except (InputEnded, KeyboardInterrupt):
                return 0
            try:
                if not self.handle(line):
                    return 0
            except QuitRequested:
                return 0
            except InputEnded:
                if self.stack:
                    self.term.say(self.style.dim("(input ended before the form was sent)"))
                return 0
            except KeyboardInterrupt:
                self.term.say("")
                return 0
            except Exception as error:  # a bug here must not end the session: say it, carry on
                log.exception("the console failed on %r", line)
                self.term.say(self.style.error(f"(the console failed: {type(error).__name__}: {error})"))
                self.stack = []

    def handle(self, line: str) -> bool:
        """Act on one line; False to stop."""
        text = line.strip()
        if not text:
            return True
        if text.startswith(":"):
            return self._console_command(text)
        if text.isdigit():
            self.press(int(text))
        elif text.startswith("/"):
            self.slash_command(text)
        else:
            self.mention(text)
        return True

    def _console_command(self, text: str) -> bool:
        word, _, rest = text.partition(" ")
        word, rest = word.lower(), rest.strip()
        if word in (":quit", ":exit", ":q"):
            return False
        if word in (":help", ":h", ":?"):
            self.term.say(HELP)
        elif word == ":press" and rest.isdigit():
            self.press(int(rest))
        elif word == ":as":
            self.act_as(rest)
        elif word == ":home":
            self.open_home()
        elif word == ":dm" and rest:
            self.direct_message(rest)
        elif word == ":shortcut" and rest:
            self.message_shortcut(rest)
        else:
            self.term.say(f"I don't know {word}{' ' + rest if rest else ''} — :help lists what you can type.")
        return True

    def act_as(self, user_id: str) -> None:
        user_id = user_id.upper().lstrip("@")
        if not _USER_ID.match(user_id):
            self.term.say("Give a Slack user ID, like :as U0123ABCD.")
            return
        self.user_id = user_id
        self.on_home = False
        self.term.say(self.style.dim(f"(you are now {user_id})"))

    # --- what Slack would send ------------------------------------------------------------

    def _dispatch(self, body: str, content_type: str) -> BoltResponse:
        headers = {"content-type": content_type, **sign(self.secret, body)}
        self.activity.touch()
        response = self.app.dispatch(SlackRequest(body=body, headers=headers))
        self.activity.touch()
        return response

    def _send_interaction(self, payload: dict[str, Any]) -> BoltResponse:
        return self._dispatch(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    def _send_event(self, event: dict[str, Any]) -> BoltResponse:
        envelope = {
            "token": "console",
            "team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self._dispatch(json.dumps(envelope), "application/json")

    def _user(self) -> dict[str, Any]:
        name = self.user_id.lower()
        return {"id": self.user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": "console"}

    def slash_command(self, text: str) -> None:
        command, _, rest = text.partition(" ")
        if command != SLASH_COMMAND:
            self.term.say(
                f"{command} is not a command here: Partnerbot has {SLASH_COMMAND} (try /partner help)."
            )
            return
        self.on_home = False
        where = MessageRef(CHANNEL_ID, None, ephemeral=True)
        form = {
            "token": "console",
            "team_id": self.team_id,
            "team_domain": "console",
            "channel_id": CHANNEL_ID,
            "channel_name": CHANNEL_NAME,
            "user_id": self.user_id,
            "user_name": self.user_id.lower(),
            "command": command,
            "text": escape_typed(rest.strip(), self.channels),
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.slack.new_response_url(where),
            "trigger_id": self.slack.new_trigger_id(),
        }
        response = self._dispatch(urlencode(form), "application/x-www-form-urlencoded")
        self.settle(response, ack_shows_at=where)

    def _message_event(self, text: str, *, direct: bool) -> None:
        self.on_home = False
        ts = self.slack.new_ts()
        if direct:
            event = {"type": "message", "channel_type": "im", "channel": "D" + self.user_id[1:], "text": text}
        else:
            event = {
                "type": "app_mention",
                "channel_type": "channel",
                "channel": CHANNEL_ID,
                "text": f"<@{BOT_USER_ID}> {text}",
            }
        event.update({"user": self.user_id, "ts": ts, "event_ts": ts, "team": self.team_id})
        self.settle(self._send_event(event))

    def mention(self, text: str) -> None:
        self._message_event(text, direct=False)

    def direct_message(self, text: str) -> None:
        self._message_event(text, direct=True)

    def message_shortcut(self, text: str) -> None:
        self.on_home = False
        ts = self.slack.new_ts()
        payload = {
            "type": "message_action",
            "token": "console",
            "action_ts": ts,
            "team": self._team(),
            "user": self._user(),
            "channel": {"id": CHANNEL_ID, "name": CHANNEL_NAME},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": Callback.LOG_SHORTCUT.value,
            "trigger_id": self.slack.new_trigger_id(),
            "response_url": self.slack.new_response_url(MessageRef(CHANNEL_ID, None, ephemeral=True)),
            "message_ts": ts,
            "message": {
                "type": "message",
                "user": self.user_id,
                "ts": ts,
                "text": text,
                "team": self.team_id,
            },
        }
        self.settle(self._send_interaction(payload))

    def open_home(self) -> None:
        self.on_home = True
        home = self.slack.view(f"VHOME-{self.user_id}")
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": self.user_id,
            "channel": "D" + self.user_id[1:],
            "tab": "home",
            "event_ts": self.slack.new_ts(),
        }
        if home is not None:
            event["view"] = home
        shown = self.settle(self._send_event(event))
        if not shown:
            self.term.say(self.style.dim("(the app published no Home tab)"))

    def press(self, number: int) -> None:
        if not 1 <= number <= len(self.buttons):
            if self.buttons:
                self.term.say(f"There is no button [{number}]: the latest buttons are 1-{len(self.buttons)}.")
            else:
                self.term.say("There are no buttons to press yet.")
            return
        target = self.buttons[number - 1]
        element = target.element
        if element.get("url"):
            self.term.say(self.style.dim(f"(opens {element['url']})"))
        action = {
            "action_id": element.get("action_id", ""),
            "block_id": target.block_id,
            "text": element.get("text") or {"type": "plain_text", "text": ""},
            "type": element.get("type", "button"),
            "action_ts": self.slack.new_ts(),
        }
        if "value" in element:
            action["value"] = element["value"]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(),
            "api_app_id": APP_ID,
            "token": "console",
            "trigger_id": self.slack.new_trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
            "actions": [action],
        }
        if target.view_id is not None:
            view = self.slack.view(target.view_id) or {"id": target.view_id}
            payload["container"] = {"type": "view", "view_id": target.view_id}
            payload["view"] = view
        else:
            where = target.message or MessageRef(CHANNEL_ID, None, ephemeral=True)
            payload["container"] = {
                "type": "message",
                "message_ts": where.ts or self.slack.new_ts(),
                "channel_id": where.channel,
                "is_ephemeral": where.ephemeral,
            }
            payload["channel"] = {"id": where.channel, "name": CHANNEL_NAME}
            payload["response_url"] = self.slack.new_response_url(where)
            if not where.ephemeral and target.message_payload is not None:
                payload["message"] = {"type": "message", "ts": where.ts, **target.message_payload}
        self.settle(self._send_interaction(payload))

    # --- after each request: wait, print, fill in any modal -------------------------------

    def wait(self) -> None:
        if not self.activity.wait_quiet(quiet=QUIET_SECONDS, timeout=self.wait_timeout):
            self.term.say(self.style.dim("(the app is still working in the background; carrying on)"))

    def settle(self, response: BoltResponse | None, *, ack_shows_at: MessageRef | None = None) -> bool:
        """Wait for the app to be quiet, print what it said (its acknowledgement first), then fill in
        any modal it opened. True when anything was shown."""
        self.wait()
        buttons: list[Pressable] = []
        shown = self._show_ack(response, ack_shows_at, buttons)
        shown = self.show_outputs(self.slack.drain(), buttons) or shown
        if self.stack:
            self.run_modal()
        return shown

    def _show_ack(
        self, response: BoltResponse | None, where: MessageRef | None, buttons: list[Pressable] | None = None
    ) -> bool:
        if response is None:
            self.term.say(self.style.error("(the app did not answer within Slack's 3 seconds)"))
            return True
        if response.status == 404:
            self.term.say(self.style.dim("(nothing in the app handles that)"))
            return True
        if response.status != 200:
            self.term.say(
                self.style.error(f"(the app answered HTTP {response.status}: {response.body[:200]})")
            )
            return True
        body = _json_body(response)
        if where is None or body is None:
            return False
        if not isinstance(body, dict):
            body = {"text": str(body)}
        where = replace(where, ts=self.slack.new_ts())
        output = Output(
            "message",
            body,
            channel=where.channel,
            ts=where.ts,
            ephemeral=body.get("response_type") != "in_channel",
        )
        return self._print_message(output, buttons)

    def show_outputs(self, outputs: list[Output], buttons: list[Pressable] | None = None) -> bool:
        """Print what the app sent; the buttons shown become the ones numbers press."""
        buttons = [] if buttons is None else buttons
        shown = False
        for output in outputs:
            if output.kind == "message":
                shown = self._print_message(output, buttons) or shown
            elif output.kind == "publish":
                # Shown while you look at your Home tab (after :home, until you type elsewhere);
                # otherwise it is there for the next :home.
                if output.user_id == self.user_id and output.view is not None and self.on_home:
                    self._print_view(output.view, buttons, title="Home tab")
                    shown = True
            elif output.kind == "open" and output.view is not None:
                self.stack = [output.view["id"]]
            elif output.kind == "push" and output.view is not None:
                self.stack.append(output.view["id"])
            elif output.kind == "update" and output.view is not None and output.view["id"] in self.stack:
                self.term.say(self.style.dim("(the form changed)"))
            elif output.kind == "note":
                self.term.say(self.style.dim(output.text))
                shown = True
            elif output.kind == "file":
                where = f" in #{self.channels.get(output.channel, output.channel)}" if output.channel else ""
                self.term.say(self.style.dim(f"({output.text}, shared{where})"), "")
                shown = True
        if buttons:
            self.buttons = buttons
        return shown

    def _numbering(self, buttons: list[Pressable] | None, **where: Any) -> Callable[[dict, dict], str]:
        def label(element: dict[str, Any], block: dict[str, Any]) -> str:
            text = text_object(element.get("text")) or element.get("action_id", "button")
            if buttons is None:
                return f"[{text}]"
            buttons.append(Pressable(element, str(block.get("block_id", "")), **where))
            return f"[{len(buttons)}] {text}"

        return label

    def _print_message(self, output: Output, buttons: list[Pressable] | None = None) -> bool:
        style = self.style
        if output.deleted:
            self.term.say(style.dim("(the message was removed)"), "")
            return True
        tags = []
        if output.replaces:
            tags.append("replaces the earlier message")
        if output.direct:
            to_you = output.user_id in (None, self.user_id)
            tags.append("direct message from Partnerbot" if to_you else f"direct message to {output.user_id}")
        elif not output.ephemeral and output.channel:
            where = f"#{self.channels.get(output.channel, output.channel)}"
            tags.append(f"in a thread in {where}" if output.thread_ts else f"posted in {where}")
        if output.ephemeral and output.user_id and output.user_id != self.user_id:
            tags.append(f"only {output.user_id} sees this")
        ref = MessageRef(output.channel or CHANNEL_ID, output.ts, output.ephemeral)
        payload = {k: v for k, v in output.payload.items() if k in ("text", "blocks", "attachments")}
        renderer = Renderer(
            style, self._numbering(buttons, message=ref, message_payload=payload), self.channels
        )
        lines = renderer.message(output.payload)
        if tags:
            self.term.say(style.dim(f"({'; '.join(tags)})"))
        self.term.say(*lines, "")
        return True

    def _print_view(self, view: dict[str, Any], buttons: list[Pressable] | None, *, title: str) -> None:
        renderer = Renderer(self.style, self._numbering(buttons, view_id=view.get("id")), self.channels)
        self.term.say(self.style.bold(f"[{title}]"), *renderer.blocks(view.get("blocks") or []), "")

    # --- modals ---------------------------------------------------------------------------

    def run_modal(self) -> None:
        """Fill in and submit the modal on top of the stack until the stack is empty."""
        while self.stack:
            view_id = self.stack[-1]
            view = self.slack.view(view_id)
            if view is None:
                self.stack.pop()
                continue
            fields = form_fields(view)
            self._print_modal(view)
            if not fields and not view.get("submit"):
                self.term.say("")
                self._close_top(view, notify=True)
                continue
            filler = self.forms.setdefault(view_id, FormFiller(self.term, self._suggester(view_id)))
            try:
                values = filler.fill(fields) if fields else self._confirm(view)
                while True:
                    response = self._submit(view_id, values)
                    body = _json_body(response) if response is not None and response.status == 200 else None
                    action = body.get("response_action") if isinstance(body, dict) else None
                    if action != "errors":
                        break
                    errors = {str(k): str(v) for k, v in (body.get("errors") or {}).items()}
                    known = {f.block_id for f in fields}
                    unknown = [m for k, m in errors.items() if k not in known]
                    for message in unknown:
                        self.term.say(self.style.error(f"  ! {message}"))
                    only = None if unknown else set(errors)
                    values = filler.fill(fields, errors=errors, only=only)
            except (FormCancelled, KeyboardInterrupt) as stop:
                if isinstance(stop, KeyboardInterrupt):
                    self.term.say("")  # Ctrl-C left the cursor after the prompt
                self.term.say(self.style.dim("(form closed without sending)"), "")
                self._close_all(notify=True)
                return
            self._after_submit(view_id, response, body)

    def _print_modal(self, view: dict[str, Any]) -> None:
        title = text_object(view.get("title")) or "Form"
        submit = text_object(view.get("submit"))
        note = f"  (fill in each field; sent with “{submit}”; :cancel closes it)" if form_fields(view) else ""
        self.term.say(self.style.bold(f"[form] {title}") + self.style.dim(note))
        renderer = Renderer(self.style, self._numbering(None), self.channels)
        for block in view.get("blocks") or []:
            if block.get("type") != "input":
                self.term.say(*renderer.block(block))

    def _confirm(self, view: dict[str, Any]) -> dict[str, Any]:
        submit = text_object(view.get("submit")) or "Submit"
        answer = self.term.ask(f"Enter sends “{submit}”, :cancel closes: ").strip().lower()
        if answer in (":cancel", ":close"):
            raise FormCancelled()
        if answer in (":quit", ":exit", ":q"):
            raise QuitRequested()
        return {}

    def _suggester(self, view_id: str) -> Callable[[Field, str], list[dict[str, Any]]]:
        def suggest(field: Field, typed: str) -> list[dict[str, Any]]:
            view = self.slack.view(view_id) or {"id": view_id}
            payload = {
                "type": "block_suggestion",
                "user": self._user(),
                "container": {"type": "view", "view_id": view_id},
                "api_app_id": APP_ID,
                "token": "console",
                "action_id": field.action_id,
                "block_id": field.block_id,
                "value": typed,
                "team": self._team(),
                "enterprise": None,
                "is_enterprise_install": False,
                "view": view,
            }
            response = self._send_interaction(payload)
            self.wait()
            self.show_outputs(self.slack.drain())
            body = _json_body(response) if response.status == 200 else None
            return options_of(body) if isinstance(body, dict) else []

        return suggest

    def _submit(self, view_id: str, values: dict[str, Any]) -> BoltResponse | None:
        view = self.slack.view(view_id) or {"id": view_id}
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(),
            "api_app_id": APP_ID,
            "token": "console",
            "trigger_id": self.slack.new_trigger_id(),
            "view": {**view, "state": {"values": values}},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._send_interaction(payload)

    def _after_submit(self, view_id: str, response: BoltResponse | None, body: Any) -> None:
        action = body.get("response_action") if isinstance(body, dict) else None
        if response is None or response.status != 200:
            self._show_ack(response, None)
            self.term.say(self.style.dim("(the form stays open in Slack; closed here)"))
            self._close_all(notify=False)
        elif action == "update" and isinstance(body.get("view"), dict):
            self.slack.store_view(body["view"], view_id=view_id)
            self.forms.pop(view_id, None)
        elif action == "push" and isinstance(body.get("view"), dict):
            self.stack.append(self.slack.store_view(body["view"])["id"])
        elif action == "clear":
            self._close_all(notify=False)
        else:
            self._close_top(None, notify=False)
        self.wait()
        self.show_outputs(self.slack.drain())

    def _close_top(self, view: dict[str, Any] | None, *, notify: bool) -> None:
        view_id = self.stack.pop()
        self.forms.pop(view_id, None)
        if notify and view is not None and view.get("notify_on_close"):
            self._send_closed(view, cleared=False)
        if self.stack:
            title = text_object((self.slack.view(self.stack[-1]) or {}).get("title"))
            self.term.say(self.style.dim(f"(back to the form “{title}”)"))

    def _close_all(self, *, notify: bool) -> None:
        for view_id in reversed(self.stack):
            view = self.slack.view(view_id)
            if notify and view is not None and view.get("notify_on_close"):
                self._send_closed(view, cleared=True)
            self.forms.pop(view_id, None)
        self.stack = []

    def _send_closed(self, view: dict[str, Any], *, cleared: bool) -> None:
        payload = {
            "type": "view_closed",
            "team": self._team(),
            "user": self._user(),
            "api_app_id": APP_ID,
            "token": "console",
            "view": view,
            "is_cleared": cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        self._send_interaction(payload)
        self.wait()
        self.show_outputs(self.slack.drain())


def _json_body(response: BoltResponse | None) -> Any:
    if response is None or not response.body:
        return None
    try:
        return json.loads(response.body)
    except ValueError:
        return response.body


# --- starting it ---------------------------------------------------------------------------


def _quiet_logging() -> None:
    """The transcript is the output: only warnings and errors reach stderr, and Bolt's advice
    about requests nothing handles (the console says so itself) is left out."""
    root = logging.getLogger()
    root.setLevel(max(root.level, logging.WARNING))
    for name in ("alembic", "slack_sdk", "slack_bolt"):
        logging.getLogger(name).setLevel(logging.ERROR)


def run_console(
    args: argparse.Namespace,
    settings: Settings,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Start the app against ``settings.database_url`` and talk to it until ``:quit`` or end of input."""
    _quiet_logging()
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    user_id = str(args.user or DEFAULT_USER).upper().lstrip("@")
    if not _USER_ID.match(user_id):
        raise ConfigurationError(f"--as needs a Slack user ID like U0123ABCD, got {args.user!r}")
    time_zone = args.tz or local_time_zone()
    if not _valid_zone(time_zone):
        raise ConfigurationError(f"--tz needs a time zone name like Europe/Paris, got {time_zone!r}")
    interactive = stdin.isatty()
    color = stdout.isatty() and not os.environ.get("NO_COLOR")
    terminal = Terminal(stdin, stdout, style=Style(color=color), interactive=interactive)

    database = Database(settings.database_url)
    database.check()
    upgrade(database)
    signing_secret = secrets.token_hex(16)  # made up for this session: requests are still verified
    console_settings = replace(
        settings,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=signing_secret,
        slack_app_token=None,
        slack_api_url=API_URL,
    )
    activity = Activity()
    slack = ConsoleSlack(team_id=args.team, time_zone=time_zone, activity=activity)
    try:
        with intercepted(slack):
            deps = build_deps(console_settings, database)
            app = build_app(console_settings, database, deps=deps)
            activity.track(app.listener_runner.listener_executor)
            activity.also_busy_when(deps.background.busy)
            console = Console(
                app,
                slack,
                signing_secret=signing_secret,
                user_id=user_id,
                team_id=args.team,
                terminal=terminal,
                activity=activity,
            )
            where = database.url.render_as_string()
            terminal.say(
                terminal.style.dim(
                    f"Partnerbot console — workspace {args.team}, you are {user_id} ({time_zone}), "
                    f"database {where}. Nothing goes to Slack. :help for help, :quit to leave."
                )
            )
            code = console.run()
            activity.wait_quiet(quiet=QUIET_SECONDS, timeout=WAIT_TIMEOUT)
            return code
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.console [--as U123] [--team T123] [--tz Europe/Paris]``."""
    logging.basicConfig(level=logging.WARNING, format="partnerbot: %(levelname)s %(name)s: %(message)s")
    with_errors_replaced(sys.stdout)
    args = build_console_parser().parse_args(argv)
    try:
        return run_console(args, Settings.from_env())
    except (ConfigurationError, DatabaseUnavailable) as error:
        print(f"partnerbot: {error}", file=sys.stderr)
        return 2


def with_errors_replaced(stream: TextIO) -> None:
    """A terminal that cannot show a character gets ``?`` instead of a crash."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")


if __name__ == "__main__":
    sys.exit(main())
