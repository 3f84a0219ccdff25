"""Follow-up reminders at 09:00: 10,000 follow-ups due on one day, their owners all in one time zone.

    python -m bench.reminders                          # SQLite, one scheduler
    python -m bench.reminders --databases sqlite,postgresql --schedulers 2
    python -m bench.reminders --count 20000 --latency-ms 20

One workspace of 500 partners (most with communications, for the reminders' "last
communication"), 100 owners in America/New_York, and ``--count`` open follow-ups due today there.
The app's clock is set to 09:00:01 New York time on that day; ``handlers.followups.reminders``
sends the round exactly as the scheduler's minute job does (``--schedulers 2``: two runners, each
with its own database engine, at once — two replicas on one database), through
``bot.scheduler.digest_client``, to the Slack stand-in in its own process on loopback. Figures:

- seconds until every reminder is sent, and reminders per second;
- the floor: the same number of bare ``chat.postMessage`` calls with a reminder-sized message, from
  as many threads as the runner sends with (``SENDERS``), with the same client to the same
  stand-in — the Slack traffic alone, without finding, claiming, writing or recording. Goal: at
  most 2× the floor;
- how many times each follow-up was sent (must be exactly 1 for every one), and how many are
  recorded as reminded in the database;
- peak RSS of this process during the round.

Not part of ``python -m bench``'s list: run it on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.digests import ROOT, StandInProcess, mb, rss

TEAM = "TREMINDBENCH"
PARTNERS = 500
OWNERS = 100
ZONE = ZoneInfo("America/New_York")  # the stand-in's users' zone
GOAL = 2.0  # × the bare chat.postMessage floor


def seed(database: Any, *, count: int, due_on: date, rng: random.Random) -> None:
    from sqlalchemy import insert

    from storage import partners
    from storage.models import FollowUp, FollowUpStatus, Interaction, InteractionKind

    kinds = list(InteractionKind)
    now = datetime.now(UTC)
    with database.transaction(actor="bench") as session:
        ids = [partners.add_partner(session, TEAM, f"Partner {i:03d}").id for i in range(PARTNERS)]
        session.execute(
            insert(Interaction),
            [
                {
                    "team_id": TEAM,
                    "partner_id": pid,
                    "kind": rng.choice(kinds),
                    "occurred_at": now - timedelta(days=rng.uniform(1, 200)),
                    "notes": "Pricing talk, they want a Q3 pilot",
                    "user_id": f"UOWNER{rng.randrange(OWNERS):03d}",
                    "created_at": now,
                }
                for pid in ids
                if rng.random() < 0.9
                for _ in range(rng.randint(1, 20))
            ],
        )
        session.execute(
            insert(FollowUp),
            [
                {
                    "team_id": TEAM,
                    "partner_id": rng.choice(ids),
                    "owner": f"UOWNER{i % OWNERS:03d}",
                    "what": f"Bench task {i}: send the pricing deck and book the QBR",
                    "due_on": due_on,
                    "status": FollowUpStatus.OPEN,
                    "snoozes": 0,
                    "created_by": f"UOWNER{i % OWNERS:03d}",
                    "created_at": now - timedelta(days=3),
                    "updated_at": now - timedelta(days=3),
                }
                for i in range(count)
            ],
        )


def run_round(
    kind: str,
    *,
    work_dir: Path,
    postgres_url: str,
    count: int,
    schedulers: int,
    latency: float,
    seed_value: int,
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from bench import databases
    from bench.proc import reset_peak
    from bot.scheduler import digest_client
    from bot.settings import Settings
    from handlers.followups.reminders import ReminderRunner
    from handlers.shared.deps import Deps
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.models import FollowUp

    standin = StandInProcess(latency)
    bench_db = databases.create(kind, work_dir, postgres_url, label="reminders")
    engines = [Database(bench_db.url) for _ in range(schedulers)]
    result: dict[str, Any] = {
        "database": kind,
        "count": count,
        "schedulers": schedulers,
        "latency_ms": latency * 1000,
    }
    try:
        upgrade(engines[0])
        due_on = datetime.now(ZONE).date()
        started = time.perf_counter()
        seed(engines[0], count=count, due_on=due_on, rng=random.Random(seed_value))
        result["seed_seconds"] = time.perf_counter() - started
        client = digest_client(
            Settings(database_url=bench_db.url, slack_bot_token="xoxb-bench", slack_api_url=standin.api_url)
        )
        nine = datetime.combine(due_on, datetime.min.time(), tzinfo=ZONE).replace(hour=9, second=1)
        runners = [ReminderRunner(Deps(db=db, clock=lambda: nine.astimezone(UTC)), client) for db in engines]
        rounds: list[Any] = []
        result["rss_before"] = rss().get("VmRSS", 0)
        reset_peak(os.getpid())
        clock_start = time.perf_counter()
        threads = [threading.Thread(target=lambda r=r: rounds.append(r.run_once())) for r in runners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result["seconds"] = time.perf_counter() - clock_start
        status = rss()
        result["peak_rss"] = status.get("VmHWM", 0)
        result["rounds"] = [vars(r) for r in rounds]
        stats = standin.stats()
        per_follow_up = Counter(stats["texts"].values())
        result["sent_per_follow_up"] = {str(k): v for k, v in sorted(per_follow_up.items())}
        result["distinct_sent"] = len(stats["texts"])
        with engines[0].read() as session:
            result["recorded"] = session.scalar(
                select(func.count()).select_from(FollowUp).where(FollowUp.reminded_for == due_on)
            )
        result["floor"] = floor(standin, client, count)
    finally:
        for db in engines:
            db.dispose()
        bench_db.drop()
        standin.stop()
    return result


def floor(standin: StandInProcess, client: Any, count: int) -> float:
    """``count`` bare chat.postMessage calls with a reminder-sized message, from as many threads as
    the runner sends with."""
    from handlers.followups.reminders import SENDERS
    from handlers.shared.blocks import actions, as_dicts, button, context_block, section

    blocks = as_dicts(
        [
            section(
                "Reminder: *Follow-up #1234* with *Partner 123* is due today\n>Bench task: send the deck"
            ),
            context_block("Promised 3 days ago · last communication: call 12 days ago: “Pricing talk”"),
            actions(
                *(button(label, f"a{i}", "1234") for i, label in enumerate(("Done", "Snooze", "Week", "Log")))
            ),
        ]
    )

    def post(i: int) -> None:
        client.chat_postMessage(channel=f"UOWNER{i % OWNERS:03d}", text="Reminder: follow up", blocks=blocks)

    standin.reset()
    started = time.perf_counter()
    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(post, range(count)))
    return time.perf_counter() - started


def report(result: dict[str, Any]) -> str:
    ratio = result["seconds"] / result["floor"]
    once = (
        result["sent_per_follow_up"] == {"1": result["count"]} and result["distinct_sent"] == result["count"]
    )
    rate = result["count"] / result["seconds"]
    return "\n".join(
        [
            f"reminders on {result['database']}: {result['count']:,} follow-ups due at 09:00 in "
            f"America/New_York, {OWNERS} owners, {result['schedulers']} scheduler(s), "
            f"stand-in latency {result['latency_ms']:.0f} ms",
            f"  all sent in          {result['seconds']:.2f} s  ({rate:,.0f}/s)",
            f"  floor: bare posts    {result['floor']:.2f} s   → {ratio:.2f}× the floor "
            f"(goal ≤ {GOAL:.0f}×: {'ok' if ratio <= GOAL else 'MISS'})",
            f"  sent per follow-up   {result['sent_per_follow_up']}  (count of follow-ups by times sent): "
            f"{'exactly once each' if once else 'NOT exactly once'}",
            f"  recorded as reminded {result['recorded']:,}",
            f"  rounds               {result['rounds']}",
            f"  peak RSS             {mb(result['peak_rss'])}  (before the round {mb(result['rss_before'])})",
            f"  seeding              {result['seed_seconds']:.1f} s",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--postgres-url", default=None, help="PostgreSQL server (loopback only)")
    parser.add_argument("--count", type=int, default=10_000, help="follow-ups due (default 10,000)")
    parser.add_argument("--schedulers", type=int, default=1, help="runners at once on one database")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="stand-in delay per Web API call")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    import logging

    from bench.databases import DEFAULT_POSTGRES_URL

    logging.basicConfig(level=logging.WARNING)
    work_dir = ROOT / ".bench" / "reminders" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
        result = run_round(
            kind,
            work_dir=work_dir,
            postgres_url=args.postgres_url or DEFAULT_POSTGRES_URL,
            count=args.count,
            schedulers=max(1, args.schedulers),
            latency=args.latency_ms / 1000,
            seed_value=args.seed,
        )
        print(report(result), flush=True)
        results.append(result)
    if args.output:
        args.output.write_text(json.dumps(results, indent=2, default=str))
    with contextlib.suppress(OSError):
        work_dir.rmdir()
        work_dir.parent.rmdir()
    exactly_once = all(
        r["sent_per_follow_up"] == {"1": r["count"]} and r["recorded"] == r["count"] for r in results
    )
    return 0 if exactly_once else 1


if __name__ == "__main__":
    sys.exit(main())
