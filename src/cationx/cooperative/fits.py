"""Fits of titration data: Hill, Langmuir and the sequential presets, single or global.

All fits return a :class:`cationx.fitting.FitResult` (values, standard errors,
profile-likelihood or bootstrap intervals, R^2, AIC/BIC, residuals).

Hill (White et al. 2013, Fig. 2a): ``theta = x^nH / (K^nH + x^nH)``, parameters
``n_hill`` and ``k_half``.  The Hill equation is defined for the *free* ligand
concentration.  Fitted against the *total* ions added while most of them are bound (as
in a cation-exchange titration, where nearly every added ion ends in a nanocrystal),
``n_hill`` measures depletion as much as cooperativity: :func:`fit_hill` then warns
(:class:`~cationx.errors.InterpretationWarning`) when the bound fraction at the midpoint
exceeds 10 %, and the result carries a note saying ``n_hill(total)`` is descriptive.

Sequential presets (``white2013``, ``ladder``, ``independent``, ``mwc``): the fraction of
fully exchanged NCs (or its complement) against the total ions added per NC, computed by
solving the mass balance of :mod:`cationx.cooperative.equilibrium` at every point.  Free
parameters are ``log10_k1`` and ``log10_alpha`` (and ``log10_l`` for ``mwc``); the number
of sites is fixed or scanned (the best by AIC is returned, the scan in ``extra``).
Several titrations can be fitted at once with some parameters shared (global fit).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import lmfit
import numpy as np
from scipy.special import expit

from cationx._validation import (
    as_1d_array,
    check_choice,
    check_fraction,
    check_int,
    check_matching_lengths,
    check_positive,
    check_sorted,
)
from cationx.cooperative.equilibrium import solve_titration
from cationx.cooperative.models import PRESETS, SequentialModel, make_model
from cationx.errors import FitError, InputError, InterpretationWarning
from cationx.fitting import Dataset, FitResult, fit_global

__all__ = [
    "BOUND_FRACTION_LIMIT",
    "FIT_MODELS",
    "Titration",
    "fit",
    "fit_hill",
    "fit_langmuir",
    "fit_sequential",
    "hill",
    "langmuir",
]

FIT_MODELS = ("hill", "hill-free", "langmuir", *PRESETS)
OBSERVABLES = ("exchanged", "unexchanged")
BOUND_FRACTION_LIMIT = 0.10


@dataclass(frozen=True, slots=True)
class Titration:
    """One titration to fit.

    ``x`` is total ions added per NC (or free ions for Hill-on-free / Langmuir),
    ``y`` the observed fraction (0..1).  The conditions are used by the sequential models.
    """

    x: np.ndarray
    y: np.ndarray
    sigma: np.ndarray | None = None
    nc_conc_molar: float = 1.0
    host_initial_molar: float = 0.0
    label: str = ""

    @classmethod
    def from_arrays(
        cls,
        x: Any,
        y: Any,
        *,
        sigma: Any = None,
        nc_conc_molar: float = 1.0,
        host_initial_molar: float = 0.0,
        label: str = "",
    ) -> Titration:
        """Validate and build (x sorted ascending, >= 0; y finite; equal lengths)."""
        xa = as_1d_array(x, "x", min_length=3)
        ya = as_1d_array(y, "y", min_length=3)
        check_matching_lengths([xa, ya], ["x", "y"])
        check_sorted(xa, "x")
        if (xa < 0).any():
            i = int(np.flatnonzero(xa < 0)[0])
            raise InputError(f"x must be >= 0 (ions added); value {xa[i].item()!r} at index {i}")
        sa = None
        if sigma is not None:
            sa = as_1d_array(sigma, "sigma", min_length=3)
            check_matching_lengths([xa, sa], ["x", "sigma"])
            if (sa <= 0).any():
                raise InputError("sigma must be > 0 everywhere")
        return cls(
            xa,
            ya,
            sa,
            check_positive(nc_conc_molar, "nc_conc_molar"),
            float(host_initial_molar),
            label,
        )

    def dataset(self) -> Dataset:
        return Dataset(self.x, self.y, self.sigma, self.label)


# ----------------------------------------------------------------------------- model functions


def hill(x: np.ndarray, n_hill: float, k_half: float) -> np.ndarray:
    """Hill fraction ``x^n / (K^n + x^n)``, evaluated stably as ``expit(n ln(x/K))``."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        return expit(n_hill * (np.log(x) - math.log(k_half)))


def langmuir(x: np.ndarray, k_half: float) -> np.ndarray:
    """Langmuir (non-cooperative) fraction ``x / (K + x)``."""
    x = np.asarray(x, dtype=float)
    return x / (k_half + x)


def _as_titrations(data: Titration | Sequence[Titration]) -> list[Titration]:
    items = [data] if isinstance(data, Titration) else list(data)
    if not items:
        raise InputError("at least one titration is needed")
    for t in items:
        if not isinstance(t, Titration):
            raise InputError("data must be a Titration or a list of Titration (use Titration.from_arrays)")
    return items


def _midpoint_guess(t: Titration) -> float:
    """x where y first crosses half its range (linear interpolation), for starting values."""
    y = t.y
    half = 0.5 * (np.nanmin(y) + np.nanmax(y))
    increasing = y[-1] >= y[0]
    above = y >= half if increasing else y <= half
    k = int(np.argmax(above))
    if k == 0:
        return float(t.x[t.x > 0].min()) if (t.x > 0).any() else 1.0
    x0, x1, y0, y1 = t.x[k - 1], t.x[k], y[k - 1], y[k]
    frac = 0.5 if y1 == y0 else (half - y0) / (y1 - y0)
    return float(max(x0 + frac * (x1 - x0), 1e-12))


def _shared_params(
    specs: Mapping[str, tuple[float, float | None, float | None, bool]],
    n_sets: int,
    shared: Sequence[str],
) -> lmfit.Parameters:
    """lmfit Parameters: shared names once, others suffixed ``_0``, ``_1``, ...

    ``specs[name] = (value, min, max, vary)``.
    """
    params = lmfit.Parameters()
    for name, (value, lo, hi, vary) in specs.items():
        names = [name] if (name in shared or n_sets == 1) else [f"{name}_{k}" for k in range(n_sets)]
        for nm in names:
            params.add(nm, value=value, min=-np.inf if lo is None else lo, max=np.inf if hi is None else hi, vary=vary)
    return params


def _pick(values: Mapping[str, float], name: str, k: int) -> float:
    return values[name] if name in values else values[f"{name}_{k}"]


# ----------------------------------------------------------------------------- Hill / Langmuir


def fit_hill(
    data: Titration | Sequence[Titration],
    *,
    against: str = "total",
    free_amplitude: bool = False,
    bound_fraction_at_midpoint: float | None = None,
    sites: int | None = None,
    ions_per_site: int = 2,
    shared: Sequence[str] = ("n_hill",),
    ci: str = "profile",
    ci_level: float = 0.95,
    rng: int | np.random.Generator | None = None,
) -> FitResult:
    """Fit the Hill equation ``theta = A x^nH/(K^nH + x^nH)`` (A = 1 unless ``free_amplitude``).

    Parameters
    ----------
    data
        One :class:`Titration` or several (global fit; ``shared`` names the common
        parameters, the others get suffixes ``_0``, ``_1``, ...).
    against
        ``"total"`` (x is total ions added, as in White et al. 2013 Fig. 2a) or ``"free"``.
    bound_fraction_at_midpoint
        Known fraction of the added ions that are bound at the midpoint.  When fitting
        against totals and this exceeds 10 %, an :class:`InterpretationWarning` is issued.
    sites, ions_per_site
        Alternative: the bound fraction at the midpoint is at least
        ``min(1, ions_per_site * sites / (2 K))`` (half the NCs fully exchanged), used for
        the same check when ``bound_fraction_at_midpoint`` is not given.
    """
    check_choice(against, "against", ("total", "free"))
    items = _as_titrations(data)
    k0 = float(np.median([_midpoint_guess(t) for t in items]))
    specs: dict[str, tuple[float, float | None, float | None, bool]] = {
        "n_hill": (2.0, 0.05, 200.0, True),
        "k_half": (k0, k0 * 1e-6, k0 * 1e6, True),
    }
    if free_amplitude:
        specs["amplitude"] = (float(max(np.max(t.y) for t in items)), 0.0, None, True)
    params = _shared_params(specs, len(items), shared)

    def func(values: Mapping[str, float], k: int, x: np.ndarray) -> np.ndarray:
        amp = _pick(values, "amplitude", k) if free_amplitude else 1.0
        return amp * hill(x, _pick(values, "n_hill", k), _pick(values, "k_half", k))

    # a coarse scan of n_hill avoids the flat start of a steep sigmoid
    best = None
    for n_start in (1.0, 2.0, 4.0, 8.0, 16.0):
        for name in params:
            if name.startswith("n_hill"):
                params[name].value = n_start
        res = _safe_sse(func, params, items)
        if best is None or res < best[0]:
            best = (res, n_start)
    for name in params:
        if name.startswith("n_hill"):
            params[name].value = best[1]

    notes: list[str] = []
    extra: dict[str, Any] = {"against": against}
    result = fit_global(
        func,
        params,
        [t.dataset() for t in items],
        model_name="hill" if against == "total" else "hill-free",
        ci=ci,
        ci_level=ci_level,
        rng=rng,
    )
    if against == "total":
        k_fit = np.mean([v.value for n, v in result.params.items() if n.startswith("k_half")])
        bf = bound_fraction_at_midpoint
        source = "given"
        if bf is None and sites is not None:
            n_sites = check_int(sites, "sites", minimum=1)
            m = check_int(ions_per_site, "ions_per_site", minimum=1)
            bf = min(1.0, m * n_sites / (2.0 * k_fit))
            source = "lower bound from sites"
        if bf is not None:
            bf = check_fraction(bf, "bound_fraction_at_midpoint")
            extra["bound_fraction_at_midpoint"] = bf
            extra["bound_fraction_source"] = source
            if bf > BOUND_FRACTION_LIMIT:
                msg = (
                    f"{100 * bf:.0f}% of the added ions are bound at the midpoint: n_hill fitted "
                    "against total ions is descriptive (it reflects depletion), not a measure of "
                    "cooperativity; fit against free ions or a sequential model"
                )
                warnings.warn(msg, InterpretationWarning, stacklevel=2)
                notes.append(msg)
        else:
            notes.append(
                "n_hill fitted against total ions; the Hill equation assumes free ions, so it is "
                "descriptive unless few ions are bound (give sites or the bound fraction to check)"
            )
    return _with(result, notes=notes, extra=extra)


def fit_langmuir(
    data: Titration | Sequence[Titration],
    *,
    shared: Sequence[str] = (),
    ci: str = "profile",
    ci_level: float = 0.95,
    rng: int | np.random.Generator | None = None,
) -> FitResult:
    """Fit the non-cooperative Langmuir isotherm ``theta = x/(K + x)`` (parameter ``k_half``)."""
    items = _as_titrations(data)
    k0 = float(np.median([_midpoint_guess(t) for t in items]))
    params = _shared_params({"k_half": (k0, k0 * 1e-8, k0 * 1e8, True)}, len(items), shared)

    def func(values: Mapping[str, float], k: int, x: np.ndarray) -> np.ndarray:
        return langmuir(x, _pick(values, "k_half", k))

    return fit_global(func, params, [t.dataset() for t in items], model_name="langmuir", ci=ci, ci_level=ci_level, rng=rng)


def _safe_sse(func: Any, params: lmfit.Parameters, items: Sequence[Titration]) -> float:
    values = params.valuesdict()
    total = 0.0
    for k, t in enumerate(items):
        try:
            r = np.asarray(func(values, k, t.x)) - t.y
        except (FloatingPointError, ValueError, ArithmeticError):
            return math.inf
        if t.sigma is not None:
            r = r / t.sigma
        val = float(np.sum(r * r))
        if not math.isfinite(val):
            return math.inf
        total += val
    return total


def _with(result: FitResult, *, notes: Sequence[str] = (), extra: Mapping[str, Any] | None = None) -> FitResult:
    from dataclasses import replace

    return replace(result, notes=tuple(result.notes) + tuple(notes), extra={**result.extra, **(extra or {})})


# ----------------------------------------------------------------------------- sequential models


def _model_from(name: str, sites: int, values: Mapping[str, float], k: int, ions_per_site: int) -> SequentialModel:
    k1 = 10.0 ** _pick(values, "log10_k1", k)
    if name == "independent":
        return make_model(name, sites=sites, k1=k1, ions_per_site=ions_per_site)
    alpha = 10.0 ** _pick(values, "log10_alpha", k)
    if name == "mwc":
        return make_model(
            name, sites=sites, k1=k1, alpha=alpha, l_allosteric=10.0 ** _pick(values, "log10_l", k), ions_per_site=ions_per_site
        )
    return make_model(name, sites=sites, k1=k1, alpha=alpha, ions_per_site=ions_per_site)


def _observable(state: Any, observable: str) -> np.ndarray:
    return state.fraction_exchanged if observable == "exchanged" else state.fraction_unexchanged


def _fit_sequential_n(
    name: str,
    items: Sequence[Titration],
    sites: int,
    *,
    observable: str,
    ions_per_site: int,
    shared: Sequence[str],
    fixed: Mapping[str, float],
    ci: str,
    ci_level: float,
    rng: Any,
) -> FitResult:
    names = ["log10_k1"] + ([] if name == "independent" else ["log10_alpha"]) + (["log10_l"] if name == "mwc" else [])

    def func(values: Mapping[str, float], k: int, x: np.ndarray) -> np.ndarray:
        model = _model_from(name, sites, values, k, ions_per_site)
        t = items[k]
        state = solve_titration(model, x, nc_conc_molar=t.nc_conc_molar, host_initial_molar=t.host_initial_molar)
        return _observable(state, observable)

    # starting values: coarse grid over (log10_k1, log10_alpha) scored by SSE
    k_mid = float(np.median([_midpoint_guess(t) for t in items]))
    specs: dict[str, tuple[float, float | None, float | None, bool]] = {}
    lo_k1, hi_k1 = -12.0, 12.0
    specs["log10_k1"] = (0.0, -30.0, 30.0, "log10_k1" not in fixed)
    if "log10_alpha" in names:
        specs["log10_alpha"] = (1.0, -3.0, 12.0, "log10_alpha" not in fixed)
    if "log10_l" in names:
        specs["log10_l"] = (0.5 * sites, -50.0, 50.0 + 6.0 * sites, "log10_l" not in fixed)
    for key, val in fixed.items():
        if key not in specs:
            raise InputError(f"cannot fix {key!r}: the {name} model has parameters {', '.join(names)}")
        specs[key] = (float(val), specs[key][1], specs[key][2], False)
    params = _shared_params(specs, len(items), shared)

    if "log10_alpha" not in names:
        alpha_grid = [0.0]  # unused
    elif "log10_alpha" in fixed:
        alpha_grid = [specs["log10_alpha"][0]]
    else:
        alpha_grid = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0]
    # K1 grid centred on what places the midpoint near the data's (per-NC units ~ 1/x)
    centre = -math.log10(max(k_mid, 1e-12))
    k1_grid = [specs["log10_k1"][0]] if "log10_k1" in fixed else list(np.clip(np.arange(centre - 8, centre + 8.01, 1.0), lo_k1, hi_k1))
    best: tuple[float, float, float] | None = None
    for la in alpha_grid:
        for lk in k1_grid:
            for nm in params:
                if nm.startswith("log10_alpha") and params[nm].vary:
                    params[nm].value = la
                if nm.startswith("log10_k1") and params[nm].vary:
                    params[nm].value = lk
            sse = _safe_sse(func, params, items)
            if best is None or sse < best[0]:
                best = (sse, lk, la)
    if best is None or not math.isfinite(best[0]):
        raise FitError(f"{name}: no starting values give a finite model; check the data range")
    for nm in params:
        if nm.startswith("log10_alpha") and params[nm].vary:
            params[nm].value = best[2]
        if nm.startswith("log10_k1") and params[nm].vary:
            params[nm].value = best[1]

    return fit_global(
        func,
        params,
        [t.dataset() for t in items],
        model_name=name,
        ci=ci,
        ci_level=ci_level,
        rng=rng,
        extra={"sites": sites, "ions_per_site": ions_per_site, "observable": observable},
    )


def fit_sequential(
    data: Titration | Sequence[Titration],
    model: str = "white2013",
    *,
    sites: int | Sequence[int] = 20,
    observable: str = "exchanged",
    ions_per_site: int = 2,
    shared: Sequence[str] = ("log10_k1", "log10_alpha", "log10_l"),
    fixed: Mapping[str, float] | None = None,
    ci: str = "profile",
    ci_level: float = 0.95,
    rng: int | np.random.Generator | None = None,
) -> FitResult:
    """Fit a sequential preset to the fraction exchanged (or unexchanged) vs total ions per NC.

    Parameters
    ----------
    data
        One :class:`Titration` (x = total ions added per NC) or several (global fit).
    model
        ``white2013``, ``ladder``, ``independent`` or ``mwc``.
    sites
        Number of exchange steps n, or a list of candidates: each is fitted and the one
        with the lowest AIC returned; ``extra["scan"]`` lists all.
    observable
        ``"exchanged"`` (``ML_n/M_T``) or ``"unexchanged"`` (pure + doped host).
    shared
        Parameters common to all titrations in a global fit (default: all).
    fixed
        Parameters held at a given value, e.g. ``{"log10_alpha": 1.74}``.
    """
    check_choice(model, "model", PRESETS)
    check_choice(observable, "observable", OBSERVABLES)
    m = check_int(ions_per_site, "ions_per_site", minimum=1)
    items = _as_titrations(data)
    candidates = [sites] if isinstance(sites, int | np.integer) else list(sites)
    if not candidates:
        raise InputError("sites must name at least one candidate")
    candidates = [check_int(n, "sites", minimum=1) for n in candidates]
    results = []
    for n in candidates:
        results.append(
            _fit_sequential_n(
                model,
                items,
                n,
                observable=observable,
                ions_per_site=m,
                shared=shared,
                fixed=dict(fixed or {}),
                ci=ci if len(candidates) == 1 else "none",
                ci_level=ci_level,
                rng=rng,
            )
        )
    if len(candidates) == 1:
        return results[0]
    scan = [{"sites": n, "aic": r.aic, "bic": r.bic, "r2": r.r2} for n, r in zip(candidates, results, strict=True)]
    best_n = candidates[int(np.argmin([r.aic for r in results]))]
    best = _fit_sequential_n(
        model,
        items,
        best_n,
        observable=observable,
        ions_per_site=m,
        shared=shared,
        fixed=dict(fixed or {}),
        ci=ci,
        ci_level=ci_level,
        rng=rng,
    )
    return _with(best, notes=[f"sites scanned over {candidates}; n = {best_n} has the lowest AIC"], extra={"scan": scan})


def fit(
    data: Titration | Sequence[Titration],
    model: str,
    **kwargs: Any,
) -> FitResult:
    """Dispatch by model name: ``hill``, ``hill-free``, ``langmuir`` or a sequential preset."""
    check_choice(model, "model", FIT_MODELS)
    if model == "hill":
        return fit_hill(data, against="total", **kwargs)
    if model == "hill-free":
        return fit_hill(data, against="free", **kwargs)
    if model == "langmuir":
        return fit_langmuir(data, **kwargs)
    return fit_sequential(data, model, **kwargs)
