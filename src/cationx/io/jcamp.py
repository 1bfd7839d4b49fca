"""JCAMP-DX spectra through the maintained ``jcamp`` package (all compression forms)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cationx.errors import DataFileError, ParseError
from cationx.io.spectra import SpectrumSet, finish_spectra, unit_from_text

__all__ = ["read_jcamp"]

_Y_UNITS = {"ABSORBANCE": "absorbance", "INTENSITY": "intensity", "TRANSMITTANCE": "transmittance"}


def read_jcamp(p: Path) -> SpectrumSet:
    """Read one JCAMP-DX file (a single spectrum, or each block of a compound file)."""
    import jcamp

    try:
        data = jcamp.readfile(str(p))
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise ParseError(f"{p.name}: not a readable JCAMP-DX file ({exc})") from None
    blocks = data.get("children") or [data]
    spectra = []
    order = "ascending"
    meta: dict[str, str] = {}
    for k, blk in enumerate(blocks):
        x = np.asarray(blk.get("x", []), dtype=float)
        y = np.asarray(blk.get("y", []), dtype=float)
        if x.size < 3 or x.size != y.size:
            continue
        label = str(blk.get("title") or f"{p.stem} {k + 1}")
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
