"""Piecewise-linear fits: fitted breakpoints, or separate lines over chosen windows.

Two routes, both through :mod:`cationx.fitting`:

- :func:`fit_piecewise` fits a *continuous* piecewise-linear curve with ``K`` breakpoints
  whose positions are parameters (with intervals).  The model is
  ``y = b + s_1 x + sum_j (s_{j+1} - s_j) max(x - x_j, 0)``; the fit starts from the best
  breakpoints of an exhaustive grid (ordinary least squares at every admissible choice
  of data gaps, each segment keeping at least two points), then refines everything with
  :func:`cationx.fitting.fit_curve`, so the breakpoints get profile-likelihood intervals.
- :func:`fit_windows` fits one independent straight line per window ``[lo, hi]`` (ends
  included), as Yao, Lynch & Robinson, J. Chem. Phys. 159, 014704 (2023) did for the Ag
  incorporation vs Ag addition curve (Fig. 1a: windows 0-75 % and 100-135 %, slopes
  L1 = 0.11 and L2 = 0.83).  A window holding exactly two points gives the exact line
  through them: no interval and no R^2 can be had, and the result says so.

Why by hand: the grid initialisation and the segment bookkeeping are a few lines of
NumPy; the fitting itself is lmfit through :mod:`cationx.fitting`.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import as_1d_array, check_int, check_magnitude, check_matching_lengths
from cationx.errors import ConvergenceWarning, InputError
from cationx.fitting import (
    FitResult,
    HoldsFit,
    HoldsLines,
    ParameterEstimate,
    Parameters,
    check_fit_options,
    fit_curve,
)

__all__ = [
    "LineFit",
    "PiecewiseFit",
    "WindowsFit",
    "fit_line",
    "fit_piecewise",
    "fit_windows",
    "min_points_for_breakpoints",
    "parse_windows",
    "piecewise_linear",
]

MAX_GRID = 200_000  # admissible breakpoint combinations tried before the refinement
MAX_GRID_WORK = 2e7  # combinations x data points: bounds the grid search on long data sets


def min_points_for_breakpoints(k: int) -> int:
    """Points needed for ``k`` fitted breakpoints: two per segment and one spare (2k + 3)."""
    return 2 * k + 3


def piecewise_linear(x: np.ndarray, intercept: float, slopes: Sequence[float], breakpoints: Sequence[float]) -> np.ndarray:
    """Continuous piecewise-linear curve (breakpoints are used in ascending order)."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(breakpoints)
    bps = np.asarray(breakpoints, dtype=float)[order]
    sl = np.asarray(slopes, dtype=float)
    y = intercept + sl[0] * x
    for j, bp in enumerate(bps):
        y = y + (sl[j + 1] - sl[j]) * np.maximum(x - bp, 0.0)
    return y


def _xy(x: Any, y: Any, min_length: int = 1) -> tuple[np.ndarray, np.ndarray]:
    xa = as_1d_array(x, "x", min_length=min_length)
    ya = as_1d_array(y, "y", min_length=min_length)
    check_matching_lengths([xa, ya], ["x", "y"])
    check_magnitude(xa, "x values")
    check_magnitude(ya, "y values")
    return xa, ya


def _estimate_dict(p: ParameterEstimate | None) -> dict[str, Any]:
    if p is None:
        return {"value": None, "stderr": None, "ci_low": None, "ci_high": None}
    return {"value": p.value, "stderr": p.stderr, "ci_low": p.ci_low, "ci_high": p.ci_high}


# ----------------------------------------------------------------------------------------
# straight lines over windows


@dataclass(frozen=True, slots=True)
class LineFit:
    """Straight line ``y = intercept + slope x`` over the points with ``lo <= x <= hi``."""

    window: tuple[float, float]
    n_points: int
    slope: ParameterEstimate
    intercept: ParameterEstimate
    r2: float | None
    exact: bool
    fit: FitResult | None = None

    @property
    def warnings(self) -> tuple[str, ...]:
        """What makes the line untrustworthy: the least-squares fit's flags, or, for the exact
        line through two points, that it carries no uncertainty."""
        if self.fit is None:
            return (f"window {self.window[0]:g}:{self.window[1]:g}: the exact line through 2 points has no uncertainty",)
        return self.fit.warnings

    @property
    def converged(self) -> bool:
        """The fit contract's verdict: True only for a least-squares line with nothing flagged."""
        return self.fit is not None and self.fit.converged

    def to_dict(self) -> dict[str, Any]:
        return {
            "window": list(self.window),
            "n_points": self.n_points,
            "slope": _estimate_dict(self.slope),
            "intercept": _estimate_dict(self.intercept),
            "r2": self.r2,
            "exact": self.exact,
            "converged": self.converged,
            "warnings": list(self.warnings),
        }


def fit_line(
    x: Any,
    y: Any,
    *,
    window: tuple[float, float] | None = None,
    sigma: Any = None,
    ci: str = "stderr",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> LineFit:
    """Fit one straight line (ordinary least squares, Student-t intervals).

    Parameters
    ----------
    x, y
        Data (any order).
    window
        ``(lo, hi)``: use only the points with ``lo <= x <= hi`` (default: all).
    sigma, ci, ci_level, n_boot, rng
        The fit contract's keyword tail (:mod:`cationx.fitting`): optional per-point standard
        deviations of ``y`` and the interval method (default ``"stderr"``, Student-t).

    Two points give the exact line through them (``exact=True``, no stderr, no interval,
    ``r2=None``); fewer than two points is an :class:`InputError`.
    """
    xa, ya = _xy(x, y)
    sig = check_fit_options(sigma=sigma, n=xa.size, ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng).sigma
    lo, hi = (float(np.min(xa)), float(np.max(xa))) if window is None else (float(window[0]), float(window[1]))
    if not lo < hi:
        raise InputError(f"window must have lo < hi, got {lo}:{hi}")
    sel = (xa >= lo) & (xa <= hi)
    xs, ys = xa[sel], ya[sel]
    n = int(xs.size)
    if n < 2:
        raise InputError(f"window {lo:g}:{hi:g} holds {n} point(s); a line needs at least 2")
    if np.ptp(xs) == 0:
        raise InputError(f"window {lo:g}:{hi:g}: all x values are equal; the slope is undefined")
    if n == 2:
        slope = float((ys[1] - ys[0]) / (xs[1] - xs[0]))
        icpt = float(ys[0] - slope * xs[0])
        return LineFit(
            (lo, hi),
            2,
            ParameterEstimate("slope", slope, None, None, None),
            ParameterEstimate("intercept", icpt, None, None, None),
            None,
            True,
        )
    params = Parameters()
    s0, b0 = np.polyfit(xs, ys, 1)
    params.add("slope", value=float(s0))
    params.add("intercept", value=float(b0))
    res = fit_curve(
        lambda v, xx: v["intercept"] + v["slope"] * xx,
        params,
        xs,
        ys,
        sigma=None if sig is None else sig[sel],
        model_name="line",
        ci=ci,
        ci_level=ci_level,
        n_boot=n_boot,
        rng=rng,
    )
    return LineFit((lo, hi), n, res["slope"], res["intercept"], res.r2, False, res)


def parse_windows(text: str, name: str = "--windows") -> list[tuple[float, float]]:
    """Parse ``"0:20,20:100"`` into ``[(0, 20), (20, 100)]`` (each ``lo < hi``)."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        bits = part.split(":")
        if len(bits) != 2:
            raise InputError(f"{name} must look like LO:HI,LO:HI, got {text!r}")
        try:
            lo, hi = float(bits[0]), float(bits[1])
        except ValueError:
            raise InputError(f"{name} must hold numbers LO:HI, got {part!r}") from None
        if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
            raise InputError(f"{name}: each window needs finite LO < HI, got {part!r}")
        out.append((lo, hi))
    if not out:
        raise InputError(f"{name} names no window, got {text!r}")
    return out


@dataclass(frozen=True, slots=True)
class WindowsFit(HoldsLines):
    """Independent straight lines over several windows."""

    lines: tuple[LineFit, ...]
    notes: tuple[str, ...] = ()

    @property
    def slopes(self) -> list[float]:
        return [ln.slope.value for ln in self.lines]


    def to_frame(self) -> pd.DataFrame:
        rows = []
        for k, ln in enumerate(self.lines, start=1):
            rows.append(
                {
                    "window": k,
                    "lo": ln.window[0],
                    "hi": ln.window[1],
                    "n_points": ln.n_points,
                    "slope": ln.slope.value,
                    "slope_stderr": ln.slope.stderr,
                    "slope_ci_low": ln.slope.ci_low,
                    "slope_ci_high": ln.slope.ci_high,
                    "intercept": ln.intercept.value,
                    "r2": ln.r2,
                    "exact": ln.exact,
                }
            )
        return pd.DataFrame(rows).set_index("window")

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": "windows",
            "slopes": [_estimate_dict(ln.slope) for ln in self.lines],
            "breakpoints": [],
            "windows": [ln.to_dict() for ln in self.lines],
            "converged": self.converged,
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


def fit_windows(
    x: Any,
    y: Any,
    windows: Sequence[tuple[float, float]],
    *,
    sigma: Any = None,
    ci: str = "stderr",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> WindowsFit:
    """One straight line per window (see :func:`fit_line`); the paper's route for L1 and L2.

    ``sigma``, ``ci``, ``ci_level``, ``n_boot``, ``rng``: the fit contract's keyword tail, as in
    :func:`fit_line` (one generator, ``numpy.random.default_rng(rng)``, feeds every window).
    """
    if not windows:
        raise InputError("windows must name at least one window")
    gen = check_fit_options(ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng).generator()
    lines = tuple(
        fit_line(x, y, window=w, sigma=sigma, ci=ci, ci_level=ci_level, n_boot=n_boot, rng=gen) for w in windows
    )
    notes = tuple(
        f"window {ln.window[0]:g}:{ln.window[1]:g} holds 2 points: exact line, no interval or R^2"
        for ln in lines
        if ln.exact
    )
    return WindowsFit(lines, notes)


# ----------------------------------------------------------------------------------------
# continuous piecewise-linear fit with fitted breakpoints


@dataclass(frozen=True, slots=True)
class PiecewiseFit(HoldsFit):
    """Continuous piecewise-linear fit; ``fit`` holds every parameter with its interval."""

    fit: FitResult
    n_breakpoints: int
    grid_breakpoints: tuple[float, ...] = field(default_factory=tuple)

    @property
    def slopes(self) -> list[ParameterEstimate]:
        return [self.fit[f"slope_{j}"] for j in range(1, self.n_breakpoints + 2)]

    @property
    def breakpoints(self) -> list[ParameterEstimate]:
        return [self.fit[f"breakpoint_{j}"] for j in range(1, self.n_breakpoints + 1)]

    def predict(self, x: Any) -> np.ndarray:
        v = self.fit
        return piecewise_linear(
            np.asarray(x, dtype=float),
            v.value("intercept"),
            [p.value for p in self.slopes],
            [p.value for p in self.breakpoints],
        )

    def to_frame(self) -> pd.DataFrame:
        return self.fit.to_frame()

    def to_dict(self) -> dict[str, Any]:
        out = {
            "model": self.fit.model,
            "n_breakpoints": self.n_breakpoints,
            "slopes": [_estimate_dict(p) for p in self.slopes],
            "breakpoints": [_estimate_dict(p) for p in self.breakpoints],
            "intercept": _estimate_dict(self.fit["intercept"]),
        }
        full = self.fit.to_dict(arrays=False)
        out.update({k: full[k] for k in ("params", "r2", "aic", "bic", "ndata", "ci_method", "ci_level", "converged",
                                         "warnings", "notes")})
        return out


def _design(x: np.ndarray, bps: Sequence[float]) -> np.ndarray:
    cols = [np.ones_like(x), x] + [np.maximum(x - b, 0.0) for b in bps]
    return np.column_stack(cols)


def _grid_search(x: np.ndarray, y: np.ndarray, k: int) -> tuple[float, ...]:
    """Best breakpoints among the midpoints of data gaps, two points per segment at least."""
    if k == 0:
        return ()
    ux = np.unique(x)
    mids = (ux[:-1] + ux[1:]) / 2
    # segment j must hold >= 2 points: breakpoint index ranges over gaps with >= 2 points left/right
    counts_left = np.searchsorted(np.sort(x), mids, side="left")  # points with x < m
    best: tuple[float, tuple[float, ...]] = (math.inf, ())
    n_comb = math.comb(len(mids), k)
    # the grid only seeds the least-squares refinement: on long data sets a coarser grid suffices
    budget = max(200, min(MAX_GRID, int(MAX_GRID_WORK / x.size)))
    if n_comb > budget:
        stride = math.ceil((n_comb / budget) ** (1 / k))
        idx = np.arange(0, len(mids), stride)
    else:
        idx = np.arange(len(mids))
    for combo in itertools.combinations(idx, k):
        edges = [0, *[counts_left[i] for i in combo], x.size]
        if min(np.diff(edges)) < 2:
            continue
        bps = [float(mids[i]) for i in combo]
        a = _design(x, bps)
        coef, *_ = np.linalg.lstsq(a, y, rcond=None)
        rss = float(np.sum((a @ coef - y) ** 2))
        if rss < best[0]:
            best = (rss, tuple(bps))
    if not best[1]:
        raise InputError(f"no admissible placement of {k} breakpoint(s) leaves two points per segment")
    return best[1]


def fit_piecewise(
    x: Any,
    y: Any,
    n_breakpoints: int = 1,
    *,
    sigma: Any = None,
    ci: str = "profile",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> PiecewiseFit:
    """Fit a continuous piecewise-linear curve with ``n_breakpoints`` fitted breakpoints.

    Parameters
    ----------
    x, y
        Data (any order; the points are sorted by ``x`` internally, inputs untouched).
    n_breakpoints
        Number of breakpoints ``K`` (0 to 4).  Needs at least ``2K + 3`` points.
    sigma
        Optional per-point standard deviations (weights).
    ci, ci_level, n_boot, rng
        Interval method (see :mod:`cationx.fitting`).

    Returns
    -------
    PiecewiseFit
        Parameters ``intercept``, ``slope_1 .. slope_{K+1}`` (left to right) and
        ``breakpoint_1 .. breakpoint_K`` with values, standard errors and intervals.
    """
    k = check_int(n_breakpoints, "n_breakpoints", minimum=0, maximum=4)
    xa, ya = _xy(x, y)
    sig = None
    if sigma is not None:
        sig = as_1d_array(sigma, "sigma")
        check_matching_lengths([xa, sig], ["x", "sigma"])
        if np.any(sig <= 0):
            raise InputError("sigma must be > 0 at every point")
    need = min_points_for_breakpoints(k)
    if xa.size < need:
        raise InputError(
            f"a piecewise fit with {k} breakpoint(s) needs at least {need} points "
            f"(two per segment and one spare), got {xa.size}"
        )
    order = np.argsort(xa, kind="stable")
    xs, ys = xa[order], ya[order]
    sig_s = None if sig is None else sig[order]
    if np.unique(xs).size < need:
        raise InputError(f"a piecewise fit with {k} breakpoint(s) needs at least {need} distinct x values")
    grid = _grid_search(xs, ys, k)
    coef, *_ = np.linalg.lstsq(_design(xs, grid), ys, rcond=None)
    params = Parameters()
    params.add("intercept", value=float(coef[0]))
    slopes = np.cumsum(coef[1:])
    for j, s in enumerate(slopes, start=1):
        params.add(f"slope_{j}", value=float(s))
    n = xs.size
    for j, b in enumerate(grid, start=1):
        # keep >= 2 points left of breakpoint j and >= 2 per later segment: identifiable slopes
        lo, hi = float(xs[2 * j - 1]), float(xs[n - 2 * (k - j + 1)])
        params.add(f"breakpoint_{j}", value=min(max(b, lo), hi), min=lo, max=hi)

    def model(v: Any, xx: np.ndarray) -> np.ndarray:
        return piecewise_linear(
            xx,
            v["intercept"],
            [v[f"slope_{j}"] for j in range(1, k + 2)],
            [v[f"breakpoint_{j}"] for j in range(1, k + 1)],
        )

    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        res = fit_curve(
            model,
            params,
            xs,
            ys,
            sigma=sig_s,
            model_name=f"piecewise-linear ({k} breakpoint{'s' if k != 1 else ''})",
            ci=ci,
            ci_level=ci_level,
            n_boot=n_boot,
            rng=rng,
        )
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=2)
    bvals = [res.value(f"breakpoint_{j}") for j in range(1, k + 1)]
    if any(b2 <= b1 for b1, b2 in itertools.pairwise(bvals)):
        notes.append("breakpoints crossed during the fit; they are not ordered left to right")
    if notes:
        res = _with_notes(res, notes)
    return PiecewiseFit(res, k, tuple(grid))


def _with_notes(res: FitResult, notes: Sequence[str]) -> FitResult:
    import dataclasses

    return dataclasses.replace(res, notes=(*res.notes, *notes))
