"""Sending drop alerts: the workspaces to check (marked by a data change, or all at the daily
snapshot), the alerts claimed for them (``services.alerts``), each sent as a direct message to the
partner's owner and recorded."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.alerts.views import alert_message
from handlers.services.alerts import Alert, DropAlerts
from handlers.shared.clients import SlackClients, clients_of
from handlers.shared.deps import Deps

log = logging.getLogger(__name__)
# Slack errors after which sending again would fail the same way: the alert is given up.
UNDELIVERABLE = {"user_not_found", "channel_not_found", "is_archived", "account_inactive", "user_disabled"}


@dataclass
class Round:
    checked: int = 0
    sent: int = 0
    given_up: int = 0
    retry: int = 0


class AlertRunner:
    """Checks workspaces and sends their alerts, for the scheduler (and tests)."""

    def __init__(
        self, deps: Deps, clients: SlackClients | WebClient, *, team_ids: Sequence[str] | None = None
    ) -> None:
        self.deps = deps
        self.clients = clients_of(clients)
        self.alerts = DropAlerts(
            deps.db,
            deps.now,
            deps.history,
            lambda team_id: deps.rankings.get(team_id, fresh=True),
            team_ids=team_ids,
        )
        self._one_at_a_time = threading.Lock()

    def run_marked(self) -> Round:
        """The workspaces whose records changed since the last round (the minute job)."""
        return self.check(self.alerts.take_marked())

    def check(self, team_ids: Iterable[str]) -> Round:
        done = Round()
        with self._one_at_a_time:
            for team_id in team_ids:
                if self.alerts.team_ids is not None and team_id not in self.alerts.team_ids:
                    continue
                done.checked += 1
                try:
                    for alert in self.alerts.due(team_id):
                        self._send(alert, done)
                except Exception:  # one workspace's failure must not stop the others
                    log.exception("drop alerts of %s failed", team_id)
        if done.sent or done.given_up or done.retry:
            log.info("drop alerts: %s", done)
        return done

    def _send(self, alert: Alert, done: Round) -> None:
        message = alert_message(alert, today=self.deps.now().date()).as_message()
        client = self.clients.for_team(alert.team_id)
        if client is None:  # uninstalled: nobody to send it with, and retrying would not help
            log.warning("drop alert for partner %s undeliverable (not installed)", alert.partner_id)
            self.alerts.sent(alert, channel=None, ts=None, delivered=False)
            done.given_up += 1
            return
        try:
            posted = client.chat_postMessage(channel=alert.owner, **message)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error in UNDELIVERABLE:
                log.warning("drop alert for partner %s undeliverable (%s)", alert.partner_id, error)
                self.alerts.sent(alert, channel=None, ts=None, delivered=False)
                done.given_up += 1
                return
            log.warning("drop alert for partner %s failed (%s), retrying", alert.partner_id, error)
        except (SlackClientError, OSError) as exc:
            log.warning("drop alert for partner %s failed (%s), retrying", alert.partner_id, exc)
        else:
            self.alerts.sent(alert, channel=posted.get("channel"), ts=posted.get("ts"), delivered=True)
            done.sent += 1
            return
        self.alerts.retry_later(alert)
        # Checked again on the next round, not only after the next change.
        self.alerts.mark(alert.team_id)
        done.retry += 1
