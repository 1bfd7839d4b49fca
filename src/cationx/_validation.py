"""Validation helpers used at every public boundary.

Each helper checks one rule, names the argument and the rule in its message, and returns
a clean value (a Python scalar or a new read-only-safe NumPy array: inputs are never
modified).  Nothing is clamped silently: a value outside its domain is an
:class:`~cationx.errors.InputError`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cationx.errors import DataFileError, InputError

__all__ = [
    "as_1d_array",
    "check_choice",
    "check_existing_file",
    "check_finite",
    "check_fraction",
    "check_grid_size",
    "check_int",
    "check_magnitude",
    "check_matching_lengths",
    "check_nonnegative",
    "check_positive",
    "check_range",
    "check_sorted",
    "warn_negative",
]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int``; it must be an integer (a float with no fraction is not)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} must be an integer, got {_fmt(value)}")
    out = int(value)
    if minimum is not None and out < minimum:
        rule = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise InputError(f"{name} must be {rule}, got {out}")
    if maximum is not None and out > maximum:
        raise InputError(f"{name} must be an integer <= {maximum}, got {out}")
    return out


def check_finite(value: Any, name: str) -> float:
    """Return ``value`` as a finite ``float``."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {_fmt(value)}") from None
    if not math.isfinite(out):
        raise InputError(f"{name} must be finite, got {_fmt(value)}")
    return out


def check_positive(value: Any, name: str) -> float:
    """Return ``value`` as a finite ``float`` > 0."""
    out = check_finite(value, name)
    if out <= 0:
        raise InputError(f"{name} must be > 0, got {_fmt(value)}")
    return out


def check_nonnegative(value: Any, name: str) -> float:
    """Return ``value`` as a finite ``float`` >= 0."""
    out = check_finite(value, name)
    if out < 0:
        raise InputError(f"{name} must be >= 0, got {_fmt(value)}")
    return out


def check_fraction(value: Any, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """Return ``value`` as a float in [0, 1] (ends optionally excluded)."""
    out = check_finite(value, name)
    low_bad = out <= 0 if open_low else out < 0
    high_bad = out >= 1 if open_high else out > 1
    if low_bad or high_bad:
        lo = "(0" if open_low else "[0"
        hi = "1)" if open_high else "1]"
        raise InputError(f"{name} must lie in {lo}, {hi}, got {_fmt(value)}")
    return out


def check_range(value: Any, name: str, low: float, high: float) -> float:
    """Return ``value`` as a float in the closed interval [low, high]."""
    out = check_finite(value, name)
    if not low <= out <= high:
        raise InputError(f"{name} must lie in [{low}, {high}], got {_fmt(value)}")
    return out


def check_choice(value: str, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (case-sensitive)."""
    options = list(choices)
    if value not in options:
        raise InputError(f"{name} must be one of {', '.join(options)}; got {value!r}")
    return value


def as_1d_array(
    values: Any,
    name: str,
    *,
    min_length: int = 1,
    finite: bool = True,
    dtype: type = float,
) -> np.ndarray:
    """Return a new 1-D float array copied from ``values``.

    Raises :class:`InputError` when the input is not 1-D numeric, is shorter than
    ``min_length``, or (with ``finite=True``) holds NaN or infinity, naming the first
    offending index.
    """
    try:
        arr = np.array(values, dtype=dtype, copy=True)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numeric") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size < min_length:
        raise InputError(f"{name} needs at least {min_length} value(s), got {arr.size}")
    if finite:
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{name} must be finite; value {arr[i].item()!r} at index {i}")
    return arr


#: Largest |value| accepted in data that is fitted or summed in squares: beyond it a sum of
#: squares overflows double precision (1e308), so such data are refused with a request to rescale.
MAX_DATA_MAGNITUDE = 1e100

#: Largest number of points a computed grid (profile, pattern, sweep) may have: 1e8 float64
#: points are 0.8 GB per array, and a command typically holds a few such arrays.
MAX_GRID_POINTS = 100_000_000


def check_magnitude(values: Any, name: str, *, limit: float = MAX_DATA_MAGNITUDE) -> None:
    """Refuse data whose largest |value| exceeds ``limit`` (sums of squares would overflow)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return
    with np.errstate(invalid="ignore"):
        big = float(np.nanmax(np.abs(arr))) if np.isfinite(arr).any() else 0.0
    if big > limit:
        raise InputError(
            f"{name}: values up to {big:.3g}; beyond {limit:.0e} sums of squares overflow double "
            "precision: rescale the data (e.g. divide by a power of ten)"
        )


def warn_negative(values: Any, name: str, *, tolerance: float = 0.05) -> int:
    """Warn (InterpretationWarning) when intensities go negative beyond noise; return how many.

    Counts cannot be negative, but a subtracted baseline leaves small negative noise, so only
    values below ``-tolerance`` x the maximum are reported.  The data are fitted as given.
    """
    import warnings

    from cationx.errors import InterpretationWarning

    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return 0
    top = float(np.nanmax(np.abs(arr)))
    bad = arr < -tolerance * top
    n = int(bad.sum())
    if n:
        warnings.warn(
            f"{name}: {n} of {arr.size} values are negative beyond {100 * tolerance:g} % of the largest "
            f"(down to {float(np.nanmin(arr)):.4g}); intensities cannot be negative: check the baseline "
            "or the export. The fit uses the data as given",
            InterpretationWarning,
            stacklevel=3,
        )
    return n


def check_grid_size(n_points: float, name: str, *, limit: int = MAX_GRID_POINTS, hint: str = "") -> int:
    """Refuse a grid of ``n_points`` points above ``limit`` before anything is allocated.

    The message gives the memory one float64 array of that size would need.
    """
    if not math.isfinite(n_points) or n_points > limit:
        gib = n_points * 8 / 2**30 if math.isfinite(n_points) else math.inf
        more = f"; {hint}" if hint else ""
        raise InputError(
            f"{name} would need {n_points:.3g} points ({gib:.3g} GiB per array), above the limit of "
            f"{limit:.0e} points{more}"
        )
    return int(n_points)


def check_sorted(arr: np.ndarray, name: str, *, strict: bool = False) -> np.ndarray:
    """Check that ``arr`` is non-decreasing (increasing with ``strict=True``)."""
    diffs = np.diff(arr)
    bad = diffs <= 0 if strict else diffs < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        kind = "increasing" if strict else "sorted in ascending order"
        raise InputError(
            f"{name} must be {kind}; value {arr[i + 1].item()!r} at index {i + 1} follows {arr[i].item()!r}"
        )
    return arr


def check_matching_lengths(arrays: Sequence[np.ndarray], names: Sequence[str]) -> None:
    """Check that all arrays have the same length."""
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        desc = ", ".join(f"{n} has {k}" for n, k in zip(names, lengths, strict=True))
        raise InputError(f"arrays must have equal lengths: {desc}")


def check_existing_file(path: str | Path, name: str = "file") -> Path:
    """Return ``path`` as a :class:`Path` to an existing, non-empty regular file."""
    p = Path(path)
    if not p.exists():
        raise DataFileError(f"{name} not found: {p}")
    if not p.is_file():
        raise DataFileError(f"{name} is not a regular file: {p}")
    if p.stat().st_size == 0:
        raise DataFileError(f"{name} is empty: {p}")
    return p
