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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import check_choice, check_existing_file
from cationx.errors import DataFileError, DataFileWarning, InputError, ParseError

__all__ = [
    "FORMATS",
    "Spectrum",
    "SpectrumSet",
    "detect_format",
    "read_spectra",
    "split_cells",
]

FORMATS = ("jcamp", "jasco", "cary", "shimadzu", "generic")

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True, slots=True)
class Spectrum:
    """One spectrum: ``x`` ascending (``x_unit``: ``nm``, ``eV`` or ``cm-1``) and ``y``."""

    label: str
    x: np.ndarray
    y: np.ndarray
    x_unit: str = "nm"
    y_unit: str = ""

    @classmethod
    def from_arrays(
        cls, x: Any, y: Any, *, label: str = "", x_unit: str = "nm", y_unit: str = ""
    ) -> Spectrum:
        """Validate (finite, equal lengths, >= 3 points, distinct x) and sort by x."""
        from cationx._validation import as_1d_array, check_matching_lengths

        xa = as_1d_array(x, f"{label or 'spectrum'} x", min_length=3)
        ya = as_1d_array(y, f"{label or 'spectrum'} y", min_length=3)
        check_matching_lengths([xa, ya], ["x", "y"])
        order = np.argsort(xa, kind="stable")
        xa, ya = xa[order], ya[order]
        if (np.diff(xa) == 0).any():
            i = int(np.flatnonzero(np.diff(xa) == 0)[0])
            raise InputError(f"{label or 'spectrum'}: x value {float(xa[i])!r} appears twice")
        return cls(label, xa, ya, x_unit, y_unit)

    @property
    def x_range(self) -> tuple[float, float]:
        return float(self.x[0]), float(self.x[-1])

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"x": self.x, "y": self.y})

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "x_unit": self.x_unit, "y_unit": self.y_unit, "x": self.x, "y": self.y}


@dataclass(frozen=True, slots=True)
class SpectrumSet:
    """The spectra of one file, the detected ``format`` and the file's metadata."""

    format: str
    source: str
    spectra: tuple[Spectrum, ...]
    metadata: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.spectra)

    def __iter__(self) -> Iterator[Spectrum]:
        return iter(self.spectra)

    def __getitem__(self, key: int | str) -> Spectrum:
        if isinstance(key, str):
            for s in self.spectra:
                if s.label == key:
                    return s
            have = ", ".join(repr(s.label) for s in self.spectra)
            raise InputError(f"{self.source} has no spectrum {key!r} (spectra: {have})")
        return self.spectra[key]

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.spectra]

    def common_axis(self) -> np.ndarray:
        """The shared x axis; :class:`InputError` if the spectra were not measured on one axis."""
        x0 = self.spectra[0].x
        for s in self.spectra[1:]:
            if s.x.shape != x0.shape or not np.allclose(s.x, x0, rtol=0, atol=1e-6 * max(1.0, abs(x0[-1]))):
                raise InputError(
                    f"{self.source}: spectra {self.spectra[0].label!r} and {s.label!r} have different "
                    f"x axes ({x0.size} points {x0[0]:g}-{x0[-1]:g} vs {s.x.size} points "
                    f"{s.x[0]:g}-{s.x[-1]:g}); resample them onto one axis first"
                )
        return x0.copy()

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x, Y)`` with ``Y[k]`` the k-th spectrum on the common axis."""
        x = self.common_axis()
        return x, np.vstack([s.y for s in self.spectra])

    def to_frame(self) -> pd.DataFrame:
        """Long table: label, x, y."""
        parts = [pd.DataFrame({"label": s.label, "x": s.x, "y": s.y}) for s in self.spectra]
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": self.source,
            "metadata": self.metadata,
            "spectra": [s.to_dict() for s in self.spectra],
        }


# ----------------------------------------------------------------------------- text helpers


def read_text(path: Path) -> str:
    """File text (UTF-8 with BOM handled, Latin-1 fallback); CR/LF normalised."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if "\x00" in text:
        raise DataFileError(f"{path.name} is a binary file, not a text export (save it as CSV/TXT)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_delimiter(lines: Sequence[str]) -> str | None:
    """The delimiter used by most of ``lines``: tab, comma, semicolon, or None (whitespace)."""
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
    return bool(_NUMBER.match(cell)) or cell.lower() in ("nan", "inf", "-inf", "+inf")


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
            raise ParseError(
                f"{source}: line {lineno} has {len(cells)} column(s), expected {width}", line=lineno
            )
        row = []
        for col, cell in enumerate(cells, start=1):
            value = cell.replace(",", ".") if decimal_comma else cell
            if value == "" and allow_empty:
                row.append(np.nan)
                continue
            if not is_number(value):
                what = "an empty cell" if value == "" else f"non-numeric value {cell!r}"
                raise ParseError(f"{source}: {what} at line {lineno}, column {col}", line=lineno)
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
    import warnings


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
            raise ParseError(f"{source}: line {lineno} between data rows holds {what}, not a full row of numbers "
                             "(fix or delete that row)", line=lineno)
    tail = [(n, ln) for n, ln in [*block[last + 1 :], *after] if ln.strip()]
    if tail:
        warnings.warn(f"{source}: ignored {len(tail)} row(s) after the data, {_describe_rows(tail, delim)}",
                      DataFileWarning, stacklevel=3)
    return block[: last + 1]


def unique_labels(labels: Sequence[str], *, source: str) -> list[str]:
    """Labels made unique (``A``, ``A (2)``) with a :class:`~cationx.errors.DataFileWarning` naming repeats."""
    import warnings


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
