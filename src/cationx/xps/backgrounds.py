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
"""

from __future__ import annotations

import numpy as np

from cationx._validation import as_1d_array, check_int, check_matching_lengths, check_positive
from cationx.errors import ConvergenceWarning, InputError

__all__ = ["BACKGROUNDS", "background", "linear_background", "shirley_background", "tougaard_background"]

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


def shirley_background(
    binding_energy_ev: object, intensity: object, *, n_avg: int = 3, tol: float = 1e-7, max_iter: int = 200
) -> np.ndarray:
    """Iterative Shirley background (higher level at higher binding energy)."""
    import warnings

    xs, ys, order, lo, hi = _prepare(binding_energy_ev, intensity, n_avg)
    bg = np.full_like(ys, lo)
    scale = max(float(np.max(np.abs(ys))), 1e-300)
    for _ in range(max_iter):
        a = _cumtrapz(xs, ys - bg)
        total = a[-1]
        if total == 0:
            new = np.full_like(ys, lo)
        else:
            new = lo + (hi - lo) * a / total
        if np.max(np.abs(new - bg)) < tol * scale:
            bg = new
            break
        bg = new
    else:
        warnings.warn(f"Shirley background did not converge in {max_iter} iterations", ConvergenceWarning, stacklevel=2)
    return _unsort(bg, order)


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


def background(kind: str, binding_energy_ev: object, intensity: object, *, n_avg: int = 3) -> np.ndarray:
    """Dispatch by name: ``shirley``, ``linear``, ``tougaard`` or ``none`` (zeros)."""
    from cationx._validation import check_choice

    check_choice(kind, "background", BACKGROUNDS)
    if kind == "shirley":
        return shirley_background(binding_energy_ev, intensity, n_avg=n_avg)
    if kind == "linear":
        return linear_background(binding_energy_ev, intensity, n_avg=n_avg)
    if kind == "tougaard":
        return tougaard_background(binding_energy_ev, intensity, n_avg=n_avg)
    y = as_1d_array(intensity, "intensity")
    return np.zeros_like(y)
