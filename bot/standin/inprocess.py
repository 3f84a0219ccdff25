"""The stand-in in-process, for an app in the same process (``partnerbot console``): no network.

The app keeps its ordinary slack_sdk clients (``WebClient`` for the Web API, ``WebhookClient`` for
response_urls, Bolt's ``respond()``); they are pointed at a host that cannot exist (RFC 2606's
``.invalid``), and a urllib handler installed in this process answers requests for that host only —
every other URL goes on to the network as before. Whichever client makes them (or a fresh
``WebClient`` built from ``client.base_url``), requests for the host never leave the process.
"""

from __future__ import annotations

import contextlib
import email.message
import io
import os
import urllib.request
import urllib.response
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from bot.standin.core import SlackStandIn
from bot.standin.wire import Reply

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


class InProcessStandIn(SlackStandIn):
    """The stand-in at ``https://<host>``, reached through this process's urllib while
    :meth:`intercepted`."""

    def __init__(self, *, host: str, **options: Any) -> None:
        """``options``: those of :class:`~bot.standin.core.SlackStandIn`."""
        super().__init__(**options)
        self.host = host
        self.base_url = f"https://{host}"

    @contextlib.contextmanager
    def intercepted(self) -> Iterator[InProcessStandIn]:
        """Within the block, this process's urllib answers the stand-in's host from the stand-in.

        slack_sdk opens URLs with ``urlopen`` (the installed opener) unless a proxy is configured,
        so proxy variables are cleared for the duration: nothing goes to the network.
        """
        previous_opener = urllib.request._opener  # type: ignore[attr-defined]
        saved = {name: os.environ.pop(name) for name in PROXY_VARIABLES if name in os.environ}
        urllib.request.install_opener(urllib.request.build_opener(InProcessHandler(self)))
        try:
            yield self
        finally:
            urllib.request._opener = previous_opener  # type: ignore[attr-defined]
            os.environ.update(saved)


def _response(url: str, reply: Reply) -> urllib.response.addinfourl:
    headers = email.message.Message()
    headers["Content-Type"] = reply.content_type
    headers["Content-Length"] = str(len(reply.body))
    for key, value in reply.headers.items():
        headers[key] = value
    response = urllib.response.addinfourl(io.BytesIO(reply.body), headers, url, reply.status)
    response.msg = "OK" if reply.status < 400 else "Error"  # type: ignore[attr-defined]
    return response


class InProcessHandler(urllib.request.BaseHandler):
    """Answers requests for the stand-in's host; returns None for any other, so they go on as usual."""

    handler_order = 50  # before the proxy and HTTP(S) handlers

    def __init__(self, standin: InProcessStandIn) -> None:
        self.standin = standin

    def https_open(self, req: urllib.request.Request) -> urllib.response.addinfourl | None:
        url = urlsplit(req.full_url)
        if url.hostname != self.standin.host:
            return None
        headers = {k.lower(): v for k, v in req.header_items()}
        data = req.data if isinstance(req.data, bytes) else b""
        reply = self.standin.serve(url.path, url.query, headers, data)
        return _response(req.full_url, reply)

    http_open = https_open
