"""Block Kit for the App Home tab (the dashboard).

The dashboard stays within Slack's limits however large the workspace: every list is capped
("…and 4,980 more"), every line is shortened, and lines are packed into sections of at most
3,000 characters, so a Home view never comes near 100 blocks.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd
from slack_sdk.models.blocks import ActionsBlock, SectionBlock

from handlers.services.dashboard import PROJECTS_SHOWN, RECENT_COUNT, Dashboard, RecentLog
from handlers.shared.blocks import (
    SlackBlock,
    actions,
    button,
    context_block,
    divider,
    header,
    home_tab,
    section,
    section_with,
)
from handlers.shared.follow_up_parts import done_button, follow_up_line
from handlers.shared.ids import HomeIds
from handlers.shared.lines import kind_label, project_line
from handlers.shared.replies import slack_date
from handlers.shared.text import TEXT_LIMIT, escape, first_words, literal, mention, shorten

OWN_LIMIT = 15  # the user's own partners listed
TOP_COUNT = 5
ATTENTION_LIMIT = 10
NAME_LIMIT = 80
NOTES_LIMIT = 100
LINE_LIMIT = 600  # no one line may crowd a section


# --- lines -------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _name(row: pd.Series) -> str:
    return literal(shorten(str(row["name"]), NAME_LIMIT))


def _score(row: pd.Series) -> str:
    value = row.get("score")
    return "—" if _missing(value) else f"{value:.0f}"


def _contact(row: pd.Series) -> str:
    contact = row.get("last_contact")
    if _missing(contact) or pd.isna(contact):
        return "never contacted"
    moment = pd.Timestamp(contact).to_pydatetime(warn=False)
    return f"last contact {slack_date(moment)}"


def _owner(row: pd.Series) -> str:
    owner = row.get("owner")
    return mention(owner) if isinstance(owner, str) and owner else "no owner"


def own_line(row: pd.Series, total: int, flagged: set[int]) -> str:
    parts = [f"• *{_name(row)}* — score {_score(row)}", f"rank {int(row['rank']):,} of {total:,}"]
    category = row.get("category")
    if isinstance(category, str) and category:
        parts.append(escape(category))
    parts.append(_contact(row))
    if int(row["partner_id"]) in flagged:
        parts.append("needs attention")
    return " · ".join(parts)


def top_line(row: pd.Series, position: int) -> str:
    return f"*{position}.* *{_name(row)}* — {_score(row)} · {_owner(row)} · {_contact(row)}"


def attention_line(row: pd.Series, user_id: str) -> str:
    owner = row.get("owner")
    whose = "yours" if owner == user_id else _owner(row)
    return f"• *{_name(row)}* — {escape(str(row['reason']))} · {whose}"


def recent_line(item: RecentLog) -> str:
    kind = kind_label(item.kind)
    line = (
        f"• {slack_date(item.occurred_at)} · {kind} with *{literal(shorten(item.partner_name, NAME_LIMIT))}*"
    )
    words = first_words(item.notes, NOTES_LIMIT)
    if words:
        line += f": “{literal(words)}”"
    if item.follow_up_on:
        line += f" · follow up on {item.follow_up_on.isoformat()}"
    return line


def line_sections(lines: list[str], *, limit: int = TEXT_LIMIT) -> list[SectionBlock]:
    """Lines packed into as few sections as fit, each text at most ``limit`` characters."""
    sections: list[SectionBlock] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line if len(line) <= LINE_LIMIT else shorten(line, LINE_LIMIT)
        if current and size + 1 + len(line) > limit:
            sections.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        sections.append(section("\n".join(current)))
    return sections


def _more(shown: int, total: int, hint: str, what: str = "") -> list[SlackBlock]:
    if total <= shown:
        return []
    return [context_block(f"…and {total - shown:,} more{' ' + what if what else ''}. {hint}")]


# --- the Home tab ------------------------------------------------------------------------------


def home_buttons() -> ActionsBlock:
    return actions(
        button("Log communication", HomeIds.LOG_BUTTON.value, "log", style="primary"),
        button("Add partner", HomeIds.ADD_BUTTON.value, "add"),
        button("Give feedback", HomeIds.FEEDBACK_BUTTON.value, "feedback"),
        block_id=HomeIds.ACTIONS_BLOCK.value,
    )


def _own_blocks(d: Dashboard) -> list[SlackBlock]:
    scored = d.scored
    mine = scored[scored["owner"] == d.user_id] if "owner" in scored.columns else scored.iloc[0:0]
    blocks: list[SlackBlock] = [section(f"*Your partners* ({len(mine):,})")]
    if mine.empty:
        blocks.append(
            context_block(
                "You don't own any active partners yet. Partners whose owner is you show up here with "
                "their scores: `/partner add Acme owner:@you`, "
                "or `/partner edit &lt;name&gt;` to take one on."
            )
        )
        return blocks
    flagged = set(d.attention["partner_id"].astype(int)) if not d.attention.empty else set()
    shown = mine.head(OWN_LIMIT)
    lines = [own_line(row, d.partner_count, flagged) for _, row in shown.iterrows()]
    blocks.extend(line_sections(lines))
    blocks.extend(_more(len(shown), len(mine), "`/partner top 50` ranks the whole workspace.", "of yours"))
    return blocks


def _top_blocks(d: Dashboard) -> list[SlackBlock]:
    blocks: list[SlackBlock] = [section(f"*Top {TOP_COUNT} in the workspace*")]
    if d.scored.empty:
        blocks.append(
            context_block("No active partners yet. *Add partner* above, or `/partner add Acme tier:gold`.")
        )
        return blocks
    if not d.has_data:
        blocks.append(
            context_block(
                f"Nothing was logged or rated in the last {d.window_days} days, so there is no ranking yet."
            )
        )
        return blocks
    top = d.scored.sort_values("rank").head(TOP_COUNT)
    blocks.extend(line_sections([top_line(row, i + 1) for i, (_, row) in enumerate(top.iterrows())]))
    return blocks


def _attention_blocks(d: Dashboard) -> list[SlackBlock]:
    rows = d.attention
    blocks: list[SlackBlock] = [section(f"*Needs attention* ({len(rows):,})")]
    if rows.empty:
        blocks.append(
            context_block(
                f"No partner needs attention: every one was contacted in the last {d.stale_days} days "
                f"and none is rated below {d.floor}."
            )
        )
        return blocks
    # The user's own partners first, each group in ranking order.
    own = rows["owner"] == d.user_id if "owner" in rows.columns else pd.Series(False, index=rows.index)
    ordered = pd.concat([rows[own], rows[~own]]).head(ATTENTION_LIMIT)
    blocks.extend(line_sections([attention_line(row, d.user_id) for _, row in ordered.iterrows()]))
    blocks.extend(_more(len(ordered), len(rows), f"`/partner stale {d.stale_days}` lists them all."))
    blocks.append(
        context_block(
            f"No contact for {d.stale_days}+ days, satisfaction below {d.floor}, or a follow-up overdue."
        )
    )
    return blocks


def _recent_blocks(d: Dashboard) -> list[SlackBlock]:
    blocks: list[SlackBlock] = [section(f"*Your latest communications* (last {RECENT_COUNT})")]
    if not d.recent:
        blocks.append(
            context_block(
                "You haven't logged anything yet: *Log communication* above, or "
                "`/partner log Acme call Renewal talk`."
            )
        )
        return blocks
    blocks.extend(line_sections([recent_line(item) for item in d.recent[:RECENT_COUNT]]))
    return blocks


def _projects_blocks(d: Dashboard) -> list[SlackBlock]:
    """The person's open projects (ones they created, or of partners they own), due first."""
    if not d.projects:
        return []
    today = d.today or date.today()
    lines = [f"• {project_line(p, today=today)}" for p in d.projects]
    return [
        section(
            f"*Your open projects* ({len(d.projects)}{'+' if len(d.projects) >= PROJECTS_SHOWN else ''})"
        ),
        *line_sections(lines),
        divider(),
    ]


def _follow_up_blocks(d: Dashboard) -> list[SlackBlock]:
    """The person's open follow-ups, earliest (overdue) first, each with its Done button."""
    if not d.follow_ups:
        return []
    today = d.today or date.today()
    overdue = sum(1 for f in d.follow_ups if f.due_on < today)
    head = f"*Your follow-ups* ({d.follow_up_total:,})" + (f" · {overdue} overdue" if overdue else "")
    return [
        section(head),
        *(section_with(follow_up_line(f, today=today), done_button(f, label="Done")) for f in d.follow_ups),
        *_more(len(d.follow_ups), d.follow_up_total, "`/partner followups` lists them all."),
        divider(),
    ]


def home_view(d: Dashboard) -> dict[str, Any]:
    blocks: list[SlackBlock] = [
        header("Partnerbot"),
        home_buttons(),
        context_block(
            f"Scores 0-100 over the last {d.window_days} days, refreshed within a minute of any change · "
            f"{d.partner_count:,} active partner{'' if d.partner_count == 1 else 's'} · "
            "why a score is what it is: `/partner show &lt;name&gt;`"
        ),
        divider(),
        *_follow_up_blocks(d),
        *_own_blocks(d),
        divider(),
        *_projects_blocks(d),
        *_top_blocks(d),
        divider(),
        *_attention_blocks(d),
        divider(),
        *_recent_blocks(d),
    ]
    return home_tab(blocks, callback_id=HomeIds.VIEW.value)
