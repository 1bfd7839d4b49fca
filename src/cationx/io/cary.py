"""Agilent Cary (WinUV / Cary Eclipse) CSV exports.

Layout: row 1 holds each sample name over a pair of columns (``Name,,Name2,,``), row 2 the
column titles (``Wavelength (nm),Abs,Wavelength (nm),Abs,``), then the data (samples may
have different lengths: missing cells are empty), a blank line, and a metadata block
(collection time, instrument settings, one block per sample).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cationx.errors import DataFileError
from cationx.io.spectra import SpectrumSet, finish_spectra, unit_from_text, warn_interior_gaps
from cationx.io.text import is_number, parse_numeric_block, split_cells, unique_labels

__all__ = ["looks_like_cary", "parse_cary"]


def _pair_titles(cells: Sequence[str]) -> bool:
    cells = list(cells)
    while cells and cells[-1] == "":
        cells.pop()
    if len(cells) < 2 or len(cells) % 2:
        return False
    xs = cells[0::2]
    return all(any(w in c.lower() for w in ("wavelength", "nm", "wavenumber", "ev")) for c in xs)


def looks_like_cary(head: Sequence[str]) -> bool:
    """Two header rows (sample names over pairs, paired column titles) then numbers."""
    if len(head) < 3 or "," not in head[0]:
        return False
    names = split_cells(head[0], ",")
    titles = split_cells(head[1], ",")
    data = split_cells(head[2], ",")
    return _pair_titles(titles) and bool(names and names[0]) and bool(data and is_number(data[0]))


def parse_cary(text: str, p: Path) -> SpectrumSet:
    """Parse the text of a Cary CSV export (see the module docstring)."""
    lines = list(enumerate(text.split("\n"), start=1))
    if len(lines) < 3:
        raise DataFileError(f"{p.name}: too short for a Cary export")
    names = split_cells(lines[0][1], ",")
    titles = split_cells(lines[1][1], ",")
    while titles and titles[-1] == "":
        titles.pop()
    npairs = len(titles) // 2
    block = []
    end = len(lines)
    for j in range(2, len(lines)):
        lineno, ln = lines[j]
        if not ln.strip():
            end = j
            break
        block.append((lineno, ln))
    data = parse_numeric_block(block, ",", source=p.name, allow_empty=True)
    if data.shape[1] < 2 * npairs:
        data = np.hstack([data, np.full((data.shape[0], 2 * npairs - data.shape[1]), np.nan)])
    meta: dict[str, str] = {}
    for _, ln in lines[end:]:
        cells = split_cells(ln, ",")
        if len(cells) >= 2 and cells[0] and cells[1]:
            meta.setdefault(cells[0], cells[1])
    spectra = []
    order = "ascending"
    labels = unique_labels(
        [names[2 * k] if 2 * k < len(names) and names[2 * k] else f"sample {k + 1}" for k in range(npairs)],
        source=p.name,
    )
    for k in range(npairs):
        label = labels[k]
        x = data[:, 2 * k]
        y = data[:, 2 * k + 1]
        keep = np.isfinite(x) & np.isfinite(y)
        if not keep.any():
            continue
        warn_interior_gaps(keep, x, source=p.name, label=label)
        y_unit = "absorbance" if "abs" in titles[2 * k + 1].lower() else titles[2 * k + 1].lower()
        part, order = finish_spectra(
            x[keep], [y[keep]], [label], source=p.name, x_unit=unit_from_text(titles[2 * k]), y_unit=y_unit
        )
        spectra.extend(part)
    if not spectra:
        raise DataFileError(f"{p.name}: Cary export without data")
    meta["x_order"] = order
    return SpectrumSet("cary", str(p), tuple(spectra), meta)
