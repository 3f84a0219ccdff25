"""What an uploaded file must be before it is imported: at most 50 MB, a CSV file by its name or
type, and UTF-8 text by its content. Each check returns the reason for the person, or ``None``."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from handlers.shared.text import escape, shorten

# Large enough for a few hundred thousand rows; beyond it `partnerbot import` on the server is the
# better tool (no upload, no download, no Slack time-outs).
MAX_IMPORT_BYTES = 50 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
# How Slack and browsers label CSV: Slack's own filetype, and the MIME types spreadsheets and
# operating systems give .csv files (Windows calls them Excel files).
CSV_FILETYPES = frozenset({"csv"})
CSV_MIMETYPES = frozenset(
    {"text/csv", "application/csv", "text/comma-separated-values", "application/vnd.ms-excel"}
)
SPREADSHEETS = frozenset({"xlsx", "xls", "xlsm", "ods", "numbers", "gsheet"})
SAVE_AS_CSV = "In your spreadsheet, save it as “CSV UTF-8” and upload that file."


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


SMALLER = "Split it into smaller files, or ask whoever runs Partnerbot to use `partnerbot import`."
TOO_LARGE = f"The file is larger than {megabytes(MAX_IMPORT_BYTES)}, the most I import. {SMALLER}"


def size_problem(size: int) -> str | None:
    """Why a file of ``size`` bytes is refused (too large), or None."""
    if size > MAX_IMPORT_BYTES:
        return (
            f"The file is {megabytes(size)}; I import files of up to {megabytes(MAX_IMPORT_BYTES)}. {SMALLER}"
        )
    return None


def type_problem(name: str, filetype: str, mimetype: str) -> str | None:
    """Why a file is not CSV by its name, Slack's filetype and its MIME type, or None."""
    extension = Path(name).suffix.lstrip(".").casefold()
    kind = filetype.casefold()
    if kind in SPREADSHEETS or extension in SPREADSHEETS:
        return f"*{escape(shorten(name, 80))}* is a spreadsheet, not a CSV file. {SAVE_AS_CSV}"
    if kind in CSV_FILETYPES or extension == "csv" or mimetype.casefold() in CSV_MIMETYPES:
        return None
    described = escape(shorten(filetype or mimetype or "unknown", 40))
    return (
        f"*{escape(shorten(name, 80))}* is not a CSV file (Slack says its type is {described}). "
        f"I import CSV files only. {SAVE_AS_CSV}"
    )


def file_problem(info: dict[str, Any]) -> str | None:
    """The size and type checks on a file as files.info describes it, before it is downloaded."""
    size = info.get("size")
    if isinstance(size, int) and (problem := size_problem(size)):
        return problem
    return type_problem(
        str(info.get("name") or ""), str(info.get("filetype") or ""), str(info.get("mimetype") or "")
    )


def text_problem(path: Path) -> str | None:
    """Why the downloaded file is not UTF-8 text (read in chunks, never whole), or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            if b"\x00" in chunk:
                return f"The file is not text (it holds binary data), so it is not a CSV file. {SAVE_AS_CSV}"
            pending = len(decoder.getstate()[0])  # the last chunk's unfinished character, decoded now
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                at = offset - pending + error.start + 1
                return f"The file is not UTF-8 text (byte {at:,} is not UTF-8). {SAVE_AS_CSV}"
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return f"The file is not UTF-8 text (it ends in the middle of a character). {SAVE_AS_CSV}"
    return None
