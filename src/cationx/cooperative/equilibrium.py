"""Equilibrium of a sequential exchange model in an NC solution: populations and mass balance.

Two entry points:

:func:`sweep_kappa`
    The paper's parametric route (White et al. 2013, Methods): pick values of the
    dimensionless ``kappa = K_1 c^m / d`` and compute everything else from them.
:func:`solve_titration`
    What an experiment controls: the *total* incoming ions added (per NC, or molar with
    an NC concentration).  The free-ion concentration is found by a bracketed,
    safeguarded Newton root in log-space (see below), then every population, fraction
    and balance follows.

Mass balance (molar; ``C`` = NC concentration, ``d0`` = free host cation before any
addition, ``s`` = mean number of completed steps per NC, ``m`` = ions per host cation,
``h`` = host cations per step)::

    bound ions   b = C m h s
    free host    d = d0 + C h s              (h host cations released per step)
    free ions    c = (x d)^(1/m),  x = c^m/d,  x^h = kappa / K_1
    total ions   T = b + c

``T`` rises monotonically with ``u = h ln x`` (``ds/du = Var(i) >= 0``), so the root
``ln T(u) = ln T_target`` is unique.  cationx solves it in ``u`` (a monotone
re-parametrisation of ``ln c`` at fixed mass balance), with a bracket from a grid of
``ln T(u)`` and Newton steps using the analytic derivative
``dT/du = C m h Var + c (1/h + C h Var / d)/m``, falling back to bisection whenever a step
leaves the bracket.  The engine never lets the exchanged material exceed what the bound
ions can make: ``s h <= T/m`` per NC (the feasibility bound of
:mod:`cationx.cooperative.feasibility`) holds by construction.  All sums are log-sum-exp sums, so ``n`` = 10,000 steps and
``alpha`` = 1e6 neither overflow nor underflow.  "Per-NC units" (``C = 1``, the default)
reproduce the paper, which mixes per-NC numbers and molar constants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from cationx._validation import (
    as_1d_array,
    check_choice,
    check_int,
    check_nonnegative,
    check_positive,
)
from cationx.cooperative.models import SequentialModel
from cationx.errors import InputError, ModelError

__all__ = [
    "OBSERVABLES",
    "ExchangeState",
    "default_totals",
    "first_crossing",
    "simulate",
    "solve_titration",
    "sweep_kappa",
    "total_at_fraction_exchanged",
]

# fractions a titration can measure: fully exchanged NCs (ML_n), their complement (pure + doped
# host), pristine NCs only (ML_0), product material (mean steps / n) and its complement
OBSERVABLES = ("exchanged", "unexchanged", "host", "product", "host-material")

_CHUNK_ELEMENTS = 4_000_000  # points x (n+1) evaluated at once: bounds memory to ~100 MB
_LOG_TOL = 1e-12  # |ln T - ln T_target| at convergence: relative error of the total
_TABLE_STEP = 0.01  # ln T span of a table cell: the Hermite guess is then good to ~1e-8
_LOG_FLOOR = -700.0  # relative log-weights below this are treated as exactly zero
_EXP_FLOOR = math.exp(_LOG_FLOOR)  # |ln T - ln T_target| at convergence


@dataclass(frozen=True, slots=True)
class ExchangeState:
    """Equilibrium of an NC solution at a series of points (one entry per point).

    Per-NC quantities are per nanocrystal; molar ones are concentrations in M.
    ``fraction_host`` is the pure host (no step taken), ``fraction_doped`` has taken
    1..n-1 steps, ``fraction_exchanged`` all n; they sum to 1.  ``product_fraction`` is
    the product *material* (mean exchanged steps / n: what A(1.82 eV) measures), which
    equals ``fraction_exchanged`` only for two-state NCs.  ``populations[k, i]`` is the
    fraction of NCs in state ML_i at point k.  ``log_x`` is ``ln(c^m/d)``.
    """

    model: SequentialModel
    nc_conc_molar: float
    host_initial_molar: float
    log_x: np.ndarray
    kappa: np.ndarray
    total_ions_per_nc: np.ndarray
    free_ions_per_nc: np.ndarray
    bound_ions_per_nc: np.ndarray
    released_host_per_nc: np.ndarray
    free_ion_molar: np.ndarray
    free_host_molar: np.ndarray
    fraction_host: np.ndarray
    fraction_doped: np.ndarray
    fraction_exchanged: np.ndarray
    dopants_per_nc: np.ndarray
    bound_fraction: np.ndarray
    populations: np.ndarray

    @property
    def fraction_unexchanged(self) -> np.ndarray:
        """Pure plus doped host (the paper's "CdSe state", ``1 - ML_n/M_T``)."""
        return self.fraction_host + self.fraction_doped

    @property
    def mean_steps(self) -> np.ndarray:
        """Mean number of completed steps per NC."""
        return self.released_host_per_nc / self.model.host_per_site

    @property
    def product_fraction(self) -> np.ndarray:
        """Product material: host cations replaced / host cations (mean steps / n)."""
        return self.released_host_per_nc / self.model.host_cations

    @property
    def feasibility_bound(self) -> np.ndarray:
        """Largest exchanged fraction the ions added allow, ``min(1, T/(m N))``."""
        return np.minimum(1.0, self.total_ions_per_nc / (self.model.ions_per_host * self.model.host_cations))

    @property
    def max_doped_fraction(self) -> float:
        """Largest fraction of partly exchanged NCs over the points (0 for two-state NCs)."""
        return float(self.fraction_doped.max()) if self.fraction_doped.size else 0.0

    def observable(self, name: str) -> np.ndarray:
        """A fraction by name (see :data:`OBSERVABLES`)."""
        check_choice(name, "observable", OBSERVABLES)
        if name == "exchanged":
            return self.fraction_exchanged
        if name == "unexchanged":
            return self.fraction_unexchanged
        if name == "host":
            return self.fraction_host
        if name == "product":
            return self.product_fraction
        return 1.0 - self.product_fraction

    COLUMNS = (
        "total_ions_per_nc",
        "free_ions_per_nc",
        "bound_ions_per_nc",
        "released_host_per_nc",
        "free_ion_molar",
        "free_host_molar",
        "kappa",
        "fraction_host",
        "fraction_doped",
        "fraction_exchanged",
        "fraction_unexchanged",
        "product_fraction",
        "dopants_per_nc",
        "bound_fraction",
    )

    def to_frame(self) -> pd.DataFrame:
        """One row per point with every scalar column (populations: :meth:`populations_frame`)."""
        return pd.DataFrame({name: getattr(self, name) for name in self.COLUMNS})

    def populations_frame(self) -> pd.DataFrame:
        """Population of every ML_i (columns ``ML_0`` .. ``ML_n``), one row per point."""
        cols = [f"ML_{i}" for i in range(self.model.sites + 1)]
        frame = pd.DataFrame(self.populations, columns=cols)
        frame.insert(0, "total_ions_per_nc", self.total_ions_per_nc)
        return frame

    def to_dict(self, *, populations: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model.to_dict(),
            "nc_conc_molar": self.nc_conc_molar,
            "host_initial_molar": self.host_initial_molar,
        }
        for name in self.COLUMNS:
            out[name] = getattr(self, name)
        if populations:
            out["populations"] = self.populations
        return out


# --------------------------------------------------------------------------------------
# core evaluation
# --------------------------------------------------------------------------------------


class _Balance:
    """Log-space evaluation of populations and the mass balance for one model.

    The log-weights ``g_i + i u - max_j(g_j + j u)`` of a block of points are built by one
    matrix product ``[u, 1, -lmax] @ [i; g; 1]``, exponentiated in place, and reduced to
    the moments by a second product, so a block costs three passes over memory.  The
    maximum ``max_j(g_j + j u)`` comes from the upper concave hull of the points
    ``(j, g_j)`` (a Legendre transform), found once per model.
    """

    def __init__(
        self,
        model: SequentialModel,
        nc_conc_molar: float,
        host_initial_molar: float,
        u_shift: float = 0.0,
        hull: tuple[np.ndarray, np.ndarray] | None = None,
    ):
        self.model = model
        self.n = model.sites
        self.m = model.ions_per_host
        self.h = model.host_per_site
        self.idx = np.arange(self.n + 1, dtype=float)
        # g_i + i*u_shift, rounded once: evaluating at u_shift + delta then resolves delta to
        # full relative precision (a steep transition needs finer steps than ulp(u)).
        self.u_shift = u_shift
        self.g = model.cumulative_log_k() + self.idx * u_shift
        self.log_idx = np.log(self.idx[1:])
        self.c_nc = nc_conc_molar
        self.host_initial_molar = host_initial_molar
        self.log_c_nc = math.log(nc_conc_molar)
        self.log_d0 = math.log(host_initial_molar) if host_initial_molar > 0 else -math.inf
        self.log_ch = math.log(nc_conc_molar * self.h)
        self.log_cm = math.log(nc_conc_molar * self.m * self.h)
        self.chunk = max(1, _CHUNK_ELEMENTS // (self.n + 1))
        self.rows = np.vstack([self.idx, self.g, np.ones(self.n + 1)])
        self.moment_cols = np.column_stack([np.ones(self.n + 1), self.idx, self.idx**2])
        if hull is None:
            self._hull()
        else:  # adding i*u_shift to g_i keeps the hull's vertices and moves its breakpoints
            self.hull_idx, breaks = hull
            self.hull_breaks = breaks - u_shift

    def shifted(self, u_shift: float) -> _Balance:
        """The same balance evaluated at ``u = u_shift + delta`` (pass ``delta``)."""
        return _Balance(
            self.model,
            self.c_nc,
            self.host_initial_molar,
            self.u_shift + u_shift,
            hull=(self.hull_idx, self.hull_breaks + self.u_shift),
        )

    def _hull(self) -> None:
        """Vertices of the upper concave hull of (i, g_i) and the u-breakpoints between them."""
        g_arr = self.g
        d2 = np.diff(g_arr, 2)
        if d2.size == 0 or bool(np.all(d2 < 0)):  # strictly concave (most presets): every point
            v = np.arange(self.n + 1)
            self.hull_idx = v
            self.hull_breaks = -np.diff(g_arr)
            return
        g = g_arr.tolist()  # plain floats: the scan below is a Python loop
        verts: list[int] = []
        for i in range(self.n + 1):
            while len(verts) >= 2:
                a, b = verts[-2], verts[-1]
                # drop b if it lies on or below the chord from a to i
                if (g[b] - g[a]) * (i - a) <= (g[i] - g[a]) * (b - a):
                    verts.pop()
                else:
                    break
            verts.append(i)
        v = np.array(verts)
        self.hull_idx = v
        slopes = np.diff(g_arr[v]) / np.diff(v)
        self.hull_breaks = -slopes  # increasing

    def log_max_weight(self, u: np.ndarray) -> np.ndarray:
        j = self.hull_idx[np.searchsorted(self.hull_breaks, u)]
        return self.g[j] + j * u

    def evaluate(self, u: np.ndarray, *, full: bool = False) -> dict[str, np.ndarray]:
        """Stats at ``u = ln x`` (1-D); ``full`` adds populations."""
        if u.size <= self.chunk:
            return self._evaluate_chunk(u, full)
        parts: list[dict[str, np.ndarray]] = []
        for start in range(0, u.size, self.chunk):
            parts.append(self._evaluate_chunk(u[start : start + self.chunk], full))
        if not parts:
            return {}
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def _evaluate_chunk(self, u: np.ndarray, full: bool) -> dict[str, np.ndarray]:
        lmax = self.log_max_weight(u)
        coef = np.column_stack([u, np.ones_like(u), -lmax])
        w = coef @ self.rows
        # exp() of arguments below ~ -708 takes a slow denormal path (10x slower); weights
        # under e^-700 relative to the largest are far below double precision anyway.
        np.maximum(w, _LOG_FLOOR, out=w)
        np.exp(w, out=w)
        mom = w @ self.moment_cols
        z = mom[:, 0]
        s = mom[:, 1] / z
        var = np.maximum(mom[:, 2] / z - s * s, 0.0)
        log_z = lmax + np.log(z)
        with np.errstate(divide="ignore"):
            log_s = np.log(s)
        tiny = s < 1e-250
        if tiny.any():
            lw = np.multiply.outer(u[tiny], self.idx[1:]) + self.g[1:] + self.log_idx
            log_s[tiny] = logsumexp(lw, axis=1) - log_z[tiny]
        log_d = np.logaddexp(self.log_d0, self.log_ch + log_s)
        log_c = ((self.u_shift + u) / self.h + log_d) / self.m
        log_t = np.logaddexp(self.log_cm + log_s, log_c)
        out = {"log_t": log_t, "log_s": log_s, "log_d": log_d, "log_c": log_c, "var": var, "s": s}
        if full:
            w[w <= _EXP_FLOOR] = 0.0
            w /= z[:, None]
            out["p"] = w
        return out

    def log_slope(self, st: dict[str, np.ndarray]) -> np.ndarray:
        """``d ln T / du`` from evaluated stats (non-finite where it cannot be formed)."""
        c_nc, m, h = self.c_nc, self.m, self.h
        with np.errstate(all="ignore"):
            var = st["var"]
            log_t = st["log_t"]
            bound_term = c_nc * m * h * var * np.exp(-log_t)
            c_over_t = np.exp(st["log_c"] - log_t)
            ratio = np.where(var > 0, c_nc * h * var * np.exp(-st["log_d"]), 0.0)
            return bound_term + c_over_t * (1.0 / h + ratio) / m

    def initial_range(self) -> tuple[float, float]:
        i = self.idx[1:]
        lo = -float(np.max(self.g[1:] / i)) - 40.0
        hi_terms = (self.g[-1] - self.g[:-1]) / (self.n - self.idx[:-1])
        hi = float(np.max(hi_terms)) + 40.0
        return lo, max(hi, lo + 1.0)


def _check_conditions(nc_conc_molar: Any, host_initial_molar: Any) -> tuple[float, float]:
    return (
        check_positive(nc_conc_molar, "nc_conc_molar"),
        check_nonnegative(host_initial_molar, "host_initial_molar"),
    )


def _state(
    bal: _Balance,
    u: np.ndarray,
    nc_conc_molar: float,
    host_initial_molar: float,
    populations: np.ndarray | None = None,
) -> ExchangeState:
    model = bal.model
    n, m, h = bal.n, bal.m, bal.h
    k = u.size
    finite = np.isfinite(u)
    if populations is None:
        pops = np.zeros((k, n + 1))
        pops[~finite, 0] = 1.0
        if finite.any():
            pops[finite] = bal.evaluate(u[finite], full=True)["p"]
    else:
        pops = populations
    # every balance quantity follows from the populations (so the balance closes exactly)
    s = pops @ bal.idx
    d = np.exp(bal.log_d0) + nc_conc_molar * h * s
    with np.errstate(divide="ignore"):
        log_c = np.where(finite, (np.where(finite, u, 0.0) / h + np.log(d)) / m, -math.inf)
    c = np.exp(log_c)
    frac_host = pops[:, 0].copy()
    frac_exch = pops[:, n].copy() if n > 0 else np.zeros(k)
    if n >= 2:
        frac_doped = pops[:, 1:n].sum(axis=1)
        dopant_steps = pops[:, 1:n] @ bal.idx[1:n]
    else:
        frac_doped = np.zeros(k)
        dopant_steps = np.zeros(k)
    bound = m * h * s
    free_per_nc = c / nc_conc_molar
    total = bound + free_per_nc
    with np.errstate(invalid="ignore", divide="ignore"):
        bound_fraction = np.where(total > 0, bound / total, 0.0)
    with np.errstate(over="ignore"):  # kappa = K1 x^h is informational: inf when it overflows
        kappa = np.where(finite, np.exp(np.where(finite, u, 0.0) + model.log_k1), 0.0)
    pops.setflags(write=False)
    return ExchangeState(
        model=model,
        nc_conc_molar=nc_conc_molar,
        host_initial_molar=host_initial_molar,
        log_x=u / h,
        kappa=kappa,
        total_ions_per_nc=total,
        free_ions_per_nc=free_per_nc,
        bound_ions_per_nc=bound,
        released_host_per_nc=h * s,
        free_ion_molar=c,
        free_host_molar=d,
        fraction_host=frac_host,
        fraction_doped=frac_doped,
        fraction_exchanged=frac_exch,
        dopants_per_nc=m * h * dopant_steps,
        bound_fraction=bound_fraction,
        populations=pops,
    )


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------


def sweep_kappa(
    model: SequentialModel,
    kappa: Any,
    *,
    nc_conc_molar: float = 1.0,
    host_initial_molar: float = 0.0,
) -> ExchangeState:
    """Equilibrium at given values of ``kappa = K_1 c^m / d`` (the paper's parametric sweep).

    ``kappa = 0`` gives the untouched solution.  Negative or non-finite values are errors.
    """
    c_nc, d0 = _check_conditions(nc_conc_molar, host_initial_molar)
    kap = as_1d_array(kappa, "kappa")
    if (kap < 0).any():
        i = int(np.flatnonzero(kap < 0)[0])
        raise InputError(f"kappa must be >= 0; value {kap[i].item()!r} at index {i}")
    with np.errstate(divide="ignore"):
        u = np.log(kap) - model.log_k1
    return _state(_Balance(model, c_nc, d0), u, c_nc, d0)


def _widen(lo: float, hi: float, low_ok: Any, high_ok: Any, what: str) -> tuple[float, float]:
    """Widen ``[lo, hi]`` (doubling steps) until ``low_ok(lo)`` and ``high_ok(hi)`` hold."""
    width = hi - lo
    for _ in range(60):
        if low_ok(lo):
            break
        lo -= width
        width *= 2
    else:
        raise ModelError(f"could not bracket {what} from below: it is outside floating-point range")
    width = hi - lo
    for _ in range(60):
        if high_ok(hi):
            break
        hi += width
        width *= 2
    else:
        raise ModelError(f"could not bracket {what} from above: it is outside floating-point range")
    return lo, hi


def _bracket(bal: _Balance, t_min: float, t_max: float) -> tuple[float, float]:
    """Widen the model's natural u-range until ln T spans [t_min, t_max]."""
    lo, hi = bal.initial_range()

    def log_t(u: float) -> float:
        return float(bal.evaluate(np.array([u]))["log_t"][0])

    return _widen(lo, hi, lambda u: log_t(u) < t_min, lambda u: log_t(u) > t_max, "the totals")


def _inverse_table(
    bal: _Balance, log_target: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes ``u_j`` with ``ln T(u_j)`` and slopes, refined until every cell that holds a
    target spans at most _TABLE_STEP in ``ln T`` (or is as narrow as float resolution allows)."""
    lo, hi = _bracket(bal, float(log_target.min()), float(log_target.max()))
    u = np.linspace(lo, hi, 129)
    st = bal.evaluate(u)
    lt = st["log_t"]
    sl = bal.log_slope(st)
    for _ in range(80):
        lt_mono = np.maximum.accumulate(lt)
        cells = np.unique(np.clip(np.searchsorted(lt_mono, log_target) - 1, 0, u.size - 2))
        du = u[cells + 1] - u[cells]
        wide = (lt_mono[cells + 1] - lt_mono[cells] > _TABLE_STEP) & (
            du > 64 * np.finfo(float).eps * np.maximum(1.0, np.abs(u[cells]))
        )
        if not wide.any():
            break
        mids = 0.5 * (u[cells[wide]] + u[cells[wide] + 1])
        st = bal.evaluate(mids)
        order = np.argsort(np.concatenate([u, mids]), kind="stable")
        u = np.concatenate([u, mids])[order]
        lt = np.concatenate([lt, st["log_t"]])[order]
        sl = np.concatenate([sl, bal.log_slope(st)])[order]
    return u, np.maximum.accumulate(lt), sl


def _solve_u(bal: _Balance, log_target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``ln T(u) = log_target`` for every target (vectorised, bracketed).

    Returns ``u`` and the populations there.  An adaptively refined table of ``ln T(u)``
    and its slope gives each target a bracket and a cubic-Hermite first guess of the
    inverse function; safeguarded Newton steps finish it (bisection when a step leaves
    the bracket, or every third step if the bracket is not shrinking).  Converged means
    ``|ln T - ln T_target| <= 1e-12 max(1, |ln T_target|)``, or a bracket a few ulp wide:
    the float resolution of ``u``, reached only for transitions so steep (the ``ladder``
    preset with n ~ 1e3-1e4) that adjacent doubles of ``u`` differ in ``T`` by ~1e-9.
    """
    grid, lt, sl = _inverse_table(bal, log_target)
    j = np.clip(np.searchsorted(lt, log_target) - 1, 0, grid.size - 2)
    a = grid[j].copy()
    b = grid[j + 1].copy()
    ta, tb = lt[j], lt[j + 1]
    h = tb - ta
    ok = h > 0
    with np.errstate(all="ignore"):
        t = np.where(ok, (log_target - ta) / h, 0.5)
        ua, ub = grid[j], grid[j + 1]
        da, db = h / sl[j], h / sl[j + 1]
        hermite = (
            (2 * t**3 - 3 * t**2 + 1) * ua
            + (t**3 - 2 * t**2 + t) * da
            + (-2 * t**3 + 3 * t**2) * ub
            + (t**3 - t**2) * db
        )
        linear = ua + t * (ub - ua)
    good = ok & np.isfinite(hermite) & (hermite > a) & (hermite < b)
    u = np.where(good, hermite, np.clip(linear, a, b))

    # Newton in delta = u - u_ref (see _Balance): brackets widened by far more than the
    # rounding of the shifted constants can move a root.
    u_ref = float(np.median(u))
    bal = bal.shifted(u_ref)
    margin = 1e-9 * max(1.0, abs(u_ref))
    a = a - u_ref - margin
    b = b - u_ref + margin
    u = u - u_ref

    pops = np.empty((log_target.size, bal.n + 1))
    active = np.arange(u.size)
    tol = _LOG_TOL * np.maximum(1.0, np.abs(log_target))
    for it in range(400):
        st = bal.evaluate(u[active], full=True)
        f = st["log_t"] - log_target[active]
        done = np.abs(f) <= tol[active]
        neg = f < 0
        a[active[neg]] = u[active[neg]]
        b[active[~neg]] = u[active[~neg]]
        fp = bal.log_slope(st)
        ua, ub = a[active], b[active]
        mid = 0.5 * (ua + ub)
        with np.errstate(all="ignore"):
            step = u[active] - f / fp
        bad = ~np.isfinite(step) | (step <= ua) | (step >= ub) | (it % 3 == 2 and it > 6)
        step = np.where(bad, mid, step)
        collapsed = (step <= ua) | (step >= ub) | (step == u[active])
        finished = done | collapsed
        pops[active[finished]] = st["p"][finished]
        u[active[~finished]] = step[~finished]
        active = active[~finished]
        if active.size == 0:
            return u + u_ref, pops
    raise ModelError(f"mass balance did not converge for {active.size} point(s)")  # pragma: no cover


def solve_titration(
    model: SequentialModel,
    total_ions_per_nc: Any = None,
    *,
    total_ions_molar: Any = None,
    nc_conc_molar: float = 1.0,
    host_initial_molar: float = 0.0,
) -> ExchangeState:
    """Equilibrium at each total amount of incoming ions added.

    Parameters
    ----------
    model
        A :class:`~cationx.cooperative.models.SequentialModel`.
    total_ions_per_nc
        Total incoming ions added per NC, shape (P,), >= 0.  Give this *or*
        ``total_ions_molar``.
    total_ions_molar
        Total incoming ion concentration in M (converted with ``nc_conc_molar``).
    nc_conc_molar
        NC concentration in M (default 1: "per-NC units", as in White et al. 2013).
    host_initial_molar
        Free host cation (e.g. Cd2+) present before any addition, M.

    Returns
    -------
    ExchangeState
        ``total_ions_per_nc`` equals the input to ~1e-12 relative (mass balance closes).
    """
    c_nc, d0 = _check_conditions(nc_conc_molar, host_initial_molar)
    if (total_ions_per_nc is None) == (total_ions_molar is None):
        raise InputError("give exactly one of total_ions_per_nc and total_ions_molar")
    if total_ions_per_nc is not None:
        totals = as_1d_array(total_ions_per_nc, "total_ions_per_nc")
        name = "total_ions_per_nc"
    else:
        totals = as_1d_array(total_ions_molar, "total_ions_molar") / c_nc
        name = "total_ions_molar"
    if (totals < 0).any():
        i = int(np.flatnonzero(totals < 0)[0])
        raise InputError(f"{name} must be >= 0; value {totals[i].item()!r} at index {i}")
    bal = _Balance(model, c_nc, d0)
    u = np.full(totals.size, -math.inf)
    pops = np.zeros((totals.size, model.sites + 1))
    pops[:, 0] = 1.0
    pos = totals > 0
    if pos.any():
        u[pos], pops[pos] = _solve_u(bal, np.log(totals[pos] * c_nc))
    return _state(bal, u, c_nc, d0, pops)


def total_at_fraction_exchanged(
    model: SequentialModel,
    fraction: float = 0.5,
    *,
    nc_conc_molar: float = 1.0,
    host_initial_molar: float = 0.0,
) -> float:
    """Total ions per NC at which the fully exchanged fraction equals ``fraction`` (0 < f < 1).

    ``ML_n/M_T`` rises monotonically with ``u`` (its log-derivative is ``n - s >= 0``), so
    the root in ``u`` is bracketed and unique.
    """
    from scipy.optimize import brentq

    f = float(fraction)
    if not 0.0 < f < 1.0:
        raise InputError(f"fraction must lie in (0, 1), got {fraction!r}")
    c_nc, d0 = _check_conditions(nc_conc_molar, host_initial_molar)
    bal = _Balance(model, c_nc, d0)
    n = bal.n
    log_f = math.log(f)

    def g(uu: float) -> float:
        lw = bal.g + uu * bal.idx
        return float(lw[n] - logsumexp(lw) - log_f)

    lo, hi = _widen(*bal.initial_range(), lambda u: g(u) <= 0, lambda u: g(u) >= 0, f"fraction {f}")
    u_star = brentq(g, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)
    st = bal.evaluate(np.array([u_star]))
    return float(np.exp(st["log_t"][0]) / c_nc)


def first_crossing(x: Any, y: Any, level: float = 0.5) -> float | None:
    """First ``x`` where a sampled curve ``y(x)`` reaches ``level`` (linear interpolation
    between the two samples around it); None if it never does or starts there already.

    The half-exchange point of a computed titration (``level = 0.5`` of a fraction), where the
    closed-form inverse :func:`total_at_fraction_exchanged` does not apply (other observables,
    fitted curves).
    """
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    above = np.flatnonzero(ya >= level)
    if above.size == 0 or above[0] == 0:
        return None
    i = int(above[0])
    x0, x1, y0, y1 = xa[i - 1], xa[i], ya[i - 1], ya[i]
    return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0)) if y1 != y0 else float(x1)


def default_totals(
    model: SequentialModel,
    points: int = 200,
    *,
    nc_conc_molar: float = 1.0,
    host_initial_molar: float = 0.0,
    end_fraction: float = 0.99,
) -> np.ndarray:
    """``points`` evenly spaced totals from 0 to 5 % past where ``fraction_exchanged = end_fraction``."""
    points = check_int(points, "points", minimum=2, maximum=1_000_000)
    t_end = total_at_fraction_exchanged(
        model, end_fraction, nc_conc_molar=nc_conc_molar, host_initial_molar=host_initial_molar
    )
    return np.linspace(0.0, 1.05 * t_end, points)


def simulate(
    model: SequentialModel,
    points: int = 200,
    *,
    nc_conc_molar: float = 1.0,
    host_initial_molar: float = 0.0,
) -> ExchangeState:
    """A titration from zero to past full exchange (fraction exchanged >= 0.99)."""
    totals = default_totals(
        model, points, nc_conc_molar=nc_conc_molar, host_initial_molar=host_initial_molar
    )
    return solve_titration(
        model, totals, nc_conc_molar=nc_conc_molar, host_initial_molar=host_initial_molar
    )
