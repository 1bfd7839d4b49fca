"""XPS backgrounds on a binding-energy axis: linear, Shirley (iterative) and Tougaard.

All functions take binding energy (eV, any order) and intensity and return the
background at the same points; inputs are not modified.  The end levels are the means of
``n_avg`` points at each end.

- Linear: straight line between the end levels.
- Shirley (Shirley, Phys. Rev. B 5, 4709 (1972); iterative form of Proctor & Sherwood,
  Anal. Chem. 54, 13 (1982)): ``B(E) = I_lo + (I_hi - I_lo) A(E) / A_total`` with
  ``A(E)`` the area of ``I - B`` between the low-BE end and E, iterated to convergence.
- Tougaard universal cross-section (Tougaard, Surf. Interface Anal. 11, 453 (1988)):
  ``B(E) = I_lo + k * integral_{E' < E} K(E - E') (I(E') - I_lo) dE'`` with
  ``K(T) = T / (C + T^2)^2``, ``C = 1643 eV^2``; ``k`` (the B coefficient) is scaled so the
  background meets the high-BE end level.

pybaselines has no XPS-specific backgrounds, hence these few lines.

When is a Shirley background valid?  The iteration needs ``I - B >= 0`` between the end
points, i.e. both end windows must sit on the background plateau on either side of the
peak.  If the region ends on a rising slope or on the flank of another feature (real case:
the PHI MultiPak C 1s region 275-305 eV rises from 1666 c/s at 294 eV to 2074 c/s at
305 eV, the S 2p region 155-180 eV from 422 to 529 c/s), the high-BE end level lies above
the data over several eV; the net area then holds large negative parts, ``A_total``
becomes small or changes sign, and the iteration oscillates with growing amplitude (the
"background" climbs to the peak top).  Neither the energy order, counts per second nor the
end-point averaging cause this: the same data on a window ending at the plateau (C 1s
275-294 eV, S 2p 155-175 eV) converge in a few iterations.  :func:`shirley_iterate`
therefore reports a diverged background (no convergence, a net area <= 0, or a background
outside the band of its end levels) instead of returning it, names the end whose level lies
above the data and the plateau window to use (:func:`plateau_window`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cationx._noise import noise_first_differences
from cationx._validation import as_1d_array, check_int, check_matching_lengths, check_positive
from cationx.errors import FitError, InputError

__all__ = [
    "BACKGROUNDS",
    "BackgroundResult",
    "background",
    "compute_background",
    "linear_background",
    "plateau_window",
    "shirley_background",
    "shirley_iterate",
    "tougaard_background",
]

BACKGROUNDS = ("shirley", "linear", "tougaard", "none")


def _prepare(be: object, y: object, n_avg: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    x = as_1d_array(be, "binding_energy_ev", min_length=3)
    yy = as_1d_array(y, "intensity", min_length=3)
    check_matching_lengths([x, yy], ["binding_energy_ev", "intensity"])
    n_avg = check_int(n_avg, "n_avg", minimum=1)
    if 2 * n_avg > x.size:
        raise InputError(f"n_avg = {n_avg} needs at least {2 * n_avg} points, got {x.size}")
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], yy[order]
    return xs, ys, order, float(ys[:n_avg].mean()), float(ys[-n_avg:].mean())


def _unsort(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    out[order] = values
    return out


def _cumtrapz(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.zeros_like(y)
    out[1:] = np.cumsum(0.5 * (y[1:] + y[:-1]) * np.diff(x))
    return out


def linear_background(binding_energy_ev: object, intensity: object, *, n_avg: int = 3) -> np.ndarray:
    """Straight line between the averaged end levels."""
    xs, _, order, lo, hi = _prepare(binding_energy_ev, intensity, n_avg)
    span = xs[-1] - xs[0]
    if span <= 0:
        raise InputError("binding_energy_ev must span a range")
    return _unsort(lo + (hi - lo) * (xs - xs[0]) / span, order)


@dataclass(frozen=True, slots=True)
class BackgroundResult:
    """A background and how it was obtained.

    ``method`` is the background asked for, ``used`` the one in ``values`` (differs only
    when ``fallback`` is set), ``converged`` whether the asked-for method converged,
    ``iterations`` the Shirley iterations (0 for closed-form backgrounds) and ``reason``
    why it did not converge.
    """

    values: np.ndarray
    method: str
    converged: bool
    iterations: int = 0
    fallback: str | None = None
    reason: str | None = None

    @property
    def used(self) -> str:
        return self.fallback or self.method

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "used": self.used,
            "converged": self.converged,
            "iterations": self.iterations,
            "fallback": self.fallback,
            "reason": self.reason,
        }


def _smooth(y: np.ndarray, width: int) -> np.ndarray:
    from scipy.ndimage import uniform_filter1d

    return uniform_filter1d(y, size=max(1, width), mode="nearest")


_noise = noise_first_differences  # point-to-point noise (robust: MAD of first differences / sqrt 2)


def plateau_window(binding_energy_ev: object, intensity: object, *, n_avg: int = 3) -> tuple[float, float]:
    """Binding energies of the background minima on either side of the main peak.

    A Shirley window should end at (or inside) these points: beyond them the spectrum rises
    again (another feature or the inelastic tail of one), and an end level taken there lies
    above the data between it and the peak.  The data are smoothed over ``max(5, n_avg)``
    points before the minima are located.
    """
    xs, ys, _, _, _ = _prepare(binding_energy_ev, intensity, n_avg)
    sm = _smooth(ys, max(5, n_avg))
    k = int(np.argmax(sm))
    lo_i = int(np.argmin(sm[: k + 1]))
    hi_i = k + int(np.argmin(sm[k:]))
    return float(xs[lo_i]), float(xs[hi_i])


def _end_diagnosis(xs: np.ndarray, ys: np.ndarray, lo: float, hi: float, n_avg: int) -> str:
    """Which end level lies above the data between it and the peak, and the window to use."""
    sm = _smooth(ys, max(5, n_avg))
    k = int(np.argmax(sm))
    thr = max(3 * _noise(ys), 0.02 * abs(hi - lo), 1e-12 * max(float(np.abs(ys).max()), 1.0))
    parts = []
    i_lo = int(np.argmin(sm[: k + 1]))
    if lo - sm[i_lo] > thr:
        parts.append(
            f"the low-BE end level {lo:.4g} (mean of the first {n_avg} points, {xs[0]:.2f} eV) lies above the data "
            f"between the end and the peak (minimum {sm[i_lo]:.4g} at {xs[i_lo]:.2f} eV)"
        )
    i_hi = k + int(np.argmin(sm[k:]))
    if hi - sm[i_hi] > thr:
        parts.append(
            f"the high-BE end level {hi:.4g} (mean of the last {n_avg} points, {xs[-1]:.2f} eV) lies above the data "
            f"between the peak and the end (minimum {sm[i_hi]:.4g} at {xs[i_hi]:.2f} eV)"
        )
    if not parts:
        return "the net signal I - B is not positive enough for the iteration"
    return (
        "; ".join(parts)
        + f": the window ends on a rising slope or another feature; end it on the background plateau, "
        f"e.g. --range {xs[i_lo]:.2f}:{xs[i_hi]:.2f}, or use a linear/Tougaard background"
    )


def shirley_iterate(
    binding_energy_ev: object, intensity: object, *, n_avg: int = 3, tol: float = 1e-7, max_iter: int = 200
) -> BackgroundResult:
    """Iterative Shirley background with its convergence record (never raises on divergence).

    Diverged (``converged = False``, ``reason`` set) when the iteration does not settle
    within ``max_iter``, when the net area between the ends is <= 0, or when the background
    leaves the band between its two end levels (impossible for ``I - B >= 0``).
    """
    xs, ys, order, lo, hi = _prepare(binding_energy_ev, intensity, n_avg)
    check_positive(tol, "tol")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    bg = np.full_like(ys, lo)
    scale = max(float(np.max(np.abs(ys))), 1e-300)
    band = (min(lo, hi), max(lo, hi))
    # end levels are means of noisy points and real ends carry a slight slope: a converged
    # curve may overshoot them by a few noise units or a fraction of the step; a diverging
    # one goes far beyond (the PHI C 1s case reached 2.8x its upper end level)
    slack = max(5 * _noise(ys), 0.25 * abs(hi - lo)) + 1e-6 * scale
    reason = None
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        a = _cumtrapz(xs, ys - bg)
        total = a[-1]
        if hi == lo:
            new = np.full_like(ys, lo)
        elif total <= 0:
            reason = f"the net area I - B between the end points became <= 0 at iteration {it}"
            break
        else:
            new = lo + (hi - lo) * a / total
        if np.max(np.abs(new - bg)) < tol * scale:
            bg = new
            converged = True
            break
        bg = new
    else:
        reason = f"no convergence in {max_iter} iterations (reached {bg.min():.4g}-{bg.max():.4g})"
    if converged and (bg.min() < band[0] - slack or bg.max() > band[1] + slack):
        converged = False
        reason = (
            f"the background left the band of its end levels {band[0]:.4g}-{band[1]:.4g} "
            f"(reached {bg.min():.4g}-{bg.max():.4g})"
        )
    if not converged:
        reason = f"Shirley background diverged ({reason}): {_end_diagnosis(xs, ys, lo, hi, n_avg)}"
    return BackgroundResult(_unsort(bg, order), "shirley", converged, it, None, reason)


def shirley_background(
    binding_energy_ev: object, intensity: object, *, n_avg: int = 3, tol: float = 1e-7, max_iter: int = 200
) -> np.ndarray:
    """Iterative Shirley background (higher level at higher binding energy).

    Raises
    ------
    FitError
        When the iteration diverges (see :func:`shirley_iterate`; the message names the end
        level that lies above the data and a plateau window).
    """
    res = shirley_iterate(binding_energy_ev, intensity, n_avg=n_avg, tol=tol, max_iter=max_iter)
    if not res.converged:
        raise FitError(str(res.reason))
    return res.values


def tougaard_background(
    binding_energy_ev: object, intensity: object, *, c_ev2: float = 1643.0, n_avg: int = 3
) -> np.ndarray:
    """Two-parameter universal Tougaard background (C fixed, B scaled to the high-BE end)."""
    xs, ys, order, lo, hi = _prepare(binding_energy_ev, intensity, n_avg)
    c = check_positive(c_ev2, "c_ev2")
    j = ys - lo
    dx = np.gradient(xs)
    t = xs[:, None] - xs[None, :]  # E - E' (> 0 for E' at lower BE)
    kern = np.where(t > 0, t / (c + t**2) ** 2, 0.0)
    raw = kern @ (j * dx)
    end = raw[-1]
    if end <= 0:
        return _unsort(np.full_like(ys, lo), order)
    return _unsort(lo + raw * (hi - lo) / end, order)


def compute_background(
    kind: str, binding_energy_ev: object, intensity: object, *, n_avg: int = 3, fallback: str | None = None
) -> BackgroundResult:
    """Background by name with its record; a diverged Shirley uses ``fallback`` if given, else raises.

    Parameters
    ----------
    kind : str
        ``shirley``, ``linear``, ``tougaard`` or ``none``.
    fallback : str, optional
        Background to use instead when the Shirley iteration diverges (``linear``,
        ``tougaard`` or ``none``); the result names it (``fallback``) and keeps the reason.

    Raises
    ------
    FitError
        A diverged Shirley background without a fallback.
    """
    from cationx._validation import check_choice

    check_choice(kind, "background", BACKGROUNDS)
    if fallback is not None:
        check_choice(fallback, "fallback", tuple(b for b in BACKGROUNDS if b != "shirley"))
    if kind == "shirley":
        res = shirley_iterate(binding_energy_ev, intensity, n_avg=n_avg)
        if res.converged:
            return res
        if fallback is None:
            raise FitError(f"{res.reason} (or pass a fallback background: --fallback linear)")
        vals = compute_background(fallback, binding_energy_ev, intensity, n_avg=n_avg).values
        return BackgroundResult(vals, "shirley", False, res.iterations, fallback, res.reason)
    if kind == "linear":
        return BackgroundResult(linear_background(binding_energy_ev, intensity, n_avg=n_avg), "linear", True)
    if kind == "tougaard":
        return BackgroundResult(tougaard_background(binding_energy_ev, intensity, n_avg=n_avg), "tougaard", True)
    y = as_1d_array(intensity, "intensity")
    return BackgroundResult(np.zeros_like(y), "none", True)


def background(kind: str, binding_energy_ev: object, intensity: object, *, n_avg: int = 3) -> np.ndarray:
    """Dispatch by name: ``shirley``, ``linear``, ``tougaard`` or ``none`` (zeros).

    A diverged Shirley background raises :class:`~cationx.errors.FitError`.
    """
    return compute_background(kind, binding_energy_ev, intensity, n_avg=n_avg).values
