"""Isosbestic points and the SVD rank of a spectral series.

Isosbestic point
    Where every spectrum of a two-species conversion has the same absorbance.  Each
    spectrum's difference from the first, ``Y_k - Y_0``, changes sign there; the crossing
    of every spectrum with a large enough change is found by linear interpolation near a
    candidate (a sign change of the last-minus-first difference), and the point is the mean
    of the crossings with their standard deviation as the uncertainty (plus the grid's
    interpolation error when only one spectrum is usable).  A crossing missing in more than
    a fifth of the usable spectra means the spectra do not share the point (not isosbestic),
    and a candidate counts only where the last difference exceeds three noise levels on
    both sides within ``search_nm`` (a crossing in a flat tail is noise) and where all the
    spectra share one absorbance within 4 noise levels (crossings that drift, as when the
    total amount changes, are not isosbestic).

SVD rank
    The number of singular values of the (spectra x points) matrix above the largest
    singular value of pure noise, ``sigma (sqrt(k) + sqrt(p))`` (the edge of the
    Marchenko-Pastur law) times a safety factor; ``sigma`` is the per-point noise, estimated
    from the residual of a Savitzky-Golay smoothing along the wavelength axis when not given.
    Two interconverting species give rank 2; a third species (an intermediate, a
    scattering drift) raises it, so "two species" is tested rather than assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.signal import savgol_filter

from cationx._validation import as_1d_array, check_positive
from cationx.errors import InputError

__all__ = ["IsosbesticPoint", "SVDRank", "find_isosbestic", "noise_level", "svd_rank"]


@dataclass(frozen=True, slots=True)
class IsosbesticPoint:
    """One isosbestic point: position, its uncertainty, absorbance and the spectra used."""

    wavelength_nm: float
    uncertainty_nm: float
    absorbance: float
    n_spectra: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "wavelength_nm": self.wavelength_nm,
            "uncertainty_nm": self.uncertainty_nm,
            "absorbance": self.absorbance,
            "n_spectra": self.n_spectra,
        }


def _matrix(wavelength_nm: Any, spectra: Any) -> tuple[np.ndarray, np.ndarray]:
    w = as_1d_array(wavelength_nm, "wavelength_nm", min_length=5)
    y = np.asarray(spectra, dtype=float)
    if y.ndim != 2 or y.shape[1] != w.size or y.shape[0] < 2:
        raise InputError(f"spectra must have shape (k >= 2, {w.size}), got {y.shape}")
    order = np.argsort(w)
    return w[order], y[:, order]


def noise_level(spectra: Any, *, window: int = 11) -> float:
    """Per-point noise (standard deviation) from the residual of a smoothing along each row."""
    y = np.atleast_2d(np.asarray(spectra, dtype=float))
    win = min(window, y.shape[1] - (1 - y.shape[1] % 2))
    if win < 5:
        raise InputError("need at least 5 points per spectrum to estimate the noise")
    resid = y - savgol_filter(y, win, 3, axis=1)
    # a cubic SG filter of width m leaves a residual variance sigma^2 (1 - h_00) at the
    # centre, with h_00 = 3 (3 m^2 - 7) / (4 m (m^2 - 4)) (the filter's central weight)
    h00 = 3.0 * (3.0 * win**2 - 7.0) / (4.0 * win * (win**2 - 4.0))
    return float(np.std(resid) / math.sqrt(1.0 - h00))


def _crossings(w: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Zeros of d by linear interpolation between the grid points that bracket a sign change.

    A zero that falls exactly on a grid point (d = 0 there, opposite signs on either side)
    is a crossing too; a strict sign test alone would miss it.
    """
    s = np.sign(d)
    idx = np.flatnonzero(s[:-1] * s[1:] < 0)
    x0, x1, d0, d1 = w[idx], w[idx + 1], d[idx], d[idx + 1]
    out = x0 - d0 * (x1 - x0) / (d1 - d0)
    on_grid = np.flatnonzero(s[1:-1] == 0) + 1
    on_grid = on_grid[s[on_grid - 1] * s[on_grid + 1] < 0]
    if on_grid.size:
        out = np.sort(np.concatenate([out, w[on_grid]]))
    return out


def find_isosbestic(
    wavelength_nm: Any,
    spectra: Any,
    *,
    window_nm: tuple[float, float] | None = None,
    noise: float | None = None,
    min_change: float = 5.0,
    search_nm: float = 10.0,
    valid: np.ndarray | None = None,
) -> list[IsosbesticPoint]:
    """Isosbestic points of a series (see the module docstring).

    Parameters
    ----------
    spectra
        Shape (k, p), titration order (row 0 = before any addition).
    window_nm
        Only look within ``(low, high)``.
    noise
        Per-point noise; estimated with :func:`noise_level` when omitted.
    min_change
        A spectrum takes part only if ``max |Y_k - Y_0|`` exceeds this many noise levels.
    search_nm
        Half width around a candidate in which each spectrum's crossing is sought.
    valid
        Boolean mask (k, p); columns saturated in any spectrum are left out.
    """
    w, y = _matrix(wavelength_nm, spectra)
    keep = np.ones(w.size, dtype=bool)
    if valid is not None:
        keep &= np.asarray(valid, dtype=bool).all(axis=0)
    if window_nm is not None:
        keep &= (w >= min(window_nm)) & (w <= max(window_nm))
    w, y = w[keep], y[:, keep]
    if w.size < 5:
        return []
    sigma = noise_level(y) if noise is None else check_positive(noise, "noise")
    diffs = y[1:] - y[0]
    usable = np.flatnonzero(np.max(np.abs(diffs), axis=1) > min_change * sigma * math.sqrt(2))
    if usable.size == 0:
        return []
    last = diffs[usable[-1]]
    win = min(11, w.size - (1 - w.size % 2))
    smooth_last = savgol_filter(last, win, 3) if win >= 5 else last
    # a candidate: a sign change of the smoothed last difference where the slope is significant
    points = []
    step = float(np.median(np.diff(w)))
    level = 3.0 * sigma * math.sqrt(2)
    for c in _crossings(w, smooth_last):
        # a real crossing: the change is significant on both sides, with opposite signs
        left = smooth_last[(w >= c - search_nm) & (w < c)]
        right = smooth_last[(w > c) & (w <= c + search_nm)]
        if left.size == 0 or right.size == 0:
            continue
        if not (np.max(np.abs(left)) > level and np.max(np.abs(right)) > level):
            continue
        if np.sign(left[np.argmax(np.abs(left))]) == np.sign(right[np.argmax(np.abs(right))]):
            continue
        found = []
        for k in usable:
            d = diffs[k]
            near = np.abs(w - c) <= search_nm
            if near.sum() < 3:
                continue
            xs = _crossings(w[near], d[near])
            if xs.size == 0:
                continue
            # the crossing closest to the candidate; a noise-level difference gives many
            found.append(float(xs[np.argmin(np.abs(xs - c))]))
        if len(found) < max(1, math.ceil(0.8 * usable.size)):
            continue
        arr = np.asarray(found)
        # spectra whose change near c is within noise cross at random places: drop outliers
        med = float(np.median(arr))
        mad = float(np.median(np.abs(arr - med))) * 1.4826
        if mad > 0:
            arr = arr[np.abs(arr - med) <= 4 * mad + step]
        spread = float(np.std(arr, ddof=1)) if arr.size > 1 else step / 2
        pos = float(np.mean(arr))
        values = np.array([np.interp(pos, w, row) for row in y])
        # at an isosbestic point every spectrum has the same absorbance (within noise)
        if float(np.std(values)) > 4.0 * sigma:
            continue
        absorb = float(np.mean(values))
        points.append(IsosbesticPoint(pos, spread, absorb, int(arr.size)))
    return points


@dataclass(frozen=True, slots=True)
class SVDRank:
    """Singular values, the noise threshold and the number of significant species."""

    singular_values: np.ndarray
    threshold: float
    noise: float
    rank: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "threshold": self.threshold,
            "noise": self.noise,
            "singular_values": self.singular_values[: min(10, self.singular_values.size)],
        }

    def to_frame(self) -> pd.DataFrame:
        s = self.singular_values
        return pd.DataFrame({"index": np.arange(1, s.size + 1), "singular_value": s, "significant": s > self.threshold})


def svd_rank(spectra: Any, *, noise: float | None = None, safety: float = 1.2, valid: np.ndarray | None = None) -> SVDRank:
    """Number of significant components of a spectral series (see the module docstring)."""
    y = np.asarray(spectra, dtype=float)
    if y.ndim != 2 or min(y.shape) < 2:
        raise InputError(f"spectra must be a (k >= 2, p >= 2) matrix, got shape {y.shape}")
    if valid is not None:
        y = y[:, np.asarray(valid, dtype=bool).all(axis=0)]
    if not np.all(np.isfinite(y)):
        raise InputError("spectra must be finite for the SVD")
    sigma = noise_level(y) if noise is None else check_positive(noise, "noise")
    # singular values from the eigenvalues of the small Gram matrix (k x k or p x p): the
    # same numbers to ~1e-8 relative, far below any noise threshold, and much cheaper
    gram = y @ y.T if y.shape[0] <= y.shape[1] else y.T @ y
    s = np.sqrt(np.clip(np.linalg.eigvalsh(gram)[::-1], 0.0, None))
    thr = safety * sigma * (math.sqrt(y.shape[0]) + math.sqrt(y.shape[1]))
    return SVDRank(s, float(thr), float(sigma), int(np.sum(s > thr)))
