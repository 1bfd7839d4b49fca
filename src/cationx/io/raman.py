"""Raman exports: Renishaw WiRE text (single spectra and X/Y maps), Horiba LabSpec text, CSV/TXT.

Layouts read (detected from the content):

- Renishaw WiRE "Save As .txt": a ``#Wave  #Intensity`` header (tab separated, sometimes
  with empty cells between the names) over two columns; map and multi-point exports have
  four columns ``#X #Y #Wave #Intensity`` with one block of rows per position.  Each
  position becomes one spectrum labelled ``X=..., Y=...``.
- Horiba LabSpec text export: ``#Key=<tab>value`` metadata lines, then two columns
  (Raman shift, intensity) without a header; map and time-series exports are wide: a row
  of Raman shifts, then one row per spectrum led by its X, Y (or time) coordinates.
- Generic CSV/TXT: an optional header row, then a Raman-shift column and one or more
  intensity columns (comma, tab, semicolon or whitespace; a semicolon file may use decimal
  commas).

The data are plain delimited text that pandas could load once the layout is known; the
detection (``#``-prefixed WiRE headers whose empty cells do not match the data, map
blocks) is what no maintained reader does for these exports, so it is done here.  The
result is a :class:`cationx.io.spectra.SpectrumSet` with ``x_unit = "cm-1"`` and each
spectrum sorted by ascending Raman shift.
"""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path

import numpy as np

from cationx._validation import check_existing_file
from cationx.errors import DataFileError, DataFileWarning, ParseError
from cationx.io.spectra import SpectrumSet, finish_spectra
from cationx.io.text import (
    is_numeric_row,
    parse_error,
    parse_numeric_block,
    read_text,
    sniff_delimiter,
    split_cells,
)

__all__ = ["read_raman"]


def _cells(line: str, delim: str | None) -> list[str]:
    return [c for c in split_cells(line, delim) if c != ""]


def _note_dropped(x: np.ndarray, ys: list[np.ndarray], labels: list[str], meta: dict[str, str], source: str) -> None:
    """Name the rows with a missing (NaN) or infinite value that :func:`finish_spectra` drops,
    in ``meta['dropped']`` and as a :class:`DataFileWarning`: never silently."""
    parts = []
    for lab, y in zip(labels, ys, strict=True):
        bad_nan = np.isnan(x) | np.isnan(y)
        bad_inf = np.isinf(x) | np.isinf(y)
        if bad_nan.any() or bad_inf.any():
            what = []
            if bad_nan.any():
                what.append(f"{int(bad_nan.sum())} NaN")
            if bad_inf.any():
                what.append(f"{int(bad_inf.sum())} infinite")
            first = int(np.flatnonzero(bad_nan | bad_inf)[0]) + 1
            parts.append(f"{lab!r}: {' and '.join(what)} of {x.size} rows dropped (first at data row {first})")
    if parts:
        msg = "; ".join(parts)
        meta["dropped"] = msg
        warnings.warn(f"{source}: {msg}", DataFileWarning, stacklevel=3)


def read_raman(path: str | Path) -> SpectrumSet:
    """Read every Raman spectrum in a text export (see the module docstring for the layouts).

    Returns
    -------
    SpectrumSet
        ``format`` is ``renishaw``, ``renishaw-map``, ``labspec``, ``labspec-map``,
        ``labspec-series`` or ``generic``;
        ``metadata`` holds LabSpec ``#Key=value`` pairs and the detected column titles.

    Raises
    ------
    DataFileError
        Missing or empty file, no numeric block, or fewer than three points per spectrum.
    ParseError
        A non-numeric cell inside the data block (line and column named).
    """
    p = check_existing_file(path, "Raman file")
    text = read_text(p)
    lines = list(enumerate(text.split("\n"), start=1))
    nonblank = [ln for _, ln in lines if ln.strip()]
    if not nonblank:
        raise DataFileError(f"Raman file has no text: {p}")
    data_like = [ln for ln in nonblank if not ln.lstrip().startswith("#")]
    delim = sniff_delimiter(data_like[:50]) if data_like else None
    # whitespace-padded tab files: treat runs of tabs/spaces alike
    if delim == "\t":
        delim = None
    decimal_comma = delim == ";"
    start = None
    for i in range(len(lines)):
        window = [ln for _, ln in lines[i : i + 3]]
        if len(window) == 3 and all(is_numeric_row(w, delim, decimal_comma) for w in window):
            start = i
            break
    if start is None:
        raise DataFileError(f"{p.name}: no block of numeric Raman-shift/intensity rows found")
    wide = _wide(lines, start, delim, decimal_comma, p)
    if wide is not None:
        return wide
    meta: dict[str, str] = {}
    header: list[str] = []
    pre = [ln for _, ln in lines[:start] if ln.strip()]
    for ln in pre:
        m = re.match(r"^\s*#\s*([^=]+?)\s*=\s*(.*)$", ln)
        if m:
            meta[m.group(1).strip()] = m.group(2).strip()
    if pre and "=" not in pre[-1]:
        header = [c.lstrip("#").strip() for c in _cells(pre[-1], delim)]
    block = []
    for lineno, ln in lines[start:]:
        if not ln.strip():
            break
        cells = _cells(ln, delim)
        block.append((lineno, (" " if delim is None else delim).join(cells)))
    data = parse_numeric_block(block, delim, source=p.name, decimal_comma=decimal_comma)
    ncol = data.shape[1]
    names = [h.lower() for h in header]
    is_map = ncol == 4 and (names[:2] == ["x", "y"] or (not header and _looks_like_map(data)))
    if is_map:
        return _split_map(data, p, meta, header)
    if ncol < 2:
        raise DataFileError(f"{p.name}: needs a Raman-shift column and an intensity column")
    if ncol == 2:
        labels = [p.stem]
    elif len(header) >= ncol:
        labels = [h or f"y{k}" for k, h in enumerate(header[1:ncol], start=1)]
    else:
        labels = [f"y{k}" for k in range(1, ncol)]
    ys = [data[:, k] for k in range(1, ncol)]
    _note_dropped(data[:, 0], ys, labels, meta, p.name)
    spectra, order = finish_spectra(data[:, 0], ys, labels, source=p.name, x_unit="cm-1", y_unit="counts")
    fmt = "renishaw" if names[:1] == ["wave"] else "labspec" if meta and not header else "generic"
    meta["x_order"] = order
    if header:
        meta["columns"] = ", ".join(header)
    return SpectrumSet(fmt, str(p), spectra, meta)


def _wide(lines: list[tuple[int, str]], start: int, delim: str | None, decimal_comma: bool, p: Path) -> SpectrumSet | None:
    """LabSpec map / time-series export: a row of Raman shifts, then one row per spectrum
    whose leading 1 (time) or 2 (X, Y) cells are coordinates."""
    first = _cells(lines[start][1], delim)
    if start + 1 >= len(lines):
        return None
    nxt = _cells(lines[start + 1][1], delim)
    extra = len(nxt) - len(first)
    if extra not in (1, 2) or len(first) < 5:
        return None
    block = []
    for lineno, ln in lines[start:]:
        if not ln.strip():
            break
        cells = _cells(ln, delim)
        if block and len(cells) != len(first) + extra:
            raise parse_error(p, lineno, f"{len(cells)} cells, expected {len(first) + extra}")
        block.append((lineno, (" " if delim is None else delim).join(cells)))
    axis = parse_numeric_block(block[:1], delim, source=p.name, decimal_comma=decimal_comma)[0]
    rows = parse_numeric_block(block[1:], delim, source=p.name, decimal_comma=decimal_comma)
    coords = rows[:, :extra]
    labels = [f"X={c[0]:g}, Y={c[1]:g}" if extra == 2 else f"t={c[0]:g}" for c in coords]
    meta: dict[str, str] = {}
    _note_dropped(axis, [r[extra:] for r in rows], labels, meta, p.name)
    spectra, order = finish_spectra(axis, [r[extra:] for r in rows], labels, source=p.name, x_unit="cm-1",
                                    y_unit="counts")
    return SpectrumSet("labspec-map" if extra == 2 else "labspec-series", str(p), spectra,
                       {**meta, "x_order": order, "positions": str(len(spectra))})


def _looks_like_map(data: np.ndarray) -> bool:
    """Four columns whose first two hold few distinct values (positions) over many rows."""
    n = data.shape[0]
    return len(np.unique(data[:, 0])) * 3 < n and len(np.unique(data[:, 1])) * 3 < n


def _split_map(data: np.ndarray, p: Path, meta: dict[str, str], header: list[str]) -> SpectrumSet:
    """One spectrum per block of rows with the same (X, Y) position, in file order."""
    xy = data[:, :2]
    change = np.flatnonzero(np.any(np.diff(xy, axis=0) != 0, axis=1)) + 1
    bounds = np.concatenate([[0], change, [data.shape[0]]])
    xs, ys, labels = [], [], []
    lengths = set()
    for a, b in itertools.pairwise(bounds):
        lengths.add(b - a)
        xs.append(data[a:b, 2])
        ys.append(data[a:b, 3])
        labels.append(f"X={data[a, 0]:g}, Y={data[a, 1]:g}")
    if len(lengths) != 1:
        raise ParseError(f"{p.name}: map positions hold different numbers of points ({sorted(lengths)})")
    spectra = []
    order = "ascending"
    meta = dict(meta)
    _note_dropped(np.concatenate(xs), [np.concatenate(ys)], ["map"], meta, p.name)
    for x, y, lab in zip(xs, ys, labels, strict=True):
        sp, order = finish_spectra(x, [y], [lab], source=p.name, x_unit="cm-1", y_unit="counts")
        spectra.extend(sp)
    meta["x_order"] = order
    meta["positions"] = str(len(spectra))
    if header:
        meta["columns"] = ", ".join(header)
    return SpectrumSet("renishaw-map", str(p), tuple(spectra), meta)
