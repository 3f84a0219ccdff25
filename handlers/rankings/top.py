"""``/partner top`` and the same question asked in plain words ("who are our top 5 partners this
quarter?"), and "who needs attention?"."""

from __future__ import annotations

from typing import Any

from handlers.rankings.questions import TopQuery, parse_top
from handlers.rankings.views import attention_reply, top_reply
from handlers.rankings.weights import unusable_weights_note
from handlers.services.rankings import load_weights
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.deps import Deps
from handlers.shared.questions import question
from handlers.shared.replies import Reply
from handlers.shared.text import escape
from scoring import ATTENTION_SATISFACTION_BELOW, ATTENTION_STALE_DAYS, needs_attention, rank_by

TOP_WORDS = ("top", "best", "rank", "leading", "doing well")
ATTENTION_WORDS = ("attention", "at risk", "neglected", "unhappy", "worried")


def top_answer(deps: Deps, team_id: str, query: TopQuery) -> Reply:
    """The ranking a TopQuery asks for (shared by /partner top and questions to the bot)."""
    # A ranking computed in the last minute, with no change since, is reused.
    ranking = deps.rankings.get(team_id, window_days=query.window_days, fresh=True)
    scored = ranking.scored
    if scored.empty:
        return Reply("There are no active partners yet. Add one with `/partner add Acme tier:gold`.")
    if not ranking.has_data:
        return Reply(
            f"Nothing was logged or rated in the {query.window_label}, so there is no ranking for it yet. "
            "Log communications with `/partner log`, or try a longer window: `/partner top last year`."
        )
    if query.tier:
        scored = scored[scored["tier"].fillna("").str.casefold() == query.tier.casefold()]
        if scored.empty:
            tiers = sorted({t for t in ranking.scored["tier"].dropna().unique()})
            known = ", ".join(f"`{escape(t)}`" for t in tiers[:10]) or "none set yet"
            return Reply(f"No active partner has tier “{escape(query.tier)}”. Tiers in use: {known}.")
    ranked = rank_by(scored, query.by) if query.by != "score" else scored.sort_values("rank")
    return top_reply(ranked.head(query.count), query, total=len(ranking.scored))


@subcommand("top", "rank", "ranking", "best")
def top(request: CommandRequest, rest: str) -> Reply:
    query = parse_top(rest, strict=True)
    request.ack()  # ranking a large workspace can take longer than Slack's 3 seconds
    reply = top_answer(request.deps, request.team_id, query)
    note = unusable_weights_note(load_weights(request.deps.db, request.team_id))
    if note and request.is_admin():  # admins can fix it; everyone else just gets the ranking
        return reply.with_note(note)
    return reply


@question("top", lambda asked: any(word in asked.casefold() for word in TOP_WORDS), order=30)
def answer_top(deps: Deps, team_id: str, asked: str, _match: Any) -> Reply:
    return top_answer(deps, team_id, parse_top(asked.casefold(), strict=False))


@question("attention", lambda asked: any(word in asked.casefold() for word in ATTENTION_WORDS), order=20)
def answer_attention(deps: Deps, team_id: str, asked: str, _match: Any) -> Reply:
    """Partners that need attention: no contact for a while, or unhappy (product.md, "Digests")."""
    ranking = deps.rankings.get(team_id, fresh=True)
    rows = needs_attention(ranking.scored, deps.now())
    return attention_reply(rows, stale_days=ATTENTION_STALE_DAYS, floor=ATTENTION_SATISFACTION_BELOW)
