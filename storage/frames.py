"""Query results as pandas frames, for the numbers scoring reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


def frame_of(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    """A frame from result rows, built column by column (pandas infers row objects slowly); an
    empty result still has the columns."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pd.DataFrame({name: list(column) for name, column in zip(columns, values, strict=True)})
