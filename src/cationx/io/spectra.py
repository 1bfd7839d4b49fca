"""Spectra from instrument exports: one entry point, :func:`read_spectra`, that guesses the format.

Formats (``format=`` names, detected from the file when not given):

``jcamp``
    JCAMP-DX (``##TITLE=`` ... ``##END=``), parsed by the maintained ``jcamp`` package.
``jasco``
    JASCO Spectra Manager text/CSV export: ``KEY<sep>value`` header lines (TITLE, XUNITS,
    YUNITS, FIRSTX, ... ), ``XYDATA``, the data, then an optional "Extended Information"
    block; comma or tab separated, either wavelength order (:mod:`cationx.io.jasco`).
``cary``
    Agilent Cary WinUV CSV: a row of sample names over paired x/y columns, a row of column
    titles, the data, then a metadata block after a blank line (:mod:`cationx.io.cary`).
``shimadzu``
    Shimadzu UVProbe / LabSolutions text export: a ``"<name> - RawData"`` line, a
    ``"Wavelength nm.","Abs."`` line, then x/y pairs (:mod:`cationx.io.shimadzu`).
``generic``
    Delimited text (comma, tab, semicolon or whitespace; a semicolon file may use decimal
    commas) with one x column followed by one or many y columns, with or without a header
    row, metadata lines before the data and a trailing block after a blank line allowed.

These layouts are simple line-oriented text and no maintained Python reader covers them
(pandas handles the numeric block but not the detection or the header/trailer blocks), so
they are parsed here; JCAMP-DX, with its compressed forms, goes to ``jcamp``.

Every reader returns a :class:`SpectrumSet` of :class:`Spectrum` objects, each with its x
values sorted ascending (the file's order is recorded in ``metadata["x_order"]``).  A
non-numeric cell is a :class:`~cationx.errors.ParseError` naming the line and column; a
file whose layout is not recognised is a :class:`~cationx.errors.DataFileError` that says
which formats were tried.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cationx._validation import check_choice, check_existing_file
from cationx.errors import DataFileError, DataFileWarning
from cationx.io.formats import SPECTRA_FORMATS
from cationx.io.text import (  # noqa: F401  (re-exported: the format modules import them from here)
    data_rows,
    is_number,
    is_numeric_row,
    parse_numeric_block,
    read_text,
    sniff_delimiter,
    split_cells,
    unique_labels,
)
from cationx.spectra.spectrum import Spectrum, SpectrumSet

__all__ = [
    "FORMATS",
    "Spectrum",
    "SpectrumSet",
    "detect_format",
    "read_spectra",
    "split_cells",
]

FORMATS = SPECTRA_FORMATS

def finish_spectra(
    x: np.ndarray, ys: Sequence[np.ndarray], labels: Sequence[str], *, source: str, x_unit: str, y_unit: str
) -> tuple[tuple[Spectrum, ...], str]:
    """Spectra sorted ascending in x (non-finite pairs dropped); returns them and the file's x order.

    Non-finite values before the first or after the last finite point of a column are padding
    (columns of different lengths) and are dropped quietly; any *inside* the data are dropped
    with a :class:`~cationx.errors.DataFileWarning` naming how many and where.
    """
    order = "ascending" if x.size < 2 or x[-1] >= x[0] else "descending"
    out = []
    for label, y in zip(labels, ys, strict=True):
        keep = np.isfinite(x) & np.isfinite(y)
        if keep.sum() < 3:
            raise DataFileError(f"{source}: spectrum {label!r} has fewer than 3 numeric points")
        warn_interior_gaps(keep, x, source=source, label=label)
        out.append(Spectrum.from_arrays(x[keep], y[keep], label=label, x_unit=x_unit, y_unit=y_unit))
    return tuple(out), order


def warn_interior_gaps(keep: np.ndarray, x: np.ndarray, *, source: str, label: str) -> None:
    """DataFileWarning for non-finite points between the first and last finite ones."""
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return
    inside = ~keep[idx[0] : idx[-1] + 1]
    if inside.any():
        first = idx[0] + int(np.flatnonzero(inside)[0])
        where = f"x = {x[first]:g}" if np.isfinite(x[first]) else f"row {first + 1} of the block"
        warnings.warn(
            f"{source}: spectrum {label!r}: {int(inside.sum())} non-finite point(s) inside the data dropped "
            f"(first at {where})",
            DataFileWarning,
            stacklevel=3,
        )


def unit_from_text(text: str) -> str:
    """``nm``, ``eV`` or ``cm-1`` from an axis title or unit string (``nm`` if unclear)."""
    t = text.lower()
    if "ev" in t.replace(" ", "") and "nm" not in t:
        return "eV"
    if "cm" in t and ("-1" in t or "1/cm" in t or "wavenumber" in t):
        return "cm-1"
    return "nm"


def guess_y_unit(text: str) -> str:
    """``absorbance`` or ``intensity`` from column titles, metadata or the file name; else ``""``."""
    t = re.sub(r"[^a-z]+", " ", text.lower()).split()
    if any(w.startswith(("abs", "od")) or w in ("uvvis", "uv", "vis", "extinction") for w in t):
        return "absorbance"
    if any(w in ("fl", "pl", "emission", "fluorescence", "photoluminescence", "intensity", "counts", "cps") for w in t):
        return "intensity"
    return ""


# ----------------------------------------------------------------------------- detection


def detect_format(path: str | Path) -> str:
    """Name of the format of ``path`` (one of :data:`FORMATS`), or DataFileError saying why not."""
    p = check_existing_file(path, "spectrum file")
    text = read_text(p)
    return _detect(text, p)


def _detect(text: str, p: Path) -> str:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        raise DataFileError(f"spectrum file has no text: {p}")
    head = lines[:40]
    if p.suffix.lower() in (".jdx", ".dx", ".jcamp") or head[0].lstrip().startswith("##"):
        return "jcamp"
    first_cells = [re.split(r"[,\t;]", ln, maxsplit=1)[0].strip().upper() for ln in head]
    if "XYDATA" in first_cells and ("TITLE" in first_cells or "XUNITS" in first_cells):
        return "jasco"
    if "rawdata" in head[0].lower().replace(" ", "") or (
        len(head) > 1 and re.search(r"wavelength\s*nm\.", head[1], re.IGNORECASE)
    ):
        return "shimadzu"
    from cationx.io.cary import looks_like_cary

    if looks_like_cary(head):
        return "cary"
    if _has_numeric_block(lines):
        return "generic"
    raise DataFileError(
        f"cannot recognise the layout of {p.name}: not JCAMP-DX, JASCO, Cary, Shimadzu or a "
        "delimited x/y table (choose a reader with --format / format=, or export the spectra as CSV with an x column)"
    )


def _has_numeric_block(lines: Sequence[str]) -> bool:
    delim = sniff_delimiter(lines[:50])
    run = 0
    for ln in lines[:400]:
        cells = [c for c in split_cells(ln, delim) if c != ""]
        dec = delim == ";"
        if len(cells) >= 2 and all(is_number(c.replace(",", ".") if dec else c) for c in cells):
            run += 1
            if run >= 3:
                return True
        else:
            run = 0
    return False


# ----------------------------------------------------------------------------- entry point


def read_spectra(path: str | Path, *, format: str | None = None) -> SpectrumSet:
    """Read every spectrum in an instrument export.

    Parameters
    ----------
    path
        The file.  It is only read, never modified.
    format
        One of :data:`FORMATS`; detected from the content when omitted.

    Returns
    -------
    SpectrumSet
        ``format`` names the reader used; each spectrum has ascending ``x``.

    Raises
    ------
    DataFileError
        Missing or empty file, or a layout none of the readers recognises.
    ParseError
        A non-numeric or missing cell in the data block (line and column named).
    """
    p = check_existing_file(path, "spectrum file")
    text = read_text(p)
    fmt = _detect(text, p) if format is None else check_choice(format, "format", FORMATS)
    if fmt == "jcamp":
        from cationx.io.jcamp import read_jcamp

        return read_jcamp(p)
    if fmt == "jasco":
        from cationx.io.jasco import parse_jasco

        return parse_jasco(text, p)
    if fmt == "cary":
        from cationx.io.cary import parse_cary

        return parse_cary(text, p)
    if fmt == "shimadzu":
        from cationx.io.shimadzu import parse_shimadzu

        return parse_shimadzu(text, p)
    return parse_generic(text, p)


def parse_generic(text: str, p: Path) -> SpectrumSet:
    """One x column and one or many y columns; optional header and metadata lines."""
    all_lines = list(enumerate(text.split("\n"), start=1))
    nonblank = [ln for _, ln in all_lines if ln.strip()]
    if not nonblank:
        raise DataFileError(f"spectrum file has no text: {p}")
    delim = sniff_delimiter(nonblank[:50])
    decimal_comma = delim == ";"

    def numeric(ln: str) -> bool:
        cells = split_cells(ln, delim)
        while cells and cells[-1] == "":
            cells.pop()
        return len(cells) >= 2 and all(is_number(c.replace(",", ".") if decimal_comma else c) for c in cells)

    # the data block starts at the first run of 3 numeric lines
    start = None
    for i in range(len(all_lines)):
        window = [ln for _, ln in all_lines[i : i + 3]]
        if len(window) == 3 and all(numeric(w) for w in window):
            start = i
            break
    if start is None:
        raise DataFileError(f"{p.name}: no block of numeric x/y rows found")
    header: list[str] | None = None
    meta: dict[str, str] = {}
    pre = [ln for _, ln in all_lines[:start] if ln.strip()]
    if pre:
        cand = split_cells(pre[-1], delim)
        width = len([c for c in split_cells(all_lines[start][1], delim)])
        if len(cand) >= 2 and abs(len(cand) - width) <= 1:
            header = cand
            pre = pre[:-1]
        for ln in pre:
            cells = split_cells(ln, delim)
            if len(cells) >= 2:
                meta[cells[0]] = ", ".join(c for c in cells[1:] if c)
            elif cells and cells[0]:
                meta.setdefault("notes", "")
                meta["notes"] = (meta["notes"] + " " + cells[0]).strip()
    block = data_rows(all_lines[start:], delim, numeric, source=p.name, decimal_comma=decimal_comma)
    data = parse_numeric_block(block, delim, source=p.name, decimal_comma=decimal_comma)
    ncol = data.shape[1]
    if ncol < 2:
        raise DataFileError(f"{p.name}: needs an x column and at least one y column")
    if header is not None and len(header) >= ncol:
        extra = [h for h in header[ncol:] if h]
        if extra:
            raise DataFileError(
                f"{p.name}: the header names {len([h for h in header if h])} columns but the data rows have "
                f"{ncol}: no data under {', '.join(repr(h) for h in extra)}"
            )
        names = header[:ncol]
    else:
        names = ["x"] + [f"y{k}" for k in range(1, ncol)]
    labels = unique_labels([n if n else f"y{k}" for k, n in enumerate(names[1:], start=1)], source=p.name)
    x_unit = unit_from_text(names[0])
    y_unit = guess_y_unit(" ".join([*names[1:], *meta.values(), p.stem]))
    spectra, order = finish_spectra(
        data[:, 0], [data[:, k] for k in range(1, ncol)], labels, source=p.name, x_unit=x_unit, y_unit=y_unit
    )
    meta["x_order"] = order
    meta["x_title"] = names[0]
    return SpectrumSet("generic", str(p), spectra, meta)
