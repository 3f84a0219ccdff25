"""``/partner show <partner>``: the profile, recent communications and how often we talk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from handlers.command import CommandRequest, subcommand
from handlers.feedback_views import comment_lines, satisfaction_line
from handlers.log_views import KIND_LABELS
from handlers.partner_names import resolve_partner
from handlers.partner_views import profile_line
from handlers.ranking_views import explanation_blocks
from handlers.rankings import ranking_cache
from handlers.replies import Reply, context_block, divider, header, section, slack_date
from handlers.satisfaction import SATISFACTION_WINDOW_DAYS, partner_satisfaction
from handlers.services import Services
from handlers.text import escape, escaped_shortened, literal, plural, shorten
from scoring import explain
from storage import feedback as feedback_store
from storage import interactions as interaction_store
from storage.feedback import Comment, FeedbackSummary
from storage.interactions import ContactSummary
from storage.models import Interaction, InteractionKind, Partner, PartnerStatus

RECENT_COUNT = 5
# Each recent note gets this much of a section's 3000 characters (the rest is the heading line).
NOTE_PREVIEW = 600


def _counts(counts: dict[str, int]) -> str:
    if not counts:
        return "none"
    ordered = [k.value for k in InteractionKind if k.value in counts]
    return ", ".join(f"{counts[k]} {k}{'s' if counts[k] != 1 and k != 'qbr' else ''}" for k in ordered)


def recent_block(item: Interaction) -> dict[str, Any]:
    kind = KIND_LABELS[InteractionKind(item.kind)].split(" (")[0]
    who = f" · <@{item.user_id}>" if item.user_id else ""
    heading = f"*{kind}* · {slack_date(item.occurred_at)}{who}"
    if item.follow_up_on:
        heading += f" · follow up {item.follow_up_on.isoformat()}"
    if item.permalink:
        heading += f" · <{item.permalink}|message>"
    notes = escaped_shortened(item.notes, NOTE_PREVIEW) if item.notes else "_no notes_"
    return section(f"{heading}\n{notes}")


@dataclass(frozen=True)
class FeedbackSection:
    """Feedback over the satisfaction window and the one before it, for the trend."""

    current: FeedbackSummary
    previous: FeedbackSummary
    satisfaction: float | None
    category: str | None
    comments: list[Comment]
    window_days: int


def _trend(section_data: FeedbackSection) -> str:
    now, before = section_data.current.score_average, section_data.previous.score_average
    if now is None or before is None:
        return ""
    change = now - before
    arrow = "▲" if change > 0.5 else "▼" if change < -0.5 else "▶"
    return f" · {arrow} {change:+.0f} vs the previous {section_data.window_days} days"


def feedback_blocks(data: FeedbackSection) -> list[dict[str, Any]]:
    if data.current.count == 0 and not data.comments:
        return [
            section(f"*Feedback:* none in the last {data.window_days} days — ask with `/partner survey`.")
        ]
    average = f"{data.current.csat_average:.1f}/5" if data.current.csat_average is not None else "—"
    blocks = [
        section(
            f"*Feedback* (last {data.window_days} days): "
            f"{satisfaction_line(data.satisfaction, data.category)}"
            f" · average {average} from {plural(data.current.count, 'answer')}"
            f"{_trend(data)}"
        )
    ]
    if data.comments:
        blocks.append(section(comment_lines(data.comments, each=300)))
    return blocks


def partner_profile(
    partner: Partner,
    summary: ContactSummary,
    recent: list[Interaction],
    feedback: FeedbackSection | None = None,
    score: list[dict[str, Any]] | None = None,
) -> Reply:
    last = slack_date(summary.last_contact) if summary.last_contact else "never"
    blocks: list[dict[str, Any]] = [
        header(partner.name),
        context_block(profile_line(partner)),
        section(
            f"*Last contact:* {last}\n"
            f"*Last 30 days:* {_counts(summary.last_30_days)}\n"
            f"*Last 90 days:* {_counts(summary.last_90_days)}"
        ),
        divider(),
    ]
    if score:
        blocks.extend(score)
        blocks.append(divider())
    if feedback is not None:
        blocks.extend(feedback_blocks(feedback))
        blocks.append(divider())
    if recent:
        blocks.append(section(f"*Recent communications* (latest {len(recent)})"))
        blocks.extend(recent_block(item) for item in recent)
    else:
        blocks.append(
            section(
                f"Nothing logged yet. Start with `/partner log {escape(shorten(partner.name, 100))} call …`."
            )
        )
    return Reply(f"{literal(shorten(partner.name, 100))}: last contact {last}", blocks)


def profile_reply(svc: Services, team_id: str, text: str) -> Reply:
    """Everything /partner show says about the partner named in ``text``."""
    now: datetime = svc.now()
    with svc.db.read() as session:
        partner = resolve_partner(session, team_id, text, whole=True).partner
        summary = interaction_store.contact_summary(session, team_id, partner.id, now=now)
        recent = interaction_store.recent_interactions(session, team_id, partner.id, limit=RECENT_COUNT)
        feedback = load_feedback(session, team_id, partner.id, now)
    score = score_blocks(svc, team_id, partner) if partner.status == PartnerStatus.ACTIVE.value else []
    return partner_profile(partner, summary, recent, feedback, score)


@subcommand("show", "info", "profile")
def show(request: CommandRequest, rest: str) -> Reply:
    # The first ranking of a large workspace can take longer than Slack's 3 seconds.
    return request.within_budget(lambda: profile_reply(request.services, request.team_id, rest))


def load_feedback(session: Session, team_id: str, partner_id: int, now: datetime) -> FeedbackSection:
    window = timedelta(days=SATISFACTION_WINDOW_DAYS)
    current = feedback_store.partner_summary(session, team_id, partner_id, since=now - window)
    previous = feedback_store.partner_summary(
        session, team_id, partner_id, since=now - 2 * window, until=now - window
    )
    satisfaction, category = partner_satisfaction(session, team_id, current, since=now - window)
    comments = feedback_store.latest_comments(session, team_id, partner_id, limit=3)
    return FeedbackSection(current, previous, satisfaction, category, comments, SATISFACTION_WINDOW_DAYS)


def score_blocks(svc: Services, team_id: str, partner: Partner) -> list[dict[str, Any]]:
    """The partner's score taken apart (from a ranking at most a minute or so old)."""
    ranking = ranking_cache(svc).get(svc, team_id)
    try:
        explanation = explain(ranking.scored, partner.id, ranking.settings)
    except KeyError:  # added since the ranking was computed
        return [context_block("The score appears within a minute of adding a partner.")]
    return explanation_blocks(explanation, ranking.partner_count)
