"""Block Kit for rankings: the top list, stale partners, the weights and who needs attention."""

from __future__ import annotations

import pandas as pd

from handlers.rankings.questions import TopQuery
from handlers.shared.blocks import SlackBlock, context_block, header, section, sections
from handlers.shared.lines import rank_change_mark, score_text
from handlers.shared.replies import Reply, slack_date
from handlers.shared.text import escape, literal, mention, plural, shorten
from scoring import Weights
from storage.ranking import StalePartner, WeightChangeRecord

LIST_LINES_PER_SECTION = 15  # the shorter lines of the stale and needs-attention lists
BY_LABELS = {
    "score": "score",
    "satisfaction": "satisfaction",
    "engagement": "engagement",
    "recency": "recency",
    "revenue": "revenue ÷ cost",
    "delivery": "delivery (projects won)",
    "loyalty": "loyalty",
}
BY_COLUMNS = {
    "satisfaction": "satisfaction",
    "engagement": "engagement",
    "recency": "recency",
    "revenue": "business",
    "delivery": "delivery",
}


def ranking_line(row: pd.Series, position: int, by: str) -> str:
    name = literal(shorten(str(row["name"]), 80))
    parts = [f"*{position}.* *{name}* — {score_text(row['score'])}"]
    if by in BY_COLUMNS:
        parts.append(f"{BY_LABELS[by]} {score_text(row[BY_COLUMNS[by]])}")
    loyalty = row.get("loyalty")
    if by == "loyalty" and isinstance(loyalty, str):
        parts.append(loyalty)
    category = row.get("category")
    if isinstance(category, str):
        parts.append(category)
    contact = row.get("last_contact")
    parts.append(
        f"last contact {slack_date(contact.to_pydatetime())}" if not pd.isna(contact) else "never contacted"
    )
    parts.append(rank_change_mark(row.get("rank_change")))
    return " · ".join(parts)


def top_reply(rows: pd.DataFrame, query: TopQuery, *, total: int) -> Reply:
    title = f"Top {plural(len(rows), 'partner')} by {BY_LABELS[query.by]}"
    if query.tier:
        title += f" · tier {query.tier}"
    lines = [ranking_line(row, i + 1, query.by) for i, (_, row) in enumerate(rows.iterrows())]
    blocks: list[SlackBlock] = [header(title), *sections(lines)]
    blocks.append(
        context_block(
            f"{query.window_label.capitalize()} · scores 0-100 · ▲▼ change in rank versus the "
            f"{query.window_days} days before · {plural(total, 'active partner')} · "
            "why a score is what it is: `/partner show &lt;name&gt;`"
        )
    )
    fallback = f"{escape(title)}: " + ", ".join(literal(shorten(str(n), 60)) for n in rows["name"].head(5))
    return Reply(fallback, blocks)


def stale_reply(found: list[StalePartner], total: int, days: int) -> Reply:
    if not found:
        return Reply(f"Every active partner has been contacted in the last {days} days. 🎉")
    lines = []
    for partner in found:
        when = (
            f"last contact {slack_date(partner.last_contact)}" if partner.last_contact else "never contacted"
        )
        owner = f" · {mention(partner.owner)}" if partner.owner else " · no owner"
        lines.append(f"• *{literal(shorten(partner.name, 80))}* — {when}{owner}")
    blocks: list[SlackBlock] = [
        header(f"No contact for {days}+ days: {total} partner{'s' if total != 1 else ''}"),
        *sections(lines, per=LIST_LINES_PER_SECTION),
    ]
    if total > len(found):
        blocks.append(context_block(f"…and {total - len(found)} more. Oldest first."))
    return Reply(f"{total} partners with no contact for {days}+ days", blocks)


def weights_reply(weights: Weights, history: list[WeightChangeRecord], *, custom: bool) -> Reply:
    normalised = weights.normalised().as_dict()
    lines = [
        f"• *{name}*: {value:g} ({normalised[name]:.0%} of the score)"
        for name, value in weights.as_dict().items()
    ]
    blocks: list[SlackBlock] = [
        header("Scoring weights"),
        section("\n".join(lines)),
        context_block(
            ("This workspace's own weights." if custom else "product defaults (nobody has changed them).")
            + " A partner without closed joint projects has no delivery: it is scored on the others, in"
            " the same proportions. Admins change them with `/partner weights satisfaction=0.5 …`."
        ),
    ]
    if history:
        # A weight missing from an old record (delivery, before it existed) had its default then.
        defaults = Weights().as_dict()
        changes = []
        for h in history:
            old = {**defaults, **h.old}
            new = {**defaults, **h.new}
            moved = ", ".join(f"{k} {old[k]:g}→{new[k]:g}" for k in new if old[k] != new[k])
            changes.append(f"• {slack_date(h.changed_at)} {mention(h.changed_by)}: {moved}")
        blocks.append(section("*Recent changes*\n" + "\n".join(changes)))
    return Reply("Scoring weights: " + ", ".join(f"{k} {v:g}" for k, v in weights.as_dict().items()), blocks)


ATTENTION_LIMIT = 30


def attention_reply(rows: pd.DataFrame, *, stale_days: int, floor: int) -> Reply:
    """Partners that need attention: no contact for a while, or unhappy (product.md, "Digests")."""
    if rows.empty:
        return Reply(
            f"No partner needs attention: all were contacted in the last {stale_days} days "
            f"and none is rated below {floor}."
        )
    lines = []
    for _, row in rows.head(ATTENTION_LIMIT).iterrows():
        owner = f" · {mention(row['owner'])}" if isinstance(row.get("owner"), str) else ""
        lines.append(f"• *{literal(shorten(str(row['name']), 80))}* — {escape(row['reason'])}{owner}")
    blocks: list[SlackBlock] = [
        header(f"Needs attention: {plural(len(rows), 'partner')}"),
        *sections(lines, per=LIST_LINES_PER_SECTION),
    ]
    if len(rows) > ATTENTION_LIMIT:
        blocks.append(context_block(f"…and {len(rows) - ATTENTION_LIMIT} more."))
    blocks.append(context_block(f"No contact for {stale_days}+ days, or satisfaction below {floor}."))
    return Reply(f"{plural(len(rows), 'partner')} need attention", blocks)
