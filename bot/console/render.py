"""Slack messages and views as plain terminal text, for the console.

mrkdwn becomes what a reader would see: ``*bold*`` loses its stars, ``<@U1>`` reads ``@U1``,
``<!date^…|fallback>`` its fallback, links ``label (url)``, and ``&lt; &gt; &amp;`` are decoded.
Buttons are shown as ``[1] Edit``; the caller decides the numbers (see :class:`Renderer`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# handlers.text.literal puts a zero-width joiner after formatting characters a person typed, so
# that Slack shows them as typed: such a character is text, never formatting.
_TYPED_FORMATTING = re.compile("([*_~`])\u200d")
_PLACEHOLDERS = {"*": "\ue000", "_": "\ue001", "~": "\ue002", "`": "\ue003"}
_RESTORE = {v: k for k, v in _PLACEHOLDERS.items()}
_CODE = re.compile(r"```(.*?)```|`([^`\n]+)`", re.S)
_CONTROL = re.compile(r"<([^<>\n]*)>")


def _span(marker: str) -> re.Pattern[str]:
    m = re.escape(marker)
    return re.compile(rf"(?<![\w{m}]){m}(?=\S)([^{m}\n]+?)(?<=\S){m}(?![\w{m}])")


_BOLD, _ITALIC, _STRIKE = _span("*"), _span("_"), _span("~")


def unescape(text: str) -> str:
    """Slack's three entities back to characters (``&amp;`` last, so ``&amp;lt;`` stays ``&lt;``)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _control(match: re.Match[str], channels: Mapping[str, str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("@"):
        return "@" + target[1:]
    if target.startswith("#"):
        return "#" + (label or channels.get(target[1:]) or target[1:])
    if target.startswith("!"):
        command = target[1:]
        if command.startswith(("date^", "subteam^")):
            return label or command.split("^", 1)[1]
        return label or "@" + command
    url = unescape(target)
    shown = url.removeprefix("mailto:")
    return f"{label} ({shown})" if label and label != url else shown


def _outside_code(text: str, channels: Mapping[str, str]) -> str:
    text = _CONTROL.sub(lambda m: _control(m, channels), text)
    for pattern in (_BOLD, _ITALIC, _STRIKE):
        text = pattern.sub(r"\1", text)
    return unescape(text)


def plain_text(text: str | None) -> str:
    """A plain_text object's text as shown (Slack decodes the three entities there too)."""
    return unescape(text or "")


def mrkdwn_to_plain(text: str | None, channels: Mapping[str, str] | None = None) -> str:
    """mrkdwn as a reader sees it; inline `code` keeps its backticks (commands to copy).
    ``channels`` names channel IDs, as Slack shows ``<#C123>`` by the channel's name."""
    channels = channels or {}
    if not text:
        return ""
    text = _TYPED_FORMATTING.sub(lambda m: _PLACEHOLDERS[m.group(1)], text)
    pieces: list[str] = []
    last = 0
    for match in _CODE.finditer(text):
        pieces.append(_outside_code(text[last : match.start()], channels))
        block, inline = match.group(1), match.group(2)
        pieces.append(unescape(block.strip("\n")) if block is not None else f"`{unescape(inline)}`")
        last = match.end()
    pieces.append(_outside_code(text[last:], channels))
    return "".join(_RESTORE.get(ch, ch) for ch in "".join(pieces))


def text_object(obj: Any, channels: Mapping[str, str] | None = None) -> str:
    if not isinstance(obj, dict):
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_plain(obj.get("text"), channels)
    return plain_text(obj.get("text"))


@dataclass(frozen=True)
class Style:
    """ANSI styling, or none (when the output is not a terminal, or NO_COLOR is set)."""

    color: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def accent(self, text: str) -> str:
        return self._wrap("36", text)

    def error(self, text: str) -> str:
        return self._wrap("31", text)


# (element, the block it is in) → how the element is shown, e.g. "[2] Undo"
ButtonLabel = Callable[[dict[str, Any], dict[str, Any]], str]


def _element_text(element: dict[str, Any]) -> str:
    return text_object(element.get("text")) or element.get("action_id", "button")


def unnumbered(element: dict[str, Any], _block: dict[str, Any]) -> str:
    return f"[{_element_text(element)}]"


@dataclass
class Renderer:
    style: Style
    button: ButtonLabel = unnumbered
    channels: Mapping[str, str] = field(default_factory=dict)  # channel ID → name

    def text(self, obj: Any) -> str:
        return text_object(obj, self.channels)

    def interactive(self, element: dict[str, Any], block: dict[str, Any]) -> str:
        kind = element.get("type")
        if kind == "button":
            return self.style.accent(self.button(element, block))
        if kind == "overflow":
            return self.style.dim("(… menu)")
        placeholder = self.text(element.get("placeholder")) or kind or "menu"
        return self.style.dim(f"({placeholder})")

    def block(self, block: dict[str, Any]) -> list[str]:
        kind = block.get("type")
        style = self.style
        if kind == "header":
            return [style.bold(f"=== {self.text(block.get('text'))} ===")]
        if kind == "divider":
            return [style.dim("-" * 30)]
        if kind == "section":
            lines = self.text(block.get("text")).splitlines() if block.get("text") else []
            for field in block.get("fields") or []:
                parts = self.text(field).splitlines() or [""]
                lines.append("  " + (parts[0] + (": " + " ".join(parts[1:]) if parts[1:] else "")))
            accessory = block.get("accessory")
            if isinstance(accessory, dict) and accessory.get("type") not in (None, "image"):
                lines.append("  " + self.interactive(accessory, block))
            return lines
        if kind == "context":
            texts = [self.text(e) for e in block.get("elements") or [] if e.get("type") != "image"]
            joined = "  ".join(t for t in texts if t)
            return [style.dim("  " + line) for line in joined.splitlines()]
        if kind == "actions":
            shown = [self.interactive(e, block) for e in block.get("elements") or []]
            return ["  ".join(shown)] if shown else []
        if kind == "image":
            return [style.dim(f"[image: {block.get('alt_text', '')}]")]
        if kind == "markdown":
            return str(block.get("text", "")).splitlines()
        if kind == "rich_text":
            return _rich_text(block).splitlines()
        if kind == "input":
            return [f"{self.text(block.get('label'))}: (a form field)"]
        return [style.dim(f"[{kind}]")]

    def blocks(self, blocks: list[dict[str, Any]]) -> list[str]:
        lines: list[str] = []
        for block in blocks:
            if isinstance(block, dict):
                lines.extend(self.block(block))
        return lines

    def message(self, payload: dict[str, Any]) -> list[str]:
        """A message (chat.*, response_url, an acknowledgement): its blocks, else its text."""
        blocks = payload.get("blocks")
        lines = self.blocks(blocks) if isinstance(blocks, list) and blocks else []
        if not lines:
            lines = mrkdwn_to_plain(str(payload.get("text") or ""), self.channels).splitlines()
        for attachment in payload.get("attachments") or []:
            if isinstance(attachment, dict):
                inner = self.message(attachment)
                lines.extend("| " + line for line in inner)
        return lines


def _rich_text(node: Any) -> str:
    if isinstance(node, list):
        return "".join(_rich_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "user":
        return "@" + str(node.get("user_id", ""))
    if kind == "channel":
        return "#" + str(node.get("channel_id", ""))
    if kind == "link":
        return str(node.get("text") or node.get("url", ""))
    if kind == "emoji":
        return f":{node.get('name', '')}:"
    inner = _rich_text(node.get("elements", []))
    if kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
        return inner + "\n"
    if kind == "rich_text_list":
        items = [_rich_text(e).rstrip("\n") for e in node.get("elements", [])]
        return "".join(f"• {item}\n" for item in items)
    return inner
