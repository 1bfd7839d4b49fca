"""Mass-balance feasibility of titration data: what the ions added can and cannot do.

A nanocrystal holding ``N`` host cations is fully exchanged by ``m N`` incoming ions
(m = 2 Cu+ or Ag+ per Cd2+).  At ``T`` total ions added per NC, even if every ion is bound,
at most ``T/(m N)`` of the host cations can be replaced, so (000, White et al. 2013;
SCIENCE.md section 1, "Real units")::

    product material  f_prod <= T/(m N)
    fully exchanged   f_exch <= f_prod <= T/(m N)

and the complements (``unexchanged``, ``host-material``) are >= 1 - T/(m N).  The pristine
host fraction (``host``, NCs that took no step) only obeys ``>= 1 - T/(m h)``: one step of
``m h`` ions ends the pristine state.
Data above the bound are not a property of the NCs: the ions per NC are too low (NC
concentration overestimated), the NCs hold fewer host cations than assumed (sizing), or the
measured signal is not the fraction it is taken for (e.g. diffraction rings or A(1.82 eV)
from a surface shell or from a subset of NCs).

The slope gives a second, independent statement.  Between two points the product material
can grow by at most ``(T_j - T_i)/(m N)`` (only newly added ions can replace host cations),
so a faster rise is infeasible too.  The *fully exchanged* fraction may rise faster, but only
if the NCs not yet exchanged already held ions: a rise of ``df`` needs ``df m N`` ions of
which at most ``T_j - T_i`` are new, so the unexchanged NCs at ``T_i`` must hold on average

    B_i >= max_j [ (f_j - f_i) m N - (T_j - T_i) ] / (1 - f_i)

ions each (a lower bound).  ``B_i > 0`` is evidence that the NCs pass through doped
intermediates before the avalanche; it is reported as a finding, not an error.

The slope statement assumes equilibrium data: ions added earlier could stay free and bind
later, but at equilibrium the free-ion concentration rises monotonically with the total, so
the material exchanged between two points cannot exceed the ions added between them.  Data
not at equilibrium (a titration read before it settled) can break it without any error in the
NC concentration or sizing.

A point violates the bound when it exceeds it by more than ``z sigma`` (per-point
uncertainties given; ``z`` the two-sided 95 % point with a Bonferroni correction over the
points, so that noise alone flags a correct series in at most ~5 % of cases) and by at least
0.02, or by ``tolerance`` (default 0.02) when no sigma is given.  Points where the bound is
already 1 (every host cation could have been exchanged) are not mass-balance violations: a
fraction above 1 there is a normalisation or noise issue and is noted as such.  A fraction above
the tolerance at zero ions added is a baseline offset, also noted as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import (
    as_1d_array,
    check_choice,
    check_int,
    check_matching_lengths,
    check_nonnegative,
    check_positive,
)
from cationx.cooperative.equilibrium import OBSERVABLES
from cationx.errors import InputError

__all__ = ["DEFAULT_TOLERANCE", "Feasibility", "check_feasibility"]

DEFAULT_TOLERANCE = 0.02
_INCREASING = ("exchanged", "product")


@dataclass(frozen=True, slots=True)
class Feasibility:
    """Outcome of :func:`check_feasibility` (per-point arrays have the data's length)."""

    host_cations_per_nc: float
    ions_per_host: int
    observable: str
    total_ions_per_nc: np.ndarray
    fraction: np.ndarray
    bound: np.ndarray
    excess: np.ndarray
    allowed_excess: np.ndarray
    violations: np.ndarray
    slope_violations: tuple[tuple[int, int], ...]
    min_scale: float
    min_ions_held_unexchanged: np.ndarray
    notes: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """No point above the bound and no infeasible rise of the product material."""
        return self.violations.size == 0 and not self.slope_violations

    @property
    def summary(self) -> str:
        """One sentence: feasible, or the worst violation with the bound it breaks."""
        if self.feasible:
            return "the data are consistent with mass balance"
        return self.notes[0]

    def to_frame(self) -> pd.DataFrame:
        """One row per point: total, fraction, bound, excess, violation flag."""
        flag = np.zeros(self.fraction.size, dtype=bool)
        flag[self.violations] = True
        return pd.DataFrame(
            {
                "total_ions_per_nc": self.total_ions_per_nc,
                "fraction": self.fraction,
                "bound": self.bound,
                "excess": self.excess,
                "violates": flag,
                "min_ions_held_unexchanged": self.min_ions_held_unexchanged,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "feasible": self.feasible,
            "host_cations_per_nc": self.host_cations_per_nc,
            "ions_per_host": self.ions_per_host,
            "observable": self.observable,
            "bound_rule": _rule(self.observable),
            "violations": self.violations.tolist(),
            "slope_violations": [list(p) for p in self.slope_violations],
            "min_scale_of_ions_per_nc": self.min_scale,
            "max_min_ions_held_unexchanged": float(np.max(self.min_ions_held_unexchanged, initial=0.0)),
            "summary": self.summary,
            "notes": list(self.notes),
        }


def _rule(observable: str) -> str:
    if observable in _INCREASING:
        return "fraction <= T/(m N)"
    if observable == "host":
        return "fraction >= 1 - T/(m h)"
    return "fraction >= 1 - T/(m N)"


def check_feasibility(
    total_ions_per_nc: Any,
    fraction: Any,
    *,
    host_cations_per_nc: float,
    ions_per_host: int = 2,
    observable: str = "product",
    host_per_site: int = 1,
    sigma: Any = None,
    tolerance: float | None = None,
) -> Feasibility:
    """Check measured fractions against the stoichiometric bound (see the module docstring).

    Parameters
    ----------
    total_ions_per_nc
        Total incoming ions added per NC ``T``, shape (P,), >= 0.
    fraction
        Measured fraction (0..1) of kind ``observable``
        (:data:`~cationx.cooperative.equilibrium.OBSERVABLES`).
    host_cations_per_nc
        ``N`` (e.g. from :func:`cationx.spectra.sizing.host_cations_per_nc`).
    ions_per_host
        ``m``: incoming ions per host cation (2 for Cu+ or Ag+ replacing Cd2+).
    host_per_site
        ``h``: host cations per step.  Only the ``host`` observable (pristine NCs) needs it:
        an NC stops being pristine after one step of ``m h`` ions, so the bound on the
        fraction that left the pristine state is ``T/(m h)``, far weaker than ``T/(m N)``.
    sigma
        Per-point standard uncertainty of ``fraction`` (a violation must exceed 2 sigma).
    tolerance
        Allowed excess when ``sigma`` is not given (default 0.02).
    """
    t = as_1d_array(total_ions_per_nc, "total_ions_per_nc")
    f = as_1d_array(fraction, "fraction")
    check_matching_lengths([t, f], ["total_ions_per_nc", "fraction"])
    if (t < 0).any():
        i = int(np.flatnonzero(t < 0)[0])
        raise InputError(f"total_ions_per_nc must be >= 0; value {t[i].item()!r} at index {i}")
    n_host = check_positive(host_cations_per_nc, "host_cations_per_nc")
    m = check_int(ions_per_host, "ions_per_host", minimum=1)
    check_choice(observable, "observable", OBSERVABLES)
    if sigma is not None:
        from scipy.stats import norm

        sig = as_1d_array(sigma, "sigma")
        check_matching_lengths([t, sig], ["total_ions_per_nc", "sigma"])
        if (sig <= 0).any():
            raise InputError("sigma must be > 0 everywhere")
        z = float(norm.isf(0.025 / max(t.size, 1)))
        allowed = np.maximum(z * sig, DEFAULT_TOLERANCE)
    else:
        tol = DEFAULT_TOLERANCE if tolerance is None else check_nonnegative(tolerance, "tolerance")
        allowed = np.full(t.size, tol)

    h = check_int(host_per_site, "host_per_site", minimum=1)
    capacity = m * (h if observable == "host" else n_host)
    cap = np.minimum(1.0, t / capacity)
    increasing = observable in _INCREASING
    # work with the exchanged-side quantity g (g <= T/(mN)) for every observable
    g = f if increasing else 1.0 - f
    excess = g - cap
    over_one = (cap >= 1.0) & (excess > allowed)  # normalisation, not mass balance
    at_zero = (t == 0) & (excess > allowed)  # a baseline offset before any addition
    bad = np.flatnonzero((excess > allowed) & ~over_one & ~at_zero)
    bound = cap if increasing else 1.0 - cap

    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(t > 0, (np.minimum(g, 1.0) - allowed) * capacity / t, 0.0)
    min_scale = float(max(1.0, np.max(need, initial=1.0)))

    # slopes: pairwise rise against the ions added in between
    order = np.argsort(t, kind="stable")
    ts, gs, al = t[order], g[order], allowed[order]
    rise_ions = (gs[None, :] - gs[:, None]) * capacity - (ts[None, :] - ts[:, None])  # [i, j]
    upper = np.triu(np.ones((ts.size, ts.size), dtype=bool), k=1)
    slack = (al[None, :] + al[:, None]) * capacity
    slope_pairs: list[tuple[int, int]] = []
    held = np.zeros(t.size)
    if observable in ("product", "host-material"):
        viol = upper & (rise_ions > slack)
        if viol.any():
            i, j = np.unravel_index(np.argmax(np.where(viol, rise_ions - slack, -np.inf)), viol.shape)
            slope_pairs.append((int(order[i]), int(order[j])))
    elif observable in ("exchanged", "unexchanged"):  # whole NCs: the held-ions bound applies
        with np.errstate(invalid="ignore"):
            best = np.max(np.where(upper, rise_ions - slack, -np.inf), axis=1, initial=-np.inf)
        remaining = np.maximum(1.0 - gs, 1e-12)
        held_sorted = np.where(best > 0, best / remaining, 0.0)
        held[order] = held_sorted

    notes: list[str] = []
    what = {
        "exchanged": "fully exchanged fraction",
        "product": "product (exchanged material) fraction",
        "unexchanged": "exchanged fraction implied by the unexchanged fraction",
        "host": "exchanged fraction implied by the pristine-host fraction",
        "host-material": "exchanged material implied by the host-material fraction",
    }[observable]
    if observable == "host":
        what_nc = f"one step of {m * h} ions"
    if bad.size and observable == "host":
        k = int(bad[np.argmax(excess[bad])])
        notes.append(
            f"mass balance broken at {bad.size} point(s): at {t[k]:.4g} ions per NC {g[k]:.3g} of the NCs have left "
            f"the pristine state, but {t[k]:.4g} ions can start at most {cap[k]:.3g} of them ({what_nc} each); "
            "check the NC concentration and what the signal measures"
        )
    elif bad.size:
        k = int(bad[np.argmax(excess[bad])])
        causes = (
            f"the ions per NC would have to be at least {min_scale:.3g}x larger: the NC concentration "
            f"may be overestimated (extinction coefficient, sizing), the NCs may hold fewer than "
            f"{n_host:.4g} host cations (at most {n_host / min_scale:.4g}), or the measured signal is "
            "not this fraction (fraction mapping: surface, shell or a subset of NCs)"
        )
        notes.append(
            f"mass balance broken at {bad.size} point(s): at {t[k]:.4g} ions per NC the {what} is "
            f"{g[k]:.3g}, but {t[k]:.4g} ions can exchange at most {cap[k]:.3g} of NCs holding "
            f"{n_host:.4g} host cations ({m} ions per host cation; bound {_rule(observable)}); {causes}"
        )
    if over_one.any():
        k = int(np.flatnonzero(over_one)[np.argmax(excess[over_one])])
        notes.append(
            f"the {what} reaches {g[k]:.3g} at {t[k]:.4g} ions per NC, above 1: a normalisation or noise issue "
            "(the ions added could exchange every host cation there)"
        )
    if at_zero.any():
        notes.append(
            f"the {what} is {g[int(np.flatnonzero(at_zero)[0])]:.3g} before any ions are added: a baseline or "
            "normalisation offset, not exchange"
        )
    if slope_pairs:
        i, j = slope_pairs[0]
        notes.append(
            f"mass balance broken by the slope: between {t[i]:.4g} and {t[j]:.4g} ions per NC the {what} "
            f"rises by {g[j] - g[i]:.3g}, which needs {(g[j] - g[i]) * capacity:.4g} ions, but only "
            f"{t[j] - t[i]:.4g} were added"
        )
    if bad.size:  # the held-ions bound presumes the level bound holds
        held[:] = 0.0
    if held.max(initial=0.0) > 0:
        k = int(np.argmax(held))
        notes.append(
            f"before {t[k]:.4g} ions per NC the NCs not yet fully exchanged must already hold at least "
            f"{held[k]:.4g} ions each ({100 * held[k] / capacity:.0f}% of their capacity): the rise that "
            "follows is faster than the ions added, so the NCs pass through doped intermediates"
        )
    return Feasibility(
        host_cations_per_nc=float(n_host),
        ions_per_host=m,
        observable=observable,
        total_ions_per_nc=t,
        fraction=f,
        bound=bound,
        excess=excess,
        allowed_excess=allowed,
        violations=bad,
        slope_violations=tuple(slope_pairs),
        min_scale=min_scale,
        min_ions_held_unexchanged=held,
        notes=tuple(notes),
    )
