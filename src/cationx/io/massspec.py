"""Mass spectrum files -> :class:`cationx.massspec.spectrum.Spectrum`.

- Text: two numeric columns (m/z, intensity), comma/tab/semicolon/whitespace separated,
  optional header line and ``#`` comments (flexAnalysis and mMass ASCII exports); decoded by
  :func:`cationx.io.text.read_text`. Read here because the layout is trivial and the errors
  must name the line.
- mzML: through pyteomics (optional extra ``mzml``).
- JCAMP-DX mass spectra (``##DATA TYPE=MASS SPECTRUM``, ``##PEAK TABLE=(XY..XY)``): through
  the ``jcamp`` package, its stdout messages turned into warnings (:mod:`cationx.io.jcamp`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from cationx._validation import check_existing_file
from cationx.errors import DataFileError
from cationx.io.text import parse_error, parses_as_float, read_text
from cationx.massspec.spectrum import Spectrum

__all__ = ["read_spectrum"]

_SPLIT = re.compile(r"[,;\t ]+")


def _read_text(p: Path) -> Spectrum:
    text = read_text(p)  # UTF-8 (BOM or not), Latin-1 fallback; binary files refused
    rows: list[tuple[int, str, list[str]]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        rows.append((lineno, line, [c for c in _SPLIT.split(line) if c]))

    def is_data(cells: list[str]) -> bool:
        return len(cells) >= 2 and all(parses_as_float(c) for c in cells)

    data_at = [k for k, (_, _, cells) in enumerate(rows) if is_data(cells)]
    if not data_at:
        single = next(((n, cells) for n, _, cells in rows if cells and all(parses_as_float(c) for c in cells)), None)
        if single is not None:
            raise parse_error(p, single[0], f"{len(single[1])} column(s); need m/z and intensity")
        raise DataFileError(f"spectrum file has no data rows: {p}")
    last = data_at[-1]
    tail = rows[last + 1 :]
    # spreadsheet exports: rows of empty cells or a note after the data are dropped, and said so
    if tail and all(not (cells and parses_as_float(cells[0]) and len(cells) >= 2) for _, _, cells in tail):
        import warnings

        from cationx.errors import DataFileWarning

        first = next((f"line {n} {line[:40]!r}" for n, line, cells in tail if cells), None)
        warnings.warn(f"{p.name}: ignored {len(tail)} row(s) after the data (lines {tail[0][0]}-{tail[-1][0]}"
                      + (f"; first with content: {first}" if first else ": empty cells") + ")",
                      DataFileWarning, stacklevel=3)
        rows = rows[: last + 1]
    mz: list[float] = []
    inten: list[float] = []
    header_seen = False
    for lineno, _line, cells in rows:
        try:
            values = [float(c) for c in cells]
        except ValueError:
            if not mz and not header_seen:
                header_seen = True  # one header line is allowed before the data
                continue
            bad = next(c for c in cells if not parses_as_float(c))
            col = cells.index(bad) + 1
            raise parse_error(p, lineno, f"non-numeric value {bad!r} in column {col}") from None
        if len(values) < 2:
            what = "only empty cells" if not values else f"{len(values)} column(s)"
            raise parse_error(p, lineno, f"{what}; need m/z and intensity")
        if not all(np.isfinite(values[:2])):
            raise parse_error(p, lineno, "non-finite value")
        mz.append(values[0])
        inten.append(values[1])
    if len(mz) < 3:
        raise DataFileError(f"spectrum file has only {len(mz)} data row(s): {p}")
    return Spectrum.from_arrays(mz, inten, source=str(p))




def _read_mzml(p: Path, index: int) -> Spectrum:
    try:
        from pyteomics import mzml
    except ImportError:  # pragma: no cover - depends on the environment
        raise DataFileError("reading mzML needs pyteomics and lxml: pip install pyteomics lxml") from None
    try:
        found = None
        count = 0
        with mzml.read(str(p)) as reader:
            for k, spec in enumerate(reader):
                count = k + 1
                if k == index:
                    found = spec
                    break
        if found is None:
            raise DataFileError(f"{p.name} holds {count} spectra; index {index} is out of range")
        x = np.asarray(found["m/z array"], dtype=float)
        y = np.asarray(found["intensity array"], dtype=float)
    except DataFileError:
        raise
    except Exception as exc:  # pyteomics raises lxml/pyteomics errors of many kinds
        raise DataFileError(f"cannot read mzML {p.name}: {' '.join(str(exc).split())}") from None
    if x.size < 3:
        raise DataFileError(f"spectrum {index} of {p.name} has {x.size} points")
    return Spectrum.from_arrays(x, y, source=f"{p}#{index}")


def _looks_like_jcamp(p: Path) -> bool:
    if p.suffix.lower() in (".jdx", ".dx", ".jcamp", ".jcm"):
        return True
    with open(p, "rb") as fh:
        head = fh.read(512).decode("latin-1").lstrip()
    return head.startswith("##")


def _read_jcamp_ms(p: Path, index: int) -> Spectrum:
    """A JCAMP-DX mass spectrum (``##DATA TYPE=MASS SPECTRUM``; ``##PEAK TABLE=(XY..XY)`` or
    ``##XYDATA``); block ``index`` of a compound file. Exact repeats of a point are merged with
    a warning (see :mod:`cationx.io.jcamp`)."""
    from cationx.io.jcamp import jcamp_blocks, load_jcamp, merge_repeated_points

    blocks = [b for b in jcamp_blocks(load_jcamp(p)) if np.asarray(b.get("x", [])).size]
    if not blocks:
        raise DataFileError(f"{p.name}: JCAMP-DX file without PEAK TABLE/XYDATA data")
    if not 0 <= index < len(blocks):
        raise DataFileError(f"{p.name} holds {len(blocks)} JCAMP-DX data block(s); index {index} is out of range")
    blk = blocks[index]
    kind = str(blk.get("data type", blk.get("datatype", ""))).strip()
    if "MASS" not in kind.upper():
        raise DataFileError(f"{p.name}: JCAMP-DX data type is {kind or 'not given'!r}, not MASS SPECTRUM")
    x = np.asarray(blk["x"], dtype=float)
    y = np.asarray(blk.get("y", []), dtype=float)
    if x.size != y.size:
        raise DataFileError(f"{p.name}: JCAMP-DX block {index} has {x.size} m/z values but {y.size} intensities")
    x, y = merge_repeated_points(x, y, source=p.name)
    if x.size < 3:
        raise DataFileError(f"spectrum {index} of {p.name} has {x.size} points; need at least 3")
    return Spectrum.from_arrays(x, y, source=f"{p}#{index}" if len(blocks) > 1 else str(p))


def read_spectrum(path: str | Path, *, index: int = 0) -> Spectrum:
    """Read a spectrum from two-column text (CSV/TXT/XY), mzML (spectrum ``index``) or
    JCAMP-DX (``##DATA TYPE=MASS SPECTRUM``, peak table or XY data; block ``index``).

    Raises
    ------
    DataFileError
        Missing, empty or unreadable file.
    ParseError
        A non-numeric cell (line and column named), a row without m/z and intensity.
    """
    p = check_existing_file(path, "spectrum file")
    if p.suffix.lower() == ".mzml":
        return _read_mzml(p, int(index))
    if _looks_like_jcamp(p):
        return _read_jcamp_ms(p, int(index))
    return _read_text(p)
