"""Digest fan-out: 1,000 subscriptions due in the same minute across 1,000 channels.

    python -m bench.digests                        # SQLite, charts on, jobs driven directly
    python -m bench.digests --databases sqlite,postgresql --latency-ms 50
    python -m bench.digests --live                 # real APScheduler, due at the next minute

One workspace of ~200 partners with activity and feedback; 1,000 daily subscriptions (one per
channel) all due at the same instant. The digests are posted in this process through
``bot.scheduler.Scheduler`` (``run_due`` on a thread pool of ``POSTING_THREADS``, the size of
APScheduler's executor; ``--live`` starts the real APScheduler instead and waits for the minute)
with ``bot.scheduler.digest_client``, to the Slack stand-in (``bot.standin.http``) in its own
process on loopback (so its work and memory are not counted here). Figures:

- seconds from the start (``--live``: from the due instant) until every digest is posted, and
  posts per second; posts per channel (must be exactly 1 everywhere) and charts shared;
- how many rankings were computed (once per workspace, plus the chart's earlier periods);
- peak RSS of this process during the run (VmHWM after resetting it), and RSS before;
- floors against the same stand-in, from a thread pool of the same size: 1,000 bare
  ``chat.postMessage`` calls with the same message, and (charts on) the same plus the chart's
  ``files_upload_v2`` — the Slack traffic alone, without claims, rankings or records; and that
  plus the ``conversations.info`` each digest asks just before posting (Slack Connect), i.e. all
  the Slack calls a digest makes.

``--latency-ms`` makes the stand-in answer every Web API call that much later (Slack is not on
loopback). Not part of ``python -m bench``'s list: run it on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.standin.http import HttpStandIn
from bot.standin.records import RESPONSE_METHOD, UPLOAD_METHOD

ROOT = Path(__file__).resolve().parents[1]
TEAM = "TDIGESTBENCH"
PARTNERS = 200
SUBSCRIPTIONS = 1000
OWNER = "UBENCHOWNER"


# --- the stand-in, in its own process ---------------------------------------------------------------


def standin_stats(standin: HttpStandIn) -> dict[str, Any]:
    """Web API calls per method, accepted chat.postMessage per channel and per text, files shared
    per channel."""
    methods: Counter[str] = Counter()
    posts: Counter[str] = Counter()
    texts: Counter[str] = Counter()  # accepted posts per text (a reminder's names its follow-up)
    shared: Counter[str] = Counter()
    for call in list(standin.calls):
        if call.method in (RESPONSE_METHOD, UPLOAD_METHOD):
            continue
        methods[call.method] += 1
        if call.ok and call.method == "chat.postMessage":
            posts[str(call.args.get("channel"))] += 1
            texts[str(call.args.get("text"))] += 1
        elif call.ok and call.method == "files.completeUploadExternal":
            shared[str(call.args.get("channel_id"))] += len((call.response or {}).get("files") or [])
    return {"methods": dict(methods), "posts": dict(posts), "texts": dict(texts), "shared": dict(shared)}


def serve_standin(latency: float) -> None:
    """The stand-in process: prints its base URL, then answers ``stats`` and ``reset`` lines on stdin
    with a line of JSON, until stdin closes."""
    with HttpStandIn(validate=False, team_id=TEAM) as standin:
        if latency:
            standin.delay("*", latency)
        print(standin.url, flush=True)
        for line in sys.stdin:  # the parent closes stdin (or exits) to stop us
            if line.strip() == "reset":
                standin.forget()
            print(json.dumps(standin_stats(standin)), flush=True)


class StandInProcess:
    def __init__(self, latency: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.digests", "--serve-standin", "--latency-ms", str(latency * 1000)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise RuntimeError("the stand-in did not start")

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def _ask(self, what: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stats(self) -> dict[str, Any]:
        return self._ask("stats")

    def reset(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --- the workspace -----------------------------------------------------------------------------------


def seed(database: Any, *, due: datetime, chart: bool, rng: random.Random) -> list[int]:
    """~200 partners with 90 days of activity and some feedback; 1,000 subscriptions due at ``due``."""
    from sqlalchemy import insert

    from storage import digests, feedback, partners
    from storage.models import DigestSubscription, Interaction, InteractionKind

    kinds = list(InteractionKind)
    now = datetime.now(UTC)
    with database.transaction(actor="bench") as session:
        ids = [
            partners.add_partner(
                session,
                TEAM,
                f"Partner {i:03d}",
                tier=rng.choice(["gold", "silver", "bronze"]),
                owner=f"U{i % 17:03d}",
                revenue=Decimal(rng.randint(0, 100_000)),
                cost=Decimal(rng.randint(1, 50_000)),
            ).id
            for i in range(PARTNERS)
        ]
        rows = [
            {
                "team_id": TEAM,
                "partner_id": pid,
                "kind": rng.choice(kinds),
                "occurred_at": now - timedelta(days=rng.uniform(0, 120)),
                "notes": "bench",
                "user_id": f"U{rng.randint(0, 30):03d}",
                "created_at": now,
            }
            for pid in ids
            if rng.random() < 0.9  # a few partners never contacted
            for _ in range(rng.randint(1, 80))
        ]
        session.execute(insert(Interaction), rows)
        for pid in rng.sample(ids, 120):
            for j in range(rng.randint(1, 4)):
                feedback.record_feedback(
                    session,
                    TEAM,
                    partner_id=pid,
                    csat=rng.randint(1, 5),
                    nps=rng.randint(0, 10),
                    comment="",
                    user_team_id=TEAM,
                    user_id=f"UF{pid}-{j}",
                    anonymous=False,
                    submitted_at=now - timedelta(days=rng.uniform(0, 80)),
                )
        session.execute(
            insert(DigestSubscription),
            [
                {
                    "team_id": TEAM,
                    "channel_id": f"C{i:05d}",
                    "every": "daily",
                    "weekday": 0,
                    "day": 1,
                    "hour": due.hour,
                    "minute": due.minute,
                    "timezone": "UTC",
                    "top_n": 10,
                    "chart": chart,
                    "created_by": OWNER,
                    "created_at": due - timedelta(hours=1),
                    "enabled": True,
                }
                for i in range(SUBSCRIPTIONS)
            ],
        )
        return [s.id for s in digests.subscriptions(session, TEAM)]


# --- measuring ---------------------------------------------------------------------------------------


def rss() -> dict[str, int]:
    from bench.proc import proc_status

    return proc_status(os.getpid())


def run_fanout(
    kind: str, *, work_dir: Path, postgres_url: str, chart: bool, live: bool, latency: float, seed_value: int
) -> dict[str, Any]:
    import handlers.services.digests as digest_runs
    from bench import databases
    from bench.proc import reset_peak
    from bot.scheduler import POSTING_THREADS, Scheduler, digest_client
    from bot.settings import Settings
    from handlers.shared.deps import Deps
    from storage.db import Database
    from storage.migrate import upgrade

    standin = StandInProcess(latency)
    bench_db = databases.create(kind, work_dir, postgres_url, label="digests")
    database = Database(bench_db.url)
    result: dict[str, Any] = {"database": kind, "chart": chart, "live": live, "latency_ms": latency * 1000}
    try:
        upgrade(database)
        now = datetime.now(UTC)
        if live:  # the next whole minute, at least 20 s away (time to seed and sync 1,000 jobs)
            due = (now + timedelta(seconds=80)).replace(second=0, microsecond=0)
            if due - now > timedelta(seconds=80):
                due -= timedelta(minutes=1)
        else:  # the minute that has just begun: run_due posts that occurrence
            due = now.replace(second=0, microsecond=0)
        started = time.perf_counter()
        subscription_ids = seed(database, due=due, chart=chart, rng=random.Random(seed_value))
        result["seed_seconds"] = time.perf_counter() - started
        client = digest_client(
            Settings(database_url=bench_db.url, slack_bot_token="xoxb-bench", slack_api_url=standin.api_url)
        )

        rankings: Counter[str] = Counter()
        original = digest_runs.compute_ranking

        def counting(database: Any, team_id: str, *, now: datetime, **kwargs: Any) -> Any:
            rankings["at due" if now == due else "earlier (chart)"] += 1
            return original(database, team_id, now=now, **kwargs)

        digest_runs.compute_ranking = counting  # type: ignore[assignment]
        scheduler = Scheduler(Deps(db=database), client)
        # A started scheduler has drawn a throwaway chart in the background (Scheduler.start): the
        # jobs driven directly here must not pay matplotlib's first drawing either.
        scheduler.warm_charts()
        result["rss_before"] = rss().get("VmRSS", 0)
        reset_peak(os.getpid())
        try:
            if live:
                scheduler.start()
                result["jobs"] = len(scheduler.scheduler.get_jobs()) - 1  # minus the sync job
                wait = (due - datetime.now(UTC)).total_seconds()
                print(f"  {kind}: waiting {wait:.0f} s for {due:%H:%M} UTC …", file=sys.stderr)
                time.sleep(max(0.0, wait))
                clock_start = time.perf_counter()
                deadline = clock_start + 600
                while time.perf_counter() < deadline:
                    if sum(standin.stats()["posts"].values()) >= SUBSCRIPTIONS:
                        break
                    time.sleep(0.05)
                result["seconds"] = time.perf_counter() - clock_start  # from the due instant
                scheduler.stop()
            else:
                clock_start = time.perf_counter()
                with ThreadPoolExecutor(POSTING_THREADS) as pool:
                    list(pool.map(scheduler.run_due, subscription_ids))
                result["seconds"] = time.perf_counter() - clock_start
        finally:
            digest_runs.compute_ranking = original  # type: ignore[assignment]
        status = rss()
        result["peak_rss"] = status.get("VmHWM", 0)
        result["rss_after"] = status.get("VmRSS", 0)
        stats = standin.stats()
        per_channel = Counter(stats["posts"].get(f"C{i:05d}", 0) for i in range(SUBSCRIPTIONS))
        result["posts_per_channel"] = {str(k): v for k, v in sorted(per_channel.items())}
        result["posts"] = sum(stats["posts"].values())
        result["charts_shared"] = sum(stats["shared"].values())
        result["api_calls"] = stats["methods"]
        result["rankings"] = dict(rankings)
        result["transactions"] = scheduler.runner.runs.transactions
        with database.read() as session:
            from sqlalchemy import func, select

            from storage.models import DigestRun

            result["runs"] = dict(
                session.execute(select(DigestRun.status, func.count()).group_by(DigestRun.status)).all()
            )
        result["floors"] = floors(standin, client, POSTING_THREADS, chart=chart)
    finally:
        database.dispose()
        bench_db.drop()
        standin.stop()
    return result


def floors(standin: StandInProcess, client: Any, threads: int, *, chart: bool) -> dict[str, float]:
    """The same Slack traffic without the app: a digest-sized message to 1,000 channels (and its
    chart), from a pool of the same size, with the same client, to the same stand-in."""
    from handlers.digests.chart import score_history_chart
    from handlers.shared.blocks import as_dicts, context_block, header, section

    lines = "\n".join(f"*{i}.* *Partner {i:03d}* — 80 · ▲1 · satisfied" for i in range(1, 11))
    # As dicts, as the app's replies are: the floor should not pay for slack_sdk's serialising.
    blocks = as_dicts(
        [header("Top 10 partners · bench"), section(lines), context_block("Scores 0-100, 90 days")]
    )
    found: dict[str, float] = {}

    def post(i: int) -> str:
        return client.chat_postMessage(channel=f"F{i:05d}", text="Partner ranking", blocks=blocks)["ts"]

    standin.reset()
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(post, range(SUBSCRIPTIONS)))
    found["bare_posts"] = time.perf_counter() - started
    if chart:
        import pandas as pd

        frame = pd.DataFrame({"partner_id": [1, 2], "name": ["A", "B"], "score": [70.0, 60.0]})
        png = score_history_chart([(datetime.now(UTC) - timedelta(days=d), frame) for d in range(6)], [1, 2])

        def post_and_upload(i: int) -> None:
            ts = post(i)
            client.files_upload_v2(channel=f"F{i:05d}", thread_ts=ts, file=png, filename="partner-scores.png")

        standin.reset()
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(post_and_upload, range(SUBSCRIPTIONS)))
        found["posts_and_charts"] = time.perf_counter() - started

        def check_post_and_upload(i: int) -> None:
            # What a digest must also ask at posting time: is the channel shared (Slack Connect)?
            client.conversations_info(channel=f"F{i:05d}")
            post_and_upload(i)

        standin.reset()
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(check_post_and_upload, range(SUBSCRIPTIONS)))
        found["checks_posts_and_charts"] = time.perf_counter() - started
    return found


def mb(value: int) -> str:
    return f"{value / 2**20:.0f} MB"


def report(result: dict[str, Any]) -> str:
    floor = result["floors"].get("posts_and_charts") if result["chart"] else result["floors"]["bare_posts"]
    lines = [
        f"digests on {result['database']}: {SUBSCRIPTIONS} subscriptions × 1 workspace of {PARTNERS} partners"
        f" (charts {'on' if result['chart'] else 'off'}, stand-in latency {result['latency_ms']:.0f} ms"
        f"{', live APScheduler' if result['live'] else ''})",
        f"  all posted in        {result['seconds']:.2f} s"
        f"  ({result['posts'] / result['seconds']:.0f} posts/s)",
        f"  floor: bare posts    {result['floors']['bare_posts']:.2f} s"
        + (
            f"   posts + charts {result['floors']['posts_and_charts']:.2f} s"
            if "posts_and_charts" in result["floors"]
            else ""
        )
        + (f"   → {result['seconds'] / floor:.1f}× the floor" if floor else ""),
        *(
            [
                f"  floor with the check {result['floors']['checks_posts_and_charts']:.2f} s"
                "   (conversations.info + post + chart, the Slack calls a digest makes)"
                f"   → {result['seconds'] / result['floors']['checks_posts_and_charts']:.1f}×"
            ]
            if "checks_posts_and_charts" in result["floors"]
            else []
        ),
        f"  posts per channel    {result['posts_per_channel']}  (count of channels by posts)",
        f"  charts shared        {result['charts_shared']}",
        f"  rankings computed    {result['rankings']}",
        f"  runs recorded        {result['runs']}"
        f"  (claims and outcomes in {result['transactions']['claims and outcomes']} transactions)",
        f"  peak RSS             {mb(result['peak_rss'])}  (before the run {mb(result['rss_before'])},"
        f" after {mb(result['rss_after'])})",
        f"  seeding              {result['seed_seconds']:.1f} s",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.digests", description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--postgres-url", default=None, help="PostgreSQL server (loopback only)")
    parser.add_argument("--no-chart", action="store_true", help="subscriptions without the chart")
    parser.add_argument("--live", action="store_true", help="start APScheduler and wait for the minute")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="stand-in delay per Web API call")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", type=Path, help="write the figures as JSON here too")
    parser.add_argument("--serve-standin", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_standin:
        serve_standin(args.latency_ms / 1000)
        return 0
    import logging

    from bench.databases import DEFAULT_POSTGRES_URL

    logging.basicConfig(level=logging.WARNING)
    work_dir = ROOT / ".bench" / "digests" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
        result = run_fanout(
            kind,
            work_dir=work_dir,
            postgres_url=args.postgres_url or DEFAULT_POSTGRES_URL,
            chart=not args.no_chart,
            live=args.live,
            latency=args.latency_ms / 1000,
            seed_value=args.seed,
        )
        print(report(result), flush=True)
        results.append(result)
    if args.output:
        args.output.write_text(json.dumps(results, indent=2, default=str))
    with contextlib.suppress(OSError):  # the databases are dropped: nothing is left in them
        work_dir.rmdir()
        work_dir.parent.rmdir()
    exactly_once = all(r["posts_per_channel"] == {"1": SUBSCRIPTIONS} for r in results)
    return 0 if exactly_once else 1


if __name__ == "__main__":
    sys.exit(main())
