"""``/partner weights``: shows the scoring weights to everyone; admins change them."""

from __future__ import annotations

from handlers.rankings.views import weights_reply
from handlers.services.rankings import WorkspaceWeights, weights_from
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.permissions import Act, require
from handlers.shared.replies import Reply
from handlers.shared.text import escape
from scoring import Weights
from storage import ranking as ranking_store

UNUSABLE_WEIGHTS = (
    "⚠️ This workspace's stored scoring weights can't be used ({reason}), so rankings use the "
    "defaults. An admin can set them again with `/partner weights satisfaction=0.4 engagement=0.35 …`."
)


def unusable_weights_note(weights: WorkspaceWeights) -> str | None:
    return UNUSABLE_WEIGHTS.format(reason=escape(weights.unusable)) if weights.unusable else None


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


@subcommand("weights", "weight")
def weights(request: CommandRequest, rest: str) -> Reply:
    deps = request.deps
    if not rest.strip():
        with deps.db.read() as session:
            current = weights_from(ranking_store.stored_weights(session, request.team_id))
            history = ranking_store.weight_history(session, request.team_id)
        reply = weights_reply(current.weights, history, custom=current.custom)
        note = unusable_weights_note(current)
        return reply.with_note(note) if note else reply
    pairs = _pairs(rest)
    require(request, Act.WEIGHTS)
    with deps.db.read() as session:
        stored = ranking_store.stored_weights(session, request.team_id)
    old = weights_from(stored).weights
    try:
        new = Weights.from_mapping(pairs, base=old)
        new.normalised()
    except ValueError as error:
        raise UserError(escape(str(error))) from None
    with deps.db.transaction(actor=request.user_id) as session:
        ranking_store.save_weights(
            session,
            request.team_id,
            new.as_dict(),
            old=stored or old.as_dict(),  # as stored, even when unusable: the history tells the truth
            changed_by=request.user_id,
            now=deps.now(),
        )
        history = ranking_store.weight_history(session, request.team_id)
    deps.changes.data_changed(request.team_id, request.user_id)
    reply = weights_reply(new, history, custom=True)
    return Reply("Saved. " + reply.text, reply.blocks)
