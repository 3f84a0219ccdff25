"""Which Slack client speaks for a workspace when no request brought one: scheduled digests,
reminders, drop alerts and the Home tab republished after a change.

In a request, Bolt's ``client`` already carries the token of the workspace the request came from.
Outside one, work is done for a workspace by ID, and installed in many workspaces each has its own
token (``bot.installs.InstalledClients``); with one ``SLACK_BOT_TOKEN`` every workspace is that
token's (:class:`OneClient`)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from slack_sdk import WebClient


@runtime_checkable
class SlackClients(Protocol):
    def for_team(self, team_id: str) -> WebClient | None:
        """The client with ``team_id``'s bot token; None when Partnerbot is not installed there
        (uninstalled, tokens revoked): the caller skips that workspace."""
        ...


class OneClient:
    """A single-workspace install: one token for everything."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def for_team(self, team_id: str) -> WebClient | None:
        return self.client


def clients_of(clients: SlackClients | WebClient) -> SlackClients:
    """Runners take either: a plain client means the single-workspace install."""
    return clients if isinstance(clients, SlackClients) else OneClient(clients)
