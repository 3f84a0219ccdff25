"""What a CSV file type is: its columns in export order, the table its rows go to, and the context
its row converter gets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, select

from storage.csv.cells import required_text, write_plain
from storage.csv.errors import CellError, did_you_mean
from storage.csv.formulas import escape_formula
from storage.csv.project_refs import ProjectRefs
from storage.models import Partner
from storage.names import name_key


@dataclass
class ImportContext:
    """What row converters need besides the row: the workspace, its partners (and projects, for files
    that name them), the file so far.

    Converters must not query the database: on PostgreSQL rows are converted while the connection
    is busy with COPY. Whatever they need is loaded here first.
    """

    team_id: str
    now: datetime
    partner_names: dict[str, str]  # name_key → name, for this workspace
    partner_ids: dict[str, int]  # name_key → id, for this workspace
    partner_owners: dict[int, str | None] = field(default_factory=dict)  # id → owner, for this workspace
    respondent_secret: bytes = b""  # keys the hash that stands for a feedback respondent
    projects: ProjectRefs = field(default_factory=ProjectRefs)  # loaded for files that name projects
    changed_permissions: set[str] = field(default_factory=set)  # loaded for the permissions file
    first_line: dict[str, int] = field(default_factory=dict)  # any per-file key → line seen first
    _parsed: dict[tuple[str, str], Any] = field(default_factory=dict)

    def parse_once(self, column: str, raw: str, parse: Callable[[str, str], Any]) -> Any:
        """``parse(raw, column)``, worked out once per distinct cell text of the column.

        For columns with few distinct values (partner, kind, user): most rows then cost one lookup.
        """
        key = (column, raw)
        try:
            return self._parsed[key]
        except KeyError:
            value = self._parsed[key] = parse(raw, column)
            return value

    def partner_id(self, raw: str, column: str) -> int:
        """The ID of the workspace's partner named ``raw`` (case-insensitively)."""
        name = required_text(raw, column)
        partner_id = self.partner_ids.get(name_key(name))
        if partner_id is None:
            hint = did_you_mean(name, self.partner_names.values())
            raise CellError(f"no partner named {name!r} in this workspace{hint}")
        return partner_id


# (the row's cells by column name, its line, the context) → the table's values for it
RowConverter = Callable[[dict[str, str], int, ImportContext], dict[str, Any]]
# (team_id, dialect name) → the workspace's rows, one value per column in column order
ExportQuery = Callable[[str, str], Select[Any]]


def partner_rows(model: Any, team_id: str, *columns: Any) -> Select[Any]:
    """``columns`` of workspace ``team_id``'s ``model`` rows, each row led by its partner's name."""
    return (
        select(Partner.name, *columns)
        .join(Partner, model.partner_id == Partner.id)
        .where(model.team_id == team_id, Partner.team_id == team_id)
    )


def code_point_order(column: Any, dialect: str) -> ColumnElement[Any]:
    """``column`` to sort by in code point order on both databases (PostgreSQL's default collation
    depends on the server's locale), so an export is the same file whichever database it comes from."""
    return column.collate("C") if dialect == "postgresql" else column


@dataclass(frozen=True)
class CsvColumn:
    """One CSV column: its header, whether every row must fill it, and how export writes it.

    ``text`` marks free text a spreadsheet could take for a formula: it is escaped on export and
    unescaped on import.
    """

    name: str
    required: bool = False
    text: bool = False
    write: Callable[[Any], str] = write_plain

    def cell(self, value: Any) -> str:
        """The CSV cell export writes for a stored value."""
        written = self.write(value)
        return escape_formula(written) if self.text else written


@dataclass(frozen=True)
class FileType:
    """A kind of CSV file: its columns in export order, and where its rows come from and go to."""

    name: str
    columns: tuple[CsvColumn, ...]
    table: Table
    convert: RowConverter  # checked CSV cells → the table's values
    export_query: ExportQuery
    names_projects: bool = False  # its rows name projects: an import loads the workspace's first
    importable: bool = True  # False: export only (score history is computed, not typed in)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]
