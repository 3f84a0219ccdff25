"""The scheduler's wiring: APScheduler 3.11 in-process — one job per digest subscription, every
minute the follow-up reminders that are due (``handlers.followups.reminders``), and every few
minutes the daily score-history snapshot of any workspace that lacks today's
(``handlers.services.history``: claimed once per workspace and day in the database), and at 03:00
UTC, with ``PARTNERBOT_NOTE_RETENTION_MONTHS`` set, the blanking of old communication notes
(``handlers.services.retention``: idempotent, so it needs no claim); and with PARTNERBOT_BACKUP_DIR
the day's backup (``bot.backups``: claimed once per UTC day).

Jobs are rebuilt from the subscriptions table at start and re-synced every minute (and at once
after a change made in this process) — nothing is pickled. Every trigger carries the
subscription's own time zone (``handlers.services.schedules`` works out occurrences, one per local period
whatever daylight saving does). Posting once per period is the database's job (see
``storage.digests.claim_run``), so several schedulers may run against one PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from slack_sdk import WebClient

from bot.app import slack_client
from bot.backups import NightlyBackups
from bot.settings import Settings
from handlers.alerts.runner import AlertRunner
from handlers.digests import chart
from handlers.digests.runner import GRACE, DigestRunner
from handlers.followups.reminders import ReminderRunner
from handlers.services import retention
from handlers.services.schedules import Cadence, zone_named
from handlers.shared.clients import SlackClients
from handlers.shared.deps import Deps
from storage import digests as digest_store

log = logging.getLogger(__name__)
SYNC_SECONDS = 60
# How often workspaces are checked for a missing snapshot of today (taken after 00:00 UTC).
SNAPSHOT_SECONDS = 300
# Posting is waiting on Slack (five calls per digest with its chart) and on group commits: a
# minute's digests go out in parallel. Slack Connect's check has as many lookup threads
# (handlers.shared.shared_channels.LOOKUP_THREADS).
POSTING_THREADS = 32
# When old communication notes are blanked each day (UTC), with PARTNERBOT_NOTE_RETENTION_MONTHS set.
RETENTION_HOUR = 3


class DigestTrigger(BaseTrigger):
    """Fires at each occurrence of a cadence in a time zone."""

    def __init__(self, cadence: Cadence, zone: tzinfo) -> None:
        self.cadence = cadence
        self.zone = zone

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        start = previous_fire_time if previous_fire_time is not None else now - timedelta(microseconds=1)
        return self.cadence.next_run(start, self.zone)[1]  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"digest[{self.cadence.describe()} {self.zone}]"


def digest_client(settings: Settings) -> WebClient:
    """Slack client for posting digests: waits out 429s (Retry-After), retries 5xx and dropped connections."""
    return slack_client(settings, patient=True)


class Scheduler:
    def __init__(
        self,
        deps: Deps,
        clients: SlackClients | WebClient,
        *,
        grace: timedelta = GRACE,
        note_retention_months: int | None = None,
        backups: NightlyBackups | None = None,
    ) -> None:
        """``clients``: each workspace's client (bot.app.slack_clients), or the one client of a
        single-workspace install."""
        self.deps = deps
        self.note_retention_months = note_retention_months
        self.backups = backups
        self.runner = DigestRunner(deps, clients, grace=grace)
        self.reminders = ReminderRunner(deps, clients)
        self.alerts = AlertRunner(deps, clients)
        self.scheduler = BackgroundScheduler(
            timezone="UTC",
            executors={"default": ThreadPoolExecutor(POSTING_THREADS)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(grace.total_seconds()),
            },
        )
        self._signatures: dict[str, tuple[Any, ...]] = {}
        self._sync_lock = threading.Lock()

    def start(self) -> None:
        self.sync()
        # Every minute: retry runs whose process died mid-post once their lease is over (within the
        # grace window), and re-read the subscriptions other processes changed.
        # Every minute, too: the follow-up reminders whose 09:00 has come (late ones included).
        jobs: list[tuple[str, Callable[[], None], dict[str, Any]]] = [
            ("catch-up", self._catch_up_recent, {"seconds": SYNC_SECONDS}),
            ("sync-subscriptions", self.sync, {"seconds": SYNC_SECONDS}),
            ("follow-up-reminders", self._remind, {"seconds": SYNC_SECONDS}),
            ("drop-alerts", self._alert_marked, {"seconds": SYNC_SECONDS}),
            ("score-history", self._snapshot, {"seconds": SNAPSHOT_SECONDS}),
        ]
        if self.note_retention_months is not None:
            jobs.append(("note-retention", self.blank_old_notes, {"hour": RETENTION_HOUR}))
        if self.backups is not None:
            # Checked as often as the snapshots: the first check after 00:00 UTC takes the day's backup.
            jobs.append(("nightly-backup", self._back_up, {"seconds": SNAPSHOT_SECONDS}))
        for job_id, work, when in jobs:
            trigger = "cron" if "hour" in when else "interval"
            self.scheduler.add_job(work, trigger, id=job_id, coalesce=True, max_instances=1, **when)
        # A change that can move a score marks its workspace for the next minute's drop-alert check.
        self.deps.changes.on_data_change(self.alerts.alerts.mark)
        self.scheduler.start()
        # A subscription added or removed in this process is scheduled at once, not within a minute.
        self.deps.changes.on_schedule_change(self.sync)
        # Catching up may post digests: do it behind the start, not before serving.
        threading.Thread(target=self._catch_up, name="digest-catch-up", daemon=True).start()
        log.info(
            "scheduler started: %d digest subscriptions, follow-up reminders and drop alerts every "
            "minute, score-history snapshots every %d minutes",
            len(self._signatures),
            SNAPSHOT_SECONDS // 60,
        )

    def warm_charts(self) -> None:
        """Pay matplotlib's first drawing now when any subscription wants a chart: otherwise the
        first minute whose digests draw one waits seconds for it (loading it costs the memory the
        first chart would take anyway; a process without chart subscriptions never loads it)."""
        try:
            with self.deps.db.read() as session:
                wanted = any(s.chart for s in digest_store.all_enabled(session))
            if wanted:
                chart.warm_up()
        except Exception:
            log.exception("warming up the digest charts failed")

    def _catch_up(self) -> None:
        self.warm_charts()
        try:
            for outcome in self.runner.catch_up():
                log.info("caught up a missed digest: %s", outcome)
        except Exception:
            log.exception("catching up missed digests failed")
        self._remind()  # reminders missed while the app was down go out now, not in a minute
        self._snapshot()  # today's score history (and a new workspace's backfill) without waiting
        self.blank_old_notes()  # a day the app was down at 03:00 is not a day notes are kept longer
        self._back_up()  # a day missed while the app was down is backed up now

    def _back_up(self) -> None:
        if self.backups is None:
            return
        try:
            self.backups.run_once()
        except Exception:
            log.exception("the nightly backup failed")

    def _snapshot(self) -> None:
        try:
            taken = self.deps.history.run_once()
        except Exception:
            log.exception("taking score-history snapshots failed")
            return
        # At the daily snapshot every workspace that got one is checked for drops (time alone
        # lowers recency and engagement, with no change to mark it).
        fresh = [o.team_id for o in taken if o.what in ("taken", "backfilled", "filled")]
        if fresh:
            try:
                self.alerts.check(fresh)
            except Exception:
                log.exception("checking drop alerts at the daily snapshot failed")

    def blank_old_notes(self) -> None:
        """Blank the communication notes older than the retention period, in every workspace."""
        if self.note_retention_months is None:
            return
        try:
            blanked = retention.blank_old_notes(
                self.deps.db,
                months=self.note_retention_months,
                now=self.deps.clock(),
                actor="scheduler",
            )
        except Exception:
            log.exception("blanking old communication notes failed")
            return
        if blanked:
            log.info(
                "note retention: blanked %d notes older than %d months",
                sum(blanked.values()),
                self.note_retention_months,
            )

    def _alert_marked(self) -> None:
        try:
            self.alerts.run_marked()
        except Exception:
            log.exception("checking drop alerts failed")

    def _remind(self) -> None:
        try:
            self.reminders.run_once()
        except Exception:
            log.exception("sending follow-up reminders failed")

    def _catch_up_recent(self) -> None:
        for outcome in self.runner.catch_up(look_back=self.runner.grace):
            log.info("retried a digest: %s", outcome)

    def stop(self) -> None:
        self.deps.changes.forget_schedule_listener(self.sync)
        self.deps.changes.forget_data_listener(self.alerts.alerts.mark)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def sync(self) -> None:
        """Make the jobs match the enabled subscriptions of every workspace."""
        with self._sync_lock:
            with self.deps.db.read() as session:
                wanted = {f"digest-{s.id}": (s.id, *_signature(s)) for s in digest_store.all_enabled(session)}
            for job_id in set(self._signatures) - set(wanted):
                self._remove(job_id)
            for job_id, (subscription_id, *signature) in wanted.items():
                if self._signatures.get(job_id) == tuple(signature):
                    continue
                self._remove(job_id)
                cadence = Cadence(*signature[:5])
                zone = zone_named(signature[5])
                self.scheduler.add_job(
                    self.run_due,
                    DigestTrigger(cadence, zone),
                    args=[subscription_id],
                    id=job_id,
                    name=f"digest #{subscription_id}",
                )
                self._signatures[job_id] = tuple(signature)

    def _remove(self, job_id: str) -> None:
        self._signatures.pop(job_id, None)
        if self.scheduler.get_job(job_id) is not None:
            self.scheduler.remove_job(job_id)

    def run_due(self, subscription_id: int) -> None:
        """A job fired: post the occurrence it fired for (the latest one at or before now)."""
        due = self.runner.runs.due_now(subscription_id)
        if due is None:
            return
        outcome = self.runner.run(due)
        log.info("digest #%s for %s: %s", subscription_id, due.period, outcome)


def _signature(subscription: Any) -> tuple[Any, ...]:
    return (
        subscription.every,
        subscription.hour,
        subscription.minute,
        subscription.weekday,
        subscription.day,
        subscription.timezone,
    )
