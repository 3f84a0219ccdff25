"""Sending follow-up reminders: every minute the scheduler asks for the ones whose 09:00 has come in
their owner's time zone (``services.reminders``), claims them, sends each as a direct message, and
records it. A missed one (the app was down at 09:00) goes out on the next round, late."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.followups.views import reminder_message
from handlers.services.reminders import CHUNK, Reminder, Reminders, Sent, chunks
from handlers.shared.clients import SlackClients, clients_of
from handlers.shared.deps import Deps

log = logging.getLogger(__name__)
UTC = ZoneInfo("UTC")  # the time zone of someone Slack cannot be asked about
# Slack errors after which sending again would fail the same way: the reminder is given up.
UNDELIVERABLE = {"user_not_found", "channel_not_found", "is_archived", "account_inactive", "user_disabled"}
# Sent reminders are recorded this many at a time: a crash between sending and recording can
# repeat at most these (a clean stop finishes the round first).
RECORD_EVERY = 20
# Reminders sent at once: Slack answers each in tens of milliseconds, so one after another 10,000
# due at 09:00 would still be going out at 09:10.
SENDERS = 4


@dataclass
class Round:
    """What one round did."""

    sent: int = 0
    given_up: int = 0
    retry: int = 0
    lost_claims: int = 0  # sent, but another process had taken the claim over (lease ran out)


class ReminderRunner:
    """Sends the reminders that are due, for the scheduler (and tests, which call :meth:`run_once`)."""

    def __init__(
        self, deps: Deps, clients: SlackClients | WebClient, *, team_ids: Sequence[str] | None = None
    ) -> None:
        """``team_ids``: remind only these workspaces (None: every one the database holds)."""
        self.deps = deps
        self.clients = clients_of(clients)
        self.reminders = Reminders(deps.db, deps.now, team_ids=team_ids)
        self._one_at_a_time = threading.Lock()

    def run_once(self) -> Round:
        """One round: everything due now, in chunks claimed, sent (``SENDERS`` at a time: Slack's
        answer takes a while) and recorded together."""
        done = Round()
        if not self._one_at_a_time.acquire(blocking=False):
            return done  # the previous round is still sending
        try:
            zones: dict[tuple[str, str], ZoneInfo] = {}  # one users.info per person per round

            def zone_of(team_id: str, user_id: str) -> ZoneInfo:
                key = (team_id, user_id)
                if key not in zones:
                    client = self.clients.for_team(team_id)
                    zones[key] = (
                        self.deps.people.lookup(client, team_id, user_id).zone if client is not None else UTC
                    )
                return zones[key]

            ready = self.reminders.due(zone_of)
            if ready:
                with ThreadPoolExecutor(SENDERS, thread_name_prefix="reminders") as senders:
                    self._send_all(senders, ready, done)
        finally:
            self._one_at_a_time.release()
        if done.sent or done.given_up or done.retry:
            log.info("follow-up reminders: %s", done)
        return done

    def _send_all(self, senders: ThreadPoolExecutor, ready: list, done: Round) -> None:
        """Claim a chunk and hand it to the senders; while they send it, claim the next one and
        record what has gone (``RECORD_EVERY`` at a time), so the senders never wait for the
        database."""
        in_flight: deque[Future[Sent | str]] = deque()
        sent: list[Sent] = []
        for chunk in chunks(ready):
            in_flight.extend(senders.submit(self._send_one, r) for r in self.reminders.claim(chunk))
            # Record what went while the senders are busy with the rest (at least a chunk ahead).
            while len(in_flight) > CHUNK or (in_flight and in_flight[0].done()):
                self._note(in_flight.popleft().result(), sent, done)
        while in_flight:
            self._note(in_flight.popleft().result(), sent, done)
        self._record(sent, done)

    def _note(self, result: Sent | str, sent: list[Sent], done: Round) -> None:
        if result == "retry":
            done.retry += 1
            return
        assert isinstance(result, Sent)
        sent.append(result)
        if result.ts is None:
            done.given_up += 1
        else:
            done.sent += 1
        if len(sent) >= RECORD_EVERY:
            self._record(sent, done)

    def _send_one(self, reminder: Reminder) -> Sent | str:
        """Send one reminder: a Sent (``ts`` None when it could never be delivered), or "retry"."""
        today = self.deps.now().astimezone(reminder.zone).date()
        message = reminder_message(reminder, today=today).as_message()
        client = self.clients.for_team(reminder.team_id)
        if client is None:  # uninstalled: nobody to send it with, and retrying would not help
            log.warning("follow-up #%s: reminder undeliverable (not installed)", reminder.follow_up_id)
            return Sent(reminder, None, None)
        try:
            posted = client.chat_postMessage(channel=reminder.owner, **message)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error in UNDELIVERABLE:
                log.warning("follow-up #%s: reminder undeliverable (%s)", reminder.follow_up_id, error)
                return Sent(reminder, None, None)
            # Rate limits beyond the client's own waiting, Slack trouble: the next round tries again.
            log.warning("follow-up #%s: reminder failed (%s), retrying", reminder.follow_up_id, error)
        except (SlackClientError, OSError) as exc:
            log.warning("follow-up #%s: reminder failed (%s), retrying", reminder.follow_up_id, exc)
        else:
            return Sent(reminder, posted.get("channel"), posted.get("ts") or "")
        self.reminders.retry_later(reminder)
        return "retry"

    def _record(self, sent: list[Sent], done: Round) -> None:
        recorded = self.reminders.sent(sent)
        done.lost_claims += len(sent) - recorded
        sent.clear()
