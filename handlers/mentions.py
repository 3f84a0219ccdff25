"""Questions in plain words: when someone mentions the bot in a channel or writes to it directly.

"top 5 partners by satisfaction this quarter", "who needs attention?", "show Acme", "stale".
Anything else gets a short list of what is understood.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from typing import Any

from slack_bolt import App, BoltContext, Say

from handlers.errors import UnknownPartner, UserError
from handlers.queries import parse_top
from handlers.ranking_views import attention_reply
from handlers.rankings import ranking_cache
from handlers.replies import Reply, section
from handlers.services import Services, services
from handlers.show import profile_reply
from handlers.top import DEFAULT_STALE_DAYS, top_answer
from scoring import needs_attention

log = logging.getLogger(__name__)
_BOT_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_SHOW = re.compile(
    r"^(?:show|tell me about|how is|how's|what about|profile(?: of)?)\s+(?P<name>.+?)[?.!]*$", re.I
)
UNSATISFIED_BELOW = 60
HELP = (
    "I answer questions like:\n"
    "• *top 5 partners by satisfaction this quarter* (by score, satisfaction, engagement, recency "
    "or revenue; this month, quarter or year, or last 30d)\n"
    "• *who needs attention?* — no contact for 30 days, or satisfaction below 60\n"
    "• *show Acme* — a partner's profile, score and recent communications\n"
    "Everything else: `/partner help`."
)


class SeenEvents:
    """Event IDs already answered, so a retried delivery is not answered twice."""

    def __init__(self, size: int = 5000) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen[event_id] = None
            if len(self._seen) > self._size:
                self._seen.popitem(last=False)
            return True


def answer(svc: Services, team_id: str, text: str) -> Reply:
    """The reply to a question in plain words."""
    question = " ".join(_BOT_MENTION.sub(" ", text).split())
    lowered = question.casefold()
    if not lowered or lowered in {"help", "?", "hi", "hello"}:
        return Reply(HELP, [section(HELP)])
    shown = _SHOW.match(question)
    if shown:
        try:
            return profile_reply(svc, team_id, shown.group("name"))
        except UnknownPartner as unknown:
            return Reply(unknown.message)
    if any(word in lowered for word in ("attention", "at risk", "neglected", "unhappy", "worried")):
        ranking = ranking_cache(svc).get(svc, team_id, fresh=True)
        rows = needs_attention(
            ranking.scored, svc.now(), stale_days=DEFAULT_STALE_DAYS, floor=UNSATISFIED_BELOW
        )
        return attention_reply(rows, stale_days=DEFAULT_STALE_DAYS, floor=UNSATISFIED_BELOW)
    if any(word in lowered for word in ("top", "best", "rank", "leading", "doing well")):
        return top_answer(svc, team_id, parse_top(lowered, strict=False))
    return Reply(HELP, [section(f"I'm not sure what you mean. {HELP}")])


_seen = SeenEvents()


def _reply_to(event: dict[str, Any], body: dict[str, Any], context: BoltContext, say: Say) -> None:
    if not _seen.first_time(body.get("event_id")):
        return
    svc = services(context)
    team_id = context.team_id or body.get("team_id") or ""
    try:
        reply = answer(svc, team_id, event.get("text", ""))
    except UserError as error:
        reply = Reply(error.message)
    # In a channel, answer in a thread so the channel stays readable; in a DM, answer inline.
    thread = event.get("thread_ts") or (event.get("ts") if event.get("channel_type") != "im" else None)
    say(thread_ts=thread, **reply.as_message())


def on_mention(event: dict[str, Any], body: dict[str, Any], context: BoltContext, say: Say) -> None:
    _reply_to(event, body, context, say)


def on_direct_message(event: dict[str, Any], body: dict[str, Any], context: BoltContext, say: Say) -> None:
    if event.get("subtype") or event.get("bot_id"):
        return  # edits, joins and other bots' messages are not questions
    if event.get("channel_type") != "im":
        return
    _reply_to(event, body, context, say)


def register(app: App) -> None:
    app.event("app_mention")(on_mention)
    app.event("message")(on_direct_message)
