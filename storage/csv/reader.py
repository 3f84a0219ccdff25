"""Reading a CSV file of a file type: a UTF-8 byte order mark, the header, then each row checked and
converted with the physical line it starts on, so a refusal names the line a person can find."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from typing import Any, TextIO

from storage.csv.columns import FileType, ImportContext
from storage.csv.errors import CellError, ImportFailed
from storage.csv.formulas import unescape_formula


def records(source: TextIO) -> Any:
    """A strict CSV reader over ``source``, a UTF-8 byte order mark at its start dropped."""
    return csv.reader(_without_bom(source), strict=True)


def _without_bom(source: TextIO) -> Iterator[str]:
    lines = iter(source)
    try:
        first = next(lines, None)
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from None
    return iter(()) if first is None else itertools.chain([first.removeprefix("\ufeff")], lines)


def _not_utf8(error: UnicodeDecodeError) -> ImportFailed:
    # Text is decoded in blocks ahead of the CSV reader, so the line number would be a guess.
    return ImportFailed(None, f"the file is not UTF-8 text ({error.reason}); save it as UTF-8 and try again")


def _not_csv(line: int, error: csv.Error) -> ImportFailed:
    return ImportFailed(line, f"this row is not valid CSV ({error}); check its quotes")


def _next_row(reader: Any) -> list[str] | None:
    """The next CSV record, or ``None`` at the end; unreadable input becomes ImportFailed."""
    start = reader.line_num + 1
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise _not_csv(start, exc) from None
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from None


def read_header(reader: Any, file_type: FileType) -> list[str]:
    """The file's column names (trimmed, lower-case), checked against the file type."""
    expected = ", ".join(file_type.column_names)
    header = _next_row(reader)
    if header is None:
        raise ImportFailed(None, f"the file is empty; its first line must name the columns: {expected}")
    if not any(cell.strip() for cell in header):
        raise ImportFailed(1, f"the first line is blank; it must name the columns: {expected}")
    names = [cell.strip().casefold() for cell in header]
    for position, column in enumerate(names, start=1):
        if not column:
            raise ImportFailed(1, f"column {position} of the header has no name")
        if names.index(column) + 1 != position:
            raise ImportFailed(1, f"column {column!r} appears twice in the header")
    unknown = [column for column in names if column not in file_type.column_names]
    if unknown:
        listed = ", ".join(repr(column) for column in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise ImportFailed(1, f"unknown column{plural} {listed}; {file_type.name} files have: {expected}")
    missing = [column.name for column in file_type.columns if column.required and column.name not in names]
    if missing:
        listed = ", ".join(repr(column) for column in missing)
        plural = "s" if len(missing) > 1 else ""
        raise ImportFailed(1, f"missing required column{plural} {listed}")
    return names


def converted_rows(
    reader: Any, names: list[str], file_type: FileType, context: ImportContext
) -> Iterator[dict[str, Any]]:
    """The table's values for each non-blank row after the header, converted as they are read.

    The first bad row raises ImportFailed with the line where it starts. (One generator for reading
    and converting: this loop runs once per row of files with hundreds of thousands of rows.)
    """
    convert = file_type.convert
    text_columns = {column.name for column in file_type.columns if column.text}
    text_positions = [i for i, column in enumerate(names) if column in text_columns]
    width = len(names)
    start = reader.line_num + 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if len(row) != width or not any(row):
                if not "".join(row).strip():
                    continue  # blank line, or only separators
                raise ImportFailed(
                    line, f"this row has {len(row)} values but the header names {width} columns"
                )
            for i in text_positions:
                if row[i][:1] == "'":
                    row[i] = unescape_formula(row[i])
            try:
                values = convert(dict(zip(names, row, strict=True)), line, context)
            except CellError as exc:
                raise ImportFailed(line, str(exc)) from None
            yield values
    except csv.Error as exc:
        raise _not_csv(start, exc) from None
    except UnicodeDecodeError as exc:
        raise _not_utf8(exc) from None
