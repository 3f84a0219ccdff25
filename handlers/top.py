"""``/partner top``, ``/partner stale`` and ``/partner weights``."""

from __future__ import annotations

from datetime import timedelta

from handlers.command import CommandRequest, subcommand
from handlers.errors import UserError
from handlers.log import people
from handlers.parsing import whole_number
from handlers.queries import TopQuery, parse_top
from handlers.ranking_views import stale_reply, top_reply, weights_reply
from handlers.rankings import WorkspaceWeights, changed, load_weights, ranking_cache, weights_from
from handlers.replies import Reply
from handlers.services import Services
from handlers.text import escape, shorten
from scoring import Weights, rank_by
from storage import ranking as ranking_store

DEFAULT_STALE_DAYS = 30
STALE_LIST_LIMIT = 45


def top_answer(svc: Services, team_id: str, query: TopQuery) -> Reply:
    """The ranking a TopQuery asks for (shared by /partner top and questions to the bot)."""
    # A ranking computed in the last minute, with no change since, is reused.
    ranking = ranking_cache(svc).get(svc, team_id, window_days=query.window_days, fresh=True)
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


UNUSABLE_WEIGHTS = (
    "⚠️ This workspace's stored scoring weights can't be used ({reason}), so rankings use the "
    "defaults. An admin can set them again with `/partner weights satisfaction=0.4 engagement=0.35 …`."
)


def unusable_weights_note(weights: WorkspaceWeights) -> str | None:
    return UNUSABLE_WEIGHTS.format(reason=escape(weights.unusable)) if weights.unusable else None


@subcommand("top", "rank", "ranking", "best")
def top(request: CommandRequest, rest: str) -> Reply:
    query = parse_top(rest, strict=True)
    request.ack()  # ranking a large workspace can take longer than Slack's 3 seconds
    reply = top_answer(request.services, request.team_id, query)
    note = unusable_weights_note(load_weights(request.services.db, request.team_id))
    if note and is_admin(request):  # admins can fix it; everyone else just gets the ranking
        return reply.with_note(note)
    return reply


@subcommand("stale", "neglected")
def stale(request: CommandRequest, rest: str) -> Reply:
    text = rest.strip().removesuffix("days").removesuffix("day").removesuffix("d").strip()
    days = whole_number(text) if text else DEFAULT_STALE_DAYS
    if days is None:
        raise UserError(
            "Give the number of days, e.g. `/partner stale 45` "
            f"(I couldn't read “{escape(shorten(text, 30))}”)."
        )
    if not 1 <= days <= 3650:
        raise UserError(f"The number of days must be between 1 and 3650 (you gave {days:,}).")
    before = request.services.now() - timedelta(days=days)
    with request.services.db.read() as session:
        found, total = ranking_store.stale_partners(
            session, request.team_id, before=before, limit=STALE_LIST_LIMIT
        )
    return stale_reply(found, total, days)


def _pairs(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for word in text.replace(",", " ").split():
        name, sep, value = word.partition("=")
        if not sep or not name or not value:
            raise UserError(
                f"I couldn't read “{escape(word[:40])}”: write weights as `name=value`, e.g. "
                "`/partner weights satisfaction=0.5 engagement=0.3 recency=0.1 business=0.1`."
            )
        pairs[name] = value
    return pairs


def is_admin(request: CommandRequest) -> bool:
    """Workspace admins and owners, and anyone listed in PARTNERBOT_ADMINS."""
    if request.user_id in request.services.admins:
        return True
    return people(request.services).lookup(request.client, request.team_id, request.user_id).is_admin


@subcommand("weights", "weight")
def weights(request: CommandRequest, rest: str) -> Reply:
    svc = request.services
    if not rest.strip():
        with svc.db.read() as session:
            current = weights_from(ranking_store.stored_weights(session, request.team_id))
            history = ranking_store.weight_history(session, request.team_id)
        reply = weights_reply(current.weights, history, custom=current.custom)
        note = unusable_weights_note(current)
        return reply.with_note(note) if note else reply
    pairs = _pairs(rest)
    if not is_admin(request):
        raise UserError(
            "Only workspace admins and owners (or people listed in PARTNERBOT_ADMINS) can change the "
            "weights. `/partner weights` shows them to everyone."
        )
    with svc.db.read() as session:
        stored = ranking_store.stored_weights(session, request.team_id)
    old = weights_from(stored).weights
    try:
        new = Weights.from_mapping(pairs, base=old)
        new.normalised()
    except ValueError as error:
        raise UserError(escape(str(error))) from None
    with svc.db.transaction() as session:
        ranking_store.save_weights(
            session,
            request.team_id,
            new.as_dict(),
            old=stored or old.as_dict(),  # as stored, even when unusable: the history tells the truth
            changed_by=request.user_id,
            now=svc.now(),
        )
        history = ranking_store.weight_history(session, request.team_id)
    changed(svc, request.team_id)
    reply = weights_reply(new, history, custom=True)
    return Reply("Saved. " + reply.text, reply.blocks)
