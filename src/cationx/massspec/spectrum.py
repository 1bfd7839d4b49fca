"""Mass spectra: the :class:`Spectrum` data model, baseline, peak picking, calibration.

- Files (two-column text, mzML, JCAMP-DX) are read by :func:`cationx.io.massspec.read_spectrum`
  (``cationx.io.read_mass_spectrum``); ``read_spectrum`` here is a deprecated alias.
- Baseline: SNIP (pybaselines), the usual choice for MALDI-TOF.
- Peaks: :func:`scipy.signal.find_peaks` with a prominence threshold, centroided by a
  parabola through the top three points.
- Calibration: linear or quadratic m/z correction fitted through
  :func:`cationx.fitting.fit_curve` from assigned peaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._lazy import moved_names
from cationx._validation import (
    as_1d_array,
    check_choice,
    check_matching_lengths,
    check_positive,
    check_range,
)
from cationx.errors import InputError
from cationx.fitting import Parameters

__all__ = [
    "Calibration",
    "PeakList",
    "Spectrum",
    "calibrate",
    "pick_peaks",
    "subtract_baseline",
]


@dataclass(frozen=True, slots=True)
class Spectrum:
    """A profile (or centroided) mass spectrum: ``mz`` ascending, ``intensity``."""

    mz: np.ndarray
    intensity: np.ndarray
    source: str = ""

    @classmethod
    def from_arrays(cls, mz: Any, intensity: Any, source: str = "") -> Spectrum:
        x = as_1d_array(mz, "mz", min_length=3)
        y = as_1d_array(intensity, "intensity", min_length=3)
        check_matching_lengths([x, y], ["mz", "intensity"])
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
        if np.any(np.diff(x) <= 0):
            i = int(np.flatnonzero(np.diff(x) <= 0)[0])
            raise InputError(f"mz values must be distinct; {x[i]!r} repeats")
        return cls(x, y, source)

    def window(self, lo: float, hi: float) -> Spectrum:
        """The part with lo <= m/z <= hi."""
        sel = (self.mz >= lo) & (self.mz <= hi)
        if sel.sum() < 3:
            raise InputError(f"spectrum has fewer than 3 points between m/z {lo:.2f} and {hi:.2f}")
        return Spectrum(self.mz[sel], self.intensity[sel], self.source)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"mz": self.mz, "intensity": self.intensity})

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "mz": self.mz, "intensity": self.intensity}


# names moved to the io layer, kept as deprecated aliases
__getattr__ = moved_names("cationx.massspec.spectrum", {"read_spectrum": "cationx.io.massspec"})


def subtract_baseline(spectrum: Spectrum, *, half_window_da: float = 20.0) -> tuple[Spectrum, np.ndarray]:
    """SNIP baseline (pybaselines) with a clipping window of ``half_window_da`` (in m/z),
    converted to points from the median spacing.  Returns (corrected spectrum, baseline)."""
    from pybaselines import Baseline

    hw = check_positive(half_window_da, "half_window_da")
    step = float(np.median(np.diff(spectrum.mz)))
    points = max(2, round(hw / step))
    points = min(points, max(2, spectrum.mz.size // 2 - 1))
    base, _ = Baseline(spectrum.mz).snip(spectrum.intensity, max_half_window=points, decreasing=True)
    return Spectrum(spectrum.mz, spectrum.intensity - base, spectrum.source), base


@dataclass(frozen=True, slots=True)
class PeakList:
    """Picked peaks: centroid ``mz``, ``intensity`` (height), ``prominence``, ``fwhm_da``."""

    mz: np.ndarray
    intensity: np.ndarray
    prominence: np.ndarray
    fwhm_da: np.ndarray

    def __len__(self) -> int:
        return int(self.mz.size)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"mz": self.mz, "intensity": self.intensity, "prominence": self.prominence, "fwhm_da": self.fwhm_da})

    def to_dict(self) -> dict[str, Any]:
        return {"mz": self.mz, "intensity": self.intensity, "prominence": self.prominence, "fwhm_da": self.fwhm_da}


def pick_peaks(spectrum: Spectrum, *, min_relative_height: float = 0.01, min_prominence: float | None = None, min_distance_da: float = 0.3) -> PeakList:
    """Local maxima above ``min_relative_height`` x max and ``min_prominence`` (default the
    same), at least ``min_distance_da`` apart, centroided by a three-point parabola."""
    from scipy.signal import find_peaks, peak_widths

    rel = check_range(min_relative_height, "min_relative_height", 0.0, 1.0)
    min_distance_da = check_positive(min_distance_da, "min_distance_da")
    y = spectrum.intensity
    x = spectrum.mz
    ymax = float(y.max())
    if ymax <= 0:
        raise InputError("spectrum has no positive intensity")
    height = rel * ymax
    prom = height if min_prominence is None else check_positive(min_prominence, "min_prominence")
    step = float(np.median(np.diff(x)))
    dist = max(1, round(min_distance_da / step))
    idx, props = find_peaks(y, height=height, prominence=prom, distance=dist)
    if idx.size == 0:
        return PeakList(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    widths = peak_widths(y, idx, rel_height=0.5)[0] * step
    cen = x[idx].astype(float)
    inner = (idx > 0) & (idx < y.size - 1)
    i = idx[inner]
    y0, y1, y2 = y[i - 1], y[i], y[i + 1]
    denom = y0 - 2 * y1 + y2
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(denom != 0, 0.5 * (y0 - y2) / denom, 0.0)
    delta = np.clip(delta, -0.5, 0.5)
    cen[inner] = x[i] + delta * (x[i + 1] - x[i - 1]) / 2
    return PeakList(cen, y[idx].astype(float), props["prominences"].astype(float), widths)


@dataclass(frozen=True, slots=True)
class Calibration:
    """m/z correction ``true = c0 + c1 * observed (+ c2 * observed^2)`` with its fit."""

    order: int
    coefficients: tuple[float, ...]
    residual_ppm: np.ndarray
    fit: Any

    def apply(self, mz: Any) -> np.ndarray:
        x = np.asarray(mz, dtype=float)
        return sum(c * x**k for k, c in enumerate(self.coefficients))

    def apply_spectrum(self, spectrum: Spectrum) -> Spectrum:
        return Spectrum(self.apply(spectrum.mz), spectrum.intensity, spectrum.source)

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "coefficients": list(self.coefficients),
            "residual_ppm": self.residual_ppm,
            "rms_ppm": float(np.sqrt(np.mean(self.residual_ppm**2))),
            "fit": self.fit.to_dict(arrays=False),
        }

    def to_frame(self) -> pd.DataFrame:
        return self.fit.to_frame()


def calibrate(observed_mz: Sequence[float], reference_mz: Sequence[float], *, order: str = "linear") -> Calibration:
    """Fit a linear (>= 3 peaks) or quadratic (>= 4 peaks) correction from assigned peaks.

    The fit is in the centred variable (observed - mean) for conditioning; the
    coefficients returned are for the raw observed m/z.
    """
    from cationx.fitting import fit_curve

    check_choice(order, "order", ("linear", "quadratic"))
    xo = as_1d_array(observed_mz, "observed_mz")
    xr = as_1d_array(reference_mz, "reference_mz")
    check_matching_lengths([xo, xr], ["observed_mz", "reference_mz"])
    deg = 1 if order == "linear" else 2
    if xo.size < deg + 2:
        raise InputError(f"{order} calibration needs at least {deg + 2} assigned peaks, got {xo.size}")
    x0 = float(xo.mean())
    params = Parameters()
    params.add("a0", value=x0)
    params.add("a1", value=1.0)
    if deg == 2:
        params.add("a2", value=0.0)

    def model(v: Any, x: np.ndarray) -> np.ndarray:
        u = x - x0
        out = v["a0"] + v["a1"] * u
        return out + v["a2"] * u * u if deg == 2 else out

    res = fit_curve(model, params, xo, xr, model_name=f"{order} m/z calibration", ci="stderr")
    a = [res.value("a0"), res.value("a1"), res.value("a2") if deg == 2 else 0.0]
    # expand a0 + a1 (x - x0) + a2 (x - x0)^2 in powers of x
    c0 = a[0] - a[1] * x0 + a[2] * x0 * x0
    c1 = a[1] - 2 * a[2] * x0
    coeffs = (c0, c1) if deg == 1 else (c0, c1, a[2])
    resid_ppm = (res.y_fit - xr) / xr * 1e6
    return Calibration(deg, tuple(float(c) for c in coeffs), resid_ppm, res)
