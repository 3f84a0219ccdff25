"""The errors an import or export reports to the person running it."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process

from storage.names import name_key


class TransferError(Exception):
    """An import or export that cannot be done; ``str()`` is the message for the person."""


class ImportFailed(TransferError):
    """A CSV file was refused and nothing was written.

    ``line`` is the physical line in the file where the offending row starts (the header is line
    1), or ``None`` when the problem is not one row's.
    """

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(line, reason)
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        return self.reason if self.line is None else f"line {self.line}: {self.reason}"


class CellError(ValueError):
    """A cell's value is wrong; the import loop adds the line number."""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` — did you mean 'X'?`` for the known name closest to ``name`` (ignoring case), or nothing."""
    match = process.extractOne(name, known, processor=name_key, score_cutoff=80)
    return f" — did you mean {match[0]!r}?" if match else ""
