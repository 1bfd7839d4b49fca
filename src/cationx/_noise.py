"""Model-free noise estimates of sampled curves, shared by the domains.

Both are robust (median absolute deviation, scaled by 1.4826 to a Gaussian standard deviation)
so that a few spikes or a feature do not inflate them:

- :func:`noise_first_differences`: ``MAD(diff y) / sqrt 2``; white noise of sd sigma gives
  first differences of sd ``sqrt(2) sigma``.  Right for flat or slowly varying signals
  (backgrounds, images).
- :func:`noise_second_differences`: ``MAD(diff2 y) / sqrt 6`` (second differences have variance
  ``6 sigma^2``); a linear trend cancels, so it is right for sloped or curved data such as
  titration fractions and whole spectra.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["noise_first_differences", "noise_second_differences"]

MAD_TO_SD = 1.4826


def noise_first_differences(y: Any) -> float:
    """Point-to-point noise from first differences (0 for fewer than two points)."""
    d = np.diff(np.asarray(y, dtype=float))
    return float(MAD_TO_SD * np.median(np.abs(d - np.median(d))) / math.sqrt(2.0)) if d.size else 0.0


def noise_second_differences(y: Any) -> float:
    """Point-to-point noise from second differences (0 for fewer than four points)."""
    arr = np.asarray(y, dtype=float)
    if arr.size < 4:
        return 0.0
    return float(MAD_TO_SD * np.median(np.abs(np.diff(arr, 2))) / math.sqrt(6.0))
