"""Cosmic-ray spike removal: Whitaker-Hayes modified z-score on the first difference.

Whitaker & Hayes, Chemometr. Intell. Lab. Syst. 179, 82-84 (2018): a cosmic ray is a
one- or two-pixel jump, so it stands out in the first difference ``d = diff(y)`` far
more than a Raman band does.  The modified z-score (Iglewicz & Hoaglin)
``z = 0.6745 (d - median(d)) / MAD(d)`` flags the jumps with ``|z| > threshold``
(the paper uses 3.5 as the textbook cut and reaches for larger values, e.g. 6, on
real spectra; 6 is the default here).

Two refinements over the paper's sketch, both to keep Raman bands intact:

- flagged differences are grouped into runs of neighbouring points; a run wider than
  ``max_width + 2`` points (the two jumps of a spike of ``max_width`` pixels) is the flank
  of a band, not a spike, and is left alone;
- inside a short run, a point is replaced only if it sits more than ``threshold`` noise
  standard deviations (``MAD(d) / 0.6745 / sqrt(2)``) away from the straight line
  through the means of the ``window`` unflagged points on either side; that line is
  also the replacement value.

The paper's code is a few lines of numpy; no maintained library exposes it with the
count and positions of the removed points, which a chemist needs to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import as_1d_array, check_int, check_matching_lengths, check_positive

__all__ = ["DespikeResult", "despike"]


@dataclass(frozen=True, slots=True)
class DespikeResult:
    """Cleaned spectrum and the replaced points (indices into the input and their Raman shifts)."""

    y: np.ndarray
    indices: np.ndarray
    positions_cm1: np.ndarray
    original: np.ndarray
    threshold: float

    @property
    def n_removed(self) -> int:
        return int(self.indices.size)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"index": self.indices, "raman_shift_cm1": self.positions_cm1, "original": self.original,
             "replaced_by": self.y[self.indices]}
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_removed": self.n_removed,
            "threshold": self.threshold,
            "indices": [int(i) for i in self.indices],
            "positions_cm1": [float(v) for v in self.positions_cm1],
        }


def _modified_z(d: np.ndarray) -> tuple[np.ndarray, float]:
    med = float(np.median(d))
    mad = float(np.median(np.abs(d - med)))
    if mad == 0:
        mad = float(np.mean(np.abs(d - med))) or 1.0
    return 0.6745 * (d - med) / mad, mad / 0.6745


def despike(
    raman_shift_cm1: Any,
    intensity: Any,
    *,
    threshold: float = 6.0,
    max_width: int = 2,
    window: int = 3,
) -> DespikeResult:
    """Remove cosmic spikes (see the module docstring); the input arrays are not modified.

    Parameters
    ----------
    raman_shift_cm1, intensity
        One spectrum, ascending or descending in shift (equal lengths, >= 5 points).
    threshold
        Cut on the modified z-score of the first difference (> 0).
    max_width
        Widest spike, in points, that is removed (>= 1).
    window
        Unflagged points averaged on each side for the replacement line (>= 1).
    """
    x = as_1d_array(raman_shift_cm1, "raman_shift_cm1", min_length=5)
    y = as_1d_array(intensity, "intensity", min_length=5)
    check_matching_lengths([x, y], ["raman_shift_cm1", "intensity"])
    t = check_positive(threshold, "threshold")
    w = check_int(max_width, "max_width", minimum=1)
    m = check_int(window, "window", minimum=1)
    d = np.diff(y)
    z, sigma_d = _modified_z(d)
    noise = sigma_d / np.sqrt(2.0)
    flagged_d = np.flatnonzero(np.abs(z) > t)
    cand = np.zeros(y.size, dtype=bool)
    cand[flagged_d] = True
    cand[flagged_d + 1] = True
    out = y.copy()
    removed: list[int] = []
    idx = np.flatnonzero(cand)
    if idx.size:
        runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
        for run in runs:
            if run.size > w + 2:
                continue
            a, b = int(run[0]), int(run[-1])
            left = [i for i in range(a - 1, -1, -1) if not cand[i]][:m]
            right = [i for i in range(b + 1, y.size) if not cand[i]][:m]
            if not left and not right:
                continue
            if left and right:
                xl, yl = float(np.mean(x[left])), float(np.mean(y[left]))
                xr, yr = float(np.mean(x[right])), float(np.mean(y[right]))
                ref = yl + (yr - yl) * (x[run] - xl) / (xr - xl) if xr != xl else np.full(run.size, yl)
            else:
                ref = np.full(run.size, float(np.mean(y[left or right])))
            bad = np.abs(y[run] - ref) > t * noise
            for i, r, is_bad in zip(run, ref, bad, strict=True):
                if is_bad:
                    out[i] = r
                    removed.append(int(i))
    ind = np.asarray(sorted(removed), dtype=int)
    return DespikeResult(out, ind, x[ind], y[ind], t)
