"""Questions in plain words: when someone mentions the bot in a channel or writes to it directly.

"top 5 partners by satisfaction this quarter", "who needs attention?", "show Acme": each feature
declares the questions it answers (handlers.shared.questions); this module only listens, asks
them in order, and replies in a thread. Anything else gets a short list of what is understood.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, Say

from handlers.shared.blocks import section
from handlers.shared.deps import Deps, deps_of, workspace
from handlers.shared.errors import UserError
from handlers.shared.events import SeenEvents
from handlers.shared.questions import questions
from handlers.shared.replies import Reply
from scoring import ATTENTION_SATISFACTION_BELOW, ATTENTION_STALE_DAYS
from storage.slack_ids import USER_MENTION

log = logging.getLogger(__name__)
HELP = (
    "I answer questions like:\n"
    "• *top 5 partners by satisfaction this quarter* (by score, satisfaction, engagement, recency "
    "or revenue; this month, quarter or year, or last 30d)\n"
    f"• *who needs attention?* — no contact for {ATTENTION_STALE_DAYS} days, or satisfaction below "
    f"{ATTENTION_SATISFACTION_BELOW}\n"
    "• *show Acme* — a partner's profile, score and recent communications\n"
    "• *what does Acme need?* · *what do our partners need most?* — partner needs, ranked\n"
    "• *what drives satisfaction?* — what goes with partner satisfaction, with 95% intervals\n"
    "Everything else: `/partner help`."
)


def answer(deps: Deps, team_id: str, text: str) -> Reply:
    """The reply to a question in plain words: the first declared question (handlers.shared.questions)
    that recognises it, or what is understood."""
    asked = " ".join(USER_MENTION.sub(" ", text).split())
    if not asked or asked.casefold() in {"help", "?", "hi", "hello"}:
        return Reply(HELP, [section(HELP)])
    for known in questions():
        match = known.matches(asked)
        if match:
            return known.answer(deps, team_id, asked, match)
    return Reply(HELP, [section(f"I'm not sure what you mean. {HELP}")])


_seen = SeenEvents()


def _reply_to(event: dict[str, Any], body: dict[str, Any], context: BoltContext, say: Say) -> None:
    if not _seen.first_time(body.get("event_id")):
        return
    try:
        reply = answer(deps_of(context), workspace(context), str(event.get("text") or ""))
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
