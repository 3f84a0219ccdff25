"""A partner's score and components over time, drawn headless with matplotlib's object API (a
``Figure`` of its own, never pyplot, whose global state threads drawing at once would share)."""

from __future__ import annotations

import io

import pandas as pd

COMPONENT_LABELS = {
    "satisfaction": "satisfaction",
    "engagement": "engagement",
    "recency": "recency",
    "business": "business",
    "delivery": "delivery",
}


def trend_chart(name: str, history: pd.DataFrame, *, weeks: int) -> bytes:
    """A PNG: the score as a bold line and each component as a thin one, 0-100. ``history`` has a
    ``moment`` column (aware datetimes) and the score and component columns, oldest first."""
    # Imported on first use: matplotlib adds ~40 MB to every process, and most never draw.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    moments = pd.to_datetime(history["moment"], utc=True)
    for column, label in COMPONENT_LABELS.items():
        values = history[column].astype(float)
        if values.notna().any():
            axes.plot(moments, values, linewidth=1, alpha=0.7, label=label)
    axes.plot(
        moments, history["score"].astype(float), linewidth=2.5, color="black", marker=".", label="score"
    )
    axes.set_ylim(0, 100)
    axes.set_ylabel("0-100")
    # Names are drawn as text: matplotlib's mathtext would read "$" as a formula.
    title = name[:60].replace("$", r"\$")
    axes.set_title(f"{title}: score over the last {weeks} weeks")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left", fontsize="small", ncol=3)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
