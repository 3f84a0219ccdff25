"""``import …`` and ``export …`` written to the app in plain words, without a file: how to do it.

An upload with ``import <table>`` is a ``file_share`` message, answered by ``handlers.files.imports``;
the mentions feature only sees messages without a file, and asks these questions among the others.
"""

from __future__ import annotations

import re

from handlers.files.imports import HOW_TO_IMPORT
from handlers.files.tables import EXPORT_TABLES, listed
from handlers.shared.deps import Deps
from handlers.shared.questions import question
from handlers.shared.replies import Reply

_IMPORT = re.compile(r"^(?:please\s+)?import\b", re.I)
_EXPORT = re.compile(r"^(?:please\s+)?export\b(?:\s+(?P<table>\w+))?", re.I)


@question("import without a file", _IMPORT.match, order=1)
def answer_import(deps: Deps, team_id: str, asked: str, match: re.Match[str]) -> Reply:
    return Reply(f"I need the file itself. {HOW_TO_IMPORT}")


@question("export", _EXPORT.match, order=2)
def answer_export(deps: Deps, team_id: str, asked: str, match: re.Match[str]) -> Reply:
    table = (match.group("table") or "").casefold()
    command = f"/partner export {table}" if table in EXPORT_TABLES else "/partner export <table>"
    return Reply(
        f"Type `{command}` and the CSV arrives in your direct messages with me. "
        f"The tables are {listed(EXPORT_TABLES)}."
    )
