"""Which tables can be exported and imported in Slack, and reading the table word people type.

The list comes from the CSV file types themselves (``storage.csv.files``), the same ones
``partnerbot export`` and ``partnerbot import`` offer, so Slack and the command line never differ.
"""

from __future__ import annotations

from handlers.shared.errors import UserError
from handlers.shared.text import escape, shorten
from storage.csv.errors import did_you_mean
from storage.csv.files import FILE_TYPES

EXPORT_TABLES: tuple[str, ...] = tuple(FILE_TYPES)
IMPORT_TABLES: tuple[str, ...] = tuple(name for name, kind in FILE_TYPES.items() if kind.importable)
DEFAULT_EXPORT = "partners"


def listed(tables: tuple[str, ...]) -> str:
    """``partners``, ``interactions``, … as Slack shows code words."""
    return ", ".join(f"`{table}`" for table in tables)


def _unknown(word: str, tables: tuple[str, ...]) -> UserError:
    shown = escape(shorten(word, 40).replace("`", ""))
    hint = escape(did_you_mean(word, tables))
    return UserError(f"I don't know the table “{shown}”{hint}. The tables are {listed(tables)}.")


def export_table(rest: str) -> str:
    """The table ``/partner export [table]`` asks for (partners when none is given)."""
    words = rest.split()
    if not words:
        return DEFAULT_EXPORT
    if len(words) > 1:
        raise UserError(
            f"`/partner export` takes one table, e.g. `/partner export interactions`. "
            f"The tables are {listed(EXPORT_TABLES)}."
        )
    table = words[0].casefold()
    if table not in EXPORT_TABLES:
        raise _unknown(words[0], EXPORT_TABLES)
    return table


def import_table(word: str) -> str:
    """The table an upload's ``import <table>`` names; score history is refused with the reason."""
    table = word.casefold()
    if table in EXPORT_TABLES and table not in IMPORT_TABLES:
        raise UserError(
            f"`{table}` is exported only: it is computed from the other records (import communications "
            f"and feedback, and it follows). I can import {listed(IMPORT_TABLES)}."
        )
    if table not in IMPORT_TABLES:
        raise _unknown(word, IMPORT_TABLES)
    return table
