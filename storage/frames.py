"""Query results as pandas frames, for the numbers scoring reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Float, Select, cast, func
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

# Rows turned into arrays at a time: a query of a million rows never holds a million row objects.
CHUNK_ROWS = 50_000


def frame_of(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    """A frame from result rows, built column by column (pandas infers row objects slowly); an
    empty result still has the columns."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pd.DataFrame({name: list(column) for name, column in zip(columns, values, strict=True)})


def numbers_frame(session: Session, query: Select[Any], columns: list[str]) -> pd.DataFrame:
    """A frame of a query whose columns are all numbers (NULL → NaN), read through Core in chunks
    into float arrays: memory for the arrays, not for one Python object per value."""
    parts: list[np.ndarray] = []
    result = session.connection().execute(query)
    for chunk in result.partitions(CHUNK_ROWS):
        # Column by column: numpy reads SQLAlchemy's row objects one value at a time (5× slower).
        parts.append(
            np.array(list(zip(*chunk, strict=True)), dtype=float).T.reshape(len(chunk), len(columns))
        )
    table = np.concatenate(parts) if parts else np.empty((0, len(columns)))
    return pd.DataFrame(table, columns=columns)


def epoch_seconds(session: Session, column: ColumnElement[datetime]) -> ColumnElement[float]:
    """A timestamp as seconds since 1970 (UTC), computed by the database: numbers reach pandas
    instead of one datetime object per row."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", column), Float)
    # SQLite keeps UTC text, 'YYYY-MM-DD HH:MM:SS.ffffff': whole seconds, plus the fraction as written.
    return cast(func.strftime("%s", column), Float) + cast(func.substr(column, 20), Float)


def epoch_days(session: Session, column: ColumnElement[datetime]) -> ColumnElement[float]:
    """The UTC day of a timestamp as whole days since 1970."""
    if session.get_bind().dialect.name == "postgresql":
        return func.floor(cast(func.extract("epoch", column), Float) / 86400.0)
    return cast(cast(func.strftime("%s", func.substr(column, 1, 10)), Float) / 86400.0, Float)


def moments(seconds: pd.Series) -> pd.Series:
    """Epoch seconds (NaN for none) as timezone-aware UTC timestamps (NaT for none), to the
    microsecond as stored."""
    micro = (pd.to_numeric(seconds, errors="coerce").astype(float) * 1e6).round()
    return pd.to_datetime(micro, unit="us", utc=True)


def days(numbers: pd.Series) -> pd.Series:
    """Whole days since 1970 as UTC midnights."""
    return pd.to_datetime(numbers.astype("int64"), unit="D", utc=True)
