"""The CSV file of score history (export only), declared like those in ``storage.csv.files``
(README, "CSV files"): one row per partner and snapshot day, oldest day first, best rank first.

History is computed from the records, never typed in, so it is not imported: a workspace's
history is backfilled from its imported communications and feedback instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from storage.csv import cells
from storage.csv.columns import CsvColumn, FileType, ImportContext, partner_rows
from storage.csv.errors import CellError
from storage.models import ScoreSnapshot


def write_points(value: float | None) -> str:
    """A score or component with two decimals; an empty cell when it is missing."""
    return "" if value is None else f"{value:.2f}"


def _not_imported(row: dict[str, str], line: int, context: ImportContext) -> dict[str, Any]:
    raise CellError("score history is not imported: it is computed from communications and feedback")


def _history_export(team_id: str, dialect: str) -> Select[Any]:
    return partner_rows(
        ScoreSnapshot,
        team_id,
        ScoreSnapshot.day,
        ScoreSnapshot.rank,
        ScoreSnapshot.score,
        ScoreSnapshot.satisfaction,
        ScoreSnapshot.engagement,
        ScoreSnapshot.recency,
        ScoreSnapshot.business,
        ScoreSnapshot.delivery,
        ScoreSnapshot.category,
    ).order_by(ScoreSnapshot.day, ScoreSnapshot.rank)


HISTORY_FILE_TYPES: dict[str, FileType] = {
    "history": FileType(
        name="history",
        columns=(
            CsvColumn("partner", required=True, text=True),
            CsvColumn("day", required=True, write=cells.write_date),
            CsvColumn("rank", required=True),
            CsvColumn("score", write=write_points),
            CsvColumn("satisfaction", write=write_points),
            CsvColumn("engagement", write=write_points),
            CsvColumn("recency", write=write_points),
            CsvColumn("business", write=write_points),
            CsvColumn("delivery", write=write_points),
            CsvColumn("category"),
        ),
        table=ScoreSnapshot.__table__,
        convert=_not_imported,
        export_query=_history_export,
        importable=False,
    ),
}
