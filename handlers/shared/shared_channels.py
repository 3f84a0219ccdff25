"""Whether a channel is shared with another organisation (Slack Connect), where nothing internal
(scores, ranks, notes, needs, follow-ups, digests) may be shown to everyone.

The request's own word wins when Slack gives it (a slash command's ``is_ext_shared_channel``, an
event envelope's, a payload's ``channel.is_ext_shared``); otherwise ``conversations.info`` is asked,
and its answer kept for a minute per (workspace, channel) so a command stays fast. A lookup that
fails or is slow counts as shared: answering one person privately by mistake costs little, showing
another organisation the ranking cannot be undone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.shared.limits import MESSAGE_BLOCKS
from handlers.shared.replies import Reply

log = logging.getLogger(__name__)

SHARED_CHANNEL_NOTE = "This channel is shared with another organisation, so only you can see this."
CACHE_SECONDS = 60.0  # a channel shared a minute ago is noticed within a minute
LOOKUP_SECONDS = 1.5  # within Slack's 3-second acknowledgement, with room for the answer itself
# As many as the scheduler's posting threads: every digest asks afresh just before it posts, and
# fewer lookup threads would queue a minute's digests behind them (threads start only when needed).
LOOKUP_THREADS = 32
_lookups = ThreadPoolExecutor(max_workers=LOOKUP_THREADS, thread_name_prefix="shared-channel")


def flag(value: Any) -> bool | None:
    """A yes/no as Slack sends it (a JSON boolean, or "true"/"false" in a form), None when absent
    or unreadable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().casefold() in ("true", "false", "1", "0"):
        return value.strip().casefold() in ("true", "1")
    return None


def said_by_request(body: Mapping[str, Any] | None) -> bool | None:
    """What the request itself says about its channel, or None when it says nothing: the slash
    command's and event envelope's ``is_ext_shared_channel``, or ``channel.is_ext_shared`` (with
    ``is_pending_ext_shared``) in payloads that carry the channel object."""
    if not body:
        return None
    said = flag(body.get("is_ext_shared_channel"))
    if said is not None:
        return said
    channel = body.get("channel")
    if isinstance(channel, Mapping) and ("is_ext_shared" in channel or "is_pending_ext_shared" in channel):
        return shared_per_slack(channel)
    return None


def shared_per_slack(channel: Mapping[str, Any]) -> bool:
    """The decision from a conversation object (conversations.info).

    ``is_ext_shared``: shared with another organisation. ``is_pending_ext_shared`` (or a non-empty
    ``pending_shared``): an invitation is out, and whoever accepts sees what is posted from then on
    and the history, so it counts. ``is_shared`` alone with ``is_org_shared`` is a channel shared
    between workspaces of our own Enterprise Grid organisation: internal. ``is_shared`` without
    ``is_org_shared`` is shared with someone outside it."""
    if flag(channel.get("is_ext_shared")) or flag(channel.get("is_pending_ext_shared")):
        return True
    if channel.get("pending_shared"):
        return True
    return bool(flag(channel.get("is_shared")) and not flag(channel.get("is_org_shared")))


def privately(reply: Reply) -> Reply:
    """``reply`` for the person only, saying why in one line."""
    # The line is one more block: a reply already at Slack's limit gives up its last for it.
    blocks = reply.blocks[: MESSAGE_BLOCKS - 1]
    return Reply(reply.text, blocks, in_channel=False).with_note(SHARED_CHANNEL_NOTE)


@dataclass(frozen=True)
class Sharing:
    """What is known about a channel: ``shared`` None when Slack could not say, with its error
    (``channel_not_found``: deleted, or private without the bot) or why not."""

    shared: bool | None
    error: str | None = None


class SharedChannels:
    """The shared-channel decision per (workspace, channel), kept briefly; safe from any thread."""

    def __init__(
        self,
        *,
        cache_seconds: float = CACHE_SECONDS,
        lookup_seconds: float = LOOKUP_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache_seconds = cache_seconds
        self.lookup_seconds = lookup_seconds
        self._clock = clock
        self._known: dict[tuple[str, str], tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def is_shared(
        self, client: WebClient, team_id: str, channel_id: str | None, *, said: bool | None = None
    ) -> bool:
        """Whether ``channel_id`` is shared with another organisation; when that cannot be told,
        yes. ``said``: what the request itself says (trusted, and remembered for the next question
        about this channel)."""
        return self.check(client, team_id, channel_id, said=said).shared is not False

    def check(
        self,
        client: WebClient,
        team_id: str,
        channel_id: str | None,
        *,
        said: bool | None = None,
        fresh: bool = False,
    ) -> Sharing:
        """Like :meth:`is_shared`, but saying when it cannot be told (Slack failed or was slow), for
        callers that act differently then (the digest runner). ``fresh``: ask Slack even if the
        answer is known (a digest, posted once a day at most, asks at the moment it posts)."""
        if not channel_id:
            return Sharing(False)  # no channel (a modal, the Home tab): nobody else sees it
        key = (team_id, channel_id)
        if said is not None:
            self._remember(key, said)
            return Sharing(said)
        with self._lock:
            known = self._known.get(key)
        if known is not None and not fresh and self._clock() < known[1]:
            return Sharing(known[0])
        future = _lookups.submit(self._look_up, client, key)
        try:
            return future.result(timeout=self.lookup_seconds)
        except FutureTimeout:
            # It carries on and fills the cache for next time; this answer must not wait for it.
            log.warning(
                "conversations.info for %s in %s took over %.1fs: treating it as shared",
                channel_id,
                team_id,
                self.lookup_seconds,
            )
            return Sharing(None, "slow")

    def _remember(self, key: tuple[str, str], shared: bool) -> None:
        with self._lock:
            self._known[key] = (shared, self._clock() + self.cache_seconds)

    def _look_up(self, client: WebClient, key: tuple[str, str]) -> Sharing:
        team_id, channel_id = key
        channel: Any = None
        try:
            channel = client.conversations_info(channel=channel_id).get("channel")
            reason = "no channel in the answer"
        except SlackApiError as error:
            reason = str(error.response.get("error") or error.response.status_code)
        except Exception as error:  # any failure: fail closed, never show the ranking by mistake
            reason = type(error).__name__
        if not isinstance(channel, Mapping):
            log.warning(
                "could not tell whether %s in %s is shared with another organisation (%s): "
                "treating it as shared",
                channel_id,
                team_id,
                reason,
            )
            return Sharing(None, reason)  # not remembered: the next request asks again
        shared = shared_per_slack(channel)
        self._remember(key, shared)
        return Sharing(shared)
