"""One-line renderings several surfaces share: a partner's profile, a change in rank, a
satisfaction, comments, a kind of communication, a project, a need. Each returns escaped mrkdwn."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from handlers.shared.replies import slack_date
from handlers.shared.text import escaped_shortened, literal, mention, shorten
from storage.feedback import Comment
from storage.models import InteractionKind, Need, NeedPriority, Partner, PartnerStatus, Project

KIND_LABELS = {
    InteractionKind.CALL: "Call",
    InteractionKind.EMAIL: "Email",
    InteractionKind.MEETING: "Meeting",
    InteractionKind.QBR: "QBR (quarterly business review)",
    InteractionKind.EVENT: "Event",
    InteractionKind.NOTE: "Note",
    InteractionKind.OTHER: "Other",
}


def kind_label(kind: str) -> str:
    """``Call``, ``QBR`` …: the kind's short label (unknown kinds as stored, capitalised)."""
    try:
        return KIND_LABELS[InteractionKind(kind)].split(" (")[0]
    except ValueError:
        return literal(kind.capitalize())


def score_text(value: Any) -> str:
    """A score or component as a whole number, "—" when there is none."""
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"


def rank_change_mark(change: Any) -> str:
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return "new"
    change = int(change)
    return f"▲{change}" if change > 0 else f"▼{-change}" if change < 0 else "="


def profile_line(partner: Partner) -> str:
    """``tier gold · region EMEA · category reseller · owner @ana · revenue 1,000.00`` (escaped mrkdwn)."""
    parts = [
        f"{label} {literal(shorten(value, 80))}"
        for label, value in (
            ("tier", partner.tier),
            ("region", partner.region),
            ("category", partner.category),
        )
        if value
    ]
    if partner.owner:
        parts.append(f"owner {mention(partner.owner)}")
    for label, amount in (("revenue", partner.revenue), ("cost", partner.cost)):
        if amount is not None:
            parts.append(f"{label} {amount:,.2f}")
    if partner.status != PartnerStatus.ACTIVE:
        parts.append(f"*{partner.status}*")
    return " · ".join(parts) if parts else "no profile details yet"


def satisfaction_line(value: float | None, category: str | None) -> str:
    return f"{value:.0f}/100 — {category}" if value is not None and category else "no feedback yet"


def comment_lines(comments: list[Comment], *, each: int = 400) -> str:
    lines = []
    for c in comments:
        who = "anonymous" if c.respondent is None else mention(c.respondent)
        if c.external:
            who += " (external)"
        lines.append(f"• “{escaped_shortened(c.text, each)}” — {who}, {slack_date(c.submitted_at)}")
    return "\n".join(lines)


def money(amount: Any) -> str:
    """``50,000.00``; "—" when there is no amount."""
    return "—" if amount is None else f"{amount:,.2f}"


def project_line(project: Project, *, today: date, with_partner: bool = True) -> str:
    """``*#12* *Pilot* with *Acme* · active · 40% · due 1 Sep (overdue) · value 50,000.00``."""
    parts = [f"*#{project.id}* *{literal(shorten(project.name, 80))}*"]
    if with_partner:
        parts[0] += f" with *{literal(shorten(project.partner.name, 60))}*"
    parts.append(project.status.value)
    if not project.status.closed:
        parts.append(f"{project.progress}%")
        if project.due_on is not None:
            late = " (*overdue*)" if project.due_on < today else ""
            parts.append(f"due {project.due_on.isoformat()}{late}")
    elif project.closed_on is not None:
        parts.append(f"closed {project.closed_on.isoformat()}")
    if project.value is not None:
        parts.append(f"value {money(project.value)}")
    return " · ".join(parts)


def age(raised_on: date, today: date) -> str:
    """``raised today``, ``1 day old``, ``12 days old``."""
    days = (today - raised_on).days
    if days <= 0:
        return "raised today"
    return f"{days:,} day old" if days == 1 else f"{days:,} days old"


def need_line(need: Need, *, today: date, with_partner: bool = True, owner: bool = True) -> str:
    """``*#3* *Acme* · pricing · priority *high* · difficulty easy · owner @ana · 12 days old — “…”``;
    a closed need says how, when and by whom instead of its age."""
    parts = [f"*#{need.id}*"]
    if with_partner:
        parts[0] += f" *{escaped_shortened(need.partner.name, 60)}*"
    # High priority stands out in a long list; the others read as plain words.
    priority = f"*{need.priority.value}*" if need.priority is NeedPriority.HIGH else need.priority.value
    parts += [need.type.value, f"priority {priority}", f"difficulty {need.difficulty.value}"]
    if owner and need.partner.owner:
        parts.append(f"owner {mention(need.partner.owner)}")
    if need.status.closed:
        by = f" by {mention(need.closed_by)}" if need.closed_by else ""
        when = f" {need.closed_on.isoformat()}" if need.closed_on else ""
        parts.append(f"*{need.status.value}*{when}{by}")
    else:
        parts.append(age(need.raised_on, today))
    return " · ".join(parts) + f" — “{escaped_shortened(' '.join(need.description.split()), 100)}”"


def _points(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def points_change(before: Any, after: Any) -> str:
    """``▲ 8 points``, ``▼ 1 point``, ``no change`` (whole points), or "" when either is missing."""
    first, last = _points(before), _points(after)
    if first is None or last is None:
        return ""
    change = round(last) - round(first)
    if change == 0:
        return "no change"
    unit = "point" if abs(change) == 1 else "points"
    return f"▲ {change} {unit}" if change > 0 else f"▼ {-change} {unit}"


def from_to(before: Any, after: Any) -> str:
    """``62 → 70 (▲ 8 points)``; a missing side is "—"."""
    change = points_change(before, after)
    return f"{score_text(_points(before))} → {score_text(_points(after))}" + (
        f" ({change})" if change else ""
    )
