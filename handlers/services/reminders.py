"""Follow-up reminders without Slack: which are due now (09:00 on their date in the owner's own time
zone), claiming them so each goes out once whichever process gets there first, and recording that
it went. ``handlers.followups.reminders`` sends what this decides.

Exactly once, in the database: a reminder is claimed (one UPDATE that only one process can win)
before it is sent and recorded as sent for its date after. A process that dies between the two
holds its claim for ``CLAIM_LEASE``; after it the reminder is taken over, so a crash never loses
one — at worst a reminder whose message left just before the crash goes twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage import followups as follow_up_store
from storage.audit import SCHEDULER
from storage.db import Database
from storage.followups import CLAIM_LEASE, Reminded, ReminderCandidate

REMIND_AT = time(9, 0)
# The earliest time zone is UTC+14: a date can have begun there 14 hours before it begins in UTC.
EARLIEST_OFFSET = timedelta(hours=14)
CHUNK = 100  # reminders claimed, sent and recorded together

ZoneOf = Callable[[str, str], ZoneInfo]  # (team_id, user_id) → the person's time zone


def remind_moment(due_on: date, zone: ZoneInfo) -> datetime:
    """09:00 on the date in the zone, as an aware moment (zoneinfo handles daylight saving: on a
    day the clocks change, 09:00 is still 09:00 on the wall)."""
    return datetime.combine(due_on, REMIND_AT, tzinfo=zone)


@dataclass(frozen=True)
class LastContact:
    kind: str
    occurred_at: datetime
    notes: str


@dataclass(frozen=True)
class Reminder:
    """One claimed reminder, with what its message says."""

    follow_up_id: int
    team_id: str
    owner: str
    partner_id: int
    partner_name: str
    what: str
    due_on: date
    promised_at: datetime
    snoozes: int
    zone: ZoneInfo
    last_contact: LastContact | None
    claimed_at: datetime


@dataclass(frozen=True)
class Sent:
    reminder: Reminder
    channel: str | None
    ts: str | None


class Reminders:
    """The database side of follow-up reminders, for every workspace."""

    def __init__(
        self,
        database: Database,
        now: Callable[[], datetime],
        *,
        lease: timedelta = CLAIM_LEASE,
        team_ids: Sequence[str] | None = None,
    ) -> None:
        """``team_ids``: remind only these workspaces (None: every one)."""
        self.database = database
        self.now = now
        self.lease = lease
        self.team_ids = team_ids

    def due(self, zone_of: ZoneOf) -> list[tuple[ReminderCandidate, ZoneInfo]]:
        """The reminders whose moment has come (or passed: a missed one goes out late), oldest first."""
        now = self.now()
        with self.database.read() as session:
            candidates = follow_up_store.reminder_candidates(
                session,
                through=(now + EARLIEST_OFFSET).date(),
                now=now,
                lease=self.lease,
                team_ids=self.team_ids,
            )
        ready = []
        for candidate in candidates:
            zone = zone_of(candidate.team_id, candidate.owner)
            if remind_moment(candidate.due_on, zone) <= now:
                ready.append((candidate, zone))
        return ready

    def claim(self, ready: Sequence[tuple[ReminderCandidate, ZoneInfo]]) -> list[Reminder]:
        """Claim these for this process; the ones it won, with what their messages need."""
        now = self.now()
        zones = {candidate.id: zone for candidate, zone in ready}
        with self.database.transaction(actor=SCHEDULER) as session:
            won = follow_up_store.claim_reminders(session, list(zones), now=now, lease=self.lease)
            follow_ups = follow_up_store.claimed_follow_ups(session, won)
            last: dict[tuple[str, int], LastContact] = {}
            for team_id in {f.team_id for f in follow_ups}:
                partners = [f.partner_id for f in follow_ups if f.team_id == team_id]
                for partner_id, interaction in follow_up_store.last_communications(
                    session, team_id, partners
                ).items():
                    last[(team_id, partner_id)] = LastContact(
                        interaction.kind.value, interaction.occurred_at, interaction.notes
                    )
            return [
                Reminder(
                    follow_up_id=f.id,
                    team_id=f.team_id,
                    owner=f.owner or "",
                    partner_id=f.partner_id,
                    partner_name=f.partner.name,
                    what=f.what,
                    due_on=f.due_on,
                    promised_at=f.created_at,
                    snoozes=f.snoozes,
                    zone=zones[f.id],
                    last_contact=last.get((f.team_id, f.partner_id)),
                    claimed_at=now,
                )
                for f in follow_ups
            ]

    def sent(self, done: Sequence[Sent]) -> int:
        """Record these as reminded for their dates (one transaction); how many claims still held."""
        if not done:
            return 0
        with self.database.transaction(actor=SCHEDULER) as session:
            return follow_up_store.record_reminded(
                session,
                [
                    Reminded(
                        s.reminder.follow_up_id, s.reminder.due_on, s.reminder.claimed_at, s.channel, s.ts
                    )
                    for s in done
                ],
            )

    def retry_later(self, reminder: Reminder) -> None:
        """Give the claim back: the next round sends it."""
        with self.database.transaction(actor=SCHEDULER) as session:
            follow_up_store.release_claim(session, reminder.follow_up_id, claimed_at=reminder.claimed_at)


def chunks(items: Sequence[tuple[ReminderCandidate, ZoneInfo]], size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
