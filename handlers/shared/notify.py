"""Telling a person something after their modal closed: through the command's response_url if
we have one (shows where they typed it), else as a direct message from the app."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from handlers.shared.replies import Reply

log = logging.getLogger(__name__)
# Slack's own hosts for response URLs (commercial and GovSlack).
SLACK_DOMAINS = ("slack.com", "slack-gov.com")


def trusted_response_url(url: str | None, *, slack_api_url: str) -> bool:
    """Whether ``url`` is a place Slack gives out response URLs: https on Slack's hosts, or the host
    of the configured Web API (a stand-in, GovSlack). A response URL read back from a modal's
    private_metadata went through the person's client, so it is checked before anything is sent."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").casefold()
        api = urlsplit(slack_api_url)
    except ValueError:
        return False
    if api.netloc and parts.netloc.casefold() == api.netloc.casefold() and parts.scheme == api.scheme:
        return True  # the configured Web API's own host and port (a stand-in, a proxy)
    return parts.scheme == "https" and any(host == d or host.endswith("." + d) for d in SLACK_DOMAINS)


def tell(
    client: WebClient,
    *,
    user_id: str,
    reply: Reply,
    response_url: str | None = None,
) -> bool:
    """Deliver ``reply`` privately; True when Slack accepted it. A ``response_url`` that is not
    Slack's (see trusted_response_url) is not used: the reply goes as a direct message instead."""
    if response_url and not trusted_response_url(response_url, slack_api_url=client.base_url):
        log.warning("not using a response_url outside Slack's hosts; sending a direct message instead")
        response_url = None
    if response_url:
        try:
            result = WebhookClient(response_url, timeout=5).send(
                text=reply.text, blocks=reply.blocks or None, response_type="ephemeral"
            )
            if result.status_code == 200:
                return True
            log.warning("response_url answered %s; sending a direct message instead", result.status_code)
        except OSError as exc:
            log.warning("response_url failed (%s); sending a direct message instead", exc)
    try:
        client.chat_postMessage(channel=user_id, **reply.as_message())
        return True
    except SlackApiError as exc:
        log.warning("could not message %s: %s", user_id, exc.response.get("error"))
        return False
