"""Escaping and shortening user text for Slack."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.shared.text import ELLIPSIS, escape, escaped_shortened, first_words, literal, shorten


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("A & B", "A &amp; B"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("&lt;", "&amp;lt;"),
        ("", ""),
        (None, ""),
    ],
)
def test_escape(raw: str | None, shown: str) -> None:
    assert escape(raw) == shown


def test_literal_breaks_formatting_markers() -> None:
    shown = literal("*bold* _it_ ~s~ `c` <!here>")
    assert "*bold*" not in shown and "_it_" not in shown and "`c`" not in shown
    assert "&lt;!here&gt;" in shown
    assert shown.replace("\u200d", "") == "*bold* _it_ ~s~ `c` &lt;!here&gt;"


def test_shorten_keeps_short_text_and_marks_cuts() -> None:
    assert shorten("short", 10) == "short"
    cut = shorten("word " * 100, 50)
    assert len(cut) <= 50 and cut.endswith(ELLIPSIS)


@given(st.text(), st.integers(min_value=1, max_value=400))
def test_escaped_shortened_never_exceeds_the_limit_or_leaks_control_characters(text: str, limit: int) -> None:
    shown = escaped_shortened(text, limit)
    assert len(shown) <= limit
    assert "<" not in shown and ">" not in shown


def test_first_words_is_one_line() -> None:
    assert first_words("line one\n\nline   two", 80) == "line one line two"
