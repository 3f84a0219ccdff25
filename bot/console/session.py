"""A console session: reads what you type, sends the app what Slack would send for it, and shows
what the app answered (``bot.console.screen``), filling in any modal it opened (``bot.console.modals``)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.response import BoltResponse

from bot.console.activity import Activity
from bot.console.dispatch import TOKEN, Dispatcher
from bot.console.forms import InputEnded, QuitRequested, Terminal
from bot.console.modals import Modals
from bot.console.screen import WAIT_TIMEOUT, Screen
from bot.console.slack import APP_ID, BOT_USER_ID, CHANNEL_ID, CHANNEL_NAME, ConsoleSlack, MessageRef
from bot.console.state import Pressable, SessionState
from bot.console.typed import USER_ID, escape_typed
from bot.standin.signed import slash_command
from handlers.shared.ids import SLASH_COMMAND, Callback

log = logging.getLogger(__name__)

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


class Console:
    def __init__(
        self,
        send: Dispatcher,
        slack: ConsoleSlack,
        *,
        user_id: str,
        team_id: str,
        terminal: Terminal,
        activity: Activity,
        wait_timeout: float = WAIT_TIMEOUT,
    ) -> None:
        self.send = send
        self.slack = slack
        self.term = terminal
        self.style = terminal.style
        self.state = SessionState(user_id=user_id, team_id=team_id)
        self.screen = Screen(terminal, slack, self.state, activity, wait_timeout=wait_timeout)
        self.modals = Modals(terminal, slack, self.state, self.screen, send)

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
                if self.state.stack:
                    self.term.say(self.style.dim("(input ended before the form was sent)"))
                return 0
            except KeyboardInterrupt:
                self.term.say("")
                return 0
            except Exception as error:  # a bug here must not end the session: say it, carry on
                log.exception("the console failed on %r", line)
                self.term.say(self.style.error(f"(the console failed: {type(error).__name__}: {error})"))
                self.state.stack = []

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
        if not USER_ID.match(user_id):
            self.term.say("Give a Slack user ID, like :as U0123ABCD.")
            return
        self.state.user_id = user_id
        self.state.on_home = False
        self.term.say(self.style.dim(f"(you are now {user_id})"))

    # --- what Slack would send ------------------------------------------------------------

    def slash_command(self, text: str) -> None:
        command, _, rest = text.partition(" ")
        if command != SLASH_COMMAND:
            self.term.say(
                f"{command} is not a command here: Partnerbot has {SLASH_COMMAND} (try /partner help)."
            )
            return
        self.state.on_home = False
        where = MessageRef(CHANNEL_ID, None, ephemeral=True)
        form = slash_command(
            command=command,
            text=escape_typed(rest.strip(), self.state.channels),
            team_id=self.state.team_id,
            user_id=self.state.user_id,
            channel_id=CHANNEL_ID,
            response_url=self.slack.response_url_for(where),
            trigger_id=self.slack.new_trigger_id(),
            app_id=APP_ID,
            channel_name=CHANNEL_NAME,
            team_domain="console",
            token=TOKEN,
        )
        self.settle(self.send.command(form), ack_shows_at=where)

    def _message_event(self, text: str, *, direct: bool) -> None:
        state = self.state
        state.on_home = False
        ts = self.slack.new_ts()
        if direct:
            event = {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + state.user_id[1:],
                "text": text,
            }
        else:
            event = {
                "type": "app_mention",
                "channel_type": "channel",
                "channel": CHANNEL_ID,
                "text": f"<@{BOT_USER_ID}> {text}",
            }
        event.update({"user": state.user_id, "ts": ts, "event_ts": ts, "team": state.team_id})
        self.settle(self.send.event(event))

    def mention(self, text: str) -> None:
        self._message_event(text, direct=False)

    def direct_message(self, text: str) -> None:
        self._message_event(text, direct=True)

    def message_shortcut(self, text: str) -> None:
        state = self.state
        state.on_home = False
        ts = self.slack.new_ts()
        payload = {
            "type": "message_action",
            "token": TOKEN,
            "action_ts": ts,
            "team": state.team(),
            "user": state.user(),
            "channel": {"id": CHANNEL_ID, "name": CHANNEL_NAME},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": Callback.LOG_SHORTCUT.value,
            "trigger_id": self.slack.new_trigger_id(),
            "response_url": self.slack.response_url_for(MessageRef(CHANNEL_ID, None, ephemeral=True)),
            "message_ts": ts,
            "message": {
                "type": "message",
                "user": state.user_id,
                "ts": ts,
                "text": text,
                "team": state.team_id,
            },
        }
        self.settle(self.send.interaction(payload))

    def open_home(self) -> None:
        state = self.state
        state.on_home = True
        home = self.slack.view(self.slack.home_view_id(state.user_id))
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": state.user_id,
            "channel": "D" + state.user_id[1:],
            "tab": "home",
            "event_ts": self.slack.new_ts(),
        }
        if home is not None:
            event["view"] = home
        shown = self.settle(self.send.event(event))
        if not shown:
            self.term.say(self.style.dim("(the app published no Home tab)"))

    def press(self, number: int) -> None:
        buttons = self.state.buttons
        if not 1 <= number <= len(buttons):
            if buttons:
                self.term.say(f"There is no button [{number}]: the latest buttons are 1-{len(buttons)}.")
            else:
                self.term.say("There are no buttons to press yet.")
            return
        target = buttons[number - 1]
        if target.element.get("url"):
            self.term.say(self.style.dim(f"(opens {target.element['url']})"))
        self.settle(self.send.interaction(self._block_actions(target)))

    def _block_actions(self, target: Pressable) -> dict[str, Any]:
        """The block_actions payload Slack sends when ``target`` is pressed where it is shown."""
        element = target.element
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
            "user": self.state.user(),
            "api_app_id": APP_ID,
            "token": TOKEN,
            "trigger_id": self.slack.new_trigger_id(),
            "team": self.state.team(),
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
            payload["response_url"] = self.slack.response_url_for(where)
            if not where.ephemeral and target.message_payload is not None:
                payload["message"] = {"type": "message", "ts": where.ts, **target.message_payload}
        return payload

    # --- after each request: wait, print, fill in any modal -------------------------------

    def settle(self, response: BoltResponse | None, *, ack_shows_at: MessageRef | None = None) -> bool:
        """Wait for the app to be quiet, print what it said (its acknowledgement first), then fill in
        any modal it opened. True when anything was shown."""
        self.screen.wait()
        buttons: list[Pressable] = []
        shown = self.screen.show_ack(response, ack_shows_at, buttons)
        shown = self.screen.show_outputs(self.slack.drain(), buttons) or shown
        if self.state.stack:
            self.modals.run()
        return shown
