"""Slack's side of installing an app in many workspaces: approval codes handed to the redirect,
``oauth.v2.access`` exchanging each once for a bot token (and, with token rotation, a refresh
token that ``grant_type=refresh_token`` exchanges for a new pair), tokens revoked on uninstall."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

Answer = dict[str, Any]


@dataclass
class Install:
    team_id: str
    team_name: str
    installer: str
    scopes: str
    rotating: bool
    expires_in: int


class Installs:
    """The stand-in's record of installations; safe from any thread."""

    def __init__(self, *, client_id: str = "123.456", client_secret: str = "standin-secret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self._codes: dict[str, Install] = {}  # approval code → the install it approves (once)
        self._tokens: dict[str, str] = {}  # bot token → team
        self._refresh: dict[str, Install] = {}  # refresh token → the install it renews (once)
        self._revoked: set[str] = set()
        self.exchanges: list[tuple[str, str]] = []  # (grant, team) in order
        self._lock = threading.Lock()

    def offer(
        self,
        team_id: str,
        *,
        team_name: str = "",
        installer: str = "UINSTALLER",
        scopes: str = "commands,chat:write",
        rotating: bool = False,
        expires_in: int = 43_200,
    ) -> str:
        """The code Slack would put in the redirect once someone in ``team_id`` approves."""
        code = f"{secrets.token_hex(8)}.{team_id}"
        with self._lock:
            self._codes[code] = Install(
                team_id, team_name or f"Workspace {team_id}", installer, scopes, rotating, expires_in
            )
        return code

    def team_of(self, token: str | None) -> str | None:
        with self._lock:
            return self._tokens.get(token or "")

    def tokens_of(self, team_id: str) -> set[str]:
        with self._lock:
            return {token for token, team in self._tokens.items() if team == team_id}

    def revoked(self, token: str | None) -> bool:
        with self._lock:
            return (token or "") in self._revoked

    def revoke(self, team_id: str) -> None:
        """Uninstalled: every token of the workspace stops working."""
        with self._lock:
            for token, team in list(self._tokens.items()):
                if team == team_id:
                    self._revoked.add(token)

    def exchange(self, args: dict[str, Any]) -> Answer:
        """``oauth.v2.access``: an approval code, or a refresh token, for a new bot token."""
        if args.get("client_id") != self.client_id or args.get("client_secret") != self.client_secret:
            return {"ok": False, "error": "invalid_client_id"}
        with self._lock:
            if args.get("grant_type") == "refresh_token":
                install = self._refresh.pop(str(args.get("refresh_token") or ""), None)
                if install is None:
                    return {"ok": False, "error": "invalid_refresh_token"}
                grant = "refresh_token"
            else:
                install = self._codes.pop(str(args.get("code") or ""), None)
                if install is None:
                    return {"ok": False, "error": "invalid_code"}
                grant = "code"
            token = f"xoxb-{install.team_id}-{secrets.token_hex(6)}"
            self._tokens[token] = install.team_id
            self.exchanges.append((grant, install.team_id))
            answer: Answer = {
                "ok": True,
                "app_id": "AAPP",
                "token_type": "bot",
                "access_token": token,
                "scope": install.scopes,
                "bot_user_id": "UBOT",
                "team": {"id": install.team_id, "name": install.team_name},
                "enterprise": None,
                "is_enterprise_install": False,
                "authed_user": {"id": install.installer},
            }
            if install.rotating:
                refresh = f"xoxe-1-{secrets.token_hex(8)}"
                self._refresh[refresh] = install
                answer |= {"refresh_token": refresh, "expires_in": install.expires_in}
            return answer
