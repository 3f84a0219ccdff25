"""Block Kit for ``/partner show``: the profile, how often we talk, the score taken apart, the
feedback, projects, open needs and the latest communications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from slack_sdk.models.blocks import SectionBlock

from handlers.services.projects import PartnerProjects
from handlers.shared.blocks import SlackBlock, context_block, divider, fields_section, header, section
from handlers.shared.follow_up_parts import follow_up_line
from handlers.shared.lines import (
    comment_lines,
    kind_label,
    money,
    need_line,
    points_change,
    profile_line,
    project_line,
    satisfaction_line,
    score_text,
)
from handlers.shared.replies import Reply, slack_date
from handlers.shared.text import escape, escaped_shortened, literal, mention, plural, shorten
from scoring import ComponentExplanation, Explanation
from storage.feedback import Comment, FeedbackSummary
from storage.interactions import ContactSummary
from storage.models import FollowUp, Interaction, InteractionKind, Need, Partner

RECENT_COUNT = 5
NEEDS_SHOWN = 5  # the top of the ranked list; `/partner needs <partner>` has them all
# Each recent note gets this much of a section's 3000 characters (the rest is the heading line).
NOTE_PREVIEW = 600


def _counts(counts: dict[str, int]) -> str:
    if not counts:
        return "none"
    ordered = [k.value for k in InteractionKind if k.value in counts]
    return ", ".join(f"{counts[k]} {k}{'s' if counts[k] != 1 and k != 'qbr' else ''}" for k in ordered)


def recent_block(item: Interaction) -> SectionBlock:
    kind = kind_label(item.kind)
    who = f" · {mention(item.user_id)}" if item.user_id else ""
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


def feedback_blocks(data: FeedbackSection) -> list[SlackBlock]:
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
    score: list[SlackBlock] | None = None,
    projects: list[SlackBlock] | None = None,
    needs: list[SlackBlock] | None = None,
    follow_ups: list[SlackBlock] | None = None,
) -> Reply:
    last = slack_date(summary.last_contact) if summary.last_contact else "never"
    blocks: list[SlackBlock] = [
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
    if projects:
        blocks.extend(projects)
        blocks.append(divider())
    if needs:
        blocks.extend(needs)
        blocks.append(divider())
    if follow_ups:
        blocks.extend(follow_ups)
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


def _component_field(component: ComponentExplanation) -> str:
    name = f"*{component.name.capitalize()}*"
    if not component.present:
        return f"{name} —\nnot counted"
    return (
        f"{name} {component.value:.0f}\n"
        f"× {component.normalised_weight:.0%} = {component.contribution:.1f} pts"
    )


def four_weeks_text(before: float | None, now: float | None) -> str:
    """``4 weeks ago 62 (▲ 8 points)``, from the partner's score history."""
    change = points_change(before, now)
    return f"4 weeks ago {score_text(before)}" + (f" ({change})" if change else "")


def explanation_blocks(
    explanation: Explanation, total: int, *, loyalty: str | None = None, four_weeks: str | None = None
) -> list[SlackBlock]:
    score = score_text(explanation.score)
    blocks: list[SlackBlock] = [
        section(
            f"*Score {score}/100* · rank {explanation.rank} of {total} · last {explanation.window_days} days"
            + (f" · {explanation.category}" if explanation.category else "")
            + (f" · loyalty: *{loyalty}*" if loyalty else "")
            + (f" · {four_weeks}" if four_weeks else "")
        ),
    ]
    blocks.append(fields_section(*(_component_field(c) for c in explanation.components)))
    details = [f"• {c.name}: {escape(c.detail)}" for c in explanation.components if c.detail]
    if explanation.levers:
        lever = explanation.levers[0]
        details.append(
            f"*What would move it most:* {escape(lever.suggestion)} (up to +{lever.points:.0f} pts)"
        )
    if details:
        blocks.append(context_block("\n".join(details)))  # shortened there, should it ever near the limit
    return blocks


def _efficiency(value: float | None, label: str) -> str | None:
    return None if value is None else f"{value:,.2f} {label}"


def projects_blocks(data: PartnerProjects, *, today: date) -> list[SlackBlock]:
    """Open projects (overdue marked), the latest outcomes, the success rate, resources and
    efficiency; one line inviting a first project when there is none."""
    numbers, measures = data.measures.numbers, data.measures
    if numbers.projects == 0 and not any((numbers.people_hours, numbers.funds, numbers.technology)):
        return [
            section("*Projects:* none yet — `/partner project add &lt;partner&gt; &lt;name&gt;` records one.")
        ]
    summary = [f"*Projects* · {numbers.open} open"]
    if numbers.won + numbers.lost:
        summary.append(f"{numbers.won} of {numbers.won + numbers.lost} won ({measures.success_rate:.0f}%)")
    if numbers.won_value:
        summary.append(f"won value {money(numbers.won_value)}")
    committed = [
        text
        for amount, text in (
            (numbers.people_hours, f"{numbers.people_hours.normalize():,f} people-hours"),
            (numbers.funds, f"{money(numbers.funds)} funds"),
            (numbers.technology, f"{numbers.technology.normalize():,f} technology"),
        )
        if amount
    ]
    lines = [" · ".join(summary)]
    if committed:
        lines.append("*Committed:* " + ", ".join(committed))
    efficiency = [
        text
        for text in (
            _efficiency(measures.value_per_fund, "won per unit of funds"),
            _efficiency(measures.wins_per_100_hours, "won per 100 people-hours"),
        )
        if text
    ]
    if efficiency:
        lines.append("*Efficiency:* " + " · ".join(efficiency))
    blocks: list[SlackBlock] = [section("\n".join(lines))]
    shown = [f"• {project_line(p, today=today, with_partner=False)}" for p in data.open]
    if data.open_total > len(data.open):
        shown.append(f"…and {data.open_total - len(data.open)} more open: `/partner project list`")
    outcomes = [f"• {project_line(p, today=today, with_partner=False)}" for p in data.outcomes]
    if shown:
        blocks.append(section("*Open*\n" + "\n".join(shown)))
    if outcomes:
        blocks.append(section("*Latest outcomes*\n" + "\n".join(outcomes)))
    return blocks


FOLLOW_UPS_SHOWN = 5


def follow_up_blocks(found: list[FollowUp], total: int, *, today: date) -> list[SlackBlock]:
    """The partner's open follow-ups, earliest (overdue) first, with their owners."""
    if not found:
        return []
    overdue = sum(1 for f in found if f.due_on < today)
    head = f"*Follow-ups* · {total} open" + (f" · {overdue} overdue" if overdue else "")
    lines = [follow_up_line(f, today=today, with_partner=False, with_owner=True) for f in found]
    more = (
        [context_block(f"…and {total - len(found)} more: `/partner followups all`")]
        if total > len(found)
        else []
    )
    return [section(head + "\n" + "\n".join(lines)), *more]


def needs_blocks(partner: Partner, needs: list[Need], total: int, *, today: date) -> list[SlackBlock]:
    """The partner's open needs, ranked as ``/partner needs`` ranks them; one line when there is none."""
    name = escape(shorten(partner.name, 100))
    if not needs:
        return [section(f"*Open needs:* none — `/partner need {name} pricing …` records one.")]
    lines = [f"• {need_line(n, today=today, with_partner=False, owner=False)}" for n in needs]
    if total > len(needs):
        lines.append(f"…and {total - len(needs)} more: `/partner needs {name}`")
    return [section(f"*Open needs* ({total})\n" + "\n".join(lines))]
