"""The ``/partner`` slash command: reads the sub-command and hands the rest to its module.

Each sub-command is a function ``(CommandRequest, rest) -> Reply | None``. It may acknowledge
early itself (``request.ack()``) before slow work or before opening a modal; whatever it returns
then goes through ``response_url``. A UserError becomes a message for the person who typed.

A sub-command whose answers show what stays inside the organisation (scores, ranks, notes, needs,
follow-ups…) is declared ``internal`` (the default); typed in a channel shared with another
organisation (handlers.shared.shared_channels), its answers go to the person only, saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.shared.deps import Deps, deps_of, is_admin, user_zone, workspace
from handlers.shared.errors import UserError
from handlers.shared.ids import SLASH_COMMAND
from handlers.shared.limits import ACK_SECONDS
from handlers.shared.parsing import split_subcommand
from handlers.shared.replies import Reply
from handlers.shared.shared_channels import privately, said_by_request
from handlers.shared.text import escape, shorten

# Slack waits ACK_SECONDS for the acknowledgement; keep a second's margin for the network.
ACK_BUDGET_SECONDS = ACK_SECONDS - 1.0
_slow_work = ThreadPoolExecutor(max_workers=8, thread_name_prefix="slow-work")


@dataclass
class CommandRequest:
    team_id: str
    user_id: str
    channel_id: str | None
    trigger_id: str
    response_url: str | None
    client: WebClient
    deps: Deps
    _ack: Ack = field(repr=False)
    _respond: Respond = field(repr=False)
    acknowledged: bool = False
    # What Slack said about the channel (is_ext_shared_channel); None: ask conversations.info.
    shared_flag: bool | None = None
    # Whether this sub-command's answers show what must stay inside the organisation.
    internal: bool = False

    def ack(self, reply: Reply | None = None) -> None:
        """Acknowledge now (Slack's 3-second rule), optionally with the visible answer."""
        if self.acknowledged:
            raise RuntimeError("already acknowledged")
        self.acknowledged = True
        if reply is None:
            self._ack()
        else:
            self._ack(**reply.as_ack())

    def within_budget(self, work: Callable[[], Reply], *, seconds: float = ACK_BUDGET_SECONDS) -> Reply:
        """Run ``work``; if it is not done within ``seconds``, acknowledge and let it finish, so its
        answer goes through response_url instead of in the acknowledgement."""
        future = _slow_work.submit(work)
        try:
            return future.result(timeout=seconds)
        except FutureTimeout:
            if not self.acknowledged:
                self.ack()
            return future.result()

    def is_admin(self) -> bool:
        """Whether the person typing is a workspace admin or owner, or in PARTNERBOT_ADMINS."""
        return is_admin(self.deps, self.client, self.team_id, self.user_id)

    def zone(self) -> ZoneInfo:
        """The person's own Slack time zone (UTC when Slack cannot tell)."""
        return user_zone(self.deps, self.client, self.team_id, self.user_id)

    def in_shared_channel(self) -> bool:
        """Whether the command was typed in a channel shared with another organisation."""
        return self.deps.shared_channels.is_shared(
            self.client, self.team_id, self.channel_id, said=self.shared_flag
        )

    def send(self, reply: Reply) -> None:
        """Answer the person: in the acknowledgement if still possible, else via response_url. An
        internal answer in a shared channel is the person's only, whatever the reply asked for."""
        if self.internal and self.in_shared_channel():
            reply = privately(reply)
        if not self.acknowledged:
            self.ack(reply)
        else:
            self._respond(**reply.as_ack())


Subcommand = Callable[[CommandRequest, str], Reply | None]
Internal = bool | Callable[[str], bool]
_ROUTES: dict[str, Subcommand] = {}
_ALIASES: dict[str, str] = {}
_INTERNAL: dict[str, Internal] = {}


def subcommand(name: str, *aliases: str, internal: Internal = True) -> Callable[[Subcommand], Subcommand]:
    """Declare a sub-command of ``/partner`` (used by each feature module).

    ``internal``: whether its answers show what must stay inside the organisation — True (the
    default, so a new sub-command is private in a shared channel until someone decides otherwise),
    False, or a test of the words typed after the sub-command's name."""

    def decorate(func: Subcommand) -> Subcommand:
        _ROUTES[name] = func
        _INTERNAL[name] = internal
        for alias in aliases:
            _ALIASES[alias] = name
        return func

    return decorate


def known_subcommands() -> list[str]:
    return sorted(_ROUTES)


def is_internal(name: str, rest: str) -> bool:
    """Whether ``/partner <name> <rest>`` answers with what must stay inside the organisation."""
    declared = _INTERNAL.get(_ALIASES.get(name, name), True)
    return declared(rest) if callable(declared) else declared


def on_partner_command(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    request = CommandRequest(
        team_id=workspace(context),
        user_id=command["user_id"],
        channel_id=command.get("channel_id"),
        trigger_id=command.get("trigger_id", ""),
        response_url=command.get("response_url"),
        client=client,
        deps=deps_of(context),
        _ack=ack,
        _respond=respond,
        shared_flag=said_by_request(command),
    )
    sub = split_subcommand(command.get("text", ""))
    name = _ALIASES.get(sub.name, sub.name) or "help"
    handler = _ROUTES.get(name)
    request.internal = handler is not None and is_internal(name, sub.rest)
    try:
        if handler is None:
            raise UserError(
                f"I don't know `{escape(shorten(sub.name, 40).replace('`', ''))}`. "
                "Try `/partner help` for what I can do."
            )
        reply = handler(request, sub.rest)
    except UserError as error:
        reply = Reply(error.message)
        request.internal = False  # what was wrong with the command, always for the person only
    if reply is not None:
        request.send(reply)
    elif not request.acknowledged:
        request.ack()


def register(app: App) -> None:
    app.command(SLASH_COMMAND)(on_partner_command)
