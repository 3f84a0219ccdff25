"""Settings, read once from the environment into one typed object.

Secrets are kept out of ``repr`` so that logging a Settings object never leaks them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message says what to set, in one line."""


def default_database_url(cwd: Path | None = None) -> str:
    """The embedded default: a SQLite file in the working directory."""
    return f"sqlite:///{(cwd or Path.cwd()) / 'partnerbot.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = DEFAULT_PORT
    # Slack user IDs allowed to change scoring weights besides workspace admins and owners.
    admins: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        port_text = env.get("PORT", "").strip() or str(DEFAULT_PORT)
        try:
            port = int(port_text)
        except ValueError:
            raise ConfigurationError(f"PORT must be a number, got {port_text!r}") from None
        if not 0 < port < 65536:
            raise ConfigurationError(f"PORT must be between 1 and 65535, got {port}")
        api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_SLACK_API_URL
        if not api_url.endswith("/"):
            api_url += "/"
        admins = frozenset(a.strip() for a in env.get("PARTNERBOT_ADMINS", "").split(",") if a.strip())
        return cls(
            database_url=env.get("DATABASE_URL", "").strip() or default_database_url(),
            slack_bot_token=env.get("SLACK_BOT_TOKEN", "").strip() or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
            slack_app_token=env.get("SLACK_APP_TOKEN", "").strip() or None,
            slack_api_url=api_url,
            port=port,
            admins=admins,
        )

    def require_slack(self) -> None:
        """``serve`` cannot start without these; say which one to set."""
        if not self.slack_bot_token:
            raise ConfigurationError("SLACK_BOT_TOKEN is not set: set it to the app's bot token (xoxb-…)")
        if not self.slack_bot_token.startswith("xoxb-"):
            raise ConfigurationError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        # Socket Mode requests come through the app's own connection, not signed HTTP: no secret needed.
        if not self.slack_signing_secret and not self.slack_app_token:
            raise ConfigurationError(
                "SLACK_SIGNING_SECRET is not set: copy it from the app's Basic Information page"
            )
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            raise ConfigurationError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
