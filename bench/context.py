"""What every benchmark step shares: settings of the run, the stand-in, the result rows, the clock."""

from __future__ import annotations

import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import Sizes
from bench.report import Row
from bot.standin.http import HttpStandIn

BENCH_TEAM = "TBENCH"  # the generated workspace
ACK_TEAM = "TBENCHACK"  # the load benchmark's own workspace (200 partners, starts with no interactions)
STANDIN_KEEP = 20_000  # calls the stand-in remembers: enough for any one measurement, bounded memory


def start_standin() -> HttpStandIn:
    """The Slack stand-in the servers under test talk to. For timing, not correctness: nothing is
    validated (the tests do that), and only the latest calls are kept."""
    standin = HttpStandIn(
        validate=False,
        keep=STANDIN_KEEP,
        team_id=BENCH_TEAM,
        bot_user_id="UBENCHBOT",
        user_defaults={"tz": "Europe/Berlin"},
    )
    return standin.start()


@dataclass(frozen=True)
class Profile:
    """Sizes and counts of one run mode (--quick, default, --full)."""

    name: str
    sizes: Sizes
    top_runs: int
    show_runs: int
    option_requests: int
    ack_requests: int
    ack_concurrency: int
    growth: tuple[int, ...]  # interaction counts for the growth benchmark
    growth_runs: int


QUICK = Profile(
    "quick", Sizes(1_000, 100_000, 10_000, 2_000), 5, 10, 300, 400, 16, (10_000, 100_000, 300_000), 3
)
DEFAULT = Profile(
    "default",
    Sizes(10_000, 1_000_000, 100_000, 20_000),
    10,
    20,
    300,
    400,
    16,
    (100_000, 1_000_000, 3_000_000),
    5,
)
FULL = DEFAULT.__class__(**{**DEFAULT.__dict__, "name": "full"})


@dataclass
class Context:
    profile: Profile
    selected: set[str]
    work_dir: Path
    postgres_url: str
    seed: int
    keep: bool
    auto_profile: bool
    deadline: float  # time.monotonic() after which remaining steps are skipped
    standin: HttpStandIn
    rows: list[Row] = field(default_factory=list)
    workers: int = 1  # processes serving the app and the bare-ack app (serve --workers)
    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    events: list[str] = field(default_factory=list)

    def wants(self, *names: str) -> bool:
        return any(name in self.selected for name in names)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        self.log(f"  → {row.benchmark} [{row.database}]: {row.verdict} {row.note[:160] if row.note else ''}")
        return row

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.work_dir.parents[2]))
        except ValueError:
            return str(path)

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def log(self, message: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        line = f"[{stamp}] {message}"
        self.events.append(line)
        print(line, file=sys.stderr, flush=True)
