"""One-line renderings several surfaces share: a partner's profile, a change in rank, a
satisfaction, comments, a kind of communication. Each returns escaped mrkdwn."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from handlers.shared.replies import slack_date
from handlers.shared.text import escaped_shortened, literal, shorten
from storage.feedback import Comment
from storage.models import InteractionKind, Partner, PartnerStatus, Project

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
        parts.append(f"owner <@{partner.owner}>")
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
        who = "anonymous" if c.respondent is None else f"<@{c.respondent}>"
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
