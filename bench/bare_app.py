"""The floor for request benchmarks: a Bolt app that only acknowledges, behind Partnerbot's own HTTP
server (``bot.server.wsgi_app`` + ``serve_http``: waitress, same thread count, same request parsing).

``/partner`` acks with nothing; the ``partner_select`` type-ahead acks with an empty option list.
Run as ``python -m bench.bare_app`` with SLACK_SIGNING_SECRET, SLACK_API_URL and PORT set (and
WORKERS > 1 to serve it from that many forked processes, as ``partnerbot serve --workers``); the
benchmark does that.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import prefork
from bot.server import serve_http, wsgi_app
from storage.db import Database

try:  # the same number of listener threads as the real app, when it says how many
    from bot.app import LISTENER_THREADS
except ImportError:  # pragma: no cover
    LISTENER_THREADS = 16


def build() -> App:
    app = App(
        client=WebClient(
            token="xoxb-bench", base_url=os.environ.get("SLACK_API_URL", "http://127.0.0.1:9/api/")
        ),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
        request_verification_enabled=True,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )

    @app.command("/partner")
    def partner(ack: Ack) -> None:
        ack()

    @app.options("partner_select")
    def partner_options(ack: Ack) -> None:
        ack(options=[])

    return app


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    # The health check needs a database: an in-memory SQLite one, never touched otherwise.
    application = wsgi_app(build(), Database("sqlite://"), signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    workers = int(os.environ.get("WORKERS", "1"))
    port = int(os.environ["PORT"])
    if workers <= 1:
        serve_http(application, host="127.0.0.1", port=port)
        return
    listening = prefork.listen("127.0.0.1", port)

    def serve() -> int:
        serve_http(application, host="127.0.0.1", port=port, listening=listening)
        return 0

    raise SystemExit(prefork.run_workers(workers, serve))


if __name__ == "__main__":
    main()
