"""Neutralising cells a spreadsheet would run as formulas, reversibly.

Export puts a ``'`` in front of such a cell (spreadsheets hide it) and import takes exactly one away,
so an export imports back unchanged.
"""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula. ``'`` itself is in the set
# so that a value that really starts with ``'=`` or ``''`` also comes back unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def escape_formula(value: str) -> str:
    """The cell export writes for ``value``.

    >>> escape_formula("=1+1"), escape_formula("'quoted"), escape_formula("Acme")
    ("'=1+1", "''quoted", 'Acme')
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unescape_formula(value: str) -> str:
    """The value an exported cell stands for: ``escape_formula`` undone.

    >>> unescape_formula("'=1+1"), unescape_formula("''quoted"), unescape_formula("'tis")
    ('=1+1', "'quoted", "'tis")
    """
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value
