"""JCAMP-DX spectra through the maintained ``jcamp`` package (all compression forms).

The ``jcamp`` package prints its consistency-check messages ("X-Check failed ...", "Mismatch
of array lengths ...") on stdout; :func:`load_jcamp` captures them and re-issues each as a
:class:`~cationx.errors.DataFileWarning`, so a command's ``--json`` output stays one JSON
document. A point written twice with the same x and y (some writers repeat the last point of
a line or of a peak table) is merged with a warning; the same x with two different y values is
an error naming it.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from cationx.errors import DataFileError, DataFileWarning, ParseError
from cationx.io.spectra import SpectrumSet, finish_spectra, unit_from_text

__all__ = ["jcamp_blocks", "load_jcamp", "merge_repeated_points", "read_jcamp"]

_Y_UNITS = {"ABSORBANCE": "absorbance", "INTENSITY": "intensity", "TRANSMITTANCE": "transmittance"}


def load_jcamp(p: Path) -> dict[str, Any]:
    """``jcamp.readfile`` with its stdout messages turned into warnings."""
    import jcamp

    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            data = jcamp.readfile(str(p))
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{p.name}: not a readable JCAMP-DX file ({exc})") from None
    for line in buf.getvalue().splitlines():
        if line.strip():
            warnings.warn(f"{p.name}: JCAMP-DX reader: {line.strip()}", DataFileWarning, stacklevel=3)
    return data


def jcamp_blocks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The data blocks of a JCAMP-DX file (the children of a compound file, else the file)."""
    return list(data.get("children") or [data])


def merge_repeated_points(x: np.ndarray, y: np.ndarray, *, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Drop exact repeats of an (x, y) point with a warning; the same x with another y is an error."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.size < 2:
        return x, y
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    same_x = np.flatnonzero(np.diff(xs) == 0)
    if same_x.size == 0:
        return x, y
    conflict = [i for i in same_x if ys[i] != ys[i + 1]]
    if conflict:
        i = conflict[0]
        raise DataFileError(f"{source}: x = {xs[i]:g} appears twice with different values ({ys[i]:g} and "
                            f"{ys[i + 1]:g}); cannot tell which is right")
    keep = np.ones(x.size, dtype=bool)
    keep[order[same_x + 1]] = False
    repeated = ", ".join(f"{v:g}" for v in xs[same_x][:5]) + (" ..." if same_x.size > 5 else "")
    warnings.warn(f"{source}: {same_x.size} point(s) written twice with the same x and y (x = {repeated}); "
                  "each kept once", DataFileWarning, stacklevel=3)
    return x[keep], y[keep]


def read_jcamp(p: Path) -> SpectrumSet:
    """Read one JCAMP-DX file (a single spectrum, or each block of a compound file)."""
    data = load_jcamp(p)
    spectra = []
    order = "ascending"
    meta: dict[str, str] = {}
    for k, blk in enumerate(jcamp_blocks(data)):
        x = np.asarray(blk.get("x", []), dtype=float)
        y = np.asarray(blk.get("y", []), dtype=float)
        if x.size < 3 or x.size != y.size:
            continue
        label = str(blk.get("title") or f"{p.stem} {k + 1}")
        x, y = merge_repeated_points(x, y, source=f"{p.name} ({label})")
        y_unit = _Y_UNITS.get(str(blk.get("yunits", "")).upper(), str(blk.get("yunits", "")).lower())
        part, order = finish_spectra(
            x, [y], [label], source=p.name, x_unit=unit_from_text(str(blk.get("xunits", "nm"))), y_unit=y_unit
        )
        spectra.extend(part)
        for key, val in blk.items():
            if key not in ("x", "y", "children") and isinstance(val, str | int | float):
                meta.setdefault(str(key), str(val))
    if not spectra:
        raise DataFileError(f"{p.name}: JCAMP-DX file without XYDATA/PEAK TABLE data")
    meta["x_order"] = order
    return SpectrumSet("jcamp", str(p), tuple(spectra), meta)
