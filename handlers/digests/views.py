"""Block Kit for ranking digests: the top N with change since the previous digest, the biggest
movers, partners that need attention; and the lines of ``/partner digest list``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from handlers.services.schedules import Cadence
from handlers.shared.blocks import SlackBlock, context_block, divider, header, section, sections
from handlers.shared.lines import money, rank_change_mark
from handlers.shared.replies import Reply, slack_date
from handlers.shared.text import escape, literal, mention, shorten
from storage.digests import LastRun
from storage.models import DigestSubscription, Project, ProjectStatus

MOVERS = 3
OUTCOMES_SHOWN = 10
ATTENTION_SHOWN = 10
LIST_LIMIT = 300  # subscriptions listed (30 sections of 10, within a message's 50 blocks)


def _line(position: int, row: pd.Series, change: float | None) -> str:
    name = literal(shorten(str(row["name"]), 80))
    parts = [
        f"*{position}.* *{name}* — {row['score']:.0f}"
        if not math.isnan(row["score"])
        else f"*{position}.* *{name}*"
    ]
    parts.append(rank_change_mark(change))
    if isinstance(row.get("category"), str):
        parts.append(escape(row["category"]))
    if isinstance(row.get("loyalty"), str):
        parts.append(escape(row["loyalty"]))
    contact = row.get("last_contact")
    parts.append(
        f"last contact {slack_date(contact.to_pydatetime())}" if not pd.isna(contact) else "never contacted"
    )
    return " · ".join(parts)


def digest_message(
    scored: pd.DataFrame,
    previous: dict[int, tuple[int, float]] | None,
    attention: pd.DataFrame,
    *,
    top_n: int,
    subscription_id: int | None,
    now: datetime,
    window_days: int,
    outcomes: Sequence[Project] = (),
    previous_day: date | None = None,
) -> Reply:
    """The digest. ``previous`` maps partner_id → (rank, score) at the start of the period: from
    score history's snapshot of ``previous_day``, or (no history then) from the previous digest;
    None for neither. ``outcomes`` are the joint projects won or lost since the previous period."""
    if scored.empty:
        return Reply(
            "Partner ranking: no active partners yet.",
            [section("No active partners yet, so there is no ranking. Add some with `/partner add`.")],
        )
    changes = {}
    for partner_id, rank in zip(scored["partner_id"], scored["rank"], strict=True):
        before = previous.get(int(partner_id)) if previous is not None else None
        changes[int(partner_id)] = None if before is None else before[0] - int(rank)
    top = scored.head(top_n)
    lines = [_line(i + 1, row, changes[int(row["partner_id"])]) for i, (_, row) in enumerate(top.iterrows())]
    blocks: list[SlackBlock] = [
        header(f"Top {len(top)} partners · {now:%d %b %Y}"),
        *sections(lines),
    ]
    movers = sorted(((c, pid) for pid, c in changes.items() if c), key=lambda x: -abs(x[0]))[:MOVERS]
    if movers:
        names = scored.set_index("partner_id")["name"]
        ranks = scored.set_index("partner_id")["rank"]
        text = " · ".join(
            f"*{literal(shorten(str(names[pid]), 60))}* {rank_change_mark(c)} (now #{int(ranks[pid])})"
            for c, pid in movers
        )
        blocks.append(section(f"*Biggest movers:* {text}"))
    if not attention.empty:
        items = [
            f"• *{literal(shorten(str(row['name']), 60))}* — {escape(str(row['reason']))}"
            + (f" · {mention(row['owner'])}" if isinstance(row.get("owner"), str) else "")
            for _, row in attention.head(ATTENTION_SHOWN).iterrows()
        ]
        more = len(attention) - ATTENTION_SHOWN
        blocks.append(
            section("*Needs attention*\n" + "\n".join(items) + (f"\n…and {more} more" if more > 0 else ""))
        )
    if outcomes:
        blocks.append(outcomes_section(outcomes))
    blocks.append(divider())
    if previous_day is not None:
        since = f"▲▼ since {previous_day:%d %b %Y} (score history)"
    elif previous is not None:
        since = "▲▼ since the previous digest"
    else:
        since = "first digest: every partner is new"
    footer = f"Scores 0-100 over the last {window_days} days · {since}"
    if subscription_id is not None:
        footer += stop_hint(subscription_id)
    blocks.append(context_block(footer))
    names = ", ".join(f"{i + 1}. {literal(shorten(str(n), 40))}" for i, n in enumerate(top["name"].head(5)))
    return Reply(f"Partner ranking: {names}", blocks, in_channel=True)


def stop_hint(subscription_id: int) -> str:
    return f" · stop with `/partner digest remove {subscription_id}`"


def for_subscription(message: dict[str, Any], subscription_id: int) -> dict[str, Any]:
    """A digest rendered once for every subscription due at the same moment (``digest_message``
    without a subscription), with this subscription's own way to stop it in the small print."""
    if not message.get("blocks") or message["blocks"][-1].get("type") != "context":
        return message  # no ranking yet (no partners): nothing to stop the digest from in it
    *blocks, footer = message["blocks"]
    [element] = footer["elements"]
    signed = {**footer, "elements": [{**element, "text": element["text"] + stop_hint(subscription_id)}]}
    return {**message, "blocks": [*blocks, signed]}


def outcomes_section(outcomes: Sequence[Project]) -> SlackBlock:
    """Won / lost this period: the joint projects closed since the previous digest."""
    won = [p for p in outcomes if p.status is ProjectStatus.WON]
    lost = [p for p in outcomes if p.status is ProjectStatus.LOST]
    items = [
        f"• {'won' if p.status is ProjectStatus.WON else 'lost'}: *{literal(shorten(p.name, 60))}* with "
        f"*{literal(shorten(p.partner.name, 60))}*" + (f" · {money(p.value)}" if p.value is not None else "")
        for p in list(outcomes)[:OUTCOMES_SHOWN]
    ]
    more = len(outcomes) - OUTCOMES_SHOWN
    title = f"*Won / lost this period:* {len(won)} won, {len(lost)} lost"
    return section(title + "\n" + "\n".join(items) + (f"\n…and {more} more" if more > 0 else ""))


def subscription_line(subscription: DigestSubscription, next_run: datetime, last: LastRun | None) -> str:
    cadence = Cadence(
        subscription.every, subscription.hour, subscription.minute, subscription.weekday, subscription.day
    )
    text = (
        f"*#{subscription.id}* <#{subscription.channel_id}> · {cadence.describe()} "
        f"({escape(subscription.timezone)}) · top {subscription.top_n}"
        + ("" if subscription.chart else " · no chart")
    )
    if not subscription.enabled:
        return text + f" · *off*: {escape(subscription.disabled_reason or 'disabled')}"
    text += f"\n    next {slack_date(next_run, fmt='{date_short_pretty} {time}')}"
    if last is not None:
        outcome = escape(last.outcome or last.status)
        text += f" · last {slack_date(last.scheduled_for, fmt='{date_short_pretty} {time}')}: {outcome}"
    return text


def subscriptions_reply(lines: list[str]) -> Reply:
    """``/partner digest list``: one :func:`subscription_line` per subscription (``lines``, not empty)."""
    shown = lines[:LIST_LIMIT]
    more = f" · …and {len(lines) - len(shown)} more" if len(lines) > len(shown) else ""
    blocks = [
        header("Ranking digests"),
        *sections(shown),
        context_block(f"Times are in each subscription's time zone, shown in yours.{more}"),
    ]
    return Reply(f"{len(lines)} digest subscriptions", blocks)
