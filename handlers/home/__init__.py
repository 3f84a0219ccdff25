"""The App Home tab: the dashboard, published on opening and after each change."""

from __future__ import annotations

from handlers.home.listeners import publish_home, register, republish_home

__all__ = ["publish_home", "register", "republish_home"]
