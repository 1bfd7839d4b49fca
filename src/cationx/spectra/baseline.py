"""Baselines through pybaselines (the maintained library for them).

``method`` names a pybaselines algorithm of :class:`pybaselines.Baseline`
(``"asls"``, ``"arpls"``, ``"modpoly"``, ``"imodpoly"``, ``"snip"``, ...) or ``"none"``;
``"offset"`` subtracts the mean over a given window (e.g. a region where nothing absorbs).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx._validation import as_1d_array, check_matching_lengths
from cationx.errors import InputError

__all__ = ["BASELINE_METHODS", "baseline"]

BASELINE_METHODS = ("none", "offset", "asls", "arpls", "airpls", "modpoly", "imodpoly", "snip")


def baseline(
    x: Any,
    y: Any,
    method: str = "none",
    *,
    window: tuple[float, float] | None = None,
    **options: Any,
) -> np.ndarray:
    """The baseline of ``y`` on ``x`` (same shape); subtract it yourself.

    Parameters
    ----------
    method
        One of :data:`BASELINE_METHODS`.
    window
        ``(x_low, x_high)`` for ``offset``: the baseline is the mean of ``y`` there.
    options
        Passed to the pybaselines method (e.g. ``lam=1e6``, ``poly_order=2``).
    """
    xa = as_1d_array(x, "x", min_length=3)
    ya = as_1d_array(y, "y", min_length=3)
    check_matching_lengths([xa, ya], ["x", "y"])
    if method not in BASELINE_METHODS:
        raise InputError(f"baseline method must be one of {', '.join(BASELINE_METHODS)}; got {method!r}")
    if method == "none":
        return np.zeros_like(ya)
    if method == "offset":
        if window is None:
            raise InputError("baseline method 'offset' needs window=(x_low, x_high)")
        sel = (xa >= min(window)) & (xa <= max(window))
        if not sel.any():
            raise InputError(f"baseline window {window} holds no points (x runs {xa.min():g}-{xa.max():g})")
        return np.full_like(ya, float(np.mean(ya[sel])))
    from pybaselines import Baseline

    fitter = Baseline(x_data=xa)
    try:
        base, _ = getattr(fitter, method)(ya, **options)
    except TypeError as exc:
        raise InputError(f"baseline {method}: {exc}") from None
    return np.asarray(base, dtype=float)
