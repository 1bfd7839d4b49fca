"""The one text machinery of the readers: decoding, delimiters, numeric blocks, one error style.

Every text reader in :mod:`cationx.io` goes through these helpers:

- :func:`decode` / :func:`read_text`: bytes -> text (UTF-8 with or without BOM, then the
  reader's fallbacks such as cp1252 or Shift-JIS, then Latin-1); binary files are refused;
- :func:`sniff_delimiter`, :func:`split_cells`: tab, comma, semicolon (decimal commas) or
  whitespace;
- :func:`data_rows`, :func:`parse_numeric_block`, :func:`is_numeric_row`: the numeric block of
  a file and its float array;
- :func:`parse_error`: the one error, a :class:`~cationx.errors.ParseError` whose message reads
  ``file:line: what is wrong``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cationx.errors import DataFileError, DataFileWarning, ParseError

__all__ = [
    "data_rows",
    "decode",
    "is_number",
    "is_numeric_row",
    "parse_error",
    "parse_numeric_block",
    "parses_as_float",
    "read_text",
    "sniff_delimiter",
    "split_cells",
    "unique_labels",
]

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def parse_error(source: str | Path, line: int | None, what: str) -> ParseError:
    """The readers' one error: ``file:line: what is wrong`` (``file: what`` without a line);
    ``file`` is the file name without its folder."""
    name = Path(source).name or str(source)
    where = f"{name}:{line}" if line is not None else name
    return ParseError(f"{where}: {what}", line=line)


def decode(raw: bytes, encodings: Sequence[str] = ("utf-8-sig",)) -> str:
    """Text of ``raw``: the first of ``encodings`` that decodes it (a UTF-8 BOM is dropped by
    ``utf-8-sig``), else Latin-1, which decodes any byte."""
    for enc in encodings:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_text(path: Path, encodings: Sequence[str] = ("utf-8-sig",)) -> str:
    """File text (:func:`decode`: UTF-8 with BOM handled, Latin-1 fallback); CR/LF normalised;
    a binary file is a :class:`~cationx.errors.DataFileError`."""
    text = decode(path.read_bytes(), encodings)
    if "\x00" in text:
        raise DataFileError(f"{path.name} is a binary file, not a text export (save it as CSV/TXT)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_delimiter(lines: Sequence[str], *, quoted: bool = False) -> str | None:
    """The delimiter used by most of ``lines``: tab, comma, semicolon, or None (whitespace).

    ``quoted``: ask :class:`csv.Sniffer` first, which understands quoted cells that hold the
    delimiter (spreadsheet exports with text headers); it gives up on rows of unequal length,
    and then the count over the lines decides as without ``quoted``.
    """
    if quoted:
        import csv

        try:
            return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
        except csv.Error:
            pass
    counts = {d: sum(1 for ln in lines if d in ln) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] >= max(1, len(lines) // 2):
        return best
    return None


def split_cells(line: str, delim: str | None) -> list[str]:
    """Cells of one line, stripped of spaces and quotes (trailing empty cells kept)."""
    parts = line.split() if delim is None else line.split(delim)
    return [p.strip().strip('"').strip("'").strip() for p in parts]


def is_numeric_row(line: str, delim: str | None, decimal_comma: bool = False, *, min_cells: int = 2) -> bool:
    """True when ``line`` holds at least ``min_cells`` non-empty cells, all numbers (``nan``/``inf`` count)."""
    cells = [c for c in split_cells(line, delim) if c != ""]
    return len(cells) >= min_cells and all(is_number(c.replace(",", ".") if decimal_comma else c) for c in cells)


def is_number(cell: str) -> bool:
    """A plain decimal number (or nan/inf): what a data cell may hold."""
    return bool(_NUMBER.match(cell)) or cell.lower() in ("nan", "inf", "-inf", "+inf")


def parses_as_float(text: str) -> bool:
    """True when Python's ``float`` reads ``text`` (looser than :func:`is_number`: spaces,
    ``1_000``, ``Infinity``); for header and metadata checks."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_numeric_block(
    lines: Sequence[tuple[int, str]],
    delim: str | None,
    *,
    source: str,
    decimal_comma: bool = False,
    allow_empty: bool = False,
) -> np.ndarray:
    """2-D float array from ``(line_number, text)`` pairs; non-numeric cells raise ParseError.

    Trailing empty cells (a trailing delimiter) are dropped; with ``allow_empty`` an empty
    cell inside a row is NaN (ragged Cary exports), otherwise it is an error.
    """
    fast = _fast_block(lines, delim, decimal_comma)
    if fast is not None:
        return fast
    rows: list[list[float]] = []
    width = None
    for lineno, text in lines:
        cells = split_cells(text, delim)
        while cells and cells[-1] == "":
            cells.pop()
        if width is None:
            width = len(cells)
        if len(cells) < width and allow_empty:
            cells = cells + [""] * (width - len(cells))
        if len(cells) != width:
            raise parse_error(source, lineno, f"{len(cells)} column(s), expected {width}")
        row = []
        for col, cell in enumerate(cells, start=1):
            value = cell.replace(",", ".") if decimal_comma else cell
            if value == "" and allow_empty:
                row.append(np.nan)
                continue
            if not is_number(value):
                what = "an empty cell" if value == "" else f"non-numeric value {cell!r}"
                raise parse_error(source, lineno, f"{what} in column {col}")
            row.append(float(value))
        rows.append(row)
    if not rows:
        raise DataFileError(f"{source}: no numeric data rows")
    return np.asarray(rows, dtype=float)


def _fast_block(lines: Sequence[tuple[int, str]], delim: str | None, decimal_comma: bool) -> np.ndarray | None:
    """The common case (plain numbers, equal widths) parsed quickly; None to take the slow,
    checking path that names the offending cell."""
    if not lines:
        return None
    rows = []
    width = None
    try:
        for _, text in lines:
            if '"' in text or "'" in text:
                return None
            t = text.replace(",", ".") if decimal_comma else text
            parts = t.split() if delim is None else t.split(delim)
            while parts and not parts[-1].strip():
                parts.pop()
            if width is None:
                width = len(parts)
            if len(parts) != width:
                return None
            rows.append([float(p) for p in parts])  # float("") raises: empty cells go slow
    except ValueError:
        return None
    arr = np.asarray(rows, dtype=float)
    # float() accepts a few spellings the checking path does not ("infinity", "1_0")
    return arr if np.all(np.isfinite(arr) | np.isnan(arr)) else None


def _describe_rows(rows: Sequence[tuple[int, str]], delim: str | None) -> str:
    """``lines 303-932: 600 rows of empty cells, 30 with text (first: line 329 'Old:0.0125')``."""
    empty = [n for n, ln in rows if not "".join(split_cells(ln, delim))]
    full = [(n, ln) for n, ln in rows if "".join(split_cells(ln, delim))]
    parts = []
    if empty:
        parts.append(f"{len(empty)} row(s) of empty cells")
    if full:
        n, ln = full[0]
        first = " ".join(c for c in split_cells(ln, delim) if c)
        parts.append(f"{len(full)} row(s) with other content (first: line {n} {first[:40]!r})")
    lo, hi = rows[0][0], rows[-1][0]
    where = f"line {lo}" if lo == hi else f"lines {lo}-{hi}"
    return f"{where}: " + ", ".join(parts)


def data_rows(
    lines: Sequence[tuple[int, str]], delim: str | None, numeric: Any, *, source: str, decimal_comma: bool = False
) -> list[tuple[int, str]]:
    """The data rows of a block that starts at ``lines[0]``.

    The data end at the last full numeric row before a blank line (or the end of the file). Rows
    after it (rows of empty cells that spreadsheet programs write, a note below the data, a
    trailing metadata block) are ignored with a :class:`~cationx.errors.DataFileWarning` naming
    them; a row between data rows that is not numeric (a ragged or empty row in the middle) is
    a :class:`~cationx.errors.ParseError` naming its line and content. A row that starts with a
    number and has more cells is a data row: if it is broken (too few cells, a word), the
    numeric parser names the line and column, wherever it is.
    """


    block: list[tuple[int, str]] = []
    after: list[tuple[int, str]] = []
    for k, (lineno, ln) in enumerate(lines):
        if not ln.strip():
            after = list(lines[k:])
            break
        block.append((lineno, ln))
    def data_like(ln: str) -> bool:  # a data row, possibly broken: a number first, then more cells
        cells = [c.replace(",", ".") if decimal_comma else c for c in split_cells(ln, delim)]
        return numeric(ln) or (bool(cells) and is_number(cells[0]) and sum(1 for c in cells if c) >= 2)

    good = [k for k, (_, ln) in enumerate(block) if data_like(ln)]
    last = good[-1] if good else len(block) - 1
    for lineno, ln in block[: last + 1]:
        if not data_like(ln):
            cells = [c for c in split_cells(ln, delim) if c]
            what = "only empty cells" if not cells else f"{' | '.join(cells)[:60]!r}"
            raise parse_error(source, lineno, f"between data rows, {what}: not a full row of numbers "
                                              "(fix or delete that row)")
    tail = [(n, ln) for n, ln in [*block[last + 1 :], *after] if ln.strip()]
    if tail:
        warnings.warn(f"{source}: ignored {len(tail)} row(s) after the data, {_describe_rows(tail, delim)}",
                      DataFileWarning, stacklevel=3)
    return block[: last + 1]


def unique_labels(labels: Sequence[str], *, source: str) -> list[str]:
    """Labels made unique (``A``, ``A (2)``) with a :class:`~cationx.errors.DataFileWarning` naming repeats."""


    out = list(labels)
    seen: dict[str, int] = {}
    for k, lab in enumerate(labels):
        if lab in seen:
            seen[lab] += 1
            out[k] = f"{lab} ({seen[lab]})"
        else:
            seen[lab] = 1
    repeated = {lab: n for lab, n in seen.items() if n > 1}
    if repeated:
        desc = ", ".join(f"{lab!r} x{n}" for lab, n in repeated.items())
        warnings.warn(f"{source}: repeated spectrum label(s) {desc}; the repeats are renamed "
                      f"'LABEL (2)', 'LABEL (3)' in file order", DataFileWarning, stacklevel=3)
    return out
