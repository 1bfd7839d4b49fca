"""Read measured powder patterns: two/three-column text (.xy, .xye, .dat, .txt), CSV, Rigaku .ras.

These layouts are small and plain, so they are read here rather than through a general
reader library (xylib does not build on this platform; fairmat-readers-xrd covers .rasx/.brml
but not the text .ras export):

- ``.xy`` / ``.xye`` / ``.dat`` / ``.txt``: whitespace- or comma-separated numbers, one point
  per line; lines starting with ``#``, ``!``, ``;`` or ``'`` and non-numeric lines before the
  data are skipped.  Columns: 2-theta (deg), intensity, optional sigma.
- ``.csv``: a header row is used when present: the 2-theta column is the first whose name
  contains ``2theta``, ``two_theta``, ``2th`` or ``angle``; the intensity column the first
  containing ``int``, ``count`` or ``cps``; otherwise the first two columns.
- ``.ras`` (Rigaku text export): the ``*RAS_INT_START`` ... ``*RAS_INT_END`` block of the
  first scan; columns 2-theta, counts, attenuator factor (intensity = counts x factor); the
  wavelength from ``*HW_XG_WAVE_LENGTH_ALPHA1`` when present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import check_existing_file
from cationx.errors import DataFileError, InputError, ParseError

__all__ = ["MeasuredPattern", "pattern_from_arrays", "read_pattern"]

_COMMENT = ("#", "!", ";", "'", "*")
_NUM = re.compile(r"^[\s,;]*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


@dataclass(frozen=True, slots=True)
class MeasuredPattern:
    """A measured powder pattern on increasing 2-theta (deg)."""

    two_theta_deg: np.ndarray
    intensity: np.ndarray
    sigma: np.ndarray | None = None
    wavelength_angstrom: float | None = None
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.two_theta_deg.size)

    def to_frame(self) -> pd.DataFrame:
        data = {"two_theta_deg": self.two_theta_deg, "intensity": self.intensity}
        if self.sigma is not None:
            data["sigma"] = self.sigma
        return pd.DataFrame(data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "n_points": len(self),
            "wavelength_angstrom": self.wavelength_angstrom,
            "two_theta_deg": self.two_theta_deg,
            "intensity": self.intensity,
        }


def pattern_from_arrays(
    two_theta_deg: Any,
    intensity: Any,
    sigma: Any = None,
    *,
    wavelength_angstrom: float | None = None,
    source: str = "arrays",
) -> MeasuredPattern:
    """Validate arrays into a :class:`MeasuredPattern` (copies; descending 2-theta is reversed)."""
    try:
        x = np.array(two_theta_deg, dtype=float, copy=True).ravel()
        y = np.array(intensity, dtype=float, copy=True).ravel()
        s = None if sigma is None else np.array(sigma, dtype=float, copy=True).ravel()
    except (TypeError, ValueError):
        raise InputError(f"{source}: pattern values must be numeric") from None
    if x.size == 0:
        raise DataFileError(f"{source}: empty pattern (no data points)")
    if x.size != y.size or (s is not None and s.size != x.size):
        raise InputError(f"{source}: 2-theta, intensity (and sigma) must have equal lengths")
    if x.size < 5:
        raise DataFileError(f"{source}: a pattern needs at least 5 points, got {x.size}")
    for name, arr in (("2-theta", x), ("intensity", y)) + ((("sigma", s),) if s is not None else ()):
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{source}: {name} value {float(arr[i])!r} at point {i + 1} is not finite")
    if x[0] > x[-1]:
        x, y = x[::-1].copy(), y[::-1].copy()
        s = None if s is None else s[::-1].copy()
    dx = np.diff(x)
    if np.any(dx <= 0):
        i = int(np.flatnonzero(dx <= 0)[0])
        raise InputError(f"{source}: 2-theta must increase; {x[i + 1]!r} at point {i + 2} follows {x[i]!r}")
    if x[0] < 0 or x[-1] > 180:
        raise InputError(f"{source}: 2-theta must lie in [0, 180] deg, got {x[0]!r} .. {x[-1]!r}")
    if not np.any(y != 0):
        raise DataFileError(f"{source}: empty pattern (all intensities are zero)")
    if s is not None and np.any(s <= 0):
        raise InputError(f"{source}: sigma must be > 0 everywhere")
    return MeasuredPattern(x, y, s, wavelength_angstrom, source)


def _numeric_rows(lines: list[str], where: str) -> np.ndarray:
    rows = []
    started = False
    for n, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith(_COMMENT):
            continue
        parts = [p for p in re.split(r"[\s,;]+", text) if p]
        try:
            vals = [float(p) for p in parts]
        except ValueError:
            if started:
                raise ParseError(f"{where}: line {n} is not numeric: {text[:60]!r}", line=n) from None
            continue  # header line before the data
        if len(vals) < 2:
            raise ParseError(f"{where}: line {n} needs at least two columns (2-theta, intensity)", line=n)
        started = True
        rows.append(vals[:3])
    if not rows:
        raise DataFileError(f"{where}: empty pattern (no numeric data lines)")
    width = min(len(r) for r in rows)
    return np.array([r[:width] for r in rows], dtype=float)


def _read_text(p: Path) -> str:
    data = p.read_bytes()
    if b"\x00" in data[:4096]:
        raise DataFileError(f"{p}: a binary file, not a text pattern (.xy, .xye, .csv, .ras)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_csv(p: Path, text: str) -> MeasuredPattern:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(_COMMENT)]
    if not lines:
        raise DataFileError(f"{p}: empty pattern (no data lines)")
    first = [c.strip().strip('"').lower() for c in re.split(r"[,;\t]", lines[0])]
    has_header = not all(_NUM.match(c) and _is_float(c) for c in first if c)
    if not has_header:
        arr = _numeric_rows(lines, str(p))
        return pattern_from_arrays(arr[:, 0], arr[:, 1], arr[:, 2] if arr.shape[1] > 2 else None, source=str(p))
    ix = next((i for i, c in enumerate(first) if any(k in c.replace("-", "_").replace(" ", "") for k in ("2theta", "two_theta", "2th", "angle"))), 0)
    iy = next((i for i, c in enumerate(first) if i != ix and any(k in c for k in ("int", "count", "cps"))), 1 if ix == 0 else 0)
    arr = _numeric_rows(lines[1:], str(p))
    if arr.shape[1] <= max(ix, iy):
        raise ParseError(f"{p}: header names {len(first)} columns but data rows have {arr.shape[1]}")
    return pattern_from_arrays(arr[:, ix], arr[:, iy], source=str(p))


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_ras(p: Path, text: str) -> MeasuredPattern:
    lines = text.splitlines()
    if not any(ln.startswith("*RAS_DATA_START") for ln in lines[:5]):
        raise ParseError(f"{p}: not a Rigaku .ras file (no *RAS_DATA_START line)")
    meta: dict[str, str] = {}
    start = end = None
    for i, ln in enumerate(lines):
        if ln.startswith("*RAS_INT_START"):
            start = i + 1
        elif ln.startswith("*RAS_INT_END"):
            end = i
            break
        elif start is None and ln.startswith("*") and " " in ln:
            key, _, val = ln[1:].partition(" ")
            meta[key] = val.strip().strip('"')
    if start is None or end is None:
        raise ParseError(f"{p}: .ras file without a complete *RAS_INT_START ... *RAS_INT_END block")
    rows = []
    for n, ln in enumerate(lines[start:end], start + 1):
        parts = ln.split()
        if not parts:
            continue
        try:
            vals = [float(v) for v in parts]
        except ValueError:
            raise ParseError(f"{p}: line {n} of the intensity block is not numeric: {ln[:60]!r}", line=n) from None
        if len(vals) < 2:
            raise ParseError(f"{p}: line {n} needs 2-theta and counts", line=n)
        factor = vals[2] if len(vals) > 2 else 1.0
        rows.append((vals[0], vals[1] * factor))
    if not rows:
        raise DataFileError(f"{p}: empty pattern (the .ras intensity block has no points)")
    arr = np.array(rows)
    lam = None
    for key in ("HW_XG_WAVE_LENGTH_ALPHA1", "MEAS_COND_XG_WAVE_LENGTH_ALPHA1"):
        if key in meta and _is_float(meta[key]):
            lam = float(meta[key])
            break
    pat = pattern_from_arrays(arr[:, 0], arr[:, 1], wavelength_angstrom=lam, source=str(p))
    keep = {k: v for k, v in meta.items() if k.startswith(("FILE_", "MEAS_SCAN", "HW_XG", "MEAS_COND_XG", "FILE_SAMPLE"))}
    return MeasuredPattern(pat.two_theta_deg, pat.intensity, None, lam, str(p), keep)


def read_pattern(path: str | Path) -> MeasuredPattern:
    """Read a powder pattern from .xy/.xye/.dat/.txt, .csv or Rigaku .ras (module docstring)."""
    p = check_existing_file(path, "pattern file")
    text = _read_text(p)
    suffix = p.suffix.lower()
    if suffix == ".ras":
        return _read_ras(p, text)
    if suffix == ".csv":
        return _read_csv(p, text)
    if suffix in (".xy", ".xye", ".dat", ".txt", ".asc"):
        arr = _numeric_rows(text.splitlines(), str(p))
        sigma = arr[:, 2] if (suffix == ".xye" and arr.shape[1] > 2) else None
        if suffix == ".xye" and sigma is None:
            raise ParseError(f"{p}: a .xye file needs a third column (sigma)")
        return pattern_from_arrays(arr[:, 0], arr[:, 1], sigma, source=str(p))
    raise DataFileError(f"{p}: unknown pattern format {suffix!r} (use .xy, .xye, .dat, .txt, .csv or .ras)")
