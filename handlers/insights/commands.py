"""``/partner insights [tier:<tier>] [last 90d|year]``: what goes with partner satisfaction."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.insights.views import insights_reply
from handlers.services.insights import satisfaction_insights
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.deps import Deps
from handlers.shared.errors import UserError
from handlers.shared.parsing import extract_options
from handlers.shared.replies import Reply
from handlers.shared.text import escaped_shortened

DEFAULT_DAYS = 90  # as /partner top: a quarter of feedback; `last year` when that is too little
# What may follow `last` (or stand alone), spaces removed: the two periods insights looks at.
PERIODS = {
    "90d": 90,
    "90day": 90,
    "90days": 90,
    "quarter": 90,
    "3months": 90,
    "year": 365,
    "365d": 365,
    "365days": 365,
    "12months": 365,
}
PERIOD_WORDS = "`last 90d` (the default) or `last year`"
_LAST = {"last", "past", "the", "this"}  # as /partner top: "this year" is the last 365 days
_TRAILING = ".,;:!?\"'”’)"


@dataclass(frozen=True)
class InsightsQuery:
    days: int = DEFAULT_DAYS
    tier: str | None = None


def _tier(options: dict[str, str]) -> str | None:
    if "tier" not in options:
        return None
    if not options["tier"]:
        raise UserError(
            'Which tier? e.g. `/partner insights tier:gold` (quote one with spaces: `tier:"Gold Plus"`).'
        )
    return options["tier"]


def parse_insights(text: str, *, strict: bool) -> InsightsQuery:
    """``[tier:<tier>] [last 90d|year]`` in any order. ``strict`` (the slash command): anything else
    is refused with the valid periods; in a question other words are ignored."""
    options = extract_options(text, {"tier"})
    tier = _tier(options.values)
    if tier and not strict:  # "… in tier:gold?"
        tier = tier.rstrip(_TRAILING) or None
    words = [w.strip(_TRAILING) for w in options.remainder.casefold().split()]
    if not strict:
        joined = "".join(words)  # "last 12 months", "this year", "over the past year"
        yearly = any(word in words for word in ("year", "yearly", "annual")) or "12months" in joined
        return InsightsQuery(365 if yearly or "365d" in joined else DEFAULT_DAYS, tier)
    period = "".join(w for w in words if w and w not in _LAST)
    if not period:
        return InsightsQuery(DEFAULT_DAYS, tier)
    days = PERIODS.get(period)
    if days is None:
        shown = escaped_shortened(" ".join(options.remainder.split()), 40)
        raise UserError(
            f"I can't read “{shown}” as a period. Insights look at the last 90 days or the last year: "
            f"{PERIOD_WORDS}, e.g. `/partner insights tier:gold last year`."
        )
    return InsightsQuery(days, tier)


def insights_answer(deps: Deps, team_id: str, query: InsightsQuery) -> Reply:
    """The reply to ``query`` (the command and the question)."""
    found = satisfaction_insights(deps.db, team_id, now=deps.now(), period_days=query.days, tier=query.tier)
    if found.model is None:
        known = ", ".join(f"“{escaped_shortened(t, 40)}”" for t in found.tiers[:10]) or "none set yet"
        more = f" and {len(found.tiers) - 10} more" if len(found.tiers) > 10 else ""
        raise UserError(
            f"No active partner has tier “{escaped_shortened(query.tier, 80)}”. Tiers in use: {known}{more}."
        )
    return insights_reply(found)


@subcommand("insights", "insight", "drivers")
def insights(request: CommandRequest, rest: str) -> Reply:
    query = parse_insights(rest, strict=True)
    # Usually well under a second; should a large workspace take longer, Slack is answered at once
    # and the reply follows through response_url.
    return request.within_budget(lambda: insights_answer(request.deps, request.team_id, query))
