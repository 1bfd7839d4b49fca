"""Saturated (clipped) ranges, and the first-exciton peak or shoulder of an absorbance spectrum.

Saturation
    A spectrophotometer clips absorbance at its detector limit (a flat run at the maximum,
    e.g. A = 7 on a JASCO V-670 below ~370 nm for a concentrated CdSe sample), and the
    readings just before the clip are already unreliable (stray light).  A point is flagged
    when it belongs to a run of >= 3 points at the spectrum's maximum, or (absorbance only)
    when it exceeds ``reliable_max`` (default 3.0), and flagged ranges are widened to the
    neighbouring flagged points.  Flagged points are kept out of every fit and of the
    exciton search; they are reported as ``saturated_ranges_nm``.

Exciton
    The first exciton is the lowest-energy absorption feature.  The spectrum is smoothed
    (Savitzky-Golay, window ``smooth_nm``) and searched on its unsaturated part:

    - *peak*: a local maximum whose prominence exceeds ``min_prominence`` times the noise
      (estimated from the residual of the smoothing); the position is refined to sub-point
      precision by the vertex of a parabola fitted to the smoothed points within
      ``fit_half_width_nm`` and the height is the parabola's value there;
    - *shoulder*: when no peak is resolved, a local minimum of the second derivative
      (a region of negative curvature on the rising edge) whose depth exceeds the noise
      of the second derivative (propagated through both filters) by ``shoulder_factor``
      times that factor; refined the same way;
    - otherwise ``None`` with the reason (no feature above noise, or all saturated).

    Both must also reach ``min_fraction`` (0.2 %) of the largest unsaturated absorbance.
    The longest-wavelength peak that passes is the first exciton; among shoulders, the
    strongest (a shoulder is the exciton only when no peak is resolved, and weak curvature
    steps in a flat tail must not win by lying further to the red).

    A candidate is also rejected (and named in ``rejected`` / the reason) when

    - its absorbance is not positive: the height must exceed ``min_prominence`` times the
      noise (a curvature dip in a baseline-offset tail has a negative "height");
    - it does not stand above the local background on its red side: the smoothed
      absorbance must drop by ``min_prominence`` times the noise between the feature and the
      red end of the search window (an exciton is the onset of absorption; a wiggle in a
      flat scattering tail is not);
    - ``material`` is given and the feature lies at or beyond the bulk band gap
      (CdSe 1.74 eV = 713 nm, :data:`cationx.spectra.sizing.BULK_GAP_EV`): nothing redder
      than the bulk gap can be a confined exciton of that material.

scipy.signal provides the smoothing and the peak finding; what is written here is the
choice of which feature is the exciton and how significant it must be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.signal import find_peaks, savgol_coeffs, savgol_filter

from cationx._validation import as_1d_array, check_matching_lengths, check_positive
from cationx.constants import HC_EV_NM
from cationx.errors import InputError

__all__ = [
    "Exciton",
    "find_exciton",
    "saturated_mask",
    "saturated_ranges",
    "track_excitons",
]


@dataclass(frozen=True, slots=True)
class Exciton:
    """The first exciton of one spectrum; ``wavelength_nm`` None when none is resolved."""

    wavelength_nm: float | None
    height: float | None
    kind: str | None  # "peak" or "shoulder"
    prominence: float | None
    snr: float | None
    reason: str = ""
    rejected: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.wavelength_nm is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "exciton_nm": self.wavelength_nm,
            "exciton_kind": self.kind,
            "exciton_height": self.height,
            "exciton_prominence": self.prominence,
            "exciton_snr": self.snr,
            "exciton_reason": self.reason or None,
            "exciton_rejected": list(self.rejected),
        }


def _prep(wavelength_nm: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    w = as_1d_array(wavelength_nm, "wavelength_nm", min_length=3)
    a = as_1d_array(y, "absorbance", min_length=3)
    check_matching_lengths([w, a], ["wavelength_nm", "absorbance"])
    order = np.argsort(w)
    return w[order], a[order]


def saturated_mask(
    y: Any, *, reliable_max: float | None = 3.0, plateau_points: int = 3, rtol: float = 1e-6
) -> np.ndarray:
    """Boolean mask of clipped points (see the module docstring); order as given."""
    a = as_1d_array(y, "y", min_length=1)
    top = float(np.max(a))
    at_top = np.abs(a - top) <= rtol * max(abs(top), 1e-12)
    mask = np.zeros(a.size, dtype=bool)
    # runs of points at the maximum
    idx = np.flatnonzero(at_top)
    if idx.size >= plateau_points:
        runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
        for run in runs:
            if run.size >= plateau_points:
                mask[run] = True
    if reliable_max is not None:
        mask |= a > reliable_max
    return mask


def saturated_ranges(wavelength_nm: Any, y: Any, **kwargs: Any) -> list[tuple[float, float]]:
    """Contiguous clipped wavelength ranges ``[(low_nm, high_nm), ...]``, ascending."""
    w, a = _prep(wavelength_nm, y)
    mask = saturated_mask(a, **kwargs)
    out = []
    idx = np.flatnonzero(mask)
    if idx.size:
        for run in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1):
            out.append((float(w[run[0]]), float(w[run[-1]])))
    return out


def _window_points(step: float, width_nm: float, n: int, *, minimum: int = 5) -> int:
    k = round(width_nm / step)
    k = max(minimum, k | 1)
    return min(k if k % 2 else k + 1, n - (1 - n % 2))


def _vertex(w: np.ndarray, v: np.ndarray, i: int, half_width_nm: float) -> tuple[float, float]:
    """Parabola through the points within ``half_width_nm`` of w[i]; its vertex (x, value)."""
    sel = np.abs(w - w[i]) <= half_width_nm
    if sel.sum() < 3:
        lo, hi = max(i - 1, 0), min(i + 2, w.size)
        sel = np.zeros(w.size, dtype=bool)
        sel[lo:hi] = True
    xs, ys = w[sel] - w[i], v[sel]
    if xs.size < 3:
        return float(w[i]), float(v[i])
    c2, c1, c0 = np.polyfit(xs, ys, 2)
    if c2 == 0:
        return float(w[i]), float(v[i])
    x0 = -c1 / (2 * c2)
    if abs(x0) > (xs.max() - xs.min()) / 2:
        return float(w[i]), float(v[i])
    return float(w[i] + x0), float(c0 + c1 * x0 + c2 * x0 * x0)


def find_exciton(
    wavelength_nm: Any,
    absorbance: Any,
    *,
    window_nm: tuple[float, float] | None = None,
    smooth_nm: float = 11.0,
    fit_half_width_nm: float = 4.0,
    min_prominence: float = 5.0,
    reliable_max: float | None = 3.0,
    shoulders: bool = True,
    shoulder_factor: float = 2.0,
    min_fraction: float = 0.002,
    material: str | None = None,
) -> Exciton:
    """Locate the first exciton (see the module docstring).

    Parameters
    ----------
    wavelength_nm, absorbance
        The spectrum (any order; resampled to a uniform grid internally when its steps vary).
    window_nm
        Search only within ``(low, high)``; default the whole unsaturated range minus 3 %
        at each end.
    smooth_nm
        Savitzky-Golay window in nm (cubic).
    fit_half_width_nm
        Half width of the parabola fitted for the sub-nm position.
    min_prominence
        Significance in units of the noise (peak prominence, or second-derivative depth).
    reliable_max
        Absorbance above which readings are treated as saturated (None: only plateaus).
    shoulders
        Also look for a shoulder when no peak is resolved.
    min_fraction
        A feature must also be at least this fraction of the largest unsaturated
        absorbance (a peak's prominence; a shoulder's curvature times ``smooth_nm^2``), so
        that millabsorbance instrument steps in a flat tail are not taken for an exciton.
    shoulder_factor
        A shoulder must be ``shoulder_factor`` times more significant than a peak: a
        second-derivative dip is a weaker feature, and ~100 independent noise dips per
        spectrum would otherwise pass by chance.
    material
        ``CdSe``, ``CdTe`` or ``CdS``: reject features at or beyond the bulk band gap.
    """
    w, a = _prep(wavelength_nm, absorbance)
    red_limit = None
    if material is not None:
        from cationx.materials import BULK_GAP_EV, _material

        red_limit = HC_EV_NM / BULK_GAP_EV[_material(material)]
    check_positive(smooth_nm, "smooth_nm")
    check_positive(fit_half_width_nm, "fit_half_width_nm")
    check_positive(min_prominence, "min_prominence")
    sat = saturated_mask(a, reliable_max=reliable_max)
    ok = ~sat
    if ok.sum() < 7:
        return Exciton(None, None, None, None, None, "the spectrum is saturated almost everywhere")
    # uniform grid over the unsaturated span (real exports may have uneven steps)
    wv, av = w[ok], a[ok]
    steps = np.diff(wv)
    step = float(np.median(steps))
    if step <= 0:
        raise InputError("wavelength_nm must have distinct values")
    if np.ptp(steps) > 0.05 * step or (sat.any() and np.any(steps > 1.5 * step)):
        grid = np.arange(wv[0], wv[-1] + 0.5 * step, step)
        av = np.interp(grid, wv, av)
        wv = grid
    n = wv.size
    win = _window_points(step, smooth_nm, n)
    if win < 5 or n < 7:
        return Exciton(None, None, None, None, None, "too few unsaturated points to search")
    smooth = savgol_filter(av, win, 3)
    noise = float(np.std(av - smooth)) * math.sqrt(1.0 + 1.0 / win) + 1e-12 * max(1.0, float(np.max(np.abs(av))))
    if window_nm is not None:
        lo, hi = min(window_nm), max(window_nm)
    else:
        span = wv[-1] - wv[0]
        lo, hi = wv[0] + 0.03 * span, wv[-1] - 0.03 * span
    inside = (wv >= lo) & (wv <= hi)
    if not inside.any():
        return Exciton(None, None, None, None, None, f"no unsaturated points in the search window {lo:g}-{hi:g} nm")
    edge = max(2, win // 2)

    floor = min_fraction * float(np.max(np.abs(smooth)))
    peaks, props = find_peaks(smooth, prominence=max(min_prominence * noise, floor))
    cand = [
        (int(p), float(pr))
        for p, pr in zip(peaks, props["prominences"], strict=True)
        if inside[p] and edge <= p < n - edge
    ]
    rejected: list[str] = []
    red_end = float(wv[inside].max())

    def _check(kind: str, x0: float, h: float) -> bool:
        """Positive height, above the red-side background, bluer than the bulk gap."""
        why = None
        if red_limit is not None and x0 >= red_limit:
            why = f"redder than the {material} bulk gap ({red_limit:.0f} nm): not a confined exciton"
        elif h <= min_prominence * noise:
            why = f"absorbance {h:.3g} is not above {min_prominence:g} x noise ({noise:.2g})"
        else:
            red = (wv >= x0) & (wv <= red_end)
            drop = h - float(smooth[red].min()) if red.any() else 0.0
            if drop <= min_prominence * noise:
                why = f"does not stand above the background on its red side (drop {drop:.3g} <= {min_prominence:g} x noise)"
        if why is not None:
            rejected.append(f"{kind} at {x0:.1f} nm (height {h:.3g}): {why}")
            return False
        return True

    for p, prom in sorted(cand, key=lambda t: -wv[t[0]]):
        x0, h = _vertex(wv, smooth, p, fit_half_width_nm)
        if _check("peak", x0, h):
            return Exciton(x0, h, "peak", prom, prom / noise, rejected=tuple(rejected))
    if shoulders:
        d2 = savgol_filter(av, win, 3, deriv=2, delta=step)
        d2_smooth = savgol_filter(d2, win, 3)
        # white noise of level sigma through both linear filters: sigma * ||c_d2 * c_smooth||
        kernel = np.convolve(savgol_coeffs(win, 3, deriv=2, delta=step), savgol_coeffs(win, 3))
        d2_noise = noise * float(np.sqrt(np.sum(kernel**2))) + 1e-300
        mins, mprops = find_peaks(-d2_smooth, prominence=shoulder_factor * min_prominence * d2_noise)
        cand = [
            (int(p), float(pr))
            for p, pr in zip(mins, mprops["prominences"], strict=True)
            # amplitude of a band of width smooth_nm with this curvature: |d2| smooth_nm^2
            if inside[p] and edge <= p < n - edge and d2_smooth[p] < 0 and pr * smooth_nm**2 >= floor
        ]
        # the strongest shoulder: weak curvature steps (instrument artefacts in a flat
        # tail) must not win just by lying further to the red
        for p, prom in sorted(cand, key=lambda t: -t[1]):
            x0, _ = _vertex(wv, -d2_smooth, p, fit_half_width_nm)
            h = float(np.interp(x0, wv, smooth))
            if _check("shoulder", x0, h):
                return Exciton(x0, h, "shoulder", prom, prom / d2_noise, rejected=tuple(rejected))
    why = "no peak" + (" or shoulder" if shoulders else "") + f" above {min_prominence:g} x noise"
    if sat.any():
        why += " in the unsaturated range"
    if rejected:
        why += " that passes the exciton checks; rejected: " + "; ".join(rejected)
    return Exciton(None, None, None, None, None, why, tuple(rejected))


def track_excitons(
    wavelength_nm: Any, spectra: Any, *, labels: Any = None, **kwargs: Any
) -> pd.DataFrame:
    """:func:`find_exciton` on every row of ``spectra`` (shape (k, p)); one row per spectrum."""
    w = as_1d_array(wavelength_nm, "wavelength_nm", min_length=3)
    y = np.asarray(spectra, dtype=float)
    if y.ndim != 2 or y.shape[1] != w.size:
        raise InputError(f"spectra must have shape (k, {w.size}), got {y.shape}")
    rows = []
    for k in range(y.shape[0]):
        ex = find_exciton(w, y[k], **kwargs)
        rows.append({"index": k, "label": None if labels is None else labels[k], **ex.to_dict()})
    return pd.DataFrame(rows)
