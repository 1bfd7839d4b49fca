"""Numeric tables from CSV/TXT files.

:func:`read_table` reads a delimited text file (comma, tab, semicolon or whitespace,
detected from the file) with a header row into a :class:`pandas.DataFrame` and checks
that every cell is numeric, naming the first offending cell.  Instrument-specific
layouts live in their own modules.

- A first row of numbers is data, not a header: the columns are then named ``column 1``,
  ``column 2``, ... (with a :class:`~cationx.errors.DataFileWarning`).
- Rows after the last full row of numbers (the empty-cell rows spreadsheet programs write, a
  note below the data) are dropped with a warning naming them; an empty or text cell in a
  row between data rows is an error naming the row and column.
- :func:`select_columns` with ``fallback`` takes the file's two columns when the expected
  names are absent, with a warning naming the columns used.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cationx._validation import check_existing_file
from cationx.errors import DataFileError, DataFileWarning, InputError
from cationx.io.text import parses_as_float, read_text, sniff_delimiter

__all__ = ["read_table", "select_columns"]


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
        A non-numeric or empty cell between data rows (the message names its row and column).
    """
    p = check_existing_file(path, "data file")
    text = read_text(p)  # UTF-8 (BOM or not), Latin-1 fallback; binary files refused
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(comment)]
    if not lines:
        raise DataFileError(f"data file has no data: {p}")
    delim = sniff_delimiter(lines[:20], quoted=True)
    first = [c.strip().strip('"') for c in (lines[0].split(delim) if delim else lines[0].split())]
    headerless = bool(first) and all(parses_as_float(c) for c in first if c) and any(first)
    # every cell as text, so an empty cell and an explicit "nan" stay apart
    kwargs: dict = {"dtype": str, "keep_default_na": False, "na_values": []}
    if headerless:
        kwargs["header"] = None
    try:
        if delim is None:
            frame = pd.read_csv(io.StringIO(text), sep=r"\s+", comment=comment, engine="python", **kwargs)
        else:
            frame = pd.read_csv(io.StringIO(text), sep=delim, comment=comment, skipinitialspace=True, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"cannot parse {p}: {str(exc).splitlines()[0]}") from None
    if headerless:
        frame.columns = [f"column {k + 1}" for k in range(frame.shape[1])]
        warnings.warn(f"{p.name}: the first row holds numbers, so the file has no header; its columns are "
                      f"named {', '.join(repr(c) for c in frame.columns)}", DataFileWarning, stacklevel=2)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.fillna("").apply(lambda col: col.astype(str).str.strip().str.strip('"'))
    # spreadsheet exports: unnamed empty columns from trailing delimiters
    unnamed = [c for c in frame.columns if c.startswith("Unnamed:") and (frame[c] == "").all()]
    frame = frame.drop(columns=unnamed)
    if frame.empty:
        raise DataFileError(f"data file has a header but no data rows: {p}")
    empty_cell = frame == ""
    numeric = frame.apply(lambda col: pd.to_numeric(col, errors="coerce"))
    spelled_nan = frame.apply(lambda col: col.str.lower().isin(["nan", "+nan", "-nan"]))
    bad_cell = empty_cell | (numeric.isna() & ~spelled_nan)
    full = ~bad_cell.any(axis=1).to_numpy()
    if not full.any():
        raise DataFileError(f"data file has no row of numbers under its header: {p}")
    last = int(np.flatnonzero(full)[-1])
    if last + 1 < len(frame):
        tail = frame.iloc[last + 1 :]
        all_empty = (tail == "").all(axis=1)
        empty = int(all_empty.sum())
        other = tail[~all_empty]
        desc = []
        if empty:
            desc.append(f"{empty} of empty cells")
        if len(other):
            cells = [v for v in other.iloc[0].tolist() if v]
            desc.append(f"{len(other)} with other content (first: data row {other.index[0] + 1} "
                        f"{' | '.join(cells)[:40]!r})")
        warnings.warn(f"{p.name}: ignored data rows {last + 2}-{len(frame)} after the last full row of numbers: "
                      + ", ".join(desc), DataFileWarning, stacklevel=2)
        frame, numeric, bad_cell = frame.iloc[: last + 1], numeric.iloc[: last + 1], bad_cell.iloc[: last + 1]
    out = {}
    for col in frame.columns:
        values = numeric[col]
        bad = bad_cell[col]
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            cell = frame[col].iloc[row]
            what = "an empty cell" if cell == "" else f"non-numeric value {cell!r}"
            raise InputError(f"{p.name}: {what} in column {col!r} at data row {row + 1}")
        out[col] = values.astype(float)
    return pd.DataFrame(out)


def select_columns(
    frame: pd.DataFrame, names: Sequence[str], *, source: str = "table", fallback: bool = False
) -> list[np.ndarray]:
    """Return the named columns as float arrays, or raise naming the missing column.

    With ``fallback=True``, if a name is missing and the table has exactly ``len(names)``
    columns, they are used in file order with a :class:`~cationx.errors.DataFileWarning`
    naming which column stands for which name.
    """
    missing = [n for n in names if n not in frame.columns]
    if missing and fallback and frame.shape[1] == len(names):
        used = list(frame.columns)
        pairs = ", ".join(f"{c!r} as {n!r}" for c, n in zip(used, names, strict=True))
        warnings.warn(f"{source} has no column {missing[0]!r}; using its {len(used)} columns in order: {pairs}",
                      DataFileWarning, stacklevel=2)
        return [frame[c].to_numpy(dtype=float, copy=True) for c in used]
    cols = []
    for name in names:
        if name not in frame.columns:
            have = ", ".join(repr(c) for c in frame.columns)
            hint = (f"; name the columns with the options, or give a file with exactly {len(names)} columns"
                    if fallback else "")
            raise InputError(f"{source} has no column {name!r} (columns: {have}){hint}")
        cols.append(frame[name].to_numpy(dtype=float, copy=True))
    return cols
