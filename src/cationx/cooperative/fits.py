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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.special import expit

from cationx._noise import noise_second_differences
from cationx._validation import (
    as_1d_array,
    check_choice,
    check_fraction,
    check_int,
    check_matching_lengths,
    check_nonnegative,
    check_positive,
    check_sorted,
)
from cationx.cooperative.equilibrium import OBSERVABLES, solve_titration
from cationx.cooperative.models import MODEL_PARAMETERS, PRESETS, SequentialModel, make_model
from cationx.errors import CationxError, FitError, InputError, InterpretationWarning
from cationx.fitting import Dataset, FitResult, Parameters, fit_global

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
    "model_from_fit",
]

FIT_MODELS = ("hill", "hill-free", "langmuir", *PRESETS)
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
    observable: str | None = None
    scale_sd: float | None = None

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
        observable: str | None = None,
        scale_sd: float | None = None,
    ) -> Titration:
        """Validate and build (x sorted ascending, >= 0; y finite; equal lengths).

        ``observable`` names what ``y`` measures for the sequential fits (overrides the
        fit's ``observable``; lets one global fit combine, e.g., the product material from
        A(1.82 eV) with the pristine host from the exciton height of the same titration).
        ``scale_sd`` is the relative uncertainty of the fraction's normalisation (a fraction
        scaled to 100 % on one noisy reference spectrum): the sequential fits then fit a scale
        factor ``1 + fraction_scale`` with that Gaussian prior.
        """
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
        if (ya < -0.5).any() or (ya > 1.5).any():
            i = int(np.flatnonzero((ya < -0.5) | (ya > 1.5))[0])
            raise InputError(
                f"y must be a fraction (0..1, noise may stray a little outside); value {ya[i].item()!r} at index {i}"
            )
        if observable is not None:
            check_choice(observable, "observable", OBSERVABLES)
        if scale_sd is not None:
            scale_sd = check_nonnegative(scale_sd, "scale_sd") or None
        return cls(
            xa,
            ya,
            sa,
            check_positive(nc_conc_molar, "nc_conc_molar"),
            check_nonnegative(host_initial_molar, "host_initial_molar"),
            label,
            observable,
            scale_sd,
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
) -> Parameters:
    """lmfit Parameters: shared names once, others suffixed ``_0``, ``_1``, ...

    ``specs[name] = (value, min, max, vary)``.
    """
    params = Parameters()
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
    n_boot: int = 200,
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
    ci, ci_level, n_boot, rng
        The fit contract's keyword tail (:mod:`cationx.fitting`); per-point uncertainties
        travel with each :class:`Titration` (its ``sigma``), not as a keyword.
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
        n_boot=n_boot,
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
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> FitResult:
    """Fit the non-cooperative Langmuir isotherm ``theta = x/(K + x)`` (parameter ``k_half``)."""
    items = _as_titrations(data)
    k0 = float(np.median([_midpoint_guess(t) for t in items]))
    params = _shared_params({"k_half": (k0, k0 * 1e-8, k0 * 1e8, True)}, len(items), shared)

    def func(values: Mapping[str, float], k: int, x: np.ndarray) -> np.ndarray:
        return langmuir(x, _pick(values, "k_half", k))

    return fit_global(func, params, [t.dataset() for t in items], model_name="langmuir", ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng)


def _safe_sse(func: Any, params: Parameters, items: Sequence[Titration]) -> float:
    return _safe_sse_values(func, params.valuesdict(), items)


def _with(
    result: FitResult,
    *,
    notes: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
    warnings: Sequence[str] = (),
) -> FitResult:
    return replace(
        result,
        notes=tuple(result.notes) + tuple(notes),
        extra={**result.extra, **(extra or {})},
        warnings=tuple(result.warnings) + tuple(warnings),
    )


# ----------------------------------------------------------------------------- sequential models

# log10 parameters whose standard error exceeds this leave the constant itself uncertain by
# more than its value (a relative error of ln(10) x 0.434 = 100 %)
LOG10_SE_LIMIT = 1.0 / math.log(10.0)
TWO_STATE_LIMIT = 0.05  # at most this fraction of NCs partly exchanged at any point: two-state


def _stoichiometry(
    sites: int | Sequence[int] | None, host_cations: Any, host_per_site: Any
) -> tuple[list[int], int, int | None]:
    """Candidate step counts, h, and the host-cation count (None if unknown).

    With ``host_cations`` given, ``n = N/h`` is fixed by stoichiometry (never scanned) and
    must be an integer; ``sites`` given as well must agree.
    """
    h = check_int(host_per_site, "host_per_site", minimum=1)
    if host_cations is None:
        if sites is None:
            raise InputError(
                "give host_cations (host cations per NC, e.g. from sizing) or sites (exchange steps); "
                "the paper's per-NC preset is sites=20 with host_per_site=1"
            )
        cands = [sites] if isinstance(sites, int | np.integer) else list(sites)
        if not cands:
            raise InputError("sites must name at least one candidate")
        return [check_int(n, "sites", minimum=1) for n in cands], h, None
    n_host = check_int(host_cations, "host_cations", minimum=1)
    if n_host % h:
        raise InputError(
            f"host_cations {n_host} is not a multiple of host_per_site {h}: n x h must equal the host "
            "cations per NC (choose h dividing it, or round the host count)"
        )
    n = n_host // h
    if sites is not None:
        cands = [sites] if isinstance(sites, int | np.integer) else list(sites)
        if len(cands) != 1:
            raise InputError("sites cannot be scanned when host_cations is given: n = host_cations / host_per_site")
        if check_int(cands[0], "sites", minimum=1) != n:
            raise InputError(
                f"sites x host_per_site = {cands[0]} x {h} does not equal host_cations = {n_host}"
            )
    return [n], h, n_host


def _build(
    name: str, sites: int, values: Mapping[str, float], k: int, m: int, h: int, names: Sequence[str] | None = None
) -> SequentialModel:
    p = {key: _pick(values, key, k) for key in (MODEL_PARAMETERS[name] if names is None else names)}
    common = {"sites": sites, "ions_per_host": m, "host_per_site": h}
    if name in ("nucleation", "lattice"):
        shape = {"sigma": 10.0 ** p["log10_sigma"]} if name == "nucleation" else {"coupling": p["coupling"]}
        return make_model(name, k=10.0 ** p["log10_k"], **shape, **common)
    kw: dict[str, Any] = {"k1": 10.0 ** p["log10_k1"]}
    if "log10_alpha" in p:
        kw["alpha"] = 10.0 ** p["log10_alpha"]
    if "log10_l" in p:
        kw["l_allosteric"] = 10.0 ** p["log10_l"]
    return make_model(name, **kw, **common)


def model_from_fit(result: FitResult, k: int = 0) -> SequentialModel:
    """The :class:`SequentialModel` at a sequential fit's best values (data set ``k``)."""
    ex = result.extra
    values = {n: p.value for n, p in result.params.items()}
    names = [n for n in MODEL_PARAMETERS[result.model] if n in values or f"{n}_{k}" in values]
    return _build(result.model, ex["sites"], values, k, ex["ions_per_host"], ex["host_per_site"], names)


def _shape_grid(name: str, n: int) -> list[dict[str, float]]:
    """Starting values of the shape parameters (the affinity constant is solved for)."""
    if name in ("white2013",):
        return [{"log10_alpha": a} for a in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)]
    if name == "ladder":  # alpha^n must stay finite: ln alpha ~ 1/n at n in the hundreds
        return [{"log10_alpha": c / max(n - 1, 1)} for c in (-1.0, 0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)]
    if name == "nucleation":
        return [{"log10_sigma": s} for s in (0.0, -1.0, -2.0, -3.0, -5.0, -8.0, -12.0)]
    if name == "lattice":
        return [{"coupling": j} for j in (-1.0, 0.0, 1.0, 1.8, 2.2, 3.0, 4.0, 6.0)]
    if name == "mwc":
        return [{"log10_alpha": a, "log10_l": 0.5 * n * a} for a in (0.25, 0.5, 1.0, 2.0, 3.0)]
    return [{}]


def _bounds(name: str, n: int) -> dict[str, tuple[float, float]]:
    ladder_span = 300.0 / max(n - 1, 1)  # |ln K_n - ln K_1| <= ~700
    return {
        "log10_alpha": (-ladder_span, ladder_span) if name == "ladder" else (-3.0, 12.0),
        "log10_sigma": (-40.0, 3.0),
        "coupling": (-20.0, 60.0),
        "log10_l": (-60.0, 60.0 + 6.0 * n),
    }


def _affinity_for_midpoint(
    model_unit: SequentialModel, observable: str, level: float, t_mid: float, nc: float, d0: float
) -> float:
    """``ln`` of the affinity constant that puts ``observable = level`` at ``t_mid`` ions per NC.

    Every preset's populations depend on ``v = u + ln k`` only (``u = h ln x``), so the level
    fixes ``v`` and the mean steps there; the mass balance at ``t_mid`` then fixes ``u``.
    """
    from scipy.optimize import brentq

    from cationx.cooperative.equilibrium import _Balance

    bal = _Balance(model_unit, 1.0, 0.0)
    n = bal.n
    increasing = observable in ("exchanged", "product")

    def obs(v: float) -> float:
        p = bal.evaluate(np.array([v]), full=True)["p"][0]
        s = float(p @ bal.idx)
        val = {
            "exchanged": p[-1], "unexchanged": 1 - p[-1], "host": p[0],
            "product": s / n, "host-material": 1 - s / n,
        }[observable]
        return float(val) - level if increasing else level - float(val)

    lo, hi = bal.initial_range()
    for _ in range(60):
        if obs(lo) < 0:
            break
        lo -= hi - lo
    for _ in range(60):
        if obs(hi) > 0:
            break
        hi += hi - lo
    v = brentq(obs, lo, hi, xtol=1e-10)
    p = bal.evaluate(np.array([v]), full=True)["p"][0]
    s = float(p @ bal.idx)
    m, h = model_unit.ions_per_host, model_unit.host_per_site
    free = nc * (t_mid - m * h * s)
    if free <= 0:  # the data ask for more exchange than the ions allow: start near saturation
        free = nc * max(t_mid, 1e-12) * 1e-3
    d = d0 + nc * h * s
    u = h * (m * math.log(free) - math.log(d)) if d > 0 else 0.0
    return v - u


def _fit_sequential_n(
    name: str,
    items: Sequence[Titration],
    sites: int,
    *,
    observable: str,
    ions_per_host: int,
    host_per_site: int,
    shared: Sequence[str],
    fixed: Mapping[str, float],
    nc_prior_sd: float | None,
    free_l: bool,
    ci: str,
    ci_level: float,
    n_boot: int,
    rng: Any,
) -> FitResult:
    m, h = ions_per_host, host_per_site
    names = list(MODEL_PARAMETERS[name])
    if name == "mwc" and not free_l and "log10_l" not in fixed:
        names.remove("log10_l")  # L = alpha^(n/2), the symmetric switch (see models.mwc)
    affinity = names[0]
    for key in fixed:
        if key not in names:
            raise InputError(f"cannot fix {key!r}: the {name} model has parameters {', '.join(names)}")
    nuisance = "log10_nc_conc_factor"
    scale_name = "fraction_scale"
    scales = [t.scale_sd for t in items]
    with_scale = any(scales)

    def func(values: Mapping[str, float], k: int, x: np.ndarray) -> np.ndarray:
        model = _build(name, sites, values, k, m, h, names)
        t = items[k]
        factor = 10.0 ** _pick(values, nuisance, k) if nc_prior_sd else 1.0
        state = solve_titration(
            model, x / factor, nc_conc_molar=t.nc_conc_molar * factor, host_initial_molar=t.host_initial_molar
        )
        frac = state.observable(t.observable or observable)
        return frac * (1.0 + _pick(values, scale_name, k)) if with_scale else frac

    bounds = _bounds(name, sites)
    specs: dict[str, tuple[float, float | None, float | None, bool]] = {}
    for key in names[1:]:
        lo, hi = bounds[key]
        specs[key] = (0.0, lo, hi, key not in fixed)
    specs[affinity] = (0.0, None, None, affinity not in fixed)
    if nc_prior_sd:
        width = 6.0 * nc_prior_sd
        specs[nuisance] = (0.0, -width, width, True)
    if with_scale:
        width = 6.0 * max(sd for sd in scales if sd)
        specs[scale_name] = (0.0, -width, width, True)
    for key, val in fixed.items():
        specs[key] = (float(val), specs[key][1], specs[key][2], False)

    # starting values: for each shape on a grid, the affinity that puts the model's midpoint
    # at the data's (exact in any units), scored by SSE over all data sets
    t0 = items[0]
    t_mid = _midpoint_guess(t0)
    level = float(np.clip(0.5 * (float(np.min(t0.y)) + float(np.max(t0.y))), 0.02, 0.98))
    grid = []
    for g in _shape_grid(name, sites):
        free = {key: v for key, v in g.items() if key not in fixed}
        if free not in grid:
            grid.append(free)
    best: tuple[float, dict[str, float]] | None = None
    for shape in grid:
        values = {key: specs[key][0] for key in specs}
        values.update({key: v for key, v in shape.items() if key in specs})
        shape = {key: v for key, v in shape.items() if key in specs}
        for key in shape:
            lo, hi = bounds[key]
            values[key] = float(np.clip(values[key], lo, hi))
        if affinity not in fixed:
            values[affinity] = 0.0
            try:
                unit = _build(name, sites, values, 0, m, h, names)
                ln_k = _affinity_for_midpoint(
                    unit, t0.observable or observable, level, t_mid, t0.nc_conc_molar, t0.host_initial_molar
                )
            except (ValueError, ArithmeticError, CationxError):
                continue
            values[affinity] = ln_k / math.log(10.0)
        sse = _safe_sse_values(func, values, items)
        if best is None or sse < best[0]:
            best = (sse, values)
    if best is None or not math.isfinite(best[0]):
        raise FitError(f"{name}: no starting values give a finite model; check the data range and units")
    start = best[1]
    if affinity not in fixed:
        a0 = start[affinity]
        specs[affinity] = (a0, a0 - 60.0 * h, a0 + 60.0 * h, True)
    for key in specs:
        lo_, hi_, vary = specs[key][1], specs[key][2], specs[key][3]
        specs[key] = (start.get(key, specs[key][0]), lo_, hi_, vary)
    params = _shared_params(specs, len(items), shared)
    priors = {}
    if nc_prior_sd:
        for nm in params:
            if nm.startswith(nuisance):
                priors[nm] = (0.0, nc_prior_sd)
    if with_scale:
        for k, sd in enumerate(scales):
            nm = scale_name if len(items) == 1 else f"{scale_name}_{k}"
            if sd:
                priors[nm] = (0.0, sd)
            else:  # this titration's normalisation is taken as exact
                params[nm].set(value=0.0, vary=False)

    kinds = {}
    for nm in params:
        if nm.startswith((nuisance, scale_name)):
            continue
        if nm.startswith("coupling"):
            kinds[nm] = "linear"
        elif nm.startswith(affinity) and h > 1:
            kinds[nm] = f"log10:{h}"  # a per-step constant of h host cations: judged per host cation
        else:
            kinds[nm] = "log10"
    return fit_global(
        func,
        params,
        [t.dataset() for t in items],
        model_name=name,
        ci=ci,
        ci_level=ci_level,
        n_boot=n_boot,
        rng=rng,
        priors=priors,
        param_kinds=kinds,
        extra={
            "sites": sites,
            "host_per_site": h,
            "host_cations_per_nc": sites * h,
            "ions_per_host": m,
            "ions_per_site": m * h,
            "observable": observable,
        },
    )


def _safe_sse_values(func: Any, values: Mapping[str, float], items: Sequence[Titration]) -> float:
    total = 0.0
    for k, t in enumerate(items):
        try:
            r = np.asarray(func(values, k, t.x)) - t.y
        except (FloatingPointError, ValueError, ArithmeticError, CationxError):
            return math.inf
        if t.sigma is not None:
            r = r / t.sigma
        val = float(np.sum(r * r))
        if not math.isfinite(val):
            return math.inf
        total += val
    return total


_noise_from_data = noise_second_differences  # model-free noise of a smooth fraction curve


def _constants(result: FitResult, per_nc_units: bool = False) -> dict[str, Any]:
    """Fitted constants per step and per host cation (``K^(1/h)``), with units.

    ``independent``'s ``log10_k1`` is the first *stepwise* constant ``K_1 = n k``; its
    intrinsic site constant ``k = K_1/n`` (comparable with the other presets' constants) is
    reported as ``k_site``.  In per-NC units (NC concentration 1 M) the constants carry no
    molar units and are labelled so.
    """
    ex = result.extra
    m, h = ex["ions_per_host"], ex["host_per_site"]
    per_step_units = "per-NC units" if per_nc_units else _units(m - 1, h)
    per_host_units = "per-NC units" if per_nc_units else _units(m - 1, 1)
    out: dict[str, Any] = {}
    if result.model == "independent" and "log10_k1" in result.params:
        p = result.params["log10_k1"]
        shift = math.log10(ex["sites"])
        row = {"log10_per_step": p.value - shift, "per_step": 10.0 ** (p.value - shift), "units_per_step": per_step_units,
               "log10_per_host_cation": (p.value - shift) / h, "per_host_cation": 10.0 ** ((p.value - shift) / h),
               "units_per_host_cation": per_host_units, "note": "intrinsic site constant k = K1 / n"}
        if p.ci_low is not None and p.ci_high is not None:
            row["log10_per_step_ci"] = [p.ci_low - shift, p.ci_high - shift]
            row["log10_per_host_cation_ci"] = [(p.ci_low - shift) / h, (p.ci_high - shift) / h]
        out["k_site"] = row
    for name, p in result.params.items():
        base = name.split("_")[1] if name.startswith("log10_") else None
        if base not in ("k1", "k"):
            continue
        key = name[len("log10_"):]
        row = {"log10_per_step": p.value, "per_step": 10.0**p.value, "units_per_step": per_step_units,
               "log10_per_host_cation": p.value / h, "per_host_cation": 10.0 ** (p.value / h),
               "units_per_host_cation": per_host_units}
        if p.ci_low is not None and p.ci_high is not None:
            row["log10_per_step_ci"] = [p.ci_low, p.ci_high]
            row["log10_per_host_cation_ci"] = [p.ci_low / h, p.ci_high / h]
        out[key] = row
    return out


def _units(power_per_host: int, h: int) -> str:
    power = power_per_host * h
    return "dimensionless" if power == 0 else ("M^-1" if power == 1 else f"M^-{power}")


def _populations_note(result: FitResult, items: Sequence[Titration]) -> tuple[dict[str, Any], str]:
    """Whether the fitted NCs are two-state or pass through intermediates."""
    worst = (0.0, 0.0)
    for k, t in enumerate(items):
        model = model_from_fit(result, k)
        nuisance = f"log10_nc_conc_factor{'' if len(items) == 1 or 'log10_nc_conc_factor' in result.params else f'_{k}'}"
        factor = 10.0 ** result.params[nuisance].value if nuisance in result.params else 1.0
        grid = np.linspace(0.0, float(t.x.max()), 400) / factor
        state = solve_titration(model, grid, nc_conc_molar=t.nc_conc_molar * factor, host_initial_molar=t.host_initial_molar)
        j = int(np.argmax(state.fraction_doped))
        if state.fraction_doped[j] >= worst[0]:
            worst = (float(state.fraction_doped[j]), float(grid[j] * factor))
    two_state = worst[0] <= TWO_STATE_LIMIT
    info = {"two_state": two_state, "max_doped_fraction": worst[0], "at_total_ions_per_nc": worst[1]}
    if two_state:
        text = (f"fitted populations are two-state: at most {100 * worst[0]:.1f}% of NCs are partly exchanged "
                "at any point (fully exchanged fraction = product fraction)")
    else:
        text = (f"fitted populations pass through intermediates: up to {100 * worst[0]:.0f}% of NCs are partly "
                f"exchanged (near {worst[1]:.4g} ions per NC), so the fully exchanged fraction and the product "
                "material differ; fit the observable your data measure")
    return info, text


def fit_sequential(
    data: Titration | Sequence[Titration],
    model: str = "white2013",
    *,
    sites: int | Sequence[int] | None = None,
    host_cations: int | None = None,
    host_per_site: int = 1,
    observable: str = "product",
    ions_per_host: int | None = None,
    ions_per_site: int | None = None,
    shared: Sequence[str] = ("log10_k1", "log10_alpha", "log10_l", "log10_k", "log10_sigma", "coupling"),
    fixed: Mapping[str, float] | None = None,
    nc_conc_rel_sd: float | None = None,
    nc_factor_shared: bool = False,
    free_l: bool = False,
    feasibility_tolerance: float | None = None,
    ci: str = "profile",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> FitResult:
    """Fit a sequential preset to a measured fraction vs total ions per NC.

    Parameters
    ----------
    data
        One :class:`Titration` (x = total ions added per NC) or several (global fit).
    model
        A preset of :data:`~cationx.cooperative.models.PRESETS`.
    host_cations, host_per_site
        Host cations per NC ``N`` (from sizing) and per step ``h``: then ``n = N/h`` is fixed
        by stoichiometry and the data are checked against mass balance
        (:func:`~cationx.cooperative.feasibility.check_feasibility`).
    sites
        Number of steps ``n`` when ``N`` is not known (the paper's per-NC preset: 20), or a
        list of candidates (each fitted; lowest AIC returned, ``extra["scan"]`` lists all).
    observable
        What ``y`` measures (:data:`~cationx.cooperative.equilibrium.OBSERVABLES`):
        ``"product"`` (default: product material, mean exchanged steps / n, as A(1.82 eV)
        measures), ``"exchanged"`` (fully exchanged NCs, ``ML_n/M_T``), ``"unexchanged"``,
        ``"host"`` (pristine NCs, as the first-exciton height) or ``"host-material"``.
    ions_per_host
        Incoming ions per host cation released (m = 2 for Cu+ or Ag+ replacing Cd2+);
        ``ions_per_site`` is its older name (h = 1 only).
    free_l
        ``mwc`` only: fit ``log10_l`` too (default: ``L = alpha^(n/2)``, the symmetric switch;
        with n in the hundreds L and k_T trade off and are rarely determined separately).
    nc_conc_rel_sd
        Relative uncertainty of each titration's NC concentration (e.g. 0.1 from the
        extinction coefficient): fits a factor ``f`` (true/stated NC concentration,
        ``log10_nc_conc_factor``) with a log-normal prior of that width, so the constants do
        not hinge on one Beer-Lambert number.  ``None``/0: the concentration is exact.
    nc_factor_shared
        One NC-concentration factor for all titrations (several observables of one sample,
        e.g. A(1.82 eV) and the exciton height of the same spectra); default: one each.
    shared
        Parameters common to all titrations in a global fit (the NC-concentration factor only
        with ``nc_factor_shared``).
    fixed
        Parameters held at a given value, e.g. ``{"log10_alpha": 1.74}``.

    The result's ``warnings`` (and ``converged`` False) say when it is not trustworthy: R^2 < 0,
    a parameter at a bound, a standard error beyond the value, or data that break mass
    balance.  ``extra`` holds the stoichiometry, ``constants`` per step and per host cation
    with units, ``populations`` (two-state or not) and ``feasibility``.
    """
    check_choice(model, "model", PRESETS)
    check_choice(observable, "observable", OBSERVABLES)
    items = _as_titrations(data)
    candidates, h, n_host = _stoichiometry(sites, host_cations, host_per_site)
    from cationx.cooperative.models import MAX_SITES, _stoich

    for n in candidates:
        if n > MAX_SITES:
            raise InputError(
                f"{n} exchange steps exceed the limit of {MAX_SITES}: raise host_per_site (host cations per step)"
            )

    m, h = _stoich(ions_per_host, ions_per_site, h)
    prior = None
    if nc_conc_rel_sd is not None and float(nc_conc_rel_sd) != 0.0:
        rel = check_positive(nc_conc_rel_sd, "nc_conc_rel_sd")
        if rel > 2.0:
            raise InputError(f"nc_conc_rel_sd must be <= 2 (a relative uncertainty), got {nc_conc_rel_sd!r}")
        prior = math.log10(1.0 + rel)
    given = list(items)  # the caller's data (sigma as given), for the feasibility and fit checks
    if nc_factor_shared:
        shared = (*shared, "log10_nc_conc_factor")
    kw = dict(
        observable=observable, ions_per_host=m, host_per_site=h, shared=shared, fixed=dict(fixed or {}),
        nc_prior_sd=prior, free_l=free_l, ci_level=ci_level, n_boot=n_boot, rng=rng,
    )
    if (prior or any(t.scale_sd for t in items)) and any(t.sigma is None for t in items):
        # priors are in units of the data's noise: estimate it from a fit without the nuisances,
        # then once more from the fit with them (misfit of the first would inflate it)
        first = _fit_sequential_n(
            model, [replace(t, scale_sd=None) for t in items], candidates[0], **{**kw, "nc_prior_sd": None}, ci="none"
        )
        noise = math.sqrt(max(first.chisqr, 1e-300) / max(first.ndata - first.nvarys, 1))
        items = [t if t.sigma is not None else replace(t, sigma=np.full(t.x.size, noise)) for t in given]
        second = _fit_sequential_n(model, items, candidates[0], ci="none", **kw)
        noise *= math.sqrt(max(second.redchi, 1e-12))
        items = [t if t.sigma is not None else replace(t, sigma=np.full(t.x.size, noise)) for t in given]
    if len(candidates) == 1:
        best = _fit_sequential_n(model, items, candidates[0], ci=ci, **kw)
        scan_note: list[str] = []
        scan: dict[str, Any] = {}
    else:
        results = [_fit_sequential_n(model, items, n, ci="none", **kw) for n in candidates]
        rows = [{"sites": n, "aic": r.aic, "bic": r.bic, "r2": r.r2} for n, r in zip(candidates, results, strict=True)]
        best_n = candidates[int(np.argmin([r.aic for r in results]))]
        best = _fit_sequential_n(model, items, best_n, ci=ci, **kw)
        scan_note = [f"sites scanned over {candidates}; n = {best_n} has the lowest AIC (host cations per NC unknown)"]
        scan = {"scan": rows}
    notes = list(scan_note)
    warn = []
    extra: dict[str, Any] = dict(scan)
    extra["constants"] = _constants(best, per_nc_units=all(t.nc_conc_molar == 1.0 for t in items))
    if prior:
        extra["nc_conc_rel_sd"] = float(nc_conc_rel_sd)  # type: ignore[arg-type]
    try:
        pops, text = _populations_note(best, items)
        extra["populations"] = pops
        notes.append(text)
    except CationxError:
        pass
    if n_host is None:
        notes.append(
            f"host cations per NC not given: the model holds n x h = {best.extra['host_cations_per_nc']} "
            "(the paper's per-NC preset is 20); mass balance against the real NC was not checked"
        )
    else:
        from cationx.cooperative.feasibility import DEFAULT_TOLERANCE, check_feasibility

        tol = feasibility_tolerance
        if tol is None and all(t.sigma is None for t in given):
            tol = max([DEFAULT_TOLERANCE] + [3.0 * _noise_from_data(t.y) for t in given])
        feas = [
            check_feasibility(t.x, t.y, host_cations_per_nc=n_host, ions_per_host=m, observable=t.observable or observable, host_per_site=h,
                              sigma=t.sigma, tolerance=tol)
            for t in given
        ]
        extra["feasibility"] = [f.to_dict() for f in feas] if len(feas) > 1 else feas[0].to_dict()
        for f in feas:
            notes.extend(f.notes)
            if not f.feasible:
                warn.append(f.summary)
    warn.extend(_lack_of_fit(best, given))
    return _with(best, notes=notes, extra=extra, warnings=warn)


LACK_OF_FIT_FACTOR = 3.0  # residual RMS beyond this multiple of the data's own noise: not described
NOISE_FLOOR = 1e-3  # fractions are rarely known better than 0.1 %


def _lack_of_fit(result: FitResult, items: Sequence[Titration]) -> list[str]:
    """Lack-of-fit check against the data's own noise (R^2 alone passes a wrong model).

    With per-point sigma given: the chi-square of each titration against the 99.9 % point of its
    chi-square distribution.  Without: the residual RMS against ``LACK_OF_FIT_FACTOR`` x the
    model-free point-to-point noise (:func:`_noise_from_data`, at least ``NOISE_FLOOR``).
    """
    from scipy import stats

    out = []
    idx = result.dataset_index if result.dataset_index.size else np.zeros(result.residuals.size, dtype=int)
    dof_share = max(result.nvarys, 0) / max(len(items), 1)
    for k, t in enumerate(items):
        r = result.residuals[idx == k]
        if r.size < 4:
            continue
        label = f" ({t.label})" if t.label and len(items) > 1 else ""
        if t.sigma is not None:
            chi2 = float(np.sum((r / t.sigma) ** 2))
            dof = max(r.size - dof_share, 1.0)
            limit = float(stats.chi2.ppf(0.999, dof))
            if chi2 > limit:
                out.append(
                    f"lack of fit{label}: chi-square {chi2:.4g} exceeds {limit:.4g} (99.9 % for {dof:.0f} degrees "
                    f"of freedom with the given sigma): the {result.model} model does not describe the data"
                )
            continue
        rms = float(np.sqrt(np.mean(r * r)))
        noise = max(_noise_from_data(t.y), NOISE_FLOOR)
        if rms > LACK_OF_FIT_FACTOR * noise:
            out.append(
                f"lack of fit{label}: residual RMS {rms:.3g} is {rms / noise:.0f}x the point-to-point noise "
                f"{noise:.2g} of the data: the {result.model} model does not describe them"
            )
    return out


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
