"""Sequential cation-exchange models: one general engine, six presets, real stoichiometry.

A nanocrystal (NC) holds ``N`` host cations (Cd2+), grouped into ``n`` exchange steps
("sites") of ``h = N/n`` host cations each.  Step ``i`` (1..n) takes ``m h`` incoming ions
(``m = ions_per_host``: 2 Cu+ or Ag+ per Cd2+) and releases ``h`` host cations::

    ML_{i-1} + m h M+  <=>  ML_i + h Cd2+          K_i
    ML_i = K_i ML_{i-1} x^h,        x = c^m / d

with ``c`` the free incoming ion and ``d`` the free host cation (molar).  ``h = 1`` is one step
per host cation (a 4 nm CdSe NC: n ~ 660, fully exchanged by ~1,320 Cu+); White et al. 2013
(Nat. Commun. 4, 2933, Methods) use n = 20 steps of *one* host cation and 2 ions each, a per-NC
toy that exchanges fully at 40 ions (their preset, asked for explicitly, keeps that).  K_i has
units M^(-(m-1) h) (M^-h for m = 2); ``K_i^(1/h)`` is the constant per host cation, M^(1-m).

Every model is fully described by its per-step natural-log constants ``ln K_i``: the
population of ML_i is proportional to ``exp(g_i + i h ln x)`` with ``g_i = sum_{j<=i} ln K_j``,
evaluated in log-space, so n = 100,000 steps and alpha = 1e6 neither overflow nor lose the
small populations.  Every preset's constants scale with one "affinity" constant (``k1`` or
``k``): multiplying it by a factor only shifts ``ln x`` (used by the fits for starting values).

Presets (``k1``/``k`` per step, in M^(-(m-1)h)):

``white2013``
    The closed form the paper prints, ``ML_i = (M/alpha) (kappa alpha)^i``: K_1 for the
    first step and ``alpha K_1`` for every later one.  It is a *single-sequence*
    nucleation model (Zimm-Bragg with nucleation penalty ``sigma = 1/alpha`` and growth
    ``s = kappa alpha``, one nucleus per NC, the product phase itself also penalised):
    NCs pass through every intermediate.  This is what the paper's fractions and Fig. 2b use.
``ladder``
    The linear free-energy ladder the paper states in words, ``K_i = K_1 alpha^(i-1)``.
    It disagrees with the printed closed form for n > 2; at n in the hundreds only
    ``alpha`` within ~1/n of 1 is meaningful (alpha = 55 over 660 steps is e^2600).
``nucleation``
    Interface-penalised nucleation and growth: partly exchanged NCs carry a host/product
    interface that costs ``sigma`` (<= 1), fully exchanged and pristine NCs do not.  Weights
    ``1, sigma s, sigma s^2, ..., sigma s^(n-1), s^n`` with ``s = k x^h``, i.e.
    ``K_1 = sigma k``, ``K_i = k`` and ``K_n = k/sigma``.  Small ``sigma`` makes it two-state
    (no intermediates, an avalanche at ``s = 1``); ``sigma = 1`` is a flat ladder.
``mwc``
    Monod-Wyman-Changeux two-state concerted model: every NC is in a T (low-affinity)
    or R (high-affinity) state with ``[T_0]/[R_0] = L``; within a state the ``n`` sites
    are independent with intrinsic constants ``k_T = k1`` and ``k_R = alpha k_T``.  The
    ML_i weight is ``C(n,i) (L k_T^i + k_R^i) / (L + 1)``; ``L`` defaults to
    ``alpha^(n/2)`` (the switch half-way in log x between the two affinities).
``lattice``
    Lattice gas with coupling ``J`` (in kT) between exchanged steps, in the mean-field
    (Bragg-Williams, all pairs) form: weight of i exchanged steps
    ``C(n,i) k^i x^(h i) exp(J i (i-1)/(n-1))``.  J = 0 is independent sites; J > 2 gives a
    first-order (bimodal, two-state-like) transition; J < 0 is anti-cooperative.
``independent``
    ``n`` identical independent sites: ``K_i = k (n-i+1)/i`` with the intrinsic site
    constant ``k = K_1/n``, so the populations are binomial.  The non-cooperative
    reference: its Hill coefficient against the per-step activity ``x^h`` is exactly 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import gammaln

from cationx._validation import as_1d_array, check_choice, check_finite, check_int, check_positive
from cationx.errors import InputError

__all__ = [
    "MODEL_PARAMETERS",
    "PAPER",
    "PRESETS",
    "SequentialModel",
    "check_model_parameters",
    "from_log_constants",
    "independent",
    "ladder",
    "lattice",
    "make_model",
    "mwc",
    "nucleation",
    "white2013",
    "white2013_paper",
]

PRESETS = ("white2013", "ladder", "nucleation", "mwc", "lattice", "independent")

# fitted parameters of each preset (the first is the affinity constant every K_i scales with)
MODEL_PARAMETERS: dict[str, tuple[str, ...]] = {
    "white2013": ("log10_k1", "log10_alpha"),
    "ladder": ("log10_k1", "log10_alpha"),
    "nucleation": ("log10_k", "log10_sigma"),
    "mwc": ("log10_k1", "log10_alpha", "log10_l"),
    "lattice": ("log10_k", "coupling"),
    "independent": ("log10_k1",),
}

MAX_SITES = 100_000

# White et al. 2013 (Nat. Commun. 4, 2933, Methods): the paper's parameter set.  Their model NC
# has n = 20 steps of one host cation and 2 ions each in per-NC units (C = 1); K1 = 1e-2 and
# alpha = 55 (Fig. 2b).  It stands for a 4.0 nm CdSe NC (597 Cd, cationx.materials), so one
# of its steps is ~29.9 host cations of the real NC ("host_cations_per_step"): the per-NC toy
# exchanges fully at 40 ions where the real NC needs ~1,200.  Command lines take their
# ``--paper`` values from here.
PAPER: dict[str, Any] = {
    "model": "white2013",
    "sites": 20,
    "k1": 1e-2,
    "alpha": 55.0,
    "ions_per_host": 2,
    "host_per_site": 1,
    "nc_conc_molar": 1.0,
    "diameter_nm": 4.0,
    "host_cations_per_step": 597.0 / 20,
}


@dataclass(frozen=True, slots=True)
class SequentialModel:
    """A sequential exchange model given by its per-step natural-log constants.

    Attributes
    ----------
    log_k
        ``ln K_i`` for steps i = 1..n, shape (n,); K_i in M^(-(m-1) h).
    ions_per_host
        Incoming ions per host cation released (``m``; 2 for Cu+ or Ag+ replacing Cd2+).
    name
        Preset name or ``"custom"``.
    parameters
        The preset's parameters (for reports and fits).
    host_per_site
        Host cations per step (``h``); a step takes ``m h`` ions and releases ``h``.
    """

    log_k: np.ndarray
    ions_per_host: int = 2
    name: str = "custom"
    parameters: dict[str, Any] = field(default_factory=dict)
    host_per_site: int = 1

    @property
    def sites(self) -> int:
        """Number of exchange steps ``n``."""
        return int(self.log_k.size)

    @property
    def host_cations(self) -> int:
        """Host cations per NC, ``n h``."""
        return self.sites * self.host_per_site

    @property
    def ions_per_site(self) -> int:
        """Incoming ions taken per step, ``m h``."""
        return self.ions_per_host * self.host_per_site

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

    def constant_units(self, *, per_host: bool = False) -> str:
        """Units of a per-step constant (or, ``per_host``, of ``K^(1/h)``)."""
        power = (self.ions_per_host - 1) * (1 if per_host else self.host_per_site)
        return "dimensionless" if power == 0 else ("M^-1" if power == 1 else f"M^-{power}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sites": self.sites,
            "host_per_site": self.host_per_site,
            "host_cations_per_nc": self.host_cations,
            "ions_per_host": self.ions_per_host,
            "ions_per_site": self.ions_per_site,
            "constant_units": self.constant_units(),
            "constant_units_per_host": self.constant_units(per_host=True),
            "parameters": dict(self.parameters),
        }


def _sites(sites: Any) -> int:
    return check_int(sites, "sites", minimum=1, maximum=MAX_SITES)


def _stoich(ions_per_host: Any, ions_per_site: Any, host_per_site: Any) -> tuple[int, int]:
    """(m, h) from the keywords; ``ions_per_site`` is the older name of ``m`` (h = 1 only)."""
    h = check_int(host_per_site, "host_per_site", minimum=1, maximum=MAX_SITES)
    if ions_per_site is not None:
        if ions_per_host is not None:
            raise InputError("give ions_per_host (ions per host cation), not also ions_per_site")
        if h != 1:
            raise InputError(
                "ions_per_site is ambiguous when host_per_site > 1: give ions_per_host "
                "(incoming ions per host cation released, 2 for Cu+ or Ag+ replacing Cd2+)"
            )
        ions_per_host = ions_per_site
    m = check_int(2 if ions_per_host is None else ions_per_host, "ions_per_host", minimum=1, maximum=8)
    return m, h


def _model(log_k: np.ndarray, m: int, h: int, name: str, params: dict[str, Any]) -> SequentialModel:
    log_k.setflags(write=False)
    params = {**params, "host_per_site": h}
    return SequentialModel(log_k, m, name, params, h)


def from_log_constants(
    log_k: Any,
    *,
    ions_per_host: int | None = None,
    host_per_site: int = 1,
    name: str = "custom",
    ions_per_site: int | None = None,
) -> SequentialModel:
    """A model from arbitrary per-step natural-log constants ``ln K_i`` (i = 1..n)."""
    arr = as_1d_array(log_k, "log_k")
    if arr.size > MAX_SITES:
        raise InputError(f"sites must be an integer <= {MAX_SITES}, got {arr.size}")
    m, h = _stoich(ions_per_host, ions_per_site, host_per_site)
    return _model(arr, m, h, name, {"sites": int(arr.size)})


def white2013(
    sites: int,
    k1: float,
    alpha: float,
    *,
    ions_per_host: int | None = None,
    host_per_site: int = 1,
    ions_per_site: int | None = None,
) -> SequentialModel:
    """The paper's printed closed form: K_1, then ``alpha K_1`` for steps 2..n."""
    n = _sites(sites)
    m, h = _stoich(ions_per_host, ions_per_site, host_per_site)
    lk1 = math.log(check_positive(k1, "k1"))
    la = math.log(check_positive(alpha, "alpha"))
    log_k = np.full(n, lk1 + la)
    log_k[0] = lk1
    return _model(log_k, m, h, "white2013", {"sites": n, "k1": k1, "alpha": alpha})


def ladder(
    sites: int,
    k1: float,
    alpha: float,
    *,
    ions_per_host: int | None = None,
    host_per_site: int = 1,
    ions_per_site: int | None = None,
) -> SequentialModel:
    """Linear free-energy ladder: ``K_i = K_1 alpha^(i-1)``."""
    n = _sites(sites)
    m, h = _stoich(ions_per_host, ions_per_site, host_per_site)
    lk1 = math.log(check_positive(k1, "k1"))
    la = math.log(check_positive(alpha, "alpha"))
    log_k = lk1 + la * np.arange(n, dtype=float)
    return _model(log_k, m, h, "ladder", {"sites": n, "k1": k1, "alpha": alpha})


def nucleation(
    sites: int,
    k: float,
    sigma: float,
    *,
    ions_per_host: int | None = None,
    host_per_site: int = 1,
) -> SequentialModel:
    """Interface-penalised nucleation-growth: ``K_1 = sigma k``, ``K_i = k``, ``K_n = k/sigma``."""
    n = _sites(sites)
    m, h = _stoich(ions_per_host, None, host_per_site)
    lk = math.log(check_positive(k, "k"))
    ls = math.log(check_positive(sigma, "sigma"))
    log_k = np.full(n, lk)
    if n >= 2:
        log_k[0] += ls
        log_k[-1] -= ls
    return _model(log_k, m, h, "nucleation", {"sites": n, "k": k, "sigma": sigma})


def _log_binom(n: int) -> np.ndarray:
    i = np.arange(n + 1, dtype=float)
    return gammaln(n + 1) - gammaln(i + 1) - gammaln(n - i + 1)


def independent(
    sites: int,
    k1: float,
    *,
    ions_per_host: int | None = None,
    host_per_site: int = 1,
    ions_per_site: int | None = None,
) -> SequentialModel:
    """Identical independent sites: ``K_i = (K_1/n) (n-i+1)/i``; binomial populations."""
    n = _sites(sites)
    m, h = _stoich(ions_per_host, ions_per_site, host_per_site)
    lk1 = math.log(check_positive(k1, "k1"))
    i = np.arange(1, n + 1, dtype=float)
    log_k = lk1 - math.log(n) + np.log(n - i + 1) - np.log(i)
    return _model(log_k, m, h, "independent", {"sites": n, "k1": k1})


def lattice(
    sites: int,
    k: float,
    coupling: float,
    *,
    ions_per_host: int | None = None,
    host_per_site: int = 1,
) -> SequentialModel:
    """Mean-field lattice gas: weight ``C(n,i) k^i exp(J i (i-1)/(n-1))``, ``J = coupling`` in kT."""
    n = _sites(sites)
    m, h = _stoich(ions_per_host, None, host_per_site)
    lk = math.log(check_positive(k, "k"))
    j = check_finite(coupling, "coupling")
    if abs(j) > 1e4:
        raise InputError(f"coupling must lie within +/-1e4 kT, got {coupling!r}")
    i = np.arange(n + 1, dtype=float)
    log_a = _log_binom(n) + i * lk + (j * i * (i - 1) / (n - 1) if n > 1 else 0.0)
    return _model(np.diff(log_a), m, h, "lattice", {"sites": n, "k": k, "coupling": j})


def mwc(
    sites: int,
    k1: float,
    alpha: float,
    *,
    l_allosteric: float | None = None,
    ions_per_host: int | None = None,
    host_per_site: int = 1,
    ions_per_site: int | None = None,
) -> SequentialModel:
    """Two-state concerted (MWC) model; ``k1 = k_T``, ``k_R = alpha k_T``, ``L = [T0]/[R0]``."""
    n = _sites(sites)
    m, h = _stoich(ions_per_host, ions_per_site, host_per_site)
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
    params = {"sites": n, "k1": k1, "alpha": alpha, "log10_l": log_l / math.log(10)}
    if l_value is not None:
        params["l_allosteric"] = l_value
    return _model(np.diff(log_a), m, h, "mwc", params)


_WANTED = {
    "white2013": ("k1", "alpha"),
    "ladder": ("k1", "alpha"),
    "mwc": ("k1", "alpha", "l_allosteric"),
    "nucleation": ("k", "sigma"),
    "lattice": ("k", "coupling"),
    "independent": ("k1",),
}


def check_model_parameters(name: str, *, require: bool = True, **given: float | None) -> None:
    """Refuse constants that are not the model's and (``require``) missing required ones
    (``l_allosteric`` is optional)."""
    check_choice(name, "model", PRESETS)
    wanted = _WANTED[name]
    for key, value in given.items():
        if value is not None and key not in wanted:
            raise InputError(f"{key} is not a parameter of the {name} model (it takes {', '.join(wanted)})")
    if not require:
        return
    for key in wanted:
        if key != "l_allosteric" and given.get(key) is None:
            raise InputError(f"the {name} model needs {key}")


def make_model(
    name: str,
    *,
    sites: int,
    k1: float | None = None,
    alpha: float | None = None,
    l_allosteric: float | None = None,
    k: float | None = None,
    sigma: float | None = None,
    coupling: float | None = None,
    ions_per_host: int | None = None,
    host_per_site: int = 1,
    ions_per_site: int | None = None,
) -> SequentialModel:
    """Build a preset by name (see :data:`PRESETS`); each takes only its own parameters.

    ``white2013``, ``ladder``: ``k1``, ``alpha``; ``mwc``: ``k1``, ``alpha`` (``l_allosteric``);
    ``nucleation``: ``k``, ``sigma``; ``lattice``: ``k``, ``coupling``; ``independent``: ``k1``.
    """
    check_model_parameters(
        name, k1=k1, alpha=alpha, l_allosteric=l_allosteric, k=k, sigma=sigma, coupling=coupling
    )
    m, h = _stoich(ions_per_host, ions_per_site, host_per_site)
    common = {"ions_per_host": m, "host_per_site": h}
    if name == "independent":
        return independent(sites, k1, **common)  # type: ignore[arg-type]
    if name == "mwc":
        return mwc(sites, k1, alpha, l_allosteric=l_allosteric, **common)  # type: ignore[arg-type]
    if name == "nucleation":
        return nucleation(sites, k, sigma, **common)  # type: ignore[arg-type]
    if name == "lattice":
        return lattice(sites, k, coupling, **common)  # type: ignore[arg-type]
    builder = white2013 if name == "white2013" else ladder
    return builder(sites, k1, alpha, **common)  # type: ignore[arg-type]


def white2013_paper() -> SequentialModel:
    """The paper's model NC (:data:`PAPER`): white2013, n = 20, h = 1, K1 = 1e-2, alpha = 55."""
    return white2013(PAPER["sites"], PAPER["k1"], PAPER["alpha"], ions_per_host=PAPER["ions_per_host"])
