"""``/partner digest add | list | remove | now``: channels subscribed to ranking digests."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.digests.runner import DigestRunner, Due
from handlers.digests.schedule_words import parse_cadence
from handlers.digests.views import subscription_line, subscriptions_reply
from handlers.services.digests import cadence_of
from handlers.shared.command import CommandRequest, subcommand
from handlers.shared.errors import UserError
from handlers.shared.parsing import CHANNEL_MENTION, first_word, record_id, whole_number
from handlers.shared.permissions import Act, require
from handlers.shared.replies import Reply, slack_date, with_ignored
from handlers.shared.text import escape
from storage import digests as digest_store

MAX_TOP = 25
USAGE = (
    "`/partner digest add #channel [daily HH:MM | weekly <weekday> HH:MM | monthly <day> HH:MM] "
    "[top N] [tz:Area/City] [no chart]`"
)


# Subscriptions, schedules and outcomes, never the ranking itself (which add keeps out of shared
# channels and the runner never posts there).
@subcommand("digest", "digests", internal=False)
def digest_command(request: CommandRequest, rest: str) -> Reply | None:
    action, after = first_word(rest)
    handlers = {
        "add": add,
        "subscribe": add,
        "list": list_digests,
        "remove": remove,
        "delete": remove,
        "unsubscribe": remove,
        "now": now,
    }
    handler = handlers.get(action.casefold())
    if handler is None:
        raise UserError(
            f"Try {USAGE}, `/partner digest list`, `/partner digest remove &lt;id&gt;` or "
            "`/partner digest now [#channel]`."
        )
    return handler(request, after)


# Slack channel IDs: C (public) or G (private), a dozen or so capitals and digits.
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,20}")


def digest_channel(rest: str) -> str:
    """The one channel a digest command names, checked to be a channel (not a DM) Slack could have."""
    found = list(dict.fromkeys(channel_id for channel_id, _ in CHANNEL_MENTION.findall(rest)))
    if not found:
        raise UserError(f"Which channel? {USAGE}")
    if len(found) > 1:
        raise UserError("Name one channel at a time: each subscription posts to one channel.")
    if not _CHANNEL_ID.fullmatch(found[0]):
        raise UserError(
            "A digest needs a channel (#partners, or a private channel I'm in), not a direct message "
            "or something else."
        )
    return found[0]


def refuse_shared(request: CommandRequest, channel_id: str) -> None:
    """No digest for a channel shared with another organisation: it would show them the ranking."""
    # What Slack said about the channel the command was typed in holds for that channel only.
    said = request.shared_flag if channel_id == request.channel_id else None
    if request.deps.shared_channels.is_shared(request.client, request.team_id, channel_id, said=said):
        raise UserError(
            f"<#{channel_id}> is shared with another organisation (or Slack could not tell me it "
            "isn't), and a digest shows scores and ranks, which stay inside. Subscribe one of your "
            "own channels instead."
        )


def add(request: CommandRequest, rest: str) -> Reply:
    require(request, Act.SUBSCRIBE_DIGEST)
    channel_id = digest_channel(rest)
    words = CHANNEL_MENTION.sub(" ", rest).split()
    top_n, zone_name, chart = 10, None, True
    left: list[str] = []
    i = 0
    while i < len(words):  # options in any order around the schedule
        word = words[i].casefold()
        following = words[i + 1].casefold() if i + 1 < len(words) else ""
        if word == "top" and following:
            number = whole_number(following)
            if number is None or not 1 <= number <= MAX_TOP:
                raise UserError(f"A digest lists 1 to {MAX_TOP} partners (not “{escape(following[:20])}”).")
            top_n, i = number, i + 2
        elif word.startswith("tz:"):
            zone_name = words[i][3:]
            try:
                ZoneInfo(zone_name)
            except (ZoneInfoNotFoundError, ValueError):
                raise UserError(
                    f"“{escape(zone_name[:40])}” isn't a time zone I know: use Area/City, like "
                    "`tz:Europe/Paris` or `tz:America/New_York`."
                ) from None
            i += 1
        elif (word, following) in {("no", "chart"), ("without", "chart")}:
            chart, i = False, i + 2
        elif word == "chart:off":
            chart, i = False, i + 1
        else:
            left.append(words[i])
            i += 1
    cadence, left = parse_cadence(left)
    if left:
        raise UserError(f"I didn't understand “{escape(' '.join(left)[:40])}”. {USAGE}")
    refuse_shared(request, channel_id)
    if zone_name is None:
        zone_name = request.zone().key
    with request.deps.db.transaction(actor=request.user_id) as session:
        subscription, created = digest_store.add_subscription(
            session,
            request.team_id,
            channel_id=channel_id,
            every=cadence.every,
            weekday=cadence.weekday,
            day=cadence.day,
            hour=cadence.hour,
            minute=cadence.minute,
            timezone=zone_name,
            top_n=top_n,
            chart=chart,
            created_by=request.user_id,
            request_key=f"command:{request.trigger_id}" if request.trigger_id else None,
        )
        subscription_id = subscription.id
        cadence, zone = cadence_of(subscription)
    request.deps.changes.schedules_changed()
    _, next_at = cadence.next_run(request.deps.now(), zone)
    verb = "Subscribed" if created else "Already subscribed"
    return Reply(
        f"{verb} <#{channel_id}> to the top {top_n} partners, {cadence.describe()} "
        f"({escape(zone_name)}). "
        f"Next: {slack_date(next_at, fmt='{date_long_pretty} {time}')}. "
        f"Digest #{subscription_id}: `/partner digest now` in that channel posts one now, "
        f"`/partner digest remove {subscription_id}` stops it."
    )


def list_digests(request: CommandRequest, rest: str) -> Reply:
    now = request.deps.now()
    with request.deps.db.read() as session:
        found = digest_store.subscriptions(session, request.team_id)
        last = digest_store.last_runs(session, [s.id for s in found])
        lines = []
        for subscription in found:
            cadence, zone = cadence_of(subscription)
            lines.append(
                subscription_line(subscription, cadence.next_run(now, zone)[1], last.get(subscription.id))
            )
    if not lines:
        return with_ignored(Reply(f"No channel gets a digest yet. Subscribe one: {USAGE}"), rest)
    return with_ignored(subscriptions_reply(lines), rest)


def remove(request: CommandRequest, rest: str) -> Reply:
    number = rest.strip().removeprefix("#")
    if not (number.isascii() and number.isdigit()):
        raise UserError(
            "Which digest? Give its number from `/partner digest list`, e.g. `/partner digest remove 3`."
        )
    subscription_id = record_id(number)
    with request.deps.db.transaction(actor=request.user_id) as session:
        subscription = (
            digest_store.get_subscription(session, request.team_id, subscription_id)
            if subscription_id is not None
            else None
        )
        if subscription is None:
            raise UserError(f"There is no digest #{escape(number[:25])} in this workspace.")
        assert subscription_id is not None
        require(request, Act.REMOVE_DIGEST, creator=subscription.created_by, session=session)
        channel_id = subscription.channel_id
        digest_store.remove_subscription(session, subscription)
    request.deps.changes.schedules_changed()
    return Reply(f"Removed digest #{subscription_id}: <#{channel_id}> gets no more digests from it.")


def now(request: CommandRequest, rest: str) -> Reply:
    channel_id = digest_channel(rest) if CHANNEL_MENTION.search(rest) else request.channel_id
    leftover = CHANNEL_MENTION.sub(" ", rest).split()
    if leftover:
        raise UserError(
            f"I didn't understand “{escape(' '.join(leftover)[:40])}”: `/partner digest now` posts this "
            "channel's digest, `/partner digest now #channel` another's."
        )
    with request.deps.db.read() as session:
        matches = [
            s
            for s in digest_store.subscriptions(session, request.team_id)
            if s.channel_id == channel_id and s.enabled
        ]
    if not matches:
        raise UserError(f"<#{channel_id}> has no digest. Subscribe it first: {USAGE}")
    request.ack()  # computing and posting can take longer than Slack's 3 seconds
    moment = request.deps.now()
    runner = DigestRunner(request.deps, request.client)
    outcome = runner.run(Due(matches[0].id, f"now:{moment.isoformat()}", moment))
    return Reply(
        f"Digest #{matches[0].id} for <#{channel_id}>: {escape(outcome)}. The schedule is unchanged."
    )
