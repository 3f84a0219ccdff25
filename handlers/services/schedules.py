"""When a digest is due: occurrences of a daily, weekly or monthly schedule in the subscriber's
time zone (``handlers.digests.schedule_words`` reads one from what a person typed).

Each local day (or week, or month) has exactly one occurrence, whatever daylight saving does:
a wall-clock time skipped by a spring-forward change runs at the same offset as before the change
(an hour later on the clock), and a time that happens twice at fall-back runs the first time.
Each occurrence has a period key (its local date) that the database uses to post it only once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC_ZONE = ZoneInfo("UTC")
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass(frozen=True)
class Cadence:
    every: str  # "daily", "weekly" or "monthly"
    hour: int = 9
    minute: int = 0
    weekday: int = 0  # weekly: Monday = 0
    day: int = 1  # monthly: 1-31; short months run on their last day

    def describe(self) -> str:
        at = f"{self.hour:02d}:{self.minute:02d}"
        if self.every == "daily":
            return f"daily at {at}"
        if self.every == "weekly":
            return f"every {WEEKDAYS[self.weekday].capitalize()} at {at}"
        return f"monthly on day {self.day} at {at}"

    @property
    def period(self) -> timedelta:
        """Roughly how long one period is (for charts of recent periods)."""
        return {"daily": timedelta(days=1), "weekly": timedelta(days=7)}.get(self.every, timedelta(days=30))

    def local_date_on_or_before(self, day: date) -> date:
        """The latest scheduled local date on or before ``day``."""
        if self.every == "daily":
            return day
        if self.every == "weekly":
            return day - timedelta(days=(day.weekday() - self.weekday) % 7)
        scheduled = _monthly_date(day.year, day.month, self.day)
        if scheduled <= day:
            return scheduled
        year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
        return _monthly_date(year, month, self.day)

    def next_local_date(self, day: date) -> date:
        """The first scheduled local date after ``day``."""
        if self.every == "daily":
            return day + timedelta(days=1)
        if self.every == "weekly":
            return day + timedelta(days=(self.weekday - day.weekday() - 1) % 7 + 1)
        year, month = (day.year, day.month + 1) if day.month < 12 else (day.year + 1, 1)
        this_month = _monthly_date(day.year, day.month, self.day)
        return this_month if this_month > day else _monthly_date(year, month, self.day)

    def moment(self, day: date, zone: ZoneInfo) -> datetime:
        """The UTC instant of the occurrence on local date ``day`` (fold=0: see module docstring)."""
        return datetime.combine(day, time(self.hour, self.minute), tzinfo=zone).astimezone(UTC)

    def previous_run(self, now: datetime, zone: ZoneInfo) -> tuple[date, datetime]:
        """The latest occurrence at or before ``now``: (its local date = period key, UTC instant)."""
        day = self.local_date_on_or_before(now.astimezone(zone).date() + timedelta(days=1))
        for _ in range(40):
            moment = self.moment(day, zone)
            if moment <= now:
                return day, moment
            day = self.local_date_on_or_before(day - timedelta(days=1))
        raise AssertionError("no occurrence found")  # unreachable: every cadence recurs within 31 days

    def next_run(self, now: datetime, zone: ZoneInfo) -> tuple[date, datetime]:
        """The first occurrence strictly after ``now``."""
        day, _ = self.previous_run(now, zone)
        following = self.next_local_date(day)
        return following, self.moment(following, zone)

    def runs_between(
        self, start: datetime, end: datetime, zone: ZoneInfo, *, limit: int = 100
    ) -> list[tuple[date, datetime]]:
        """Occurrences in (start, end], oldest first, at most ``limit`` (the most recent ones)."""
        found: list[tuple[date, datetime]] = []
        day, moment = self.previous_run(end, zone)
        while moment > start and len(found) < limit:
            found.append((day, moment))
            day = self.local_date_on_or_before(day - timedelta(days=1))
            moment = self.moment(day, zone)
        return list(reversed(found))


def _monthly_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def zone_named(name: str | None) -> ZoneInfo:
    """The time zone called ``name`` (Slack's ``tz``, a subscription's ``tz:``); UTC when unknown."""
    if not name:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE
