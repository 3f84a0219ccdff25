"""What the console prints of the app's answers: acknowledgements, messages, Home tabs, files and
notes, with the buttons shown numbered so that a number presses one."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_bolt.response import BoltResponse

from bot.console.activity import Activity
from bot.console.forms import Terminal
from bot.console.render import Renderer, text_object
from bot.console.slack import CHANNEL_ID, ConsoleSlack, MessageRef, Output
from bot.console.state import Pressable, SessionState

QUIET_SECONDS = 0.1
WAIT_TIMEOUT = 30.0


def json_body(response: BoltResponse | None) -> Any:
    """An acknowledgement's body: JSON when it is, else its text; None when empty."""
    if response is None or not response.body:
        return None
    try:
        return json.loads(response.body)
    except ValueError:
        return response.body


class Screen:
    def __init__(
        self,
        terminal: Terminal,
        slack: ConsoleSlack,
        state: SessionState,
        activity: Activity,
        *,
        wait_timeout: float = WAIT_TIMEOUT,
    ) -> None:
        self.term = terminal
        self.style = terminal.style
        self.slack = slack
        self.state = state
        self.activity = activity
        self.wait_timeout = wait_timeout

    def wait(self) -> None:
        if not self.activity.wait_quiet(quiet=QUIET_SECONDS, timeout=self.wait_timeout):
            self.term.say(self.style.dim("(the app is still working in the background; carrying on)"))

    def show_ack(
        self, response: BoltResponse | None, where: MessageRef | None, buttons: list[Pressable] | None = None
    ) -> bool:
        """Print the app's acknowledgement (what Slack shows where ``where`` says); True when shown."""
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
        body = json_body(response)
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
        state = self.state
        shown = False
        for output in outputs:
            if output.kind == "message":
                shown = self._print_message(output, buttons) or shown
            elif output.kind == "publish":
                # Shown while you look at your Home tab (after :home, until you type elsewhere);
                # otherwise it is there for the next :home.
                if output.user_id == state.user_id and output.view is not None and state.on_home:
                    self._print_view(output.view, buttons, title="Home tab")
                    shown = True
            elif output.kind == "open" and output.view is not None:
                state.stack = [output.view["id"]]
            elif output.kind == "push" and output.view is not None:
                state.stack.append(output.view["id"])
            elif output.kind == "update" and output.view is not None and output.view["id"] in state.stack:
                self.term.say(self.style.dim("(the form changed)"))
            elif output.kind == "note":
                self.term.say(self.style.dim(output.text))
                shown = True
            elif output.kind == "file":
                where = f" in #{state.channels.get(output.channel, output.channel)}" if output.channel else ""
                self.term.say(self.style.dim(f"({output.text}, shared{where})"), "")
                shown = True
        if buttons:
            state.buttons = buttons
        return shown

    def renderer(self, buttons: list[Pressable] | None = None, **where: Any) -> Renderer:
        """A renderer that numbers the buttons it shows into ``buttons`` (None: shows them unnumbered)."""
        return Renderer(self.style, self._numbering(buttons, **where), self.state.channels)

    def _numbering(self, buttons: list[Pressable] | None, **where: Any) -> Callable[[dict, dict], str]:
        def label(element: dict[str, Any], block: dict[str, Any]) -> str:
            text = text_object(element.get("text")) or element.get("action_id", "button")
            if buttons is None:
                return f"[{text}]"
            buttons.append(Pressable(element, str(block.get("block_id", "")), **where))
            return f"[{len(buttons)}] {text}"

        return label

    def _print_message(self, output: Output, buttons: list[Pressable] | None = None) -> bool:
        style, state = self.style, self.state
        if output.deleted:
            self.term.say(style.dim("(the message was removed)"), "")
            return True
        tags = []
        if output.replaces:
            tags.append("replaces the earlier message")
        if output.direct:
            to_you = output.user_id in (None, state.user_id)
            tags.append("direct message from Partnerbot" if to_you else f"direct message to {output.user_id}")
        elif not output.ephemeral and output.channel:
            where = f"#{state.channels.get(output.channel, output.channel)}"
            tags.append(f"in a thread in {where}" if output.thread_ts else f"posted in {where}")
        if output.ephemeral and output.user_id and output.user_id != state.user_id:
            tags.append(f"only {output.user_id} sees this")
        ref = MessageRef(output.channel or CHANNEL_ID, output.ts, output.ephemeral)
        payload = {k: v for k, v in output.payload.items() if k in ("text", "blocks", "attachments")}
        lines = self.renderer(buttons, message=ref, message_payload=payload).message(output.payload)
        if tags:
            self.term.say(style.dim(f"({'; '.join(tags)})"))
        self.term.say(*lines, "")
        return True

    def _print_view(self, view: dict[str, Any], buttons: list[Pressable] | None, *, title: str) -> None:
        renderer = self.renderer(buttons, view_id=view.get("id"))
        self.term.say(self.style.bold(f"[{title}]"), *renderer.blocks(view.get("blocks") or []), "")
