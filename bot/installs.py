"""Installed in many workspaces: Slack's OAuth flow through Bolt, each workspace's tokens kept in
Partnerbot's own database by slack_sdk's SQLAlchemy stores (tables under Alembic: 0016), and the
client that speaks for a workspace when no request brought one (:class:`InstalledClients`).

With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` (and no ``SLACK_BOT_TOKEN``) ``serve`` offers
``GET /slack/install`` (a page with the "Add to Slack" button) and ``GET /slack/oauth_redirect``
(where Slack sends the installer back with a code, exchanged once for the workspace's bot token).
"""

from __future__ import annotations

import html
import logging
import threading
import time

from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.settings import Settings
from storage.db import Database

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes an install asks for: exactly manifest.yml's (tests/test_manifest.py keeps them equal).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "users:read",
    "channels:join",
    "files:write",
    "im:write",
    "app_mentions:read",
    "im:history",
    "files:read",
    "channels:read",
    "groups:read",
)
# An install link works for ten minutes, and once.
STATE_SECONDS = 600
# Tokens that expire (token rotation on) are refreshed when less than this is left.
REFRESH_MINUTES = 120


def installation_store(settings: Settings, database: Database) -> SQLAlchemyInstallationStore:
    """Workspaces' installations and bot tokens, in the app's own database."""
    assert settings.slack_client_id, "installs need SLACK_CLIENT_ID"
    return SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=database.engine, logger=log)


def oauth_settings(settings: Settings, database: Database, client: WebClient) -> OAuthSettings:
    """Bolt's OAuth flow over our stores, with pages written for the person installing.

    ``client`` is the token-less client Bolt exchanges codes and refreshes tokens with (it goes
    through SLACK_API_URL like every other call)."""
    assert settings.slack_client_id and settings.slack_client_secret, "installs need the app's credentials"
    store = installation_store(settings, database)
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=REFRESH_MINUTES,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_SECONDS, engine=database.engine, logger=log
        ),
        state_expiration_seconds=STATE_SECONDS,
        callback_options=CallbackOptions(success=installed_page, failure=failed_page),
        logger=log,
    )
    # Bolt's own authorize, but with its refreshes through SLACK_API_URL and auth.test answered from
    # memory after a token's first request (the token is still looked up in the store every time,
    # so an uninstalled workspace is refused at once).
    oauth.authorize = InstallationStoreAuthorize(
        logger=log,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=REFRESH_MINUTES,
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
    return oauth


class InstalledClients:
    """The bot client of each installed workspace, for work no request brought (digests, reminders,
    alerts, the Home tab after a change). Reads the store every time, so an uninstall is seen at
    once by every process; refreshes a rotating token before it runs out."""

    def __init__(self, settings: Settings, database: Database, template: WebClient) -> None:
        assert settings.slack_client_id and settings.slack_client_secret, (
            "installs need the app's credentials"
        )
        self.store = installation_store(settings, database)
        self.template = template
        self.rotator = TokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            client=WebClient(base_url=template.base_url, timeout=template.timeout),
        )
        self._clients: dict[str, WebClient] = {}  # team → its client
        self._lock = threading.Lock()

    def for_team(self, team_id: str) -> WebClient | None:
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            return None
        if bot.bot_refresh_token:
            try:
                refreshed = self.rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=REFRESH_MINUTES
                )
            except (SlackApiError, SlackClientError, OSError) as exc:
                log.warning("could not refresh the bot token of %s: %s", team_id, exc)
                refreshed = None
            if refreshed is not None:
                self.store.save_bot(refreshed)
                bot = refreshed
        return self._client(team_id, bot.bot_token)

    def _client(self, team_id: str, token: str) -> WebClient:
        """One client per workspace, sharing the template's address, timeout and retries; a new one
        when its token changed (rotated, or installed again), so there is never more than one each."""
        with self._lock:
            client = self._clients.get(team_id)
            if client is None or client.token != token:
                client = WebClient(
                    token=token,
                    base_url=self.template.base_url,
                    timeout=self.template.timeout,
                    retry_handlers=list(self.template.retry_handlers),
                )
                self._clients[team_id] = client
            return client


class InstalledWorkspaces:
    """Whether a request's workspace has installed Partnerbot: asked at the front door, so a
    request from anywhere else is refused with a 401 before any work (and said in the log once per
    workspace, however often it retries). Bolt's own authorization still decides every request
    that passes; a yes is remembered for a few seconds only, so an uninstall is seen at once there."""

    REMEMBER_SECONDS = 10.0

    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store
        self._yes: dict[tuple[str | None, str | None], float] = {}
        self._told: set[tuple[str | None, str | None]] = set()
        self._lock = threading.Lock()

    def __call__(self, enterprise_id: str | None, team_id: str | None) -> bool:
        key = (enterprise_id, team_id)
        now = time.monotonic()
        with self._lock:
            if now - self._yes.get(key, -self.REMEMBER_SECONDS) < self.REMEMBER_SECONDS:
                return True
        if self.store.find_bot(enterprise_id=enterprise_id, team_id=team_id) is None:
            with self._lock:
                first = key not in self._told
                self._told.add(key)
            if first:
                where = team_id or enterprise_id
                log.warning("refused requests from %s: Partnerbot is not installed there", where)
            return False
        with self._lock:
            self._yes[key] = now
            self._told.discard(key)
        return True

    def forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Uninstalled (or tokens revoked): ask the store again from the next request on."""
        with self._lock:
            self._yes.pop((enterprise_id, team_id), None)


# --- the pages the person installing sees ------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 4em auto; line-height: 1.5">
<h1>{title}</h1>
{body}
</body></html>
"""

# Why an install failed, in the installer's words (Bolt's reasons: slack_bolt.oauth.oauth_flow).
_FAILURES = {
    "invalid_browser": (
        "This install link was opened in another browser, or your browser refused its cookie. Start "
        "again from the install page in one browser."
    ),
    "invalid_state": (
        "This install link has expired or was already used. Start again from the install page: "
        "each link works once, for ten minutes."
    ),
    "missing_code": "Slack did not send the approval code back. Start again from the install page.",
    "access_denied": "The installation was cancelled in Slack, so nothing was installed.",
    "storage_error": (
        "Slack approved the install but Partnerbot could not save it. Please try again in a minute."
    ),
}


def installed_page(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    team = html.escape(installation.team_name or installation.team_id or "your workspace")
    log.info("installed in %s (%s)", installation.team_id, installation.team_name)
    body = (
        f"<p>Partnerbot is installed in <b>{team}</b>.</p>"
        "<p>In Slack, type <code>/partner help</code> to start, or open Partnerbot's Home tab.</p>"
    )
    return _page(200, "Partnerbot is installed", body)


def failed_page(args: FailureArgs) -> BoltResponse:
    reason = _FAILURES.get(args.reason) or (
        f"Slack refused the installation ({html.escape(args.reason)}). Start again from the install page."
    )
    log.warning("an installation failed: %s", args.reason)
    body = f'<p>{reason}</p><p><a href="{INSTALL_PATH}">Back to the install page</a></p>'
    return _page(args.suggested_status_code or 400, "Partnerbot was not installed", body)


def _page(status: int, title: str, body: str) -> BoltResponse:
    return BoltResponse(
        status=status,
        body=_PAGE.format(title=html.escape(title), body=body),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
