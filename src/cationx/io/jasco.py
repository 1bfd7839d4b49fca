"""JASCO Spectra Manager text/CSV exports (V-600 series UV-vis, FP series fluorimeters).

Layout: ``KEY<sep>value`` lines (TITLE, DATA TYPE, ORIGIN, XUNITS, YUNITS, FIRSTX, LASTX,
NPOINTS, ...), a line ``XYDATA``, one ``x<sep>y`` line per point (either order), then
optionally a blank line and an ``##### Extended Information`` block of instrument settings.
The separator is a comma or a tab.  The header looks like JCAMP-DX but without the ``##``
labels, so a JCAMP reader does not accept it.
"""

from __future__ import annotations

from pathlib import Path

from cationx.errors import DataFileError
from cationx.io.spectra import SpectrumSet, finish_spectra, unit_from_text
from cationx.io.text import is_number, parse_numeric_block, sniff_delimiter, split_cells

__all__ = ["parse_jasco"]

_Y_UNITS = {"ABSORBANCE": "absorbance", "INTENSITY": "intensity", "%T": "transmittance"}


def parse_jasco(text: str, p: Path) -> SpectrumSet:
    """Parse the text of a JASCO export (see the module docstring)."""
    lines = list(enumerate(text.split("\n"), start=1))
    delim = sniff_delimiter([ln for _, ln in lines[:40] if ln.strip()])
    meta: dict[str, str] = {}
    start = None
    for i, (_, ln) in enumerate(lines):
        cells = split_cells(ln, delim)
        key = cells[0].upper() if cells else ""
        if key == "XYDATA":
            start = i + 1
            break
        if key:
            meta[key] = ", ".join(c for c in cells[1:] if c)
    if start is None:
        raise DataFileError(f"{p.name}: JASCO export without an XYDATA line")
    block = []
    end = len(lines)
    for j, (lineno, ln) in enumerate(lines[start:], start=start):
        if not ln.strip():
            end = j
            break
        first = split_cells(ln, delim)[0]
        if not is_number(first) and not block:
            raise DataFileError(f"{p.name}:{lineno}: no data after XYDATA")
        if ln.lstrip().startswith("#"):
            end = j
            break
        block.append((lineno, ln))
    data = parse_numeric_block(block, delim, source=p.name)
    if data.shape[1] < 2:
        raise DataFileError(f"{p.name}: XYDATA lines need x and y")
    trailer = [ln.strip() for _, ln in lines[end:] if ln.strip()]
    for ln in trailer:
        cells = split_cells(ln, delim if delim else ",")
        if len(cells) >= 2 and cells[0] and not cells[0].startswith("#"):
            meta.setdefault(cells[0], ", ".join(c for c in cells[1:] if c))
    label = meta.get("TITLE") or p.stem
    y_unit = _Y_UNITS.get(meta.get("YUNITS", "").upper(), meta.get("YUNITS", "").lower())
    x_unit = unit_from_text(meta.get("XUNITS", "nm"))
    spectra, order = finish_spectra(
        data[:, 0], [data[:, k] for k in range(1, data.shape[1])],
        [label] if data.shape[1] == 2 else [f"{label} {k}" for k in range(1, data.shape[1])],
        source=p.name, x_unit=x_unit, y_unit=y_unit,
    )
    meta["x_order"] = order
    return SpectrumSet("jasco", str(p), spectra, meta)
