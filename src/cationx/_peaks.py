"""Local maxima and their topographic prominence, in NumPy.

The same definitions as :func:`scipy.signal.find_peaks` with ``prominence=`` (and no
window): a maximum is a sample, or the middle sample (rounded down) of a flat run, whose
neighbouring runs are both lower; the end points are never maxima.  Its prominence is its
height above the higher of the two lowest points reached on each side before the signal
rises above the maximum (or ends).  The test suite checks index and prominence equality with
SciPy on random, quantised and plateau-rich signals.

Why by hand: importing ``scipy.signal`` costs ~0.45 s of start-up, more than a whole
``cationx xrd debye`` pattern takes to compute; the commands that only need the prominent
maxima of a computed pattern use this instead.
"""

from __future__ import annotations

import numpy as np

__all__ = ["local_maxima", "prominences", "prominent_maxima"]


def local_maxima(y: np.ndarray) -> np.ndarray:
    """Indices of the local maxima of ``y`` (flat tops: the middle sample, rounded down)."""
    y = np.asarray(y, dtype=float)
    n = y.size
    if n < 3:
        return np.empty(0, dtype=np.intp)
    change = np.flatnonzero(y[1:] != y[:-1]) + 1
    starts = np.r_[0, change]
    ends = np.r_[change - 1, n - 1]
    vals = y[starts]
    k = np.arange(1, starts.size - 1)
    k = k[(vals[k - 1] < vals[k]) & (vals[k + 1] < vals[k])]
    return ((starts[k] + ends[k]) // 2).astype(np.intp)


def prominences(y: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """Topographic prominence of each index in ``peaks`` (no window)."""
    y = np.asarray(y, dtype=float)
    out = np.empty(len(peaks))
    for j, p in enumerate(np.asarray(peaks, dtype=np.intp)):
        top = y[p]
        higher_left = np.flatnonzero(y[:p] > top)
        lo = int(higher_left[-1]) + 1 if higher_left.size else 0
        higher_right = np.flatnonzero(y[p + 1 :] > top)
        hi = p + 1 + int(higher_right[0]) if higher_right.size else y.size
        out[j] = top - max(float(y[lo : p + 1].min()), float(y[p:hi].min()))
    return out


def prominent_maxima(y: np.ndarray, min_prominence: float | None = None) -> np.ndarray:
    """Indices of the local maxima whose prominence is at least ``min_prominence`` (None: all)."""
    idx = local_maxima(y)
    if min_prominence is None or idx.size == 0:
        return idx
    return idx[prominences(y, idx) >= min_prominence]
