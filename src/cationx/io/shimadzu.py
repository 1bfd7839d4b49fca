"""Shimadzu UVProbe / LabSolutions UV-vis text export.

Layout: ``"<sample>.spc - RawData"``, then ``"Wavelength nm.","Abs."`` (comma or tab),
then one x/y pair per line.  Exports of several samples repeat the two header lines
before each block; each block becomes one spectrum.
"""

from __future__ import annotations

import re
from pathlib import Path

from cationx.errors import DataFileError
from cationx.io.spectra import SpectrumSet, finish_spectra, unit_from_text
from cationx.io.text import is_number, parse_numeric_block, sniff_delimiter, split_cells

__all__ = ["parse_shimadzu"]


def parse_shimadzu(text: str, p: Path) -> SpectrumSet:
    """Parse the text of a Shimadzu export (see the module docstring)."""
    lines = [(n, ln) for n, ln in enumerate(text.split("\n"), start=1) if ln.strip()]
    delim = sniff_delimiter([ln for _, ln in lines[:40]])
    blocks: list[tuple[str, str, str, list[tuple[int, str]]]] = []
    label, xt, yt = p.stem, "Wavelength nm.", "Abs."
    current: list[tuple[int, str]] | None = None
    for lineno, ln in lines:
        cells = split_cells(ln, delim)
        if is_number(cells[0]):
            if current is None:
                current = []
                blocks.append((label, xt, yt, current))
            current.append((lineno, ln))
            continue
        current = None
        if "rawdata" in ln.lower().replace(" ", ""):
            label = re.sub(r"\s*-\s*raw\s*data\s*$", "", cells[0], flags=re.IGNORECASE)
            label = re.sub(r"\.spc$", "", label, flags=re.IGNORECASE) or p.stem
        elif len(cells) >= 2:
            xt, yt = cells[0], cells[1]
        else:
            raise DataFileError(f"{p.name}:{lineno}: unexpected line in a Shimadzu export: {ln.strip()[:60]!r}")
    if not blocks:
        raise DataFileError(f"{p.name}: Shimadzu export without data")
    spectra = []
    order = "ascending"
    for label, xt, yt, block in blocks:
        data = parse_numeric_block(block, delim, source=p.name)
        y_unit = "absorbance" if "abs" in yt.lower() else yt.lower().rstrip(".")
        part, order = finish_spectra(
            data[:, 0], [data[:, 1]], [label], source=p.name, x_unit=unit_from_text(xt), y_unit=y_unit
        )
        spectra.extend(part)
    return SpectrumSet("shimadzu", str(p), tuple(spectra), {"x_order": order})
