"""Running the app for real: check Slack accepts the token, then serve over HTTP or Socket Mode."""

from __future__ import annotations

import logging
import signal
import threading
import time

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import memory, prefork
from bot.app import build_app, build_deps, slack_client, slack_clients
from bot.backups import NightlyBackups
from bot.installs import INSTALL_PATH, InstalledWorkspaces, installation_store
from bot.scheduler import Scheduler
from bot.server import serve_http, wsgi_app
from bot.settings import ConfigurationError, Settings
from handlers.shared.deps import Deps
from storage import partners as partner_store
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)
# Before serving: rank up to this many of the largest workspaces (those with at least this many
# active partners), for at most this long.
WARM_TEAMS = 50
WARM_PARTNERS = 1_000
WARM_SECONDS = 10.0
# Socket Mode: how often the connection is pinged; one that stops answering is replaced.
PING_SECONDS = 10.0
# How long a stopping server waits for its Socket Mode connection to close.
CLOSE_SECONDS = 3.0


def check_token(client: WebClient, settings: Settings) -> None:
    """Ask Slack (auth.test) whether it accepts the bot token; say in one line what to fix if not."""
    try:
        client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        raise ConfigurationError(
            f"Slack refused SLACK_BOT_TOKEN ({error}) — set it to the app's Bot User OAuth Token (xoxb-…)"
        ) from None
    except OSError as exc:
        raise ConfigurationError(
            f"cannot reach Slack at {settings.slack_api_url} ({exc}) — check SLACK_API_URL and the network"
        ) from None
    if settings.slack_app_token:
        check_app_token(client, settings.slack_app_token)


def check_app_token(client: WebClient, app_token: str) -> None:
    """Ask Slack for a Socket Mode URL (apps.connections.open) before anything changes, so a refused
    app-level token stops ``serve`` with the reason rather than after the schema was brought up to
    date. The URL is not used: the handler asks for its own when it connects."""
    try:
        client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        raise ConfigurationError(
            f"Slack refused SLACK_APP_TOKEN ({error}) — set it to an app-level token (xapp-…) with the "
            "connections:write scope, and turn Socket Mode on in the app's settings"
        ) from None


def check_slack(client: WebClient, settings: Settings) -> None:
    """Before serving: the one bot token works; installed in many workspaces, Slack answers at all
    (each workspace's token is checked when its requests come)."""
    if not settings.installs_anywhere:
        check_token(client, settings)
        return
    try:
        client.api_test()
    except (SlackApiError, OSError) as exc:
        raise ConfigurationError(
            f"cannot reach Slack at {settings.slack_api_url} ({exc}) — check SLACK_API_URL and the network"
        ) from None


def nightly_backups(settings: Settings, database: Database) -> NightlyBackups | None:
    """The nightly backups PARTNERBOT_BACKUP_DIR asks for, or None."""
    if settings.backup_dir is None:
        return None
    return NightlyBackups(database, settings.backup_dir, keep=settings.backup_keep)


def run_server(
    settings: Settings, database: Database, *, host: str, scheduler: bool, workers: int = 1
) -> int:
    """Check Slack accepts the token, bring the schema up to date, then serve until SIGTERM.
    ``workers`` > 1: that many forked processes serve the port (bot.prefork); the digest
    scheduler, if any, runs in the parent only."""
    memory.limit_arenas()  # before any thread allocates
    client = slack_client(settings)
    check_slack(client, settings)
    upgrade(database)  # after the token check, so a bad token fails before anything changes
    if workers > 1:
        return _run_workers(settings, database, host=host, scheduler=scheduler, workers=workers)
    deps = build_deps(settings, database)
    deps.rankings.after_full = memory.give_back
    app = build_app(settings, database, client=client, deps=deps)
    if settings.installs_anywhere:
        log.info("installing in many workspaces: people install Partnerbot at %s", INSTALL_PATH)
    warm_rankings(deps, database)
    digests = None
    if scheduler:
        digests = Scheduler(
            deps,
            slack_clients(settings, database, patient=True),
            note_retention_months=settings.note_retention_months,
            backups=nightly_backups(settings, database),
        )
        digests.start()
    else:
        log.info("digest scheduler off in this process (--no-scheduler)")
    try:
        _serve(settings, database, app, host=host)
    finally:
        if digests is not None:
            digests.stop()
    database.dispose()
    return 0


def _run_workers(settings: Settings, database: Database, *, host: str, scheduler: bool, workers: int) -> int:
    if database.dialect == "sqlite":
        # One writer at a time: across processes SQLite's busy handler polls (sleeps of up to
        # 100 ms) where one process's group commit hands the lock over at once (docs/scaling.md).
        log.warning(
            "SQLite with %d workers: writers in different processes wait on each other; "
            "use PostgreSQL for more than one worker",
            workers,
        )
    listening = prefork.listen(host, settings.port)
    database.dispose()  # nothing pooled in the parent is handed down to the workers

    def serve() -> int:
        database.after_fork()
        client = slack_client(settings)
        deps = build_deps(settings, database)
        deps.rankings.after_full = memory.give_back
        app = build_app(settings, database, client=client, deps=deps)
        warm_rankings(deps, database)
        installed = None
        if settings.installs_anywhere:
            installed = InstalledWorkspaces(installation_store(settings, database))
        serve_http(
            wsgi_app(app, database, signing_secret=settings.slack_signing_secret, installed=installed),
            host=host,
            port=settings.port,
            listening=listening,
        )
        database.dispose()
        return 0

    digests: list[Scheduler] = []

    def start_scheduler() -> None:  # after the forks: no worker inherits its threads
        if not scheduler:
            log.info("digest scheduler off (--no-scheduler)")
            return
        digests.append(
            Scheduler(
                build_deps(settings, database),
                slack_clients(settings, database, patient=True),
                note_retention_months=settings.note_retention_months,
                backups=nightly_backups(settings, database),
            )
        )
        digests[0].start()

    try:
        code = prefork.run_workers(workers, serve, started=start_scheduler)
    finally:
        for running in digests:
            running.stop()
        listening.close()
    database.dispose()
    return code


def warm_rankings(deps: Deps, database: Database) -> None:
    """Rank the largest workspaces before taking requests (for at most WARM_SECONDS), so the first
    question after a start or a deploy is answered from memory. Smaller ones rank in a few
    milliseconds on first use and are left alone."""
    started = time.monotonic()
    with database.read() as session:
        teams = partner_store.largest_teams(session, at_least=WARM_PARTNERS, limit=WARM_TEAMS)
    try:
        done = deps.rankings.warm(teams, budget_seconds=WARM_SECONDS)
    except Exception:  # a ranking that fails now fails again when asked, with an apology there
        log.exception("ranking the largest workspaces at start-up failed; serving anyway")
        return
    if done:
        log.info("ranked %d workspace(s) before serving, in %.1f s", done, time.monotonic() - started)


def run_scheduler(settings: Settings, database: Database) -> int:
    """Only the digest scheduler, no HTTP (``partnerbot scheduler``); stops on SIGTERM or SIGINT."""
    check_slack(slack_client(settings), settings)
    upgrade(database)
    digests = Scheduler(
        build_deps(settings, database),
        slack_clients(settings, database, patient=True),
        note_retention_months=settings.note_retention_months,
        backups=nightly_backups(settings, database),
    )
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    digests.start()
    try:
        stopping.wait()
    finally:
        digests.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    database.dispose()
    return 0


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """Bolt's Socket Mode adapter on the websocket-client library, not slack_sdk's built-in client:
    the built-in one does not notice a connection Slack dropped without a close frame (it spins
    on the dead socket until its pings have failed five times, about a minute with no requests
    answered), while websocket-client ends the session at once and the adapter reconnects with a
    fresh URL from apps.connections.open (tests/e2e/test_socket_mode.py)."""
    return SocketModeHandler(app, app_token, ping_interval=PING_SECONDS)


def close_within(handler: SocketModeHandler, seconds: float) -> None:
    """Close the Socket Mode connection, waiting at most ``seconds``: websocket-client waits for
    Slack's answer to its close frame and joins its threads one after another, which after a
    few reconnects added up to more than the 10 s a deployment gives a stopping process. Requests
    still unacknowledged then are sent again by Slack to whichever process is connected."""
    closing = threading.Thread(target=handler.close, name="socket-mode-close", daemon=True)
    closing.start()
    closing.join(seconds)
    if closing.is_alive():
        log.warning("the Socket Mode connection did not close within %.0f s; stopping anyway", seconds)


def _serve(settings: Settings, database: Database, app: App, *, host: str) -> None:
    if settings.slack_app_token:
        handler = socket_mode_handler(app, settings.slack_app_token)
        handler.connect()
        log.info("connected to Slack in Socket Mode; /healthz still served on port %s", settings.port)
        try:
            # /healthz, and the install pages when installing in many workspaces.
            serve_http(
                wsgi_app(app, database, signing_secret=settings.slack_signing_secret, events=False),
                host=host,
                port=settings.port,
            )
        finally:
            close_within(handler, CLOSE_SECONDS)
    else:
        installed = None
        if settings.installs_anywhere:
            installed = InstalledWorkspaces(installation_store(settings, database))
        serve_http(
            wsgi_app(app, database, signing_secret=settings.slack_signing_secret, installed=installed),
            host=host,
            port=settings.port,
        )
