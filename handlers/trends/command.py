"""``/partner trend <partner> [weeks]``: a partner's score and components over the last weeks
(default 12) from score history, now included; the chart goes to the person's direct messages."""

from __future__ import annotations

import logging
from datetime import timedelta

import pandas as pd
from slack_sdk import WebClient

from handlers.services.history import midnight
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UnknownPartner, UserError
from handlers.shared.partner_names import resolve_partner
from handlers.shared.replies import Reply
from handlers.shared.text import escape, shorten
from handlers.trends.chart import trend_chart
from handlers.trends.views import COMPONENTS, building_reply, no_history_reply, trend_reply
from storage.models import Partner, PartnerStatus

log = logging.getLogger(__name__)
DEFAULT_WEEKS = 12
MAX_WEEKS = 104  # history is kept two years


def parse(request: CommandRequest, rest: str) -> tuple[Partner, int]:
    """The partner and the number of weeks; a trailing number is weeks unless it is part of a name."""
    words = rest.split()
    if not words:
        raise UserError("Which partner? e.g. `/partner trend Acme` or `/partner trend Acme 26`.")
    with request.deps.db.read() as session:
        try:
            return resolve_partner(session, request.team_id, rest, whole=True).partner, DEFAULT_WEEKS
        except UnknownPartner:
            if len(words) < 2 or not words[-1].lstrip("+-").isdigit():
                raise
        weeks_text = words[-1]
        name = rest.rstrip()[: -len(weeks_text)]
        partner = resolve_partner(session, request.team_id, name, whole=True).partner
    weeks = int(weeks_text)
    if not 1 <= weeks <= MAX_WEEKS:
        raise UserError(
            f"Weeks must be a whole number from 1 to {MAX_WEEKS} (you gave "
            f"{escape(shorten(weeks_text, 20))}): history is kept two years. "
            f"e.g. `/partner trend {escape(partner.name)} 26`."
        )
    return partner, weeks


@subcommand("trend", "trends")
def trend(request: CommandRequest, rest: str) -> Reply | None:
    partner, weeks = parse(request, rest)
    deps, team_id = request.deps, request.team_id
    if not deps.history.has_history(team_id):
        # The first use builds the workspace's history from its logged data: after the ack.
        request.ack()
        if deps.history.ensure(team_id).what == "busy":
            return building_reply()
    reply, chart = request.within_budget(lambda: _trend(request, partner, weeks))
    request.send(reply)
    if chart is not None and not _send_chart(request.client, request.user_id, partner.name, chart):
        # The summary promised a chart: say it did not come, rather than leave them looking.
        request.send(
            Reply(
                "I could not send the chart to your direct messages this time; the summary has the figures."
            )
        )
    return None


def _trend(request: CommandRequest, partner: Partner, weeks: int) -> tuple[Reply, bytes | None]:
    deps, team_id = request.deps, request.team_id
    now = deps.now()
    today = now.date()
    history = deps.history.partner_history(
        team_id, partner.id, since=today - timedelta(weeks=weeks), until=today
    )
    if history.empty:
        reply = no_history_reply(
            partner.name,
            data_since=deps.history.data_since(team_id, partner.id),
            first_day=deps.history.first_day(team_id, partner.id),
            weeks=weeks,
        )
        return reply, None
    points = history.assign(moment=[midnight(day) for day in history["day"]])
    if partner.status == PartnerStatus.ACTIVE:
        scored = deps.rankings.get(team_id).scored
        row = scored.loc[scored["partner_id"] == partner.id]
        if not row.empty:
            current = {c: row[c].iloc[0] for c in ("score", *COMPONENTS)}
            points = pd.concat([points, pd.DataFrame([{**current, "moment": now}])], ignore_index=True)
    chart = trend_chart(partner.name, points, weeks=weeks)
    return trend_reply(partner.name, points, weeks=weeks, today=today, chart=True), chart


CHART_NOT_SENT = "I could not send the chart to your direct messages this time; the summary has the figures."


def _send_chart(client: WebClient, user_id: str, name: str, png: bytes) -> bool:
    """Upload the chart to the person's direct messages with the app; whether it went."""
    try:
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel,
            file=png,
            filename="partner-trend.png",
            title=f"{shorten(name, 80)}: score trend",
        )
    except Exception:  # the summary is answered already; a missing chart must not undo that
        log.exception("trend chart not sent to %s", user_id)
        return False
    return True
