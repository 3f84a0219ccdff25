"""Block Kit for partner needs: the new-need form, a need's confirmation with its Met and Declined
buttons, the ranked list with the workspace's summary, and the messages about closed needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import Option

from handlers.services.needs import NeedsSummary
from handlers.shared import metadata
from handlers.shared.blocks import (
    SlackBlock,
    actions,
    button,
    choice_input,
    context_block,
    divider,
    form_field,
    header,
    modal,
    option,
    section,
    sections,
    text_input,
)
from handlers.shared.ids import NeedIds as Ids
from handlers.shared.limits import PLAIN_TEXT_INPUT_LIMIT
from handlers.shared.lines import need_line
from handlers.shared.partner_picker import partner_input
from handlers.shared.replies import Reply
from handlers.shared.text import escape, escaped_shortened, mention, plural
from storage.models import Need, NeedDifficulty, NeedPriority, NeedType

LIST_LIMIT = 30  # three sections of ten lines: far below Slack's 50 blocks with the summary
TIERS_SHOWN = 10
TYPE_HINTS = {
    NeedType.PRICING: "prices, discounts, margins",
    NeedType.TECHNICAL: "bugs, APIs, product features",
    NeedType.INTEGRATION: "connectors, plugins, SSO",
    NeedType.MARKETING: "co-marketing, leads, campaigns",
    NeedType.FUNDING: "budget, MDF, grants",
    NeedType.TRAINING: "enablement, certification",
    NeedType.SUPPORT: "help, tickets, escalations",
    NeedType.OTHER: "anything else",
}


@dataclass(frozen=True)
class NeedMetadata:
    response_url: str | None = None  # where to confirm (the command's)


# --- the form ----------------------------------------------------------------------------------


def _choice(value: str) -> Option:
    return option(value.capitalize(), value)


def new_need_modal(meta: NeedMetadata) -> dict[str, Any]:
    types = [option(kind.value.capitalize(), kind.value, description=TYPE_HINTS[kind]) for kind in NeedType]
    priorities = [_choice(p.value) for p in NeedPriority]
    difficulties = [_choice(d.value) for d in NeedDifficulty]
    description = text_input(
        Ids.DESCRIPTION_INPUT.value,
        max_length=PLAIN_TEXT_INPUT_LIMIT,
        multiline=True,
        placeholder="e.g. A volume discount for 500 seats before their Q3 rollout",
    )
    blocks: list[SlackBlock] = [
        partner_input(None),
        form_field(Ids.TYPE_BLOCK.value, "Type", choice_input(Ids.TYPE_INPUT.value, types)),
        form_field(
            Ids.PRIORITY_BLOCK.value,
            "Priority",
            choice_input(Ids.PRIORITY_INPUT.value, priorities, initial=_choice(NeedPriority.MEDIUM.value)),
        ),
        form_field(
            Ids.DIFFICULTY_BLOCK.value,
            "Difficulty",
            choice_input(
                Ids.DIFFICULTY_INPUT.value, difficulties, initial=_choice(NeedDifficulty.MEDIUM.value)
            ),
            hint="How hard it is for us to give",
        ),
        form_field(Ids.DESCRIPTION_BLOCK.value, "What do they need?", description),
    ]
    return modal(
        "New partner need",
        blocks,
        callback_id=Ids.NEW_MODAL.value,
        submit="Record",
        close="Cancel",
        private_metadata=metadata.dump(meta),
    )


# --- messages ----------------------------------------------------------------------------------


def need_buttons(need: Need) -> SlackBlock:
    value = str(need.id)
    return actions(
        button("Met", Ids.MET_BUTTON.value, value, style="primary"),
        button("Declined", Ids.DECLINED_BUTTON.value, value, style="danger"),
    )


def need_reply(need: Need, verb: str, *, today: date) -> Reply:
    """``Recorded Need #3 for Acme`` (or ``Closed Need #3 for Acme as met``), the need on one line,
    and its Met and Declined buttons while it is open."""
    partner = escaped_shortened(need.partner.name, 100)
    headline = f"{verb} Need #{need.id} for *{partner}*"
    if need.status.closed:
        headline += f" as *{need.status.value}*"
    blocks: list[SlackBlock] = [section(f"{headline}\n{need_line(need, today=today, with_partner=False)}")]
    if need.close_notes:
        blocks.append(context_block(f"Notes: {escaped_shortened(need.close_notes, 300)}"))
    if not need.status.closed:
        blocks.append(need_buttons(need))
    return Reply(f"{verb} Need #{need.id} for {partner}", blocks)


def already_closed(need: Need) -> str:
    """What a person is told when they close a need someone closed already: how, when, by whom."""
    by = f" by {mention(need.closed_by)}" if need.closed_by else ""
    when = f" on {need.closed_on.isoformat()}" if need.closed_on else ""
    notes = f" (“{escaped_shortened(need.close_notes, 200)}”)" if need.close_notes else ""
    return f"Need #{need.id} was already closed as *{need.status.value}*{when}{by}{notes}; nothing changed."


def no_such_need(typed: str) -> str:
    return f"There is no need #{escape(typed) or '?'} in this workspace. `/partner needs` lists them."


def needs_reply(
    found: list[Need],
    total: int,
    *,
    whose: str,
    today: date,
    include_closed: bool = False,
    summary: NeedsSummary | None = None,
) -> Reply:
    """The ranked needs of ``whose`` (a partner's name, or the workspace's partners: then each line
    names its partner), and for the workspace its summary."""
    with_partner = summary is not None
    if include_closed:
        title = f"{plural(total, 'need')}, open and closed: {whose}"
    else:
        title = f"{plural(total, 'open need')}: {whose}"
    blocks: list[SlackBlock] = [header(title)]
    if found:
        lines = [f"• {need_line(n, today=today, with_partner=with_partner)}" for n in found[:LIST_LIMIT]]
        blocks += sections(lines)
        if total > len(lines):
            blocks.append(context_block(f"…and {total - len(lines)} more."))
    else:
        blocks.append(
            section(
                "None yet. Record one with `/partner need &lt;partner&gt; &lt;type&gt; &lt;description…&gt;`."
            )
        )
    if summary is not None:
        blocks += [divider(), *summary_blocks(summary)]
    blocks.append(
        context_block(
            "Ranked by priority (high first), difficulty (easy first), then age (oldest first). "
            "Close one with `/partner need done &lt;id&gt;` or `/partner need declined &lt;id&gt;`."
        )
    )
    return Reply(escape(title), blocks)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _days(value: float | None) -> str:
    if value is None:
        return "—"
    shown = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return f"{shown} day" if value == 1 else f"{shown} days"


def summary_blocks(summary: NeedsSummary) -> list[SlackBlock]:
    """Open needs by type, the most common per tier, the share met and the median time to meet one."""
    by_type = " · ".join(f"{kind.value} {count}" for kind, count in summary.open_by_type) or "none"
    tiers = [
        f"{escaped_shortened(top.tier, 40) if top.tier else 'no tier'}: {top.type.value} ({top.count})"
        for top in summary.top_per_tier[:TIERS_SHOWN]
    ]
    if len(summary.top_per_tier) > TIERS_SHOWN:
        tiers.append(f"and {len(summary.top_per_tier) - TIERS_SHOWN} more tiers")
    closed = summary.met + summary.declined
    share = _percent(summary.met_share)
    if closed:
        share += f" ({summary.met} of {closed} closed; {summary.declined} declined)"
    lines = [
        f"*Open needs by type:* {by_type}",
        f"*Most common open need per tier:* {' · '.join(tiers) or '—'}",
        f"*Met in the last {summary.days} days:* {share}",
        f"*Median time to meet a need* (last {summary.days} days): {_days(summary.median_days_to_meet)}",
    ]
    return [section("\n".join(lines))]
