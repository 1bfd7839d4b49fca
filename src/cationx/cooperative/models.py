"""Sequential cation-exchange models: one general engine, four presets.

A nanocrystal (NC) has ``n`` exchange steps ("sites").  Step ``i`` (1..n) takes
``m = ions_per_site`` incoming ions and releases one host cation (White et al. 2013,
Nat. Commun. 4, 2933, Methods "Theoretical model")::

    ML_{i-1} + m M+  <=>  ML_i + Cd2+          K_i
    ML_i = K_i ML_{i-1} x,        x = c^m / d

with ``c`` the free incoming ion and ``d`` the free host cation (molar).  Every model is
fully described by its per-step natural-log constants ``ln K_i``: the population of
ML_i is proportional to ``exp(g_i + i ln x)`` with ``g_i = sum_{j<=i} ln K_j``, which
cationx evaluates in log-space, so ``n`` = 10,000 steps and ``alpha`` = 1e6 neither
overflow nor lose the small populations.

Presets (all return a :class:`SequentialModel`; ``k1`` is always the first *stepwise*
constant K_1, in M^(1-m), so ``kappa = K_1 c^m / d`` is the paper's dimensionless
variable):

``white2013``
    The closed form the paper prints, ``ML_i = (M/alpha) (kappa alpha)^i``: K_1 for the
    first step and ``alpha K_1`` for every later one (a nucleation model).  This is what
    the paper's fractions and its Fig. 2b use.
``ladder``
    The linear free-energy ladder the paper states in words, ``K_i = K_1 alpha^(i-1)``
    (``K_i/K_{i-1} = alpha = exp(-dg/kT)``).  It disagrees with the printed closed form
    for n > 2; with alpha ~ 55 and n = 20 it has essentially no doped intermediates.
``independent``
    ``n`` identical independent sites: ``K_i = k (n-i+1)/i`` with the intrinsic site
    constant ``k = K_1/n``, so the populations are binomial.  This is the true
    non-cooperative reference; note that *equal* stepwise constants are already
    cooperative relative to it.
``mwc``
    Monod-Wyman-Changeux two-state concerted model: every NC is in a T (low-affinity)
    or R (high-affinity) state with ``[T_0]/[R_0] = L``; within a state the ``n`` sites
    are independent with intrinsic constants ``k_T`` and ``k_R = alpha k_T``.  The
    ML_i weight is ``C(n,i) (L k_T^i + k_R^i) / (L + 1)``.  Here ``k1`` is ``k_T`` (the
    stepwise K_1 is then ``n (L k_T + k_R)/(L + 1)``) and ``L`` defaults to
    ``alpha^(n/2)``, the symmetric choice that switches T to R half-way (in log x)
    between the two intrinsic affinities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import gammaln

from cationx._validation import as_1d_array, check_choice, check_int, check_positive
from cationx.errors import InputError

__all__ = [
    "PRESETS",
    "SequentialModel",
    "from_log_constants",
    "independent",
    "ladder",
    "make_model",
    "mwc",
    "white2013",
]

PRESETS = ("white2013", "ladder", "independent", "mwc")

MAX_SITES = 100_000


@dataclass(frozen=True, slots=True)
class SequentialModel:
    """A sequential exchange model given by its per-step natural-log constants.

    Attributes
    ----------
    log_k
        ``ln K_i`` for steps i = 1..n, shape (n,); K_i in M^(1-m).
    ions_per_site
        Incoming ions taken per step (``m``; 2 for Cu+ or Ag+ replacing Cd2+).
    name
        Preset name or ``"custom"``.
    parameters
        The preset's parameters (for reports and fits).
    """

    log_k: np.ndarray
    ions_per_site: int = 2
    name: str = "custom"
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def sites(self) -> int:
        """Number of exchange steps ``n``."""
        return int(self.log_k.size)

    @property
    def log_k1(self) -> float:
        """``ln K_1`` (the first stepwise constant, defines kappa)."""
        return float(self.log_k[0])

    def cumulative_log_k(self) -> np.ndarray:
        """``g_i = sum_{j<=i} ln K_j`` for i = 0..n (``g_0 = 0``), shape (n+1,)."""
        g = np.empty(self.sites + 1)
        g[0] = 0.0
        np.cumsum(self.log_k, out=g[1:])
        return g

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sites": self.sites,
            "ions_per_site": self.ions_per_site,
            "parameters": dict(self.parameters),
        }


def _sites(sites: Any) -> int:
    return check_int(sites, "sites", minimum=1, maximum=MAX_SITES)


def _ions(ions_per_site: Any) -> int:
    return check_int(ions_per_site, "ions_per_site", minimum=1, maximum=8)


def from_log_constants(log_k: Any, *, ions_per_site: int = 2, name: str = "custom") -> SequentialModel:
    """A model from arbitrary per-step natural-log constants ``ln K_i`` (i = 1..n)."""
    arr = as_1d_array(log_k, "log_k")
    if arr.size > MAX_SITES:
        raise InputError(f"sites must be an integer <= {MAX_SITES}, got {arr.size}")
    arr.setflags(write=False)
    return SequentialModel(arr, _ions(ions_per_site), name, {"sites": int(arr.size)})


def white2013(sites: int, k1: float, alpha: float, *, ions_per_site: int = 2) -> SequentialModel:
    """The paper's printed closed form: K_1, then ``alpha K_1`` for steps 2..n."""
    n = _sites(sites)
    lk1 = math.log(check_positive(k1, "k1"))
    la = math.log(check_positive(alpha, "alpha"))
    log_k = np.full(n, lk1 + la)
    log_k[0] = lk1
    log_k.setflags(write=False)
    return SequentialModel(log_k, _ions(ions_per_site), "white2013", {"sites": n, "k1": k1, "alpha": alpha})


def ladder(sites: int, k1: float, alpha: float, *, ions_per_site: int = 2) -> SequentialModel:
    """Linear free-energy ladder: ``K_i = K_1 alpha^(i-1)``."""
    n = _sites(sites)
    lk1 = math.log(check_positive(k1, "k1"))
    la = math.log(check_positive(alpha, "alpha"))
    log_k = lk1 + la * np.arange(n, dtype=float)
    log_k.setflags(write=False)
    return SequentialModel(log_k, _ions(ions_per_site), "ladder", {"sites": n, "k1": k1, "alpha": alpha})


def independent(sites: int, k1: float, *, ions_per_site: int = 2) -> SequentialModel:
    """Identical independent sites: ``K_i = (K_1/n) (n-i+1)/i``; binomial populations."""
    n = _sites(sites)
    lk1 = math.log(check_positive(k1, "k1"))
    i = np.arange(1, n + 1, dtype=float)
    log_k = lk1 - math.log(n) + np.log(n - i + 1) - np.log(i)
    log_k.setflags(write=False)
    return SequentialModel(log_k, _ions(ions_per_site), "independent", {"sites": n, "k1": k1})


def _log_binom(n: int) -> np.ndarray:
    i = np.arange(n + 1, dtype=float)
    return gammaln(n + 1) - gammaln(i + 1) - gammaln(n - i + 1)


def mwc(
    sites: int,
    k1: float,
    alpha: float,
    *,
    l_allosteric: float | None = None,
    ions_per_site: int = 2,
) -> SequentialModel:
    """Two-state concerted (MWC) model; ``k1 = k_T``, ``k_R = alpha k_T``, ``L = [T0]/[R0]``."""
    n = _sites(sites)
    lkt = math.log(check_positive(k1, "k1"))
    la = math.log(check_positive(alpha, "alpha"))
    if l_allosteric is None:
        log_l = 0.5 * n * la
        l_value: float | None = None
    else:
        log_l = math.log(check_positive(l_allosteric, "l_allosteric"))
        l_value = float(l_allosteric)
    i = np.arange(n + 1, dtype=float)
    log_a = _log_binom(n) + np.logaddexp(log_l + i * lkt, i * (lkt + la))
    log_k = np.diff(log_a)
    log_k.setflags(write=False)
    params = {"sites": n, "k1": k1, "alpha": alpha, "log10_l": log_l / math.log(10)}
    if l_value is not None:
        params["l_allosteric"] = l_value
    return SequentialModel(log_k, _ions(ions_per_site), "mwc", params)


def make_model(
    name: str,
    *,
    sites: int,
    k1: float,
    alpha: float | None = None,
    l_allosteric: float | None = None,
    ions_per_site: int = 2,
) -> SequentialModel:
    """Build a preset by name (``white2013``, ``ladder``, ``independent``, ``mwc``)."""
    check_choice(name, "model", PRESETS)
    if name == "independent":
        if alpha is not None:
            raise InputError("alpha is not a parameter of the independent model (leave it out)")
        if l_allosteric is not None:
            raise InputError("l_allosteric is a parameter of the mwc model only")
        return independent(sites, k1, ions_per_site=ions_per_site)
    if alpha is None:
        raise InputError(f"the {name} model needs alpha")
    if name == "mwc":
        return mwc(sites, k1, alpha, l_allosteric=l_allosteric, ions_per_site=ions_per_site)
    if l_allosteric is not None:
        raise InputError("l_allosteric is a parameter of the mwc model only")
    builder = white2013 if name == "white2013" else ladder
    return builder(sites, k1, alpha, ions_per_site=ions_per_site)
