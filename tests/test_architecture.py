"""The layout keeps its promises (docs/architecture.md): no import cycle anywhere, data flowing one
way between the layers, features that never import each other, no Slack below the handlers, no SQL
outside storage."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "scoring", "storage")


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [g for g in strongly_connected(graph) if len(g) > 1] == [["a", "b", "c"]]


def test_no_import_cycle_anywhere() -> None:
    imports = grimp.build_graph(*PACKAGES)
    graph = {module: set(imports.find_modules_directly_imported_by(module)) for module in imports.modules}
    cycles = [group for group in strongly_connected(graph) if len(group) > 1]
    cycles += [[m] for m, children in graph.items() if m in children]
    assert not cycles, f"modules that import each other: {cycles}"


def test_the_layer_contracts_hold() -> None:
    """import-linter's contracts in pyproject.toml: layers, independent features, no Slack below."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "BROKEN" not in done.stdout and done.stdout.count("KEPT") >= 4, done.stdout[-2000:]


def test_no_sql_outside_storage() -> None:
    """Queries are storage's job: nothing else builds a statement or touches a session's query API."""
    queries = {"select", "insert", "update", "delete", "text"}
    offenders = []
    for package in ("bot", "handlers", "scoring"):
        for path in (REPO / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sqlalchemy"):
                    names = {alias.name for alias in node.names}
                    if names & queries:
                        offenders.append(
                            f"{path.relative_to(REPO)}: from {node.module} import {names & queries}"
                        )
                session_query = (
                    isinstance(node, ast.Attribute)
                    and node.attr in {"execute", "scalar", "scalars", "query"}
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "session"
                )
                if session_query:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}: session.{node.attr}")
    assert not offenders, offenders
