"""Posting ranking digests to Slack: claim the period (``services.digests``), post the ranking,
upload the chart in its thread, record the outcome. Slack failures never stop other subscriptions."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.digests.chart import score_history_chart
from handlers.digests.views import digest_message, for_subscription
from handlers.services.digests import GRACE, Claim, DigestRuns, Due
from handlers.shared.clients import SlackClients, clients_of
from handlers.shared.deps import Deps
from scoring import needs_attention
from storage.models import DigestRunStatus

log = logging.getLogger(__name__)
CHART_POINTS = 6
CHART_PARTNERS = 5
# A ranking never goes to a channel shared with another organisation (Slack Connect): the run is
# skipped, not the subscription turned off, so it resumes by itself if the channel stops being shared.
SHARED_OUTCOME = "not posted: the channel is shared with another organisation"
UNKNOWN_OUTCOME = "not posted: Slack could not say whether the channel is shared with another organisation"

__all__ = ["GRACE", "DigestRunner", "Due"]


class DigestRunner:
    """Runs digests for the scheduler and for ``/partner digest now``."""

    def __init__(self, deps: Deps, clients: SlackClients | WebClient, *, grace: timedelta = GRACE) -> None:
        self.deps = deps
        self.clients = clients_of(clients)
        self.runs = DigestRuns(deps.db, deps.now, grace=grace, history=deps.history)

    @property
    def grace(self) -> timedelta:
        return self.runs.grace

    def run(self, due: Due) -> str:
        """Post one subscription's digest for one period, once. Returns the outcome in words."""
        claim = self.runs.claim(due)
        if isinstance(claim, str):
            return claim
        scored = None
        client = self.clients.for_team(claim.team_id)
        if client is None:  # uninstalled since it subscribed: nothing to post with, no retry
            outcome = "skipped: Partnerbot is no longer installed in this workspace"
            self.runs.finish(claim, status=DigestRunStatus.SKIPPED, outcome=outcome)
            return outcome
        # Asked at every run, not only at `digest add`: a channel can be shared after it subscribed.
        sharing = self.deps.shared_channels.check(client, claim.team_id, claim.channel_id, fresh=True)
        # Slack says channel_not_found only about a channel the bot cannot see (deleted, or private
        # without it), where chat.postMessage is refused too: posting finds out which, as before.
        if sharing.shared is not False and sharing.error != "channel_not_found":
            return self._skip_shared(client, claim, sharing.shared)  # shared, or unknown: never on a guess
        try:
            ranking = self.runs.ranking(claim.team_id, due.scheduled_for)
            scored = ranking.scored
            # Like the ranking, read once for the workspace's digests due at the same moment.
            overdue = self.runs.shared(
                ("overdue", claim.team_id, due.scheduled_for.isoformat()),
                lambda: self.runs.overdue_follow_ups(claim.team_id, today=due.scheduled_for.date()),
            )
            # Closed from the previous occurrence's day up to yesterday: each day in one scheduled
            # digest only; one posted on demand (digest now) includes today.
            since = due.scheduled_for - claim.cadence.period
            on_demand = due.period.startswith("now:")
            until = due.scheduled_for if on_demand else due.scheduled_for - timedelta(days=1)
            outcomes = self.runs.shared(
                ("outcomes", claim.team_id, since.isoformat(), until.isoformat()),
                lambda: self.runs.outcomes(claim.team_id, since=since, until=until),
            )

            def render() -> dict[str, object]:
                reply = digest_message(
                    scored,
                    claim.previous,
                    needs_attention(scored, due.scheduled_for, overdue=overdue),
                    top_n=claim.top_n,
                    subscription_id=None,
                    now=due.scheduled_for,
                    window_days=ranking.settings.window_days,
                    outcomes=outcomes,
                    previous_day=claim.previous_day,
                )
                return reply.as_message()

            if claim.previous is None or claim.previous_day is not None:
                # Every subscription due now with the same top N and the same ▲▼ baseline (none, or
                # score history's: one object per workspace and day) shows the same digest:
                # rendered once, signed per subscription.
                key = ("message", claim.team_id, due.scheduled_for.isoformat(), str(claim.top_n))
                key += (str(claim.previous_day), since.isoformat(), until.isoformat())
                message = self.runs.shared(key, render)
            else:  # ▲▼ since this subscription's own previous digest
                message = render()
            ts, outcome, status = self._post(client, claim, for_subscription(message, claim.subscription_id))
            if ts and claim.chart and not scored.empty:
                top = [int(p) for p in scored["partner_id"].head(CHART_PARTNERS)]
                self._upload_chart(client, claim, ts, due.scheduled_for, claim.cadence.period, top)
        except Exception as error:  # one subscription's failure must not stop the others
            log.exception("digest %s failed", due.subscription_id)
            ts, outcome, status = None, f"failed: {type(error).__name__}", DigestRunStatus.FAILED
        self.runs.finish(claim, status=status, outcome=outcome, message_ts=ts, scored=scored)
        return outcome

    def _post(
        self, client: WebClient, claim: Claim, message: dict[str, object]
    ) -> tuple[str | None, str, DigestRunStatus]:
        channel_id = claim.channel_id
        for attempt in range(2):
            try:
                posted = client.chat_postMessage(channel=channel_id, **message)
                return posted.get("ts"), "posted", DigestRunStatus.POSTED
            except SlackApiError as exc:
                error = exc.response.get("error", "")
                if error == "not_in_channel" and attempt == 0 and self._join(client, channel_id):
                    continue
                if error == "not_in_channel":
                    self._tell(
                        client,
                        claim.owner,
                        f"I couldn't post digest #{claim.subscription_id} in <#{channel_id}>: I'm not a "
                        "member and can't join it myself (it's private). Invite me there with "
                        "`/invite @Partnerbot`; the next digest will arrive as planned.",
                    )
                    return None, "not in the channel: invite the bot", DigestRunStatus.FAILED
                if error in ("channel_not_found", "is_archived"):
                    archived = error == "is_archived"
                    self.runs.turn_off(
                        claim.subscription_id,
                        "the channel is archived" if archived else "the channel was deleted",
                    )
                    self._tell(
                        client,
                        claim.owner,
                        f"Digest #{claim.subscription_id} for <#{channel_id}> is off: the channel is "
                        f"{'archived' if archived else 'gone'}. Subscribe another "
                        "channel with `/partner digest add #channel`.",
                    )
                    return None, f"turned off: {error}", DigestRunStatus.FAILED
                return None, f"failed: {error}", DigestRunStatus.FAILED
            except (SlackClientError, OSError) as exc:
                return None, f"failed: could not reach Slack ({type(exc).__name__})", DigestRunStatus.FAILED
        return None, "failed", DigestRunStatus.FAILED

    def _skip_shared(self, client: WebClient, claim: Claim, shared: bool | None) -> str:
        """Record the run as skipped; tell the owner once when the channel is shared (not when Slack
        merely could not say: that is usually over by the next run)."""
        outcome = SHARED_OUTCOME if shared else UNKNOWN_OUTCOME
        log.warning("digest %s for %s %s", claim.subscription_id, claim.channel_id, outcome)
        if shared and self.runs.outcome_before(claim) != SHARED_OUTCOME:  # told once, not every run
            self._tell(
                client,
                claim.owner,
                f"I didn't post digest #{claim.subscription_id} in <#{claim.channel_id}>: the channel is "
                "now shared with another organisation, and a digest shows scores and ranks. It stays "
                "paused while the channel is shared; `/partner digest remove "
                f"{claim.subscription_id}` stops it, `/partner digest add #channel` picks another channel.",
            )
        self.runs.finish(claim, status=DigestRunStatus.SKIPPED, outcome=outcome)
        return outcome

    def _join(self, client: WebClient, channel_id: str) -> bool:
        try:
            client.conversations_join(channel=channel_id)
            return True
        except SlackApiError as exc:
            log.info("could not join %s: %s", channel_id, exc.response.get("error"))
            return False

    def _tell(self, client: WebClient, user_id: str, text: str) -> None:
        try:
            client.chat_postMessage(channel=user_id, text=text)
        except SlackApiError as exc:
            log.warning("could not tell %s about a digest problem: %s", user_id, exc.response.get("error"))

    def chart(self, team_id: str, at: datetime, period: timedelta, partner_ids: list[int]) -> bytes:
        """The chart's PNG, drawn once per workspace, moment and top partners (shared by the
        subscriptions due together)."""
        key = ("chart", team_id, at.isoformat(), str(period), ",".join(map(str, partner_ids)))
        return self.runs.shared(
            key,
            lambda: score_history_chart(
                self.runs.score_history(team_id, at, period, CHART_POINTS), partner_ids
            ),
        )

    def _upload_chart(
        self,
        client: WebClient,
        claim: Claim,
        ts: str,
        at: datetime,
        period: timedelta,
        partner_ids: list[int],
    ) -> None:
        try:
            png = self.chart(claim.team_id, at, period, partner_ids)
            client.files_upload_v2(
                channel=claim.channel_id,
                thread_ts=ts,
                file=png,
                filename="partner-scores.png",
                title="Top partners' scores over recent periods",
            )
        except Exception:  # the digest is posted already: a missing chart must not undo that
            log.exception("digest chart not uploaded to %s", claim.channel_id)

    def catch_up(self, *, look_back: timedelta = timedelta(days=62)) -> list[str]:
        """Post the runs missed while the app was down (see ``DigestRuns.missed``)."""
        return [self.run(due) for due in self.runs.missed(look_back=look_back)]
