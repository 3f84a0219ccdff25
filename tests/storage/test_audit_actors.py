"""Every write transaction the app opens names who makes the change, for the audit trail: a
``.transaction()`` call without ``actor=`` outside the tests would record "unknown"."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("bot", "handlers", "storage", "bench")


def unnamed_in(source: str) -> list[int]:
    """The lines of ``source`` calling ``.transaction(…)`` without ``actor=``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "transaction"
        and not any(keyword.arg == "actor" for keyword in node.keywords)
    ]


def unnamed_transactions() -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}"
        for package in APP_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line in unnamed_in(path.read_text(encoding="utf-8"))
    ]


def test_every_write_transaction_of_the_app_names_its_actor() -> None:
    assert unnamed_transactions() == []


def test_the_check_finds_a_transaction_without_an_actor() -> None:
    source = "with db.transaction() as s:\n    pass\nwith db.transaction(actor='U1') as s:\n    pass\n"
    assert unnamed_in(source) == [1]
