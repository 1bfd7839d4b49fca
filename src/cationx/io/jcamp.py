"""JCAMP-DX spectra through the maintained ``jcamp`` package (all compression forms).

The ``jcamp`` package prints its consistency-check messages ("X-Check failed ...", "Mismatch
of array lengths ...") on stdout; :func:`load_jcamp` captures them and re-issues each as a
:class:`~cationx.errors.DataFileWarning`, so a command's ``--json`` output stays one JSON
document. A point written twice with the same x and y (some writers repeat the last point of
a line or of a peak table) is merged with a warning; the same x with two different y values is
an error naming it. Plain-number ``(X++(Y..Y))`` data whose lines repeat the previous line's
last point (the ``jcamp`` package then reports an array-length mismatch) are placed point by
point from FIRSTX and the spacing, and the repeats merged the same way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from cationx.errors import DataFileError, DataFileWarning, ParseError
from cationx.io.spectra import SpectrumSet, finish_spectra, unit_from_text
from cationx.io.text import unique_labels

__all__ = ["jcamp_blocks", "load_jcamp", "merge_repeated_points", "read_jcamp"]

_Y_UNITS = {"ABSORBANCE": "absorbance", "INTENSITY": "intensity", "TRANSMITTANCE": "transmittance"}


def _load(p: Path) -> tuple[dict[str, Any], list[str]]:
    import jcamp

    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            data = jcamp.readfile(str(p))
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ParseError(f"{p.name}: not a readable JCAMP-DX file ({exc})") from None
    return data, [ln.strip() for ln in buf.getvalue().splitlines() if ln.strip()]


def _warn_messages(p: Path, messages: list[str]) -> None:
    for line in messages:
        warnings.warn(f"{p.name}: JCAMP-DX reader: {line}", DataFileWarning, stacklevel=4)


def load_jcamp(p: Path) -> dict[str, Any]:
    """``jcamp.readfile`` with its stdout messages turned into warnings."""
    data, messages = _load(p)
    _warn_messages(p, messages)
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


_AFFN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_COMPRESSED = re.compile(r"[@%A-DF-Za-df-z]")  # SQZ/DIF/DUP characters (not the exponent e/E)


def _xydata_sections(text: str) -> list[list[str]]:
    """The data lines under each ``##XYDATA=(X++(Y..Y))`` label, in file order."""
    out: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("##"):
            current = None
            if s.upper().replace(" ", "").startswith("##XYDATA=(X++(Y..Y))"):
                current = []
                out.append(current)
        elif current is not None and s and not s.startswith("$$"):
            current.append(s)
    return out


def _affn_xydata(lines: list[str], blk: dict[str, Any], source: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Plain-number (AFFN) ``(X++(Y..Y))`` data in which a line may repeat the previous line's last
    point (the ``jcamp`` package then returns more y than x). Each y is placed by its own x;
    exact repeats are merged with a warning. None if the data are compressed (SQZ/DIF)."""
    try:
        firstx, lastx, n = float(blk["firstx"]), float(blk["lastx"]), int(blk["npoints"])
    except (KeyError, TypeError, ValueError):
        return None
    if n < 2 or any(_COMPRESSED.search(ln) for ln in lines):
        return None
    xfac, yfac = float(blk.get("xfactor", 1.0)), float(blk.get("yfactor", 1.0))
    dx = (lastx - firstx) / (n - 1)
    idx: list[int] = []
    ys: list[float] = []
    for ln in lines:
        vals = [float(v) for v in _AFFN_NUMBER.findall(ln)]
        if len(vals) < 2:
            continue
        k0 = round((vals[0] * xfac - firstx) / dx)
        idx.extend(range(k0, k0 + len(vals) - 1))
        ys.extend(v * yfac for v in vals[1:])
    ia = np.asarray(idx, dtype=float)
    xa, ya = merge_repeated_points(firstx + ia * dx, np.asarray(ys, dtype=float), source=source)
    if xa.size != n:
        raise DataFileError(f"{source}: XYDATA holds {xa.size} distinct points, NPOINTS says {n}")
    order = np.argsort(xa)
    return xa[order], ya[order]


def read_jcamp(p: Path) -> SpectrumSet:
    """Read one JCAMP-DX file (a single spectrum, or each block of a compound file)."""
    data, messages = _load(p)
    repaired = False
    spectra = []
    order = "ascending"
    meta: dict[str, str] = {}
    sections: list[list[str]] | None = None
    n_xydata = 0
    for k, blk in enumerate(jcamp_blocks(data)):
        x = np.asarray(blk.get("x", []), dtype=float)
        y = np.asarray(blk.get("y", []), dtype=float)
        label = str(blk.get("title") or f"{p.stem} {k + 1}")
        is_xydata = str(blk.get("xydata", "")).replace(" ", "").upper() == "(X++(Y..Y))"
        if is_xydata:
            n_xydata += 1
        if is_xydata and x.size != y.size:
            if sections is None:
                sections = _xydata_sections(p.read_bytes().decode("latin-1"))
            fixed = (_affn_xydata(sections[n_xydata - 1], blk, f"{p.name} ({label})")
                     if n_xydata <= len(sections) else None)
            if fixed is None:
                raise DataFileError(f"{p.name} ({label}): XYDATA holds {y.size} values for {x.size} points "
                                    "(NPOINTS); cannot place them")
            x, y = fixed
            repaired = True
        if x.size < 3 or x.size != y.size:
            continue
        x, y = merge_repeated_points(x, y, source=f"{p.name} ({label})")
        y_unit = _Y_UNITS.get(str(blk.get("yunits", "")).upper(), str(blk.get("yunits", "")).lower())
        part, order = finish_spectra(
            x, [y], [label], source=p.name, x_unit=unit_from_text(str(blk.get("xunits", "nm"))), y_unit=y_unit
        )
        spectra.extend(part)
        for key, val in blk.items():
            if key not in ("x", "y", "children") and isinstance(val, str | int | float):
                meta.setdefault(str(key), str(val))
    # once the points were placed by their own x (above), the package's length-mismatch and
    # X-check messages (it counts the restated points) no longer apply
    stale = ("Mismatch of array lengths", "X-Check failed")
    _warn_messages(p, [m for m in messages if not (repaired and m.startswith(stale))])
    if not spectra:
        raise DataFileError(f"{p.name}: JCAMP-DX file without XYDATA/PEAK TABLE data")
    labels = unique_labels([s.label for s in spectra], source=p.name)
    spectra = [s if s.label == lab else dataclasses.replace(s, label=lab) for s, lab in zip(spectra, labels, strict=True)]
    meta["x_order"] = order
    return SpectrumSet("jcamp", str(p), tuple(spectra), meta)
