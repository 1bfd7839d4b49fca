"""The measured powder pattern: :class:`MeasuredPattern` (increasing 2-theta, intensity,
optional sigma) and :func:`pattern_from_arrays`, its validating constructor.

Files are read by :func:`cationx.io.xrd.read_pattern` (also ``cationx.io.read_pattern``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cationx.errors import DataFileError, InputError

__all__ = ["MeasuredPattern", "pattern_from_arrays"]


@dataclass(frozen=True, slots=True)
class MeasuredPattern:
    """A measured powder pattern on increasing 2-theta (deg)."""

    two_theta_deg: np.ndarray
    intensity: np.ndarray
    sigma: np.ndarray | None = None
    wavelength_angstrom: float | None = None
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.two_theta_deg.size)

    def to_frame(self) -> pd.DataFrame:
        data = {"two_theta_deg": self.two_theta_deg, "intensity": self.intensity}
        if self.sigma is not None:
            data["sigma"] = self.sigma
        return pd.DataFrame(data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "n_points": len(self),
            "wavelength_angstrom": self.wavelength_angstrom,
            "two_theta_deg": self.two_theta_deg,
            "intensity": self.intensity,
        }


def pattern_from_arrays(
    two_theta_deg: Any,
    intensity: Any,
    sigma: Any = None,
    *,
    wavelength_angstrom: float | None = None,
    source: str = "arrays",
) -> MeasuredPattern:
    """Validate arrays into a :class:`MeasuredPattern` (copies; descending 2-theta is reversed)."""
    try:
        x = np.array(two_theta_deg, dtype=float, copy=True).ravel()
        y = np.array(intensity, dtype=float, copy=True).ravel()
        s = None if sigma is None else np.array(sigma, dtype=float, copy=True).ravel()
    except (TypeError, ValueError):
        raise InputError(f"{source}: pattern values must be numeric") from None
    if x.size == 0:
        raise DataFileError(f"{source}: empty pattern (no data points)")
    if x.size != y.size or (s is not None and s.size != x.size):
        raise InputError(f"{source}: 2-theta, intensity (and sigma) must have equal lengths")
    if x.size < 5:
        raise DataFileError(f"{source}: a pattern needs at least 5 points, got {x.size}")
    for name, arr in (("2-theta", x), ("intensity", y)) + ((("sigma", s),) if s is not None else ()):
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{source}: {name} value {float(arr[i])!r} at point {i + 1} is not finite")
    if x[0] > x[-1]:
        x, y = x[::-1].copy(), y[::-1].copy()
        s = None if s is None else s[::-1].copy()
    dx = np.diff(x)
    if np.any(dx <= 0):
        i = int(np.flatnonzero(dx <= 0)[0])
        raise InputError(f"{source}: 2-theta must increase; {x[i + 1]!r} at point {i + 2} follows {x[i]!r}")
    if x[0] < 0 or x[-1] > 180:
        raise InputError(f"{source}: 2-theta must lie in [0, 180] deg, got {x[0]!r} .. {x[-1]!r}")
    if not np.any(y != 0):
        raise DataFileError(f"{source}: empty pattern (all intensities are zero)")
    if s is not None and np.any(s <= 0):
        raise InputError(f"{source}: sigma must be > 0 everywhere")
    return MeasuredPattern(x, y, s, wavelength_angstrom, source)
