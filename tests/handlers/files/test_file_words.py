"""Reading the table people ask for: ``/partner export [table]`` and an upload's ``import <table>``."""

from __future__ import annotations

import pytest

from handlers.files.imports import HOW_TO_IMPORT, requested_table
from handlers.files.tables import EXPORT_TABLES, IMPORT_TABLES, export_table, import_table
from handlers.shared.errors import UserError


def test_the_tables_are_the_command_lines():
    assert EXPORT_TABLES == (
        "partners",
        "interactions",
        "feedback",
        "projects",
        "resources",
        "needs",
        "followups",
        "history",
        "permissions",
    )
    assert tuple(table for table in EXPORT_TABLES if table != "history") == IMPORT_TABLES


@pytest.mark.parametrize(
    ("typed", "table"),
    [("", "partners"), ("   ", "partners"), ("interactions", "interactions"), ("HISTORY", "history")],
)
def test_export_table(typed, table):
    assert export_table(typed) == table


def test_an_unknown_export_table_lists_the_tables_and_suggests_one():
    with pytest.raises(UserError) as raised:
        export_table("partnres")
    message = raised.value.message
    assert "“partnres”" in message and "did you mean 'partners'" in message
    assert "`followups`" in message and "`history`" in message


def test_export_takes_one_table():
    with pytest.raises(UserError, match="takes one table"):
        export_table("partners needs")


def test_a_typed_table_name_is_escaped():
    with pytest.raises(UserError) as raised:
        export_table("<!channel>")
    assert "<!channel>" not in raised.value.message
    assert "&lt;!channel&gt;" in raised.value.message


@pytest.mark.parametrize(
    ("text", "table"),
    [
        ("import partners", "partners"),
        ("Import Needs", "needs"),
        ("<@UBOT> import followups", "followups"),
        ("  import   interactions  ", "interactions"),
    ],
)
def test_requested_table(text, table):
    assert requested_table(text) == table


@pytest.mark.parametrize("text", ["", "here is the file", "partners please"])
def test_an_upload_without_import_says_how(text):
    with pytest.raises(UserError) as raised:
        requested_table(text)
    assert raised.value.message == HOW_TO_IMPORT


@pytest.mark.parametrize("text", ["import", "import partners now"])
def test_an_upload_must_name_one_table(text):
    with pytest.raises(UserError, match="Which table"):
        requested_table(text)


def test_history_is_export_only():
    with pytest.raises(UserError, match="exported only") as raised:
        import_table("history")
    assert "`partners`" in raised.value.message


def test_an_unknown_import_table_says_which_exist():
    with pytest.raises(UserError) as raised:
        requested_table("import contacts")
    message = raised.value.message
    assert "“contacts”" in message
    assert all(f"`{table}`" in message for table in IMPORT_TABLES)
    assert "`history`" not in message
