"""The digest's chart: the top partners' scores over the recent periods, rendered headless.

Drawn with matplotlib's object API (a ``Figure`` of its own with an Agg canvas), never pyplot:
pyplot keeps global state that scheduler threads drawing at once would share.
"""

from __future__ import annotations

import io
from datetime import datetime

import pandas as pd

CHART_PARTNERS = 5


def warm_up() -> None:
    """Draw a throwaway chart: matplotlib's first drawing (importing it, loading its fonts) takes
    seconds, which a process that will draw should pay before a minute's digests, not in it."""
    frame = pd.DataFrame({"partner_id": [1], "name": ["warm-up"], "score": [50.0]})
    score_history_chart([(datetime(2026, 1, day), frame) for day in (1, 2)], [1])


def score_history_chart(history: list[tuple[datetime, pd.DataFrame]], partner_ids: list[int]) -> bytes:
    """A PNG line chart. ``history``: (moment, scored frame) oldest first; one line per partner."""
    # Imported on first use: matplotlib adds ~40 MB to every process, and most never draw.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    moments = [moment for moment, _ in history]
    for partner_id in partner_ids[:CHART_PARTNERS]:
        name = None
        scores = []
        for _, scored in history:
            row = scored.loc[scored["partner_id"] == partner_id]
            scores.append(float(row["score"].iloc[0]) if not row.empty else float("nan"))
            if not row.empty:
                name = str(row["name"].iloc[0])
        # Names are drawn as text: matplotlib's mathtext would read "$" as a formula.
        label = (name or str(partner_id))[:40].replace("$", r"\$")
        axes.plot(moments, scores, marker="o", label=label)
    axes.set_ylim(0, 100)
    axes.set_ylabel("score (0-100)")
    axes.set_title("Top partners' scores over recent periods")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left", fontsize="small")
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
