"""Questions in plain words: when someone mentions the bot in a channel or writes to it directly.

"top 5 partners by satisfaction this quarter", "who needs attention?", "show Acme": each feature
declares the questions it answers (handlers.shared.questions); this module only listens, asks
them in order, and replies in a thread. Anything else gets a short list of what is understood.
In a channel shared with another organisation the answer is the asker's only (chat.postEphemeral),
saying why: it shows scores, ranks and notes.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, Say
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.shared.blocks import section
from handlers.shared.deps import Deps, deps_of, workspace
from handlers.shared.errors import UserError
from handlers.shared.events import SeenEvents
from handlers.shared.questions import questions
from handlers.shared.replies import Reply
from handlers.shared.shared_channels import privately, said_by_request
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


def _reply_to(
    event: dict[str, Any], body: dict[str, Any], context: BoltContext, say: Say, client: WebClient
) -> None:
    if not _seen.first_time(body.get("event_id")):
        return
    deps, team_id = deps_of(context), workspace(context)
    try:
        reply = answer(deps, team_id, str(event.get("text") or ""))
    except UserError as error:
        reply = Reply(error.message)
    channel_id = event.get("channel")
    shared = event.get("channel_type") != "im" and deps.shared_channels.is_shared(
        client, team_id, channel_id, said=said_by_request(body)
    )
    if shared:
        _answer_privately(client, event, privately(reply))
        return
    # In a channel, answer in a thread so the channel stays readable; in a DM, answer inline.
    thread = event.get("thread_ts") or (event.get("ts") if event.get("channel_type") != "im" else None)
    say(thread_ts=thread, **reply.as_message())


def _answer_privately(client: WebClient, event: dict[str, Any], reply: Reply) -> None:
    """The answer for the asker only, where they asked (in the thread if they asked in one). If
    Slack refuses it, nothing is posted for everyone instead."""
    thread = {"thread_ts": event["thread_ts"]} if event.get("thread_ts") else {}
    try:
        client.chat_postEphemeral(
            channel=event.get("channel"), user=event.get("user"), **thread, **reply.as_message()
        )
    except SlackApiError as exc:
        log.warning("could not answer %s privately: %s", event.get("user"), exc.response.get("error"))


def on_mention(
    event: dict[str, Any], body: dict[str, Any], context: BoltContext, say: Say, client: WebClient
) -> None:
    _reply_to(event, body, context, say, client)


def on_direct_message(
    event: dict[str, Any], body: dict[str, Any], context: BoltContext, say: Say, client: WebClient
) -> None:
    if event.get("subtype") or event.get("bot_id"):
        return  # edits, joins and other bots' messages are not questions
    if event.get("channel_type") != "im":
        return
    _reply_to(event, body, context, say, client)


def register(app: App) -> None:
    app.event("app_mention")(on_mention)
    app.event("message")(on_direct_message)
