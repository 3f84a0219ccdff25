"""Filling in the modals the app opens: each is asked field by field (``bot.console.forms``),
submitted as a view_submission, its errors shown and asked again, until the stack of modals is empty."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.console.dispatch import TOKEN, Dispatcher
from bot.console.forms import (
    Field,
    FormCancelled,
    FormFiller,
    QuitRequested,
    Terminal,
    form_fields,
    options_of,
)
from bot.console.render import text_object
from bot.console.screen import Screen, json_body
from bot.console.slack import APP_ID, ConsoleSlack
from bot.console.state import SessionState


class Modals:
    def __init__(
        self, terminal: Terminal, slack: ConsoleSlack, state: SessionState, screen: Screen, send: Dispatcher
    ) -> None:
        self.term = terminal
        self.style = terminal.style
        self.slack = slack
        self.state = state
        self.screen = screen
        self.send = send

    def run(self) -> None:
        """Fill in and submit the modal on top of the stack until the stack is empty."""
        while self.state.stack:
            view_id = self.state.stack[-1]
            view = self.slack.view(view_id)
            if view is None:
                self.state.stack.pop()
                continue
            fields = form_fields(view)
            self._print_modal(view)
            if not fields and not view.get("submit"):
                self.term.say("")
                self._close_top(view, notify=True)
                continue
            filler = self.state.forms.setdefault(view_id, FormFiller(self.term, self._suggester(view_id)))
            try:
                values = filler.fill(fields) if fields else self._confirm(view)
                while True:
                    response = self._submit(view_id, values)
                    body = json_body(response) if response is not None and response.status == 200 else None
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
        renderer = self.screen.renderer(None)
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
                "user": self.state.user(),
                "container": {"type": "view", "view_id": view_id},
                "api_app_id": APP_ID,
                "token": TOKEN,
                "action_id": field.action_id,
                "block_id": field.block_id,
                "value": typed,
                "team": self.state.team(),
                "enterprise": None,
                "is_enterprise_install": False,
                "view": view,
            }
            response = self.send.interaction(payload)
            self.screen.wait()
            self.screen.show_outputs(self.slack.drain())
            body = json_body(response) if response.status == 200 else None
            return options_of(body) if isinstance(body, dict) else []

        return suggest

    def _submit(self, view_id: str, values: dict[str, Any]) -> BoltResponse | None:
        view = self.slack.view(view_id) or {"id": view_id}
        payload = {
            "type": "view_submission",
            "team": self.state.team(),
            "user": self.state.user(),
            "api_app_id": APP_ID,
            "token": TOKEN,
            "trigger_id": self.slack.new_trigger_id(),
            "view": {**view, "state": {"values": values}},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.send.interaction(payload)

    def _after_submit(self, view_id: str, response: BoltResponse | None, body: Any) -> None:
        action = body.get("response_action") if isinstance(body, dict) else None
        if response is None or response.status != 200:
            self.screen.show_ack(response, None)
            self.term.say(self.style.dim("(the form stays open in Slack; closed here)"))
            self._close_all(notify=False)
        elif action == "update" and isinstance(body.get("view"), dict):
            self.slack.store_view(body["view"], view_id=view_id)
            self.state.forms.pop(view_id, None)
        elif action == "push" and isinstance(body.get("view"), dict):
            self.state.stack.append(self.slack.store_view(body["view"])["id"])
        elif action == "clear":
            self._close_all(notify=False)
        else:
            self._close_top(None, notify=False)
        self.screen.wait()
        self.screen.show_outputs(self.slack.drain())

    def _close_top(self, view: dict[str, Any] | None, *, notify: bool) -> None:
        view_id = self.state.stack.pop()
        self.state.forms.pop(view_id, None)
        if notify and view is not None and view.get("notify_on_close"):
            self._send_closed(view, cleared=False)
        if self.state.stack:
            title = text_object((self.slack.view(self.state.stack[-1]) or {}).get("title"))
            self.term.say(self.style.dim(f"(back to the form “{title}”)"))

    def _close_all(self, *, notify: bool) -> None:
        for view_id in reversed(self.state.stack):
            view = self.slack.view(view_id)
            if notify and view is not None and view.get("notify_on_close"):
                self._send_closed(view, cleared=True)
            self.state.forms.pop(view_id, None)
        self.state.stack = []

    def _send_closed(self, view: dict[str, Any], *, cleared: bool) -> None:
        payload = {
            "type": "view_closed",
            "team": self.state.team(),
            "user": self.state.user(),
            "api_app_id": APP_ID,
            "token": TOKEN,
            "view": view,
            "is_cleared": cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        self.send.interaction(payload)
        self.screen.wait()
        self.screen.show_outputs(self.slack.drain())
