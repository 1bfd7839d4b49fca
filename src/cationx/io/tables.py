"""Numeric tables from CSV/TXT files.

:func:`read_table` reads a delimited text file (comma, tab, semicolon or whitespace,
detected from the file) with a header row into a :class:`pandas.DataFrame` and checks
that every cell is numeric, naming the first offending cell.  Instrument-specific
layouts live in their own modules.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cationx._validation import check_existing_file
from cationx.errors import DataFileError, InputError

__all__ = ["read_table", "select_columns"]


def _sniff_delimiter(sample: str) -> str | None:
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        return dialect.delimiter
    except csv.Error:
        return None


def read_table(path: str | Path, *, comment: str = "#") -> pd.DataFrame:
    """Read a numeric table with a header row.

    Parameters
    ----------
    path
        CSV or text file.  Lines starting with ``comment`` are ignored.

    Returns
    -------
    DataFrame with float columns named as in the header.

    Raises
    ------
    DataFileError
        Missing or empty file, no data rows.
    InputError
        A non-numeric cell (the message names its row and column).
    """
    p = check_existing_file(path, "data file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(f"data file is not UTF-8 text: {p}") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(comment)]
    if not lines:
        raise DataFileError(f"data file has no data: {p}")
    delim = _sniff_delimiter("\n".join(lines[:20]))
    try:
        if delim is None:
            frame = pd.read_csv(p, sep=r"\s+", comment=comment, engine="python")
        else:
            frame = pd.read_csv(p, sep=delim, comment=comment, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"cannot parse {p}: {str(exc).splitlines()[0]}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise DataFileError(f"data file has a header but no data rows: {p}")
    out = {}
    for col in frame.columns:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() & frame[col].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{p.name}: non-numeric value {frame[col].iloc[row]!r} in column {col!r} "
                f"at data row {row + 1}"
            )
        out[col] = values.astype(float)
    return pd.DataFrame(out)


def select_columns(frame: pd.DataFrame, names: Sequence[str], *, source: str = "table") -> list[np.ndarray]:
    """Return the named columns as float arrays, or raise naming the missing column."""
    cols = []
    for name in names:
        if name not in frame.columns:
            have = ", ".join(repr(c) for c in frame.columns)
            raise InputError(f"{source} has no column {name!r} (columns: {have})")
        cols.append(frame[name].to_numpy(dtype=float, copy=True))
    return cols
