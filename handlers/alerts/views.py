"""Block Kit for drop alerts: the direct message an owner gets (what fell, from what to what, the
components that moved and why, with "Log communication" and "Send survey"), and what
``/partner alerts`` says about the workspace's settings."""

from __future__ import annotations

from datetime import date

from handlers.services.alerts import Alert
from handlers.shared.blocks import SlackBlock, actions, button, context_block, section
from handlers.shared.ids import AlertIds
from handlers.shared.lines import from_to, score_text
from handlers.shared.replies import Reply, slack_date
from handlers.shared.text import escape, escaped_shortened, literal, mention, shorten
from storage.alerts import DROP_RANGE, Settings


def alert_message(alert: Alert, *, today: date) -> Reply:
    name = literal(shorten(alert.partner_name, 100))
    days = (today - alert.since).days
    lines = []
    if alert.dropped is not None and alert.dropped >= alert.threshold - 1e-9:
        lines.append(
            f"⚠️ *{name}*'s score fell *{alert.dropped:.0f} points* in {days} days: "
            f"{score_text(alert.score_before)} → {score_text(alert.score_after)}."
        )
    if alert.category_fell:
        lines.append(
            f"{'⚠️ ' if not lines else ''}*{name}*'s satisfaction fell from *{escape(alert.category_before)}* "
            f"to *{escape(alert.category_after)}*"
            + (f" (score {from_to(alert.score_before, alert.score_after)})." if len(lines) == 0 else ".")
        )
    moved = [
        f"• *{m.component}* {from_to(m.before, m.after)}" + (f": {escape(m.detail)}" if m.detail else "")
        for m in alert.moves
    ]
    blocks: list[SlackBlock] = [section("\n".join(lines))]
    if moved:
        blocks.append(section("*What moved*\n" + "\n".join(moved)))
    blocks.append(
        context_block(
            f"You get this because you own {name}. Compared with {alert.since.isoformat()} (00:00 UTC); "
            f"alerts go once per partner per week for a drop of {alert.threshold}+ points over 7 days "
            "or a lower satisfaction category · `/partner alerts`"
        )
    )
    value = str(alert.partner_id)
    blocks.append(
        actions(
            button("Log communication", AlertIds.LOG_BUTTON.value, value, style="primary"),
            button("Send survey", AlertIds.SURVEY_BUTTON.value, value),
        )
    )
    name_text = escaped_shortened(alert.partner_name, 100, mrkdwn=False)  # the notification's text
    if alert.dropped is not None and alert.dropped >= alert.threshold:
        headline = (
            f"{name_text}'s score fell {alert.dropped:.0f} points: "
            f"{score_text(alert.score_before)} → {score_text(alert.score_after)}"
        )
    elif alert.category_before and alert.category_after:
        # Raised by the category alone: the score may even have risen.
        headline = f"{name_text}'s satisfaction fell from {alert.category_before} to {alert.category_after}"
    else:
        headline = f"{name_text}'s score fell"
    return Reply(headline, blocks)


def settings_reply(settings: Settings, *, saved: bool = False) -> Reply:
    """What ``/partner alerts`` says: on or off, the threshold, who changed it last."""
    if settings.enabled:
        text = (
            f"Drop alerts are on: a partner's owner gets a direct message when its score falls "
            f"{settings.drop_points} points or more over 7 days, or its satisfaction category falls "
            "(once per partner per week; partners without an owner alert nobody)."
        )
    else:
        text = (
            "Drop alerts are off: nobody is told when a score falls "
            f"(threshold {settings.drop_points} points)."
        )
    if saved:
        text = "Saved. " + text
    low, high = DROP_RANGE
    small = f"Admins change them: `/partner alerts drop:&lt;{low}-{high}&gt; on|off`"
    if settings.updated_by:
        small = f"Last changed by {mention(settings.updated_by)} {slack_date(settings.updated_at)} · " + small
    return Reply(text, [section(text), context_block(small)])
