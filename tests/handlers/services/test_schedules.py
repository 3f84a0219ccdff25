"""Digest cadences: reading them, and their occurrences in a time zone across daylight saving."""

from __future__ import annotations

import calendar
import itertools
import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.services.schedules import Cadence

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_describe() -> None:
    assert Cadence("daily", 7, 5).describe() == "daily at 07:05"
    assert Cadence("weekly", 17, 0, weekday=4).describe() == "every Friday at 17:00"
    assert Cadence("monthly", 18, 0, day=31).describe() == "monthly on day 31 at 18:00"


# --- daylight saving ------------------------------------------------------------------------

# (zone, local date of the spring-forward change, local date of the fall-back change) in 2026
DST_CHANGES = [
    (BERLIN, date(2026, 3, 29), date(2026, 10, 25)),  # 02:00→03:00, 03:00→02:00
    (NEW_YORK, date(2026, 3, 8), date(2026, 11, 1)),  # 02:00→03:00, 02:00→01:00
]


def local_days(zone: ZoneInfo, middle: date, span: int = 3) -> tuple[datetime, datetime]:
    """(start, end) in UTC covering local days middle-span … middle+span entirely."""
    start = datetime.combine(middle - timedelta(days=span), time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(middle + timedelta(days=span + 1), time(0), tzinfo=zone).astimezone(UTC)
    return start - timedelta(seconds=1), end - timedelta(seconds=1)


@pytest.mark.parametrize(("zone", "spring", "fall"), DST_CHANGES, ids=["Berlin", "New_York"])
@pytest.mark.parametrize("which", ["spring", "fall"])
@pytest.mark.parametrize(("hour", "minute"), [(2, 30), (9, 0)], ids=["02:30", "09:00"])
def test_daily_runs_once_per_local_day_across_a_dst_change(
    zone: ZoneInfo, spring: date, fall: date, which: str, hour: int, minute: int
) -> None:
    change = spring if which == "spring" else fall
    cadence = Cadence("daily", hour, minute)
    start, end = local_days(zone, change)
    runs = cadence.runs_between(start, end, zone)
    days = [change + timedelta(days=d) for d in range(-3, 4)]
    assert [day for day, _ in runs] == days  # one per local day: none skipped, none doubled
    moments = [moment for _, moment in runs]
    assert moments == sorted(set(moments))
    for day, moment in runs:
        local = moment.astimezone(zone)
        assert local.date() == day
        if day == spring and which == "spring" and hour == 2:
            # 02:30 does not exist that day: it runs an hour later on the clock, at the old offset.
            assert (local.hour, local.minute) == (3, 30)
            old_offset = datetime.combine(day - timedelta(days=1), time(12), tzinfo=zone).utcoffset()
            assert moment == datetime.combine(day, time(hour, minute), tzinfo=UTC) - old_offset
        else:
            assert (local.hour, local.minute) == (hour, minute)
    if which == "fall" and hour == 2 and zone is BERLIN:
        # 02:30 happens twice on the night of the change: the first one (summer time) runs.
        fall_moment = dict(runs)[fall]
        assert fall_moment == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        assert fall_moment.astimezone(zone).fold == 0


@pytest.mark.parametrize(("zone", "spring", "fall"), DST_CHANGES, ids=["Berlin", "New_York"])
@pytest.mark.parametrize(("hour", "minute"), [(2, 30), (9, 0), (1, 30)], ids=["02:30", "09:00", "01:30"])
def test_each_instant_belongs_to_one_period_around_dst(
    zone: ZoneInfo, spring: date, fall: date, hour: int, minute: int
) -> None:
    """Walking the clock in 10-minute steps over each change: previous_run never goes back and
    changes period exactly at each occurrence; next_run is always strictly after now."""
    cadence = Cadence("daily", hour, minute)
    for change in (spring, fall):
        start, end = local_days(zone, change, span=1)
        seen: list[tuple[date, datetime]] = []
        now = start
        while now <= end:
            day, moment = cadence.previous_run(now, zone)
            assert moment <= now < cadence.next_run(now, zone)[1]
            assert cadence.next_run(now, zone)[1] - now <= timedelta(hours=25)
            if not seen or seen[-1] != (day, moment):
                assert not seen or (day > seen[-1][0] and moment > seen[-1][1])
                seen.append((day, moment))
            now += timedelta(minutes=10)
        assert [d for d, _ in seen] == [change + timedelta(days=d) for d in range(-2, 2)]


def test_a_trigger_that_fires_at_each_occurrence_never_doubles_on_the_fall_back_night() -> None:
    """What the scheduler does: next_run(previous fire time) from one occurrence to the next."""
    cadence = Cadence("daily", 2, 30)
    _, moment = cadence.previous_run(datetime(2026, 10, 22, tzinfo=UTC), BERLIN)
    fired = []
    for _ in range(7):
        day, moment = cadence.next_run(moment, BERLIN)
        fired.append(day)
    assert fired == [date(2026, 10, d) for d in range(22, 29)]


# --- weekly and monthly ------------------------------------------------------------------------


def test_weekly_runs_on_its_weekday_across_dst() -> None:
    cadence = Cadence("weekly", 2, 30, weekday=6)  # Sundays: both 2026 changes in Berlin are Sundays
    runs = cadence.runs_between(
        datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC), BERLIN, limit=100
    )
    days = [d for d, _ in runs]
    assert days[0] == date(2026, 3, 1) and days[-1] == date(2026, 10, 25)
    assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(days))
    assert all(d.weekday() == 6 for d in days)
    assert dict(runs)[date(2026, 3, 29)].astimezone(BERLIN).hour == 3  # the skipped hour


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2026, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]),
        (2028, [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]),
    ],
)
def test_monthly_day_31_runs_on_the_last_day_of_short_months(year: int, expected: list[int]) -> None:
    cadence = Cadence("monthly", 18, 0, day=31)
    runs = cadence.runs_between(
        datetime(year - 1, 12, 31, 23, tzinfo=UTC), datetime(year, 12, 31, 23, tzinfo=UTC), UTC
    )
    assert [d.day for d, _ in runs] == expected
    assert [d.month for d, _ in runs] == list(range(1, 13))
    assert all(m.astimezone(UTC).time() == time(18, 0) for _, m in runs)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 2, 1, tzinfo=UTC), date(2026, 2, 28)),
        (datetime(2026, 2, 28, 17, 59, tzinfo=UTC), date(2026, 2, 28)),
        (datetime(2026, 2, 28, 18, 0, tzinfo=UTC), date(2026, 3, 31)),
        (datetime(2026, 4, 15, tzinfo=UTC), date(2026, 4, 30)),
        (datetime(2026, 4, 30, 18, 0, 1, tzinfo=UTC), date(2026, 5, 31)),
        (datetime(2026, 12, 31, 19, tzinfo=UTC), date(2027, 1, 31)),
    ],
)
def test_monthly_day_31_next_run(now: datetime, expected: date) -> None:
    day, moment = Cadence("monthly", 18, 0, day=31).next_run(now, UTC)
    assert day == expected and moment > now


@pytest.mark.parametrize(
    "cadence",
    [Cadence("daily", 9, 0), Cadence("weekly", 9, 0, weekday=2), Cadence("monthly", 9, 0, day=30)],
    ids=["daily", "weekly", "monthly"],
)
def test_next_run_is_strictly_after_now_even_at_an_occurrence(cadence: Cadence) -> None:
    _, occurrence = cadence.next_run(datetime(2026, 6, 1, tzinfo=UTC), NEW_YORK)
    assert cadence.previous_run(occurrence, NEW_YORK)[1] == occurrence  # at or before: itself
    _, following = cadence.next_run(occurrence, NEW_YORK)
    assert following > occurrence
    assert cadence.next_run(occurrence - timedelta(microseconds=1), NEW_YORK)[1] == occurrence


def test_runs_between_is_open_at_the_start_and_closed_at_the_end() -> None:
    cadence = Cadence("daily", 9, 0)
    first = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    last = datetime(2026, 6, 5, 9, 0, tzinfo=UTC)
    days = [d.day for d, _ in cadence.runs_between(first, last, UTC)]
    assert days == [2, 3, 4, 5]
    days = [d.day for d, _ in cadence.runs_between(first - timedelta(seconds=1), last, UTC)]
    assert days == [1, 2, 3, 4, 5]
    assert cadence.runs_between(last, last, UTC) == []
    assert cadence.runs_between(last + timedelta(hours=1), last, UTC) == []  # start after end
    # limit keeps the most recent ones, oldest first
    assert [d.day for d, _ in cadence.runs_between(first, last, UTC, limit=2)] == [4, 5]


# --- properties ---------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",  # "negative" DST in tzdata
    "America/New_York",
    "America/Sao_Paulo",  # DST changes at midnight until 2019
    "America/Santiago",  # midnight changes, southern hemisphere
    "America/Havana",  # midnight changes
    "Asia/Beirut",  # midnight changes
    "Australia/Lord_Howe",  # half-hour DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",
    "Asia/Tehran",  # midnight changes until 2022
    "Africa/Casablanca",  # DST suspended every Ramadan
]
PROPERTY = settings(
    max_examples=int(os.environ.get("CADENCE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

cadences = st.one_of(
    st.builds(Cadence, st.just("daily"), st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59])),
    st.builds(
        Cadence,
        st.just("weekly"),
        st.integers(0, 23),
        st.sampled_from([0, 30]),
        st.integers(0, 6),
    ),
    st.builds(
        Cadence,
        st.just("monthly"),
        st.integers(0, 23),
        st.sampled_from([0, 30]),
        st.just(0),
        st.sampled_from([1, 15, 28, 29, 30, 31]),
    ),
)
instants = st.datetimes(
    min_value=datetime(2005, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


def period_of(cadence: Cadence, day: date) -> tuple[int, ...]:
    """The local period a period key belongs to: the day, the ISO week, or the month."""
    if cadence.every == "daily":
        return (day.toordinal(),)
    if cadence.every == "weekly":
        return ((day.toordinal() - 1) // 7,)  # ordinal 1 (0001-01-01) is a Monday: weeks run Mon-Sun
    return (day.year, day.month)


def following_period(cadence: Cadence, day: date) -> tuple[int, ...]:
    if cadence.every == "daily":
        return (day.toordinal() + 1,)
    if cadence.every == "weekly":
        return ((day.toordinal() - 1) // 7 + 1,)
    return (day.year, day.month + 1) if day.month < 12 else (day.year + 1, 1)


@PROPERTY
@given(zone_name=st.sampled_from(ZONES), cadence=cadences, start=instants)
def test_consecutive_occurrences_increase_and_have_one_key_per_local_period(
    zone_name: str, cadence: Cadence, start: datetime
) -> None:
    zone = ZoneInfo(zone_name)
    moment = start
    previous: tuple[date, datetime] | None = None
    keys: set[str] = set()
    for _ in range(12):
        day, moment = cadence.next_run(moment, zone)
        assert moment > (previous[1] if previous else start)
        key = day.isoformat()
        assert key not in keys
        keys.add(key)
        # on its scheduled day: the weekday, or the month's day (its last day when shorter)
        if cadence.every == "weekly":
            assert day.weekday() == cadence.weekday
        if cadence.every == "monthly":
            assert day.day == min(cadence.day, calendar.monthrange(day.year, day.month)[1])
        if previous is not None:  # the very next period: none skipped, none doubled
            assert period_of(cadence, day) == following_period(cadence, previous[0])
        # the instant is that local day's wall time, or (in a gap) shortly after it
        local = moment.astimezone(zone)
        wall = datetime.combine(day, time(cadence.hour, cadence.minute))
        assert timedelta(0) <= local.replace(tzinfo=None) - wall <= timedelta(hours=1)
        # and it is the occurrence previous_run finds at that instant
        assert cadence.previous_run(moment, zone) == (day, moment)
        previous = (day, moment)


@PROPERTY
@given(zone_name=st.sampled_from(ZONES), cadence=cadences, now=instants)
def test_previous_and_next_run_bracket_now(zone_name: str, cadence: Cadence, now: datetime) -> None:
    zone = ZoneInfo(zone_name)
    before_day, before = cadence.previous_run(now, zone)
    after_day, after = cadence.next_run(now, zone)
    assert before <= now < after
    assert period_of(cadence, after_day) == following_period(cadence, before_day)
    assert cadence.runs_between(before - timedelta(microseconds=1), after, zone) == [
        (before_day, before),
        (after_day, after),
    ]
