"""Long-time limits of the ensemble: exact for finite N (monodisperse), mean field for large N.

The stochastic kinetics of :mod:`cationx.ensemble.kernels` obey detailed balance, so a
closed sample (N NCs, fixed ions added, volume V) relaxes to the canonical ensemble::

    P(S) ~ Z_N(S) mu^{(m-1) h S} / (F! H!),   F = F_tot - m h S,  H = H_0 + h S,  mu = 1/(N_A V)

with ``Z_N(S)`` the N-fold convolution of the per-NC weights ``exp(g_i)`` (``g_i = sum_{j<=i}
ln K_j``, ``h`` host cations and ``m h`` ions per step).  Given S the NCs are exchangeable, so ``E[#NCs in state i | S] = N exp(g_i)
Z_{N-1}(S - i) / Z_N(S)``.  :func:`canonical_titration` evaluates this exactly (log-space
convolutions), which is the reference a long stochastic run must match *at the same N*.

The equilibrium engine (:func:`cationx.cooperative.solve_titration`) is the large-N limit
at fixed ``C = N/(N_A V)``: every NC sees the same mean free-ion and host concentrations.
For finite N the pool fluctuates (Var S ~ N), and the canonical averages differ from the
engine by O(1/N) (e.g. 0.003 in fraction exchanged at N = 50, 0.0007 at N = 200, for White et al.'s
parameters near the midpoint, see tests/ensemble/test_canonical.py); compare with the
engine at an N where that difference is below the statistical error, or with this
function at any N.

:func:`mean_field_titration` is the large-N limit of a *polydisperse* sample: one common
``x = c^m/d`` for all sizes, solved from the pooled mass balance in ``u = h ln x`` (Newton steps
on ``ln T`` inside a bracket), with every class's weights in log space.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaln, logsumexp

from cationx._validation import as_1d_array, check_int, check_nonnegative, check_positive
from cationx.cooperative.models import SequentialModel
from cationx.errors import InputError

__all__ = ["LimitState", "canonical_titration", "mean_field_titration"]

MAX_CANONICAL_STATES = 2_000_000


@dataclass(frozen=True, slots=True)
class LimitState:
    """Long-time averages at each total (ions added per NC): fractions, free ions, steps."""

    kind: str
    total_ions_per_nc: np.ndarray
    fraction_host: np.ndarray
    fraction_doped: np.ndarray
    fraction_exchanged: np.ndarray
    free_ions_per_nc: np.ndarray
    mean_steps: np.ndarray

    COLUMNS = ("total_ions_per_nc", "fraction_host", "fraction_doped", "fraction_exchanged", "free_ions_per_nc", "mean_steps")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({c: getattr(self, c) for c in self.COLUMNS})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        out.update({c: getattr(self, c) for c in self.COLUMNS})
        return out


def _log_partition(g: np.ndarray, n_ncs: int) -> list[np.ndarray]:
    """``[ln Z_0, ln Z_1, ..., ln Z_N]`` by repeated log-space convolution."""
    n = g.size - 1
    out = [np.zeros(1)]
    lz = np.zeros(1)
    for _ in range(n_ncs):
        new = np.full((n + 1, lz.size + n), -np.inf)
        for i in range(n + 1):
            new[i, i : i + lz.size] = lz + g[i]
        lz = logsumexp(new, axis=0)
        out.append(lz)
    return out


def canonical_titration(
    model: SequentialModel,
    n_ncs: int,
    total_ions_per_nc: Any,
    *,
    nc_conc_molar: float = 1.0,
    host_initial_molar: float = 0.0,
) -> LimitState:
    """Exact stationary averages of N identical NCs in a closed volume (see module doc).

    Totals are rounded to whole ions (``round(total N)``) as in the simulation, and the
    initial host to whole ions (``round(host_initial_molar N / C)``).  Cost O(N^2 n^2).
    """
    n_nc = check_int(n_ncs, "ncs", minimum=1)
    c_nc = check_positive(nc_conc_molar, "nc_conc_molar")
    h0_molar = check_nonnegative(host_initial_molar, "host_initial_molar")
    totals = as_1d_array(total_ions_per_nc, "total_ions_per_nc")
    if (totals < 0).any():
        raise InputError("total_ions_per_nc must be >= 0")
    n, hh = model.sites, model.host_per_site
    m = model.ions_per_site  # m h ions per step
    if n_nc * n_nc * (n + 1) > MAX_CANONICAL_STATES * 50:
        raise InputError(f"canonical_titration is exact and O(N^2 n^2): N = {n_nc} with n = {n} is too large")
    mpc = c_nc / n_nc
    h0 = round(h0_molar / mpc)
    g = model.cumulative_log_k()
    lz = _log_partition(g, n_nc)
    lz_n, lz_m1 = lz[n_nc], lz[n_nc - 1]
    s_all = np.arange(lz_n.size)
    out = {k: np.zeros(totals.size) for k in ("host", "exch", "free", "steps")}
    for k, tot in enumerate(totals):
        f_tot = round(tot * n_nc)
        s = s_all[m * s_all <= f_tot]
        f = f_tot - m * s
        logp = lz_n[s] + (m - hh) * s * math.log(mpc) - gammaln(f + 1) - gammaln(h0 + hh * s + 1)
        logp -= logsumexp(logp)
        p = np.exp(logp)
        # E[#host | S]/N = exp(g_0) Z_{N-1}(S) / Z_N(S); E[#exchanged | S]/N = exp(g_n) Z_{N-1}(S-n)/Z_N(S)
        host = np.zeros(s.size)
        ok = s < lz_m1.size
        host[ok] = np.exp(g[0] + lz_m1[s[ok]] - lz_n[s[ok]])
        exch = np.zeros(s.size)
        ok = (s >= n) & (s - n < lz_m1.size)
        exch[ok] = np.exp(g[n] + lz_m1[s[ok] - n] - lz_n[s[ok]])
        out["host"][k] = p @ host
        out["exch"][k] = p @ exch
        out["free"][k] = p @ f / n_nc
        out["steps"][k] = p @ s / n_nc
    if n == 1:
        doped = np.zeros(totals.size)
    else:
        doped = 1.0 - out["host"] - out["exch"]
    return LimitState("canonical", totals, out["host"], doped, out["exch"], out["free"], out["steps"])


def mean_field_titration(
    models: Any,
    weights: Any,
    total_ions_per_nc: Any,
    *,
    nc_conc_molar: float = 1.0,
    host_initial_molar: float = 0.0,
) -> LimitState:
    """Large-N equilibrium of a mixture of NC sizes sharing one pool.

    Parameters
    ----------
    models
        One :class:`~cationx.cooperative.models.SequentialModel` per size class (same ``m``).
    weights
        Number fraction of each class (normalised here).
    total_ions_per_nc
        Ions added per NC of the mixture, >= 0.
    """
    mods = list(models)
    w = as_1d_array(weights, "weights")
    if len(mods) != w.size or (w < 0).any() or w.sum() <= 0:
        raise InputError("weights must be >= 0, one per model, not all zero")
    w = w / w.sum()
    m, hh = mods[0].ions_per_host, mods[0].host_per_site
    if any(md.ions_per_host != m or md.host_per_site != hh for md in mods):
        raise InputError("all models must have the same ions_per_host and host_per_site")
    c_nc = check_positive(nc_conc_molar, "nc_conc_molar")
    d0 = check_nonnegative(host_initial_molar, "host_initial_molar")
    totals = as_1d_array(total_ions_per_nc, "total_ions_per_nc")
    if (totals < 0).any():
        raise InputError("total_ions_per_nc must be >= 0")
    mix = _Mixture(mods, w, c_nc, d0)
    pos = totals > 0
    u = np.full(totals.size, -np.inf)
    if pos.any():
        u[pos] = mix.solve(np.log(totals[pos]))
    st = mix.evaluate(np.where(pos, u, 0.0))
    host = np.where(pos, st["host"], 1.0)
    exch = np.where(pos, st["exch"], 0.0)
    steps = np.where(pos, st["s"], 0.0)
    free = np.where(pos, np.exp(st["log_c"]) / c_nc, 0.0)
    return LimitState("mean_field", totals, host, 1.0 - host - exch, exch, free, steps)


class _Mixture:
    """Pooled populations of size classes at ``u = h ln x`` (one common ``x = c^m/d``), in log space.

    Class ``j`` has state weights ``exp(g_i + i u)``; every class's moments are taken after
    subtracting its largest log-weight, so no ``u`` overflows.  ``T(u)`` (total ions per NC)
    rises monotonically with ``u``; :meth:`solve` finds ``ln T(u) = ln T_target`` by Newton
    steps on ``ln T`` inside a bracket (bisection when a step leaves it).
    """

    def __init__(self, models: list[SequentialModel], weights: np.ndarray, c_nc: float, d0: float):
        self.g = [md.cumulative_log_k() for md in models]
        self.idx = [np.arange(md.sites + 1, dtype=float) for md in models]
        self.w = weights
        self.m = models[0].ions_per_host
        self.h = models[0].host_per_site
        self.c_nc = c_nc
        self.log_d0 = math.log(d0) if d0 > 0 else -math.inf
        scale = max(float(np.max(np.abs(md.log_k))) for md in models)
        self.span = 200.0 * self.h + 2.0 * scale

    def evaluate(self, u: np.ndarray) -> dict[str, np.ndarray]:
        host = np.zeros(u.size)
        exch = np.zeros(u.size)
        s = np.zeros(u.size)
        var = np.zeros(u.size)
        for g, idx, wt in zip(self.g, self.idx, self.w, strict=True):
            lw = g[None, :] + np.multiply.outer(u, idx)
            lw -= lw.max(axis=1, keepdims=True)
            p = np.exp(lw)
            p /= p.sum(axis=1, keepdims=True)
            mean = p @ idx
            host += wt * p[:, 0]
            exch += wt * p[:, -1]
            s += wt * mean
            var += wt * np.maximum(p @ (idx * idx) - mean * mean, 0.0)
        h, m, c = self.h, self.m, self.c_nc
        with np.errstate(divide="ignore"):
            log_d = np.logaddexp(self.log_d0, np.log(c * h * s))
        log_c = (u / h + log_d) / m
        log_t = np.logaddexp(np.log(m * h) + np.log(np.maximum(s, 1e-300)), log_c - math.log(c))
        with np.errstate(over="ignore", invalid="ignore"):
            # d ln T / du = (C m h Var + c (1/h + C h Var / d) / m) / (C T)
            slope = (c * m * h * var + np.exp(log_c) * (1.0 / h + c * h * var * np.exp(-log_d)) / m) / (c * np.exp(log_t))
        return {"host": host, "exch": exch, "s": s, "log_c": log_c, "log_t": log_t, "slope": slope}

    def solve(self, log_target: np.ndarray) -> np.ndarray:
        lo = np.full(log_target.size, -self.span)
        hi = np.full(log_target.size, self.span)
        for _ in range(60):  # widen until the bracket holds every target
            bad_lo = self.evaluate(lo)["log_t"] > log_target
            bad_hi = self.evaluate(hi)["log_t"] < log_target
            if not (bad_lo.any() or bad_hi.any()):
                break
            lo = np.where(bad_lo, 2.0 * lo, lo)
            hi = np.where(bad_hi, 2.0 * hi, hi)
        else:
            raise InputError("mean_field_titration: a total is outside the range of the models")
        u = 0.5 * (lo + hi)
        for _ in range(200):
            st = self.evaluate(u)
            err = st["log_t"] - log_target
            below = err < 0
            lo = np.where(below, u, lo)
            hi = np.where(below, hi, u)
            done = (np.abs(err) < 1e-12) | (hi - lo < 1e-12 * np.maximum(1.0, np.abs(u)))
            if done.all():
                break
            with np.errstate(divide="ignore", invalid="ignore"):
                step = u - err / st["slope"]
            ok = np.isfinite(step) & (step > lo) & (step < hi)
            u = np.where(done, u, np.where(ok, step, 0.5 * (lo + hi)))
        return u
