"""Result rows, the printed table and the JSON file."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

OK, MISS, NO_GOAL, NA, ERROR = "ok", "MISS", "—", "n/a", "ERROR"


@dataclass
class Row:
    benchmark: str
    database: str
    figure: float | None
    unit: str  # "s" (shown as ms or s), "rows/s", "req/s", "MB", "count", "exp"
    floor: float | None = None
    ratio: float | None = None
    goal: str = ""
    verdict: str = NO_GOAL
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default); q in 0-100."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else math.nan


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "min": min(values),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def time_ratio(figure: float | None, floor: float | None) -> float | None:
    if figure is None or floor is None or not floor or math.isnan(figure) or math.isnan(floor):
        return None
    return figure / floor


def verdict(passed: bool | None) -> str:
    return NO_GOAL if passed is None else (OK if passed else MISS)


def fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "s":
        return f"{value * 1000:,.0f} ms" if value < 9.95 else f"{value:,.1f} s"
    if unit == "ms-fine":
        return f"{value * 1000:,.1f} ms"
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit == "MB":
        return f"{value / 1e6:,.0f} MB"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "exp":
        return f"n^{value:.2f}"
    if unit == "us/row":
        return f"{value * 1e6:,.2f} µs/interaction"
    return f"{value:g} {unit}"


def table(rows: list[Row]) -> str:
    header = ["benchmark", "database", "figure", "floor", "ratio", "goal", "verdict"]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:,.2f}×"
        cells = [
            row.benchmark,
            row.database,
            fmt(row.figure, row.unit),
            fmt(row.floor, row.unit),
            ratio,
            row.goal or "—",
            row.verdict,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"- {row.benchmark} ({row.database}): {row.note}" for row in rows if row.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "hostname": platform.node(),
    }


def write_json(path: Path, rows: list[Row], context: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **context,
        "rows": [asdict(row) for row in rows],
    }
    path.write_text(json.dumps(document, indent=2, default=str))
