"""Read measured powder patterns (XRD): two/three-column text (.xy, .xye, .dat, .txt), CSV, Rigaku .ras.

These layouts are small and plain, so they are read here rather than through a general
reader library (xylib does not build on this platform; fairmat-readers-xrd covers .rasx/.brml
but not the text .ras export):

- ``.xy`` / ``.xye`` / ``.dat`` / ``.txt``: whitespace- or comma-separated numbers, one point
  per line; lines starting with ``#``, ``!``, ``;`` or ``'`` and non-numeric lines before the
  data are skipped.  Columns: 2-theta (deg), intensity, optional sigma.
- ``.csv``: a header row is used when present: the 2-theta column is the first whose name
  contains ``2theta``, ``two_theta``, ``2th`` or ``angle``; the intensity column the first
  containing ``int``, ``count`` or ``cps``; otherwise the first two columns.
- ``.ras`` (Rigaku text export; header in UTF-8 or Shift-JIS, CRLF or LF): one
  ``*RAS_HEADER_START`` ... ``*RAS_INT_START`` ... ``*RAS_INT_END`` group per scan, and
  ``*RAS_TEMPERATURE`` blocks (ignored); columns 2-theta, counts, attenuator factor (intensity
  = counts x factor); the wavelength from ``*HW_XG_WAVE_LENGTH_ALPHA1`` when present. A file
  with several scans must be read with ``scan=`` (:func:`list_scans` lists them): the scans of
  one file may differ in range, step, temperature or sample position, so none is taken
  silently. A scan whose axis (``*MEAS_SCAN_AXIS_X``) is not 2-theta (a rocking curve) is
  refused.

The data model, :class:`~cationx.crystal.pattern.MeasuredPattern` and its validating
constructor :func:`~cationx.crystal.pattern.pattern_from_arrays`, lives in the crystal domain.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from cationx._validation import check_existing_file
from cationx.crystal.pattern import MeasuredPattern, pattern_from_arrays
from cationx.errors import DataFileError, InputError, ParseError
from cationx.io.text import decode, parse_error, parses_as_float

__all__ = ["list_scans", "read_pattern"]

_COMMENT = ("#", "!", ";", "'", "*")
_NUM = re.compile(r"^[\s,;]*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


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
                raise parse_error(where, n, f"not numeric: {text[:60]!r}") from None
            continue  # header line before the data
        if len(vals) < 2:
            raise parse_error(where, n, "needs at least two columns (2-theta, intensity)")
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
    return decode(data)


def _read_csv(p: Path, text: str) -> MeasuredPattern:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(_COMMENT)]
    if not lines:
        raise DataFileError(f"{p}: empty pattern (no data lines)")
    first = [c.strip().strip('"').lower() for c in re.split(r"[,;\t]", lines[0])]
    has_header = not all(_NUM.match(c) and parses_as_float(c) for c in first if c)
    if not has_header:
        arr = _numeric_rows(lines, str(p))
        return pattern_from_arrays(arr[:, 0], arr[:, 1], arr[:, 2] if arr.shape[1] > 2 else None, source=str(p))
    ix = next((i for i, c in enumerate(first) if any(k in c.replace("-", "_").replace(" ", "") for k in ("2theta", "two_theta", "2th", "angle"))), 0)
    iy = next((i for i, c in enumerate(first) if i != ix and any(k in c for k in ("int", "count", "cps"))), 1 if ix == 0 else 0)
    arr = _numeric_rows(lines[1:], str(p))
    if arr.shape[1] <= max(ix, iy):
        raise ParseError(f"{p}: header names {len(first)} columns but data rows have {arr.shape[1]}")
    return pattern_from_arrays(arr[:, ix], arr[:, iy], source=str(p))


def _decode_ras(data: bytes) -> str:
    """Rigaku writes the header in Shift-JIS (Japanese axis names) on Japanese systems."""
    return decode(data, ("utf-8-sig", "cp932"))


def _ras_scans(p: Path, text: str) -> list[tuple[dict[str, str], list[tuple[int, str]]]]:
    """``(header, intensity lines)`` of every scan: each ``*RAS_HEADER_START`` ... ``*RAS_INT_END``."""
    lines = text.splitlines()
    if not any(ln.startswith("*RAS_DATA_START") for ln in lines[:5]):
        raise ParseError(f"{p}: not a Rigaku .ras file (no *RAS_DATA_START line)")
    scans: list[tuple[dict[str, str], list[tuple[int, str]]]] = []
    meta: dict[str, str] = {}
    block: list[tuple[int, str]] | None = None
    for n, ln in enumerate(lines, 1):
        if ln.startswith("*RAS_HEADER_START"):
            meta = {}
        elif ln.startswith("*RAS_INT_START"):
            block = []
        elif ln.startswith("*RAS_INT_END"):
            if block is None:
                raise parse_error(p, n, "*RAS_INT_END without *RAS_INT_START")
            scans.append((meta, block))
            block, meta = None, {}
        elif block is not None:
            block.append((n, ln))
        elif ln.startswith("*") and " " in ln:
            key, _, val = ln[1:].partition(" ")
            meta[key] = val.strip().strip('"')
    if block is not None or not scans:
        raise ParseError(f"{p}: .ras file without a complete *RAS_INT_START ... *RAS_INT_END block")
    return scans


def _ras_pattern(p: Path, meta: dict[str, str], block: list[tuple[int, str]], index: int, n_scans: int) -> MeasuredPattern:
    where = f"{p}" if n_scans == 1 else f"{p} scan {index}"
    axis = meta.get("MEAS_SCAN_AXIS_X", "")
    if axis and not _is_two_theta_axis(axis):
        raise DataFileError(f"{where} is a {axis!r} scan, not a 2-theta scan; it cannot be read as a powder pattern")
    rows = []
    for n, ln in block:
        parts = ln.split()
        if not parts:
            continue
        try:
            vals = [float(v) for v in parts]
        except ValueError:
            raise parse_error(p, n, f"intensity row is not numeric: {ln[:60]!r}") from None
        if len(vals) < 2:
            raise parse_error(p, n, "needs 2-theta and counts")
        factor = vals[2] if len(vals) > 2 else 1.0
        rows.append((vals[0], vals[1] * factor))
    if not rows:
        raise DataFileError(f"{where}: empty pattern (the .ras intensity block has no points)")
    arr = np.array(rows)
    lam = None
    for key in ("HW_XG_WAVE_LENGTH_ALPHA1", "MEAS_COND_XG_WAVE_LENGTH_ALPHA1"):
        if key in meta and parses_as_float(meta[key]):
            lam = float(meta[key])
            break
    pat = pattern_from_arrays(arr[:, 0], arr[:, 1], wavelength_angstrom=lam, source=where)
    keep = {k: v for k, v in meta.items() if k.startswith(("FILE_", "MEAS_SCAN", "HW_XG", "MEAS_COND_XG", "FILE_SAMPLE"))}
    keep["scan"] = str(index)
    keep["n_scans"] = str(n_scans)
    return MeasuredPattern(pat.two_theta_deg, pat.intensity, None, lam, where, keep)


def _is_two_theta_axis(axis: str) -> bool:
    a = axis.replace(" ", "").lower()
    return a.startswith("2") and ("θ" in a or "theta" in a or "th" in a)


def list_scans(path: str | Path) -> list[dict[str, Any]]:
    """The scans of a pattern file: index (0-based), axis, start, stop, step, points, temperature.

    A text or CSV pattern is one scan.
    """
    p = check_existing_file(path, "pattern file")
    if p.suffix.lower() != ".ras":
        pat = read_pattern(p)
        return [{"index": 0, "axis": "2-theta", "start_deg": float(pat.two_theta_deg[0]),
                 "stop_deg": float(pat.two_theta_deg[-1]), "points": len(pat)}]
    out = []
    for k, (meta, block) in enumerate(_ras_scans(p, _decode_ras(p.read_bytes()))):
        row: dict[str, Any] = {"index": k, "axis": meta.get("MEAS_SCAN_AXIS_X", ""),
                               "points": sum(1 for _, ln in block if ln.strip())}
        for key, name in (("MEAS_SCAN_START", "start_deg"), ("MEAS_SCAN_STOP", "stop_deg"), ("MEAS_SCAN_STEP", "step_deg")):
            v = meta.get(key, "")
            row[name] = float(v) if parses_as_float(v) else None
        num = next((k.rsplit("-", 1)[1] for k in meta
                    if k.startswith("MEAS_COND_AXIS_NAME-") and meta[k].lower() == "temperature"), None)
        v = meta.get(f"MEAS_COND_AXIS_POSITION-{num}", "") if num is not None else ""
        row["temperature"] = (f"{float(v):g} {meta.get(f'MEAS_COND_AXIS_UNIT-{num}', '')}".strip()
                              if parses_as_float(v) else None)
        row["start_time"] = meta.get("MEAS_SCAN_START_TIME")
        out.append(row)
    return out


def _scan_summary(rows: list[dict[str, Any]]) -> str:
    parts = []
    for r in rows:
        rng = f"{r['start_deg']:g}-{r['stop_deg']:g} deg" if r.get("start_deg") is not None else "range not given"
        parts.append(f"{r['index']}: {r['axis'] or 'axis not given'} {rng}, {r['points']} points")
    return "; ".join(parts)


def _read_ras(p: Path, data: bytes, scan: int | None) -> MeasuredPattern:
    scans = _ras_scans(p, _decode_ras(data))
    if scan is None:
        if len(scans) > 1:
            raise DataFileError(f"{p.name} holds {len(scans)} scans; choose one with scan= / --scan (0-based): "
                                f"{_scan_summary(list_scans(p))}")
        scan = 0
    if not 0 <= int(scan) < len(scans):
        raise InputError(f"scan {scan} does not exist; {p.name} holds {len(scans)} scan(s) (0-based): "
                         f"{_scan_summary(list_scans(p))}")
    meta, block = scans[int(scan)]
    return _ras_pattern(p, meta, block, int(scan), len(scans))


def read_pattern(path: str | Path, *, scan: int | None = None) -> MeasuredPattern:
    """Read a powder pattern from .xy/.xye/.dat/.txt, .csv or Rigaku .ras (module docstring).

    ``scan`` (0-based) chooses the scan of a .ras file holding several; without it such a file
    is an error listing the scans (axis, range, points). Other formats hold one scan and accept
    only ``scan`` None or 0.
    """
    p = check_existing_file(path, "pattern file")
    suffix = p.suffix.lower()
    if suffix == ".ras":
        data = p.read_bytes()
        if b"\x00" in data[:4096]:
            raise DataFileError(f"{p}: a binary file, not a text pattern (.ras)")
        return _read_ras(p, data, scan)
    if scan not in (None, 0):
        raise InputError(f"scan {scan} does not exist; {p.name} holds one pattern (scan 0)")
    text = _read_text(p)
    if suffix == ".csv":
        return _read_csv(p, text)
    if suffix in (".xy", ".xye", ".dat", ".txt", ".asc"):
        arr = _numeric_rows(text.splitlines(), str(p))
        sigma = arr[:, 2] if (suffix == ".xye" and arr.shape[1] > 2) else None
        if suffix == ".xye" and sigma is None:
            raise ParseError(f"{p}: a .xye file needs a third column (sigma)")
        return pattern_from_arrays(arr[:, 0], arr[:, 1], sigma, source=str(p))
    raise DataFileError(f"{p}: unknown pattern format {suffix!r} (use .xy, .xye, .dat, .txt, .csv or .ras)")
