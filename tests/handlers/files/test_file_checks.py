"""What an uploaded file must be: at most 50 MB, CSV by name or type, UTF-8 text by content."""

from __future__ import annotations

import pytest

from handlers.files import checks
from handlers.files.checks import MAX_IMPORT_BYTES, file_problem, size_problem, text_problem, type_problem


def test_the_limit_is_50_mb():
    assert MAX_IMPORT_BYTES == 50 * 1024 * 1024
    assert size_problem(MAX_IMPORT_BYTES) is None
    problem = size_problem(MAX_IMPORT_BYTES + 1)
    assert problem is not None and "50.0 MB" in problem and "partnerbot import" in problem


@pytest.mark.parametrize(
    ("name", "filetype", "mimetype"),
    [
        ("partners.csv", "csv", "text/csv"),
        ("PARTNERS.CSV", "", ""),  # by the extension alone
        ("export", "csv", ""),  # by Slack's filetype alone
        ("export", "text", "application/vnd.ms-excel"),  # Windows' type for .csv files
    ],
)
def test_csv_files_pass(name, filetype, mimetype):
    assert type_problem(name, filetype, mimetype) is None


def test_a_spreadsheet_is_told_to_save_as_csv():
    problem = type_problem("partners.xlsx", "xlsx", "application/vnd.openxmlformats")
    assert problem is not None and "spreadsheet" in problem and "CSV UTF-8" in problem


def test_another_file_says_its_type_escaped():
    problem = type_problem("<b>.pdf", "pdf", "application/pdf")
    assert problem is not None and "not a CSV file" in problem and "pdf" in problem
    assert "<b>" not in problem and "&lt;b&gt;" in problem


def test_file_problem_checks_the_size_before_the_type():
    assert "50.0 MB" in (
        file_problem({"name": "a.csv", "filetype": "csv", "size": MAX_IMPORT_BYTES + 1}) or ""
    )
    assert "not a CSV" in (file_problem({"name": "a.png", "filetype": "png", "size": 10}) or "")
    assert file_problem({"name": "a.csv", "filetype": "csv", "size": 10}) is None


def test_utf8_text_passes_with_or_without_a_byte_order_mark(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_bytes("\ufeffname\nCafé Ünïcode 🚀\n".encode())
    assert text_problem(path) is None


def test_latin1_says_which_byte(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name\nCafé\n".encode("latin-1"))
    problem = text_problem(path)
    assert problem is not None and "not UTF-8 text (byte 9 is not UTF-8)" in problem


def test_a_character_split_across_chunks_is_fine_and_a_bad_byte_after_one_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(checks, "CHUNK_BYTES", 4)
    path = tmp_path / "split.csv"
    path.write_bytes("abc€d".encode())  # the euro sign's three bytes straddle the first chunk's end
    assert text_problem(path) is None
    path.write_bytes("abc€".encode() + b"\xff")
    assert "byte 7 is not UTF-8" in (text_problem(path) or "")


def test_binary_and_truncated_files_are_refused(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00")
    assert "binary" in (text_problem(path) or "")
    path.write_bytes(b"name\nCaf" + "é".encode()[:1])
    assert "middle of a character" in (text_problem(path) or "")
