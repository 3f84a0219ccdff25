"""Posting ranking digests: claim the period, compute the ranking (once per workspace per run),
post, upload the chart, record the outcome. Slack failures never stop other subscriptions."""

from __future__ import annotations

import logging
import threading
import time as clock
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.cadence import Cadence
from handlers.digest_chart import score_history_chart
from handlers.digest_views import digest_message
from handlers.people import zone_named
from handlers.rankings import Ranking, compute_ranking
from handlers.services import Services
from scoring import needs_attention
from storage import digests as digest_store
from storage.models import DigestRunStatus, DigestSubscription

log = logging.getLogger(__name__)
GRACE = timedelta(hours=6)
CHART_POINTS = 6
STALE_DAYS = 30
UNSATISFIED_BELOW = 60
_SHARED_SECONDS = 600


@dataclass(frozen=True)
class Due:
    subscription_id: int
    period: str  # the occurrence's local date (ISO), or "now:<timestamp>" for /partner digest now
    scheduled_for: datetime


def cadence_of(subscription: DigestSubscription) -> tuple[Cadence, ZoneInfo]:
    cadence = Cadence(
        subscription.every, subscription.hour, subscription.minute, subscription.weekday, subscription.day
    )
    return cadence, zone_named(subscription.timezone)


class DigestRunner:
    """Runs digests for the scheduler and for ``/partner digest now``."""

    def __init__(self, svc: Services, client: WebClient, *, grace: timedelta = GRACE) -> None:
        self.svc = svc
        self.client = client
        self.grace = grace
        self._lock = threading.Lock()
        self._shared: dict[tuple[str, ...], tuple[float, threading.Lock, dict[str, object]]] = {}

    # --- computed once per workspace per run --------------------------------------------------------

    def _shared_value(self, key: tuple[str, ...], compute):  # type: ignore[no-untyped-def]
        with self._lock:
            now = clock.monotonic()
            for stale in [k for k, (t, _, _) in self._shared.items() if now - t > _SHARED_SECONDS]:
                del self._shared[stale]
            entry = self._shared.setdefault(key, (now, threading.Lock(), {}))
        _, key_lock, box = entry
        with key_lock:  # the first subscription computes; the others due at that time wait and share
            if "value" not in box:
                box["value"] = compute()
            return box["value"]

    def ranking(self, team_id: str, at: datetime) -> Ranking:
        return self._shared_value(
            ("ranking", team_id, at.isoformat()),
            lambda: compute_ranking(self.svc.db, team_id, now=at, with_changes=False),
        )

    def chart(self, team_id: str, at: datetime, period: timedelta, partner_ids: list[int]) -> bytes:
        def render() -> bytes:
            history = []
            for back in range(CHART_POINTS - 1, -1, -1):
                moment = at - back * period
                ranking = (
                    self.ranking(team_id, at)
                    if back == 0
                    else compute_ranking(self.svc.db, team_id, now=moment, with_changes=False)
                )
                history.append((moment, ranking.scored))
            return score_history_chart(history, partner_ids)

        key = ("chart", team_id, at.isoformat(), str(period), ",".join(map(str, partner_ids)))
        return self._shared_value(key, render)

    # --- one digest ---------------------------------------------------------------------------------

    def run(self, due: Due) -> str:
        """Post one subscription's digest for one period, once. Returns the outcome in words."""
        now = self.svc.now()
        with self.svc.db.transaction() as session:
            subscription = session.get(DigestSubscription, due.subscription_id)
            if subscription is None or not subscription.enabled:
                return "subscription removed or off"
            run = digest_store.claim_run(
                session, subscription, period=due.period, scheduled_for=due.scheduled_for, now=now
            )
            if run is None:
                return "already posted or being posted elsewhere"
            run_id = run.id
            team_id, channel_id = subscription.team_id, subscription.channel_id
            top_n, with_chart, owner = subscription.top_n, subscription.chart, subscription.created_by
            cadence, _ = cadence_of(subscription)
            previous = digest_store.previous_ranks(session, subscription.id, before=due.scheduled_for)
        try:
            ranking = self.ranking(team_id, due.scheduled_for)
            scored = ranking.scored
            attention = needs_attention(
                scored, due.scheduled_for, stale_days=STALE_DAYS, floor=UNSATISFIED_BELOW
            )
            reply = digest_message(
                scored,
                previous,
                attention,
                top_n=top_n,
                subscription_id=due.subscription_id,
                now=due.scheduled_for,
                window_days=ranking.settings.window_days,
            )
            ts, outcome, status = self._post(
                due.subscription_id, team_id, channel_id, owner, reply.as_message()
            )
            if ts and with_chart and not scored.empty:
                self._upload_chart(
                    team_id,
                    channel_id,
                    ts,
                    due.scheduled_for,
                    cadence.period,
                    [int(p) for p in scored["partner_id"].head(5)],
                )
        except Exception as error:  # one subscription's failure must not stop the others
            log.exception("digest %s failed", due.subscription_id)
            ts, outcome, status, scored = (
                None,
                f"failed: {type(error).__name__}",
                DigestRunStatus.FAILED,
                None,
            )
        ranks = None
        if status is DigestRunStatus.POSTED and scored is not None:
            ranks = {
                int(p): (int(r), float(s) if not pd.isna(s) else 0.0)
                for p, r, s in zip(scored["partner_id"], scored["rank"], scored["score"], strict=True)
            }
        with self.svc.db.transaction() as session:
            digest_store.finish_run(
                session,
                run_id,
                status=status,
                now=self.svc.now(),
                outcome=outcome,
                message_ts=ts,
                ranks=ranks,
            )
        return outcome

    def _post(
        self, subscription_id: int, team_id: str, channel_id: str, owner: str, message: dict[str, object]
    ) -> tuple[str | None, str, DigestRunStatus]:
        for attempt in range(2):
            try:
                posted = self.client.chat_postMessage(channel=channel_id, **message)
                return posted.get("ts"), "posted", DigestRunStatus.POSTED
            except SlackApiError as exc:
                error = exc.response.get("error", "")
                if error == "not_in_channel" and attempt == 0 and self._join(channel_id):
                    continue
                if error == "not_in_channel":
                    self._tell(
                        owner,
                        f"I couldn't post digest #{subscription_id} in <#{channel_id}>: I'm not a "
                        "member and can't join it myself (it's private). Invite me there with "
                        "`/invite @Partnerbot`; the next digest will arrive as planned.",
                    )
                    return None, "not in the channel: invite the bot", DigestRunStatus.FAILED
                if error in ("channel_not_found", "is_archived"):
                    with self.svc.db.transaction() as session:
                        reason = (
                            "the channel is archived" if error == "is_archived" else "the channel was deleted"
                        )
                        digest_store.disable(session, subscription_id, reason)
                    self._tell(
                        owner,
                        f"Digest #{subscription_id} for <#{channel_id}> is off: the channel is "
                        f"{'archived' if error == 'is_archived' else 'gone'}. Subscribe another "
                        "channel with `/partner digest add #channel`.",
                    )
                    return None, f"turned off: {error}", DigestRunStatus.FAILED
                return None, f"failed: {error}", DigestRunStatus.FAILED
            except (SlackClientError, OSError) as exc:
                return None, f"failed: could not reach Slack ({type(exc).__name__})", DigestRunStatus.FAILED
        return None, "failed", DigestRunStatus.FAILED

    def _join(self, channel_id: str) -> bool:
        try:
            self.client.conversations_join(channel=channel_id)
            return True
        except SlackApiError as exc:
            log.info("could not join %s: %s", channel_id, exc.response.get("error"))
            return False

    def _tell(self, user_id: str, text: str) -> None:
        try:
            self.client.chat_postMessage(channel=user_id, text=text)
        except SlackApiError as exc:
            log.warning("could not tell %s about a digest problem: %s", user_id, exc.response.get("error"))

    def _upload_chart(
        self, team_id: str, channel_id: str, ts: str, at: datetime, period: timedelta, partner_ids: list[int]
    ) -> None:
        try:
            png = self.chart(team_id, at, period, partner_ids)
            self.client.files_upload_v2(
                channel=channel_id,
                thread_ts=ts,
                file=png,
                filename="partner-scores.png",
                title="Top partners' scores over recent periods",
            )
        except Exception:  # the digest is posted already: a missing chart must not undo that
            log.exception("digest chart not uploaded to %s", channel_id)

    # --- catching up after downtime -------------------------------------------------------------------

    def catch_up(self, *, look_back: timedelta = timedelta(days=62)) -> list[str]:
        """Runs missed while the app was down: the latest within the grace window is posted once,
        older ones are recorded as skipped. Unfinished claims of dead processes are taken over once
        their lease has run out (the scheduler calls this every minute with a short look-back)."""
        now = self.svc.now()
        outcomes = []
        with self.svc.db.read() as session:
            subscriptions = [(s.id, s.created_at, *cadence_of(s)) for s in digest_store.all_enabled(session)]
        for subscription_id, created_at, cadence, zone in subscriptions:
            occurrences = cadence.runs_between(max(created_at, now - look_back), now, zone, limit=60)
            if not occurrences:
                continue
            periods = [day.isoformat() for day, _ in occurrences]
            with self.svc.db.read() as session:
                statuses = digest_store.period_statuses(session, subscription_id, periods)
            done = {p for p, status in statuses.items() if status != DigestRunStatus.CLAIMED.value}
            latest_day, latest_moment = occurrences[-1]
            for day, moment in occurrences[:-1]:
                if day.isoformat() not in done:
                    self._skip(subscription_id, day.isoformat(), moment, now)
            if latest_day.isoformat() in done:
                continue
            if now - latest_moment <= self.grace:
                outcomes.append(self.run(Due(subscription_id, latest_day.isoformat(), latest_moment)))
            else:
                self._skip(subscription_id, latest_day.isoformat(), latest_moment, now)
        return outcomes

    def _skip(self, subscription_id: int, period: str, moment: datetime, now: datetime) -> None:
        with self.svc.db.transaction() as session:
            subscription = session.get(DigestSubscription, subscription_id)
            if subscription is not None:
                digest_store.claim_run(
                    session,
                    subscription,
                    period=period,
                    scheduled_for=moment,
                    now=now,
                    status=DigestRunStatus.SKIPPED,
                )
