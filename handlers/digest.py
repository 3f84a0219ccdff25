"""``/partner digest add | list | remove | now``: channels subscribed to ranking digests."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.cadence import parse_cadence
from handlers.command import CommandRequest, subcommand
from handlers.digest_runner import DigestRunner, Due, cadence_of
from handlers.digest_views import subscription_line
from handlers.errors import UserError
from handlers.log import people
from handlers.parsing import CHANNEL_MENTION, first_word
from handlers.replies import Reply, context_block, header, section, slack_date
from handlers.services import Services
from handlers.text import escape
from handlers.top import is_admin
from storage import digests as digest_store

MAX_TOP = 25
SYNC_KEY = "digest_sync"  # set by bot.scheduler when this process runs the scheduler
USAGE = (
    "`/partner digest add #channel [daily HH:MM | weekly <weekday> HH:MM | monthly <day> HH:MM] "
    "[top N] [tz:Area/City] [no chart]`"
)


def _schedule_changed(svc: Services) -> None:
    sync = svc.extras.get(SYNC_KEY)
    if callable(sync):
        sync()


@subcommand("digest", "digests")
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
            f"Try {USAGE}, `/partner digest list`, `/partner digest remove <id>` or "
            "`/partner digest now [#channel]`."
        )
    return handler(request, after)


def add(request: CommandRequest, rest: str) -> Reply:
    channel = CHANNEL_MENTION.search(rest)
    if channel is None:
        raise UserError(f"Which channel? {USAGE}")
    words = CHANNEL_MENTION.sub(" ", rest).split()
    cadence, words = parse_cadence(words)
    top_n, zone_name, chart = 10, None, True
    text = " ".join(words).casefold()
    if (match := re.search(r"\btop\s+(\d+)\b", text)) is not None:
        top_n = int(match.group(1))
        if not 1 <= top_n <= MAX_TOP:
            raise UserError(f"A digest lists 1 to {MAX_TOP} partners.")
        text = text.replace(match.group(0), " ")
    if (match := re.search(r"\btz:(\S+)", " ".join(words))) is not None:
        zone_name = match.group(1)
        try:
            ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(
                f"“{escape(zone_name[:40])}” isn't a time zone I know: use Area/City, like "
                "`tz:Europe/Paris` or `tz:America/New_York`."
            ) from None
        text = re.sub(r"\btz:\S+", " ", text)
    if re.search(r"\bno chart\b|\bchart:off\b|\bwithout chart\b", text):
        chart = False
        text = re.sub(r"\bno chart\b|\bchart:off\b|\bwithout chart\b", " ", text)
    if text.split():
        raise UserError(f"I didn't understand “{escape(' '.join(text.split())[:40])}”. {USAGE}")
    if zone_name is None:
        zone_name = people(request.services).lookup(request.client, request.team_id, request.user_id).zone.key
    with request.services.db.transaction() as session:
        subscription, created = digest_store.add_subscription(
            session,
            request.team_id,
            channel_id=channel.group(1),
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
    _schedule_changed(request.services)
    _, next_at = cadence.next_run(request.services.now(), zone)
    verb = "Subscribed" if created else "Already subscribed"
    return Reply(
        f"{verb} <#{channel.group(1)}> to the top {top_n} partners, {cadence.describe()} "
        f"({escape(zone_name)}). "
        f"Next: {slack_date(next_at, fmt='{date_long_pretty} {time}')}. "
        f"Digest #{subscription_id}: `/partner digest now` in that channel posts one now, "
        f"`/partner digest remove {subscription_id}` stops it."
    )


def list_digests(request: CommandRequest, rest: str) -> Reply:
    now = request.services.now()
    with request.services.db.read() as session:
        found = digest_store.subscriptions(session, request.team_id)
        last = digest_store.last_runs(session, [s.id for s in found])
        lines = []
        for subscription in found:
            cadence, zone = cadence_of(subscription)
            lines.append(
                subscription_line(subscription, cadence.next_run(now, zone)[1], last.get(subscription.id))
            )
    if not lines:
        return Reply(f"No channel gets a digest yet. Subscribe one: {USAGE}")
    blocks = [header("Ranking digests")]
    for start in range(0, len(lines), 10):
        blocks.append(section("\n".join(lines[start : start + 10])))
    blocks.append(context_block("Times are in each subscription's time zone, shown in yours."))
    return Reply(f"{len(lines)} digest subscriptions", blocks)


def _subscription_id(text: str) -> int:
    number = text.strip().lstrip("#")
    if not number.isdigit():
        raise UserError(
            "Which digest? Give its number from `/partner digest list`, e.g. `/partner digest remove 3`."
        )
    return int(number)


def remove(request: CommandRequest, rest: str) -> Reply:
    subscription_id = _subscription_id(rest)
    with request.services.db.transaction() as session:
        subscription = digest_store.get_subscription(session, request.team_id, subscription_id)
        if subscription is None:
            raise UserError(f"There is no digest #{subscription_id} in this workspace.")
        if subscription.created_by != request.user_id and not is_admin(request):
            raise UserError(
                f"Only <@{subscription.created_by}>, who set up digest #{subscription_id}, or an admin "
                "can remove it."
            )
        channel_id = subscription.channel_id
        digest_store.remove_subscription(session, subscription)
    _schedule_changed(request.services)
    return Reply(f"Removed digest #{subscription_id}: <#{channel_id}> gets no more digests from it.")


def now(request: CommandRequest, rest: str) -> Reply:
    mentioned = CHANNEL_MENTION.search(rest)
    channel_id = mentioned.group(1) if mentioned else request.channel_id
    with request.services.db.read() as session:
        matches = [
            s
            for s in digest_store.subscriptions(session, request.team_id)
            if s.channel_id == channel_id and s.enabled
        ]
    if not matches:
        raise UserError(f"<#{channel_id}> has no digest. Subscribe it first: {USAGE}")
    request.ack()  # computing and posting can take longer than Slack's 3 seconds
    moment = request.services.now()
    runner = DigestRunner(request.services, request.client)
    outcome = runner.run(Due(matches[0].id, f"now:{moment.isoformat()}", moment))
    return Reply(
        f"Digest #{matches[0].id} for <#{channel_id}>: {escape(outcome)}. The schedule is unchanged."
    )
