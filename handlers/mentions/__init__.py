"""Questions in plain words, by mention or direct message."""

from __future__ import annotations

from handlers.mentions.listeners import register

__all__ = ["register"]
