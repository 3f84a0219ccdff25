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
# Nightly backups kept in PARTNERBOT_BACKUP_DIR unless PARTNERBOT_BACKUP_KEEP says otherwise.
DEFAULT_BACKUP_KEEP = 7


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
    # Installing in many workspaces (OAuth): the app's credentials, used when SLACK_BOT_TOKEN is unset.
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    # Where Slack sends people back after they approve the install; unset: the app's only Redirect URL.
    slack_redirect_uri: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = DEFAULT_PORT
    # Slack user IDs allowed to change scoring weights besides workspace admins and owners.
    admins: frozenset[str] = frozenset()
    # Communication notes older than this many months are blanked daily; None keeps them forever.
    note_retention_months: int | None = None
    # Where the scheduler writes a backup each UTC day (None: no nightly backups), and how many it keeps.
    backup_dir: Path | None = None
    backup_keep: int = DEFAULT_BACKUP_KEEP

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
        backup_dir, backup_keep = _backup_settings(env)
        return cls(
            note_retention_months=_retention_months(env.get("PARTNERBOT_NOTE_RETENTION_MONTHS", "")),
            database_url=env.get("DATABASE_URL", "").strip() or default_database_url(),
            slack_bot_token=env.get("SLACK_BOT_TOKEN", "").strip() or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
            slack_app_token=env.get("SLACK_APP_TOKEN", "").strip() or None,
            slack_client_id=env.get("SLACK_CLIENT_ID", "").strip() or None,
            slack_client_secret=env.get("SLACK_CLIENT_SECRET", "").strip() or None,
            slack_redirect_uri=env.get("SLACK_REDIRECT_URI", "").strip() or None,
            slack_api_url=api_url,
            port=port,
            admins=admins,
            backup_dir=backup_dir,
            backup_keep=backup_keep,
        )

    @property
    def installs_anywhere(self) -> bool:
        """Multi-workspace mode: no single bot token, but the app's OAuth credentials. Each workspace
        that installs Partnerbot gets its own token, kept in the database (bot/installs.py)."""
        return not self.slack_bot_token and bool(self.slack_client_id or self.slack_client_secret)

    def require_retention(self) -> int:
        """``partnerbot retention`` needs the period; say how to set it."""
        if self.note_retention_months is None:
            raise ConfigurationError(
                "PARTNERBOT_NOTE_RETENTION_MONTHS is not set: set it to how many months notes are kept"
            )
        return self.note_retention_months

    def require_slack(self) -> None:
        """``serve`` cannot start without these; say which one to set."""
        if self.installs_anywhere:
            if not self.slack_client_id or not self.slack_client_secret:
                missing = "SLACK_CLIENT_SECRET" if self.slack_client_id else "SLACK_CLIENT_ID"
                raise ConfigurationError(
                    f"{missing} is not set: installing in many workspaces needs both SLACK_CLIENT_ID and "
                    "SLACK_CLIENT_SECRET (the app's Basic Information page)"
                )
        elif not self.slack_bot_token:
            raise ConfigurationError(
                "SLACK_BOT_TOKEN is not set: set it to the app's bot token (xoxb-…), or set SLACK_CLIENT_ID "
                "and SLACK_CLIENT_SECRET to let any workspace install Partnerbot"
            )
        elif not self.slack_bot_token.startswith("xoxb-"):
            raise ConfigurationError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        # Socket Mode requests come through the app's own connection, not signed HTTP: no secret needed.
        if not self.slack_signing_secret and not self.slack_app_token:
            raise ConfigurationError(
                "SLACK_SIGNING_SECRET is not set: copy it from the app's Basic Information page"
            )
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            raise ConfigurationError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")


# At most a century: a larger number is a typo, not a policy.
MAX_RETENTION_MONTHS = 1200


def _retention_months(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        months = int(text)
    except ValueError:
        raise ConfigurationError(
            f"PARTNERBOT_NOTE_RETENTION_MONTHS must be a whole number of months, got {text!r}"
        ) from None
    if not 1 <= months <= MAX_RETENTION_MONTHS:
        raise ConfigurationError(
            f"PARTNERBOT_NOTE_RETENTION_MONTHS must be between 1 and {MAX_RETENTION_MONTHS}, got {months}"
        )
    return months


def _backup_settings(env: Mapping[str, str]) -> tuple[Path | None, int]:
    """PARTNERBOT_BACKUP_DIR (a folder, made if missing) and PARTNERBOT_BACKUP_KEEP (a count, 1 or more)."""
    folder_text = env.get("PARTNERBOT_BACKUP_DIR", "").strip()
    folder = Path(folder_text).expanduser() if folder_text else None
    if folder is not None and folder.exists() and not folder.is_dir():
        raise ConfigurationError(f"PARTNERBOT_BACKUP_DIR must be a folder, and {folder} is a file")
    keep_text = env.get("PARTNERBOT_BACKUP_KEEP", "").strip() or str(DEFAULT_BACKUP_KEEP)
    try:
        keep = int(keep_text)
    except ValueError:
        raise ConfigurationError(
            f"PARTNERBOT_BACKUP_KEEP must be a number of backups, got {keep_text!r}"
        ) from None
    if keep < 1:
        raise ConfigurationError(f"PARTNERBOT_BACKUP_KEEP must be 1 or more, got {keep}")
    return folder, keep
