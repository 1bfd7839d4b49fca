"""Periodicity in a peak list: recurring m/z spacings (32 = S, 248 = Ag2S) with labels.

Yao et al. 2023 (seed 004, Fig. 3c) read two periods off the Ag2S cluster region: 32 m/z
(loss/gain of S) and 248 m/z (Ag2S).  :func:`find_periodicity` finds such spacings in a
peak list: all pairwise differences within [min_spacing, max_spacing] are accumulated with
weights sqrt(I_i I_j) on a 0.1-Da grid, smoothed with a Gaussian of width
``tolerance_da / 2``, and the maxima are refined to the weighted mean of the differences
within ``tolerance_da``.  Each spacing is labelled with the closest unit formula or small
multiple of one (``S``, ``2 S``, ``Ag2S``, ``CdS``, ...) or the sum or difference of two
of the first four units (``Ag2S + S``), from average masses of the
isotope table, when within ``tolerance_da``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import (
    as_1d_array,
    check_grid_size,
    check_int,
    check_magnitude,
    check_positive,
)
from cationx.errors import InputError
from cationx.massspec.envelope import average_mass

__all__ = ["DEFAULT_UNITS", "PeriodicityResult", "Spacing", "find_periodicity"]

DEFAULT_UNITS = ("S", "Ag2S", "CdS", "Ag", "Cd", "Ag2", "Cu2S", "Se", "CdSe", "Ag2Se", "Cu", "L")


@dataclass(frozen=True, slots=True)
class Spacing:
    """One recurring spacing: value in m/z, number of peak pairs, weight, label."""

    spacing: float
    pairs: int
    weight: float
    label: str | None
    unit_mass: float | None
    examples: tuple[tuple[float, float], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "spacing": self.spacing,
            "pairs": self.pairs,
            "weight": self.weight,
            "label": self.label,
            "unit_mass": self.unit_mass,
            "examples": [list(e) for e in self.examples],
        }


@dataclass(frozen=True, slots=True)
class PeriodicityResult:
    """Recurring spacings, strongest first."""

    spacings: tuple[Spacing, ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{k: v for k, v in s.to_dict().items() if k != "examples"} for s in self.spacings],
            columns=["spacing", "pairs", "weight", "label", "unit_mass"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {"spacings": [s.to_dict() for s in self.spacings]}


def _unit_table(units: Sequence[str], charge: int) -> list[tuple[str, float]]:
    """Units, their small multiples, and sums/differences of the first four units."""
    table = []
    masses = {u: average_mass(u) / abs(charge) for u in units}
    for u, m in masses.items():
        for k in (1, 2, 3):
            table.append((u if k == 1 else f"{k} {u}", k * m))
    first = list(masses)[:4]
    for i, a in enumerate(first):
        for b in first[i + 1 :]:
            hi_u, lo_u = (a, b) if masses[a] >= masses[b] else (b, a)
            table.append((f"{hi_u} + {lo_u}", masses[a] + masses[b]))
            table.append((f"{hi_u} - {lo_u}", masses[hi_u] - masses[lo_u]))
    return table


def find_periodicity(
    mz: Sequence[float],
    intensity: Sequence[float] | None = None,
    *,
    min_spacing: float = 20.0,
    max_spacing: float = 400.0,
    tolerance_da: float = 1.5,
    units: Sequence[str] = DEFAULT_UNITS,
    charge: int = 1,
    max_results: int = 10,
    min_pairs: int = 2,
) -> PeriodicityResult:
    """Recurring spacings in a peak list, strongest first (see the module docstring)."""
    x = as_1d_array(mz, "mz", min_length=2)
    w = np.ones_like(x) if intensity is None else as_1d_array(intensity, "intensity", min_length=2)
    check_magnitude(w, "intensity")
    if w.size != x.size:
        raise InputError(f"mz and intensity must have equal lengths: {x.size} and {w.size}")
    if np.any(w < 0):
        raise InputError("intensity must be >= 0")
    lo = check_positive(min_spacing, "min_spacing")
    hi = check_positive(max_spacing, "max_spacing")
    if hi <= lo:
        raise InputError(f"max_spacing must exceed min_spacing, got {lo} and {hi}")
    tol = check_positive(tolerance_da, "tolerance_da")
    if tol > 100:
        raise InputError(f"tolerance_da must be <= 100 Da (a spacing tolerance, not a range), got {tol!r}")
    nmax = check_int(max_results, "max_results", minimum=1)
    minp = check_int(min_pairs, "min_pairs", minimum=1)
    z = check_int(charge, "charge")
    if z == 0:
        raise InputError("charge must be non-zero")
    order = np.argsort(x)
    x, w = x[order], w[order]
    i, j = np.triu_indices(x.size, k=1)
    d = x[j] - x[i]
    sel = (d >= lo - tol) & (d <= hi + tol)
    d, i, j = d[sel], i[sel], j[sel]
    if d.size == 0:
        return PeriodicityResult(())
    pw = np.sqrt(w[i] * w[j])
    pw = pw / pw.max() if pw.max() > 0 else np.ones_like(pw)
    step = 0.1
    top = min(hi, float(d.max()))  # spacings beyond the largest observed one score zero
    check_grid_size((top - lo + 2 * tol) / step, "the spacing grid (0.1 Da steps)", limit=10_000_000,
                    hint="narrow min_spacing..max_spacing or tolerance_da")
    grid = np.arange(lo - tol, top + tol + step, step)
    hist = np.zeros_like(grid)
    np.add.at(hist, np.clip(np.round((d - grid[0]) / step).astype(int), 0, grid.size - 1), pw)
    sigma = tol / 2 / step
    kx = np.arange(-int(4 * sigma) - 1, int(4 * sigma) + 2)
    kernel = np.exp(-0.5 * (kx / sigma) ** 2)
    smooth = np.convolve(hist, kernel, mode="same")
    from scipy.signal import find_peaks

    idx, _ = find_peaks(smooth, distance=max(1, int(2 * tol / step)))
    table = _unit_table(units, z)
    found = []
    for k in idx:
        center = grid[k]
        near = np.abs(d - center) <= tol
        if near.sum() < minp:
            continue
        value = float(np.average(d[near], weights=pw[near]))
        if not lo <= value <= hi:
            continue
        label, unit = None, None
        best = tol
        for name, m in table:
            if abs(m - value) <= best:
                best, label, unit = abs(m - value), name, m
        ex = tuple((float(x[a]), float(x[b])) for a, b in list(zip(i[near], j[near], strict=True))[:5])
        found.append(Spacing(value, int(near.sum()), float(pw[near].sum()), label, unit, ex))
    found.sort(key=lambda s: -s.weight)
    return PeriodicityResult(tuple(found[:nmax]))


