"""Issue 6, item 4: option requests for the log form's partner type-ahead, over the generated
workspace's partners: p50/p99 of ~300 requests with varied typed prefixes, one after another, next
to the bare-ack app answering the same option requests."""

from __future__ import annotations

import time

import numpy as np

from bench import measure, slack
from bench.context import BENCH_TEAM, Context
from bench.databases import BenchDatabase
from bench.proc import Server, reset_peak
from bench.ranking import rss_row
from bench.report import ERROR, Row, summary, time_ratio, verdict

P99_GOAL = 0.100  # seconds (issue 6)


def typed_values(names: list[str], count: int, seed: int) -> list[str]:
    """What people type: mostly 1-5 first letters of a name, some whole names, some words from the
    middle of a name, lower-case or as written, a few empty."""
    rng = np.random.default_rng([seed, 5])
    values = []
    for _ in range(count):
        name = names[int(rng.integers(len(names)))]
        roll = rng.random()
        if roll < 0.05:
            value = ""
        elif roll < 0.25:
            value = name[:1]
        elif roll < 0.55:
            value = name[:2]
        elif roll < 0.85:
            value = name[: int(rng.integers(3, 6))]
        elif roll < 0.92:
            value = name
        else:  # a later word of the name: only the "contains" part of the search finds it
            words = name.split()
            value = words[-1] if len(words) > 1 else name
        values.append(value.lower() if rng.random() < 0.5 else value)
    return values


def _ok(answer: slack.Answer) -> bool:
    body = answer.json()
    return answer.status == 200 and isinstance(body, dict) and isinstance(body.get("options"), list)


def bench_options(
    ctx: Context, db: BenchDatabase, server: Server, bare: Server, names: list[str], idle: int | None
) -> None:
    values = typed_values(names, ctx.profile.option_requests, ctx.seed)
    deadline = time.monotonic() + min(300.0, max(30.0, ctx.left()))
    warm = [slack.options(bare.secret, v, team=BENCH_TEAM) for v in values[:10]]
    measure.sequential(bare.events_url, warm, deadline=deadline)
    bare_answers = measure.sequential(
        bare.events_url, [slack.options(bare.secret, v, team=BENCH_TEAM) for v in values], deadline=deadline
    )
    bare_stats = summary([a.elapsed for a in bare_answers if a.status == 200])

    measure.sequential(
        server.events_url,
        [slack.options(server.secret, v, team=BENCH_TEAM) for v in values[:10]],
        deadline=deadline,
    )
    reset = reset_peak(server.pid)
    ctx.log(f"{db.kind}: {len(values)} option requests …")
    answers = measure.sequential(
        server.events_url,
        [slack.options(server.secret, v, team=BENCH_TEAM) for v in values],
        deadline=deadline,
    )
    good = [a for a in answers if _ok(a)]
    errors = len(values) - len(good)
    if not good:
        first = answers[0] if answers else None
        ctx.add(
            Row(
                "type-ahead options (p99)",
                db.kind,
                None,
                "s",
                bare_stats.get("p99"),
                None,
                "< 100 ms",
                ERROR,
                note=f"no good answer; first: {first.status if first else '—'} "
                f"{first.text[:200] if first else ''}",
            )
        )
        return
    stats = summary([a.elapsed for a in good])
    counts = [len(a.json()["options"]) for a in good]
    ctx.add(
        Row(
            "type-ahead options (p50)",
            db.kind,
            stats["median"],
            "s",
            bare_stats.get("median"),
            time_ratio(stats["median"], bare_stats.get("median")),
            "",
            "—",
            note=(
                f"{len(good)} of {len(values)} requests answered with options ({errors} errors), "
                f"{np.mean(counts):.0f} options on average over {len(names):,} partners; floor: the bare-ack "
                f"app answering the same option requests with an empty list"
            ),
            details={
                "summary": stats,
                "bare": bare_stats,
                "times": [a.elapsed for a in good],
                "values": values,
            },
        )
    )
    ctx.add(
        Row(
            "type-ahead options (p99)",
            db.kind,
            stats["p99"],
            "s",
            bare_stats.get("p99"),
            time_ratio(stats["p99"], bare_stats.get("p99")),
            "< 100 ms",
            verdict(stats["p99"] < P99_GOAL and errors == 0),
            note="" if errors == 0 else f"{errors} requests failed",
        )
    )
    rss_row(ctx, db, "type-ahead", server, idle, reset)
