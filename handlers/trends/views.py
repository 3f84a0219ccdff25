"""Block Kit for ``/partner trend``: the score and each component now against N weeks ago, with
▲▼ and points, and what to say when a partner has no history yet."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from handlers.shared.blocks import SlackBlock, context_block, fields_section, header, section
from handlers.shared.lines import from_to, points_change, score_text
from handlers.shared.replies import Reply
from handlers.shared.text import literal, shorten

COMPONENTS = ("satisfaction", "engagement", "recency", "business", "delivery")
LABELS = {
    "satisfaction": "Satisfaction",
    "engagement": "Engagement",
    "recency": "Recency",
    "business": "Business",
    "delivery": "Delivery",
}


def trend_reply(
    name: str,
    history: pd.DataFrame,
    *,
    weeks: int,
    today: date,
    chart: bool,
) -> Reply:
    """``history``: one row per point (a ``moment`` and the score and component columns), oldest
    first, the last being now."""
    shown = literal(shorten(name, 80))
    first, last = history.iloc[0], history.iloc[-1]
    since: datetime = pd.Timestamp(first["moment"]).to_pydatetime()
    since_text = since.date().isoformat()
    change = points_change(first["score"], last["score"])
    headline = f"*{shown}*: score {from_to(first['score'], last['score'])} since {since_text}"
    fields = [
        f"*{LABELS[c]}*\n{from_to(first[c], last[c])}"
        if not (pd.isna(first[c]) and pd.isna(last[c]))
        else f"*{LABELS[c]}*\n—"
        for c in COMPONENTS
    ]
    moved = _biggest_move(first, last)
    blocks: list[SlackBlock] = [
        header(f"{shorten(name, 100)} · last {weeks} weeks"),
        section(headline + (f"\n{moved}" if moved else "")),
        fields_section(*fields),
    ]
    notes = [f"{len(history)} points: daily snapshots at 00:00 UTC, the last one now"]
    asked = (today - since.date()).days
    if asked < weeks * 7 - 6:
        notes.append(f"history for {shown} starts {since_text}")
    if chart:
        notes.append("the chart is in your direct messages with me")
    blocks.append(context_block(" · ".join(notes)))
    text = f"{shorten(name, 100)}: score {score_text(last['score'])}" + (
        f" ({change} since {since_text})" if change else ""
    )
    return Reply(text, blocks)


def _biggest_move(first: pd.Series, last: pd.Series) -> str:
    moves = []
    for c in COMPONENTS:
        if pd.isna(first[c]) or pd.isna(last[c]):
            continue
        delta = round(float(last[c])) - round(float(first[c]))
        if delta:
            moves.append((abs(delta), c, delta))
    if not moves:
        return ""
    _, component, _ = max(moves)
    return f"Moved most: {LABELS[component].lower()} {points_change(first[component], last[component])}"


def no_history_reply(name: str, *, data_since: datetime | None, first_day: date | None, weeks: int) -> Reply:
    """A partner without snapshots in the weeks asked for: since when it has data or history."""
    shown = literal(shorten(name, 80))
    if first_day is not None:
        text = (
            f"*{shown}* has no score history in the last {weeks} weeks; its history starts "
            f"{first_day.isoformat()}."
        )
    elif data_since is not None:
        text = (
            f"*{shown}* has no score history yet. It has data since {data_since.date().isoformat()}; "
            "its first snapshot is taken after midnight UTC."
        )
    else:
        text = (
            f"*{shown}* has no score history yet, and nothing logged: log a communication with "
            f"`/partner log` and its history starts with the next snapshot after midnight UTC."
        )
    return Reply(text, [section(text)])


def building_reply() -> Reply:
    return Reply(
        "Score history for this workspace is being built from the logged data right now. "
        "Ask again in a minute."
    )
