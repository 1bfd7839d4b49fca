"""Thin layer over lmfit shared by every domain: one result type, honest intervals, global fits.

Every fit in cationx goes through :func:`fit_curve` (one data set) or :func:`fit_global`
(several data sets with some parameters shared).  Both return a :class:`FitResult` that
holds the values, standard errors and confidence intervals of every parameter, R^2,
AIC/BIC, residuals and the fitted curve, and convert to pandas (``to_frame``) and JSON
(``to_dict``).

Intervals (``ci=``):

- ``"profile"`` (default): profile-likelihood intervals from :func:`lmfit.conf_interval`
  (an F-test on the change of chi-square while the other parameters are re-optimised);
  valid for non-linear and asymmetric cases where ``value ± 1.96 stderr`` is not.
- ``"bootstrap"``: residual bootstrap (``n_boot`` refits on the fitted curve plus
  resampled residuals, seeded by ``rng``), percentile intervals.
- ``"stderr"``: Wald intervals ``value ± t * stderr`` from the covariance matrix.
- ``"none"``.

A fit that does not converge, produces non-finite values, or cannot be evaluated raises
:class:`~cationx.errors.FitError`; a fit whose covariance cannot be estimated (a parameter
the data do not determine) returns with ``stderr = None`` and a
:class:`~cationx.errors.ConvergenceWarning`: it never returns garbage quietly.

Trust: every result carries ``warnings`` (and ``converged = success and not warnings``).  A
fit is not trustworthy when R^2 < 0 (worse than a constant), a free parameter sits at a
bound, a standard error or a requested interval could not be computed, or (for parameters
whose kind the caller declares) the standard error exceeds the value: ``|value|`` for linear
parameters, ``1/ln 10`` (= 100 % of the constant) for log10 parameters.

Fit contract: every public fit in cationx ends its signature with the same keyword tail
(:data:`FIT_TAIL`), validated by :func:`check_fit_options`:

- ``sigma``: per-point standard uncertainties of the data (same length, all finite and > 0),
  or ``None`` to estimate the noise from the residuals (the covariance is then scaled by the
  reduced chi-square).  Fits whose data carry their own uncertainties (a titration, a
  measured powder pattern) take them there and have no ``sigma`` keyword.
- ``ci``: one of :data:`CI_METHODS` (each fit documents its default).
- ``ci_level``: the confidence level, strictly between 0 and 1 (default 0.95).
- ``n_boot``: the number of bootstrap refits for ``ci="bootstrap"`` (an integer >= 20).
- ``rng``: ``None``, an integer seed or a :class:`numpy.random.Generator`; every bootstrap
  draws from ``numpy.random.default_rng(rng)``, so the same ``rng`` gives bit-identical
  intervals.

Bad values raise :class:`~cationx.errors.InputError` naming the argument.  Every fit returns
either a :class:`FitResult` or a domain result that exposes ``.fit`` (its :class:`FitResult`),
``.converged``, ``.warnings``, ``to_dict()`` and ``to_frame()``.  Only this module imports
lmfit: domains build their parameters with :data:`Parameters` (re-exported here).

Priors: ``priors={name: (mean, sd)}`` adds ``(value - mean)/sd`` to the residuals (a Gaussian
prior, in the units of the weighted residuals, so give ``sigma`` with the data); R^2, AIC
and BIC are computed from the data residuals only.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import lmfit
import numpy as np
import pandas as pd
from scipy import stats

from cationx._validation import check_choice, check_fraction, check_int, check_magnitude
from cationx.errors import ConvergenceWarning, FitError, InputError

__all__ = [
    "CI_METHODS",
    "FIT_TAIL",
    "Dataset",
    "FTest",
    "FitOptions",
    "FitResult",
    "HoldsFit",
    "HoldsLines",
    "ParameterEstimate",
    "Parameters",
    "check_fit_options",
    "f_test",
    "fit_curve",
    "fit_global",
]

CI_METHODS = ("profile", "bootstrap", "stderr", "none")
FIT_TAIL = ("sigma", "ci", "ci_level", "n_boot", "rng")
"""The keyword tail every public fit accepts (see the module docstring, "Fit contract")."""

Parameters = lmfit.Parameters
"""lmfit's parameter set, re-exported so that no domain module imports lmfit itself."""

ModelFunc = Callable[[Mapping[str, float], np.ndarray], np.ndarray]


@dataclass(frozen=True, slots=True)
class ParameterEstimate:
    """One fitted parameter: value, standard error and confidence interval (None if unknown)."""

    name: str
    value: float
    stderr: float | None
    ci_low: float | None
    ci_high: float | None
    vary: bool = True
    expr: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "stderr": self.stderr,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "vary": self.vary,
        }


@dataclass(frozen=True, slots=True)
class Dataset:
    """One data set of a (global) fit: ``x``, ``y`` and optional per-point ``sigma``."""

    x: np.ndarray
    y: np.ndarray
    sigma: np.ndarray | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class FitResult:
    """Outcome of a fit. Arrays are concatenated over data sets for global fits."""

    model: str
    params: dict[str, ParameterEstimate]
    x: np.ndarray
    y: np.ndarray
    y_fit: np.ndarray
    residuals: np.ndarray
    r2: float
    aic: float
    bic: float
    chisqr: float
    redchi: float
    ndata: int
    nvarys: int
    ci_method: str
    ci_level: float
    success: bool
    message: str
    dataset_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def converged(self) -> bool:
        """True only for a trustworthy result: the optimiser succeeded and nothing was flagged."""
        return bool(self.success) and not self.warnings

    def __getitem__(self, name: str) -> ParameterEstimate:
        return self.params[name]

    def value(self, name: str) -> float:
        """Best-fit value of parameter ``name``."""
        return self.params[name].value

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: value, stderr, ci_low, ci_high, vary."""
        rows = [{"parameter": k, **v.to_dict()} for k, v in self.params.items()]
        return pd.DataFrame(rows).set_index("parameter")

    def curve_frame(self) -> pd.DataFrame:
        """Data, fitted curve and residuals, one row per point."""
        frame = pd.DataFrame({"x": self.x, "y": self.y, "y_fit": self.y_fit, "residual": self.residuals})
        if self.dataset_index.size:
            frame.insert(0, "dataset", self.dataset_index)
        return frame

    def to_dict(self, *, arrays: bool = True) -> dict[str, Any]:
        """JSON-ready summary; ``params`` maps name -> {value, stderr, ci_low, ci_high, vary}."""
        out: dict[str, Any] = {
            "model": self.model,
            "params": {k: v.to_dict() for k, v in self.params.items()},
            "r2": self.r2,
            "aic": self.aic,
            "bic": self.bic,
            "chisqr": self.chisqr,
            "redchi": self.redchi,
            "ndata": self.ndata,
            "nvarys": self.nvarys,
            "ci_method": self.ci_method,
            "ci_level": self.ci_level,
            "success": self.success,
            "converged": self.converged,
            "warnings": list(self.warnings),
            "message": self.message,
            "notes": list(self.notes),
        }
        if self.extra:
            out["extra"] = self.extra
        if arrays:
            out["x"] = self.x
            out["y"] = self.y
            out["y_fit"] = self.y_fit
            out["residuals"] = self.residuals
        return out

    def report(self) -> str:
        """Plain-text summary table."""
        lines = []
        if not self.converged:
            lines.append(f"FIT NOT TRUSTWORTHY ({self.model}): do not report these values")
            lines.extend(f"  - {w}" for w in self.warnings)
        lines.append(f"model: {self.model}   R^2 = {self.r2:.5f}   AIC = {self.aic:.2f}   BIC = {self.bic:.2f}")
        pct = round(100 * self.ci_level)
        lines.append(f"{'parameter':<16}{'value':>14} {'stderr':>12}   {pct}% interval ({self.ci_method})")
        for name, p in self.params.items():
            if p.expr:
                se = f"= {p.expr}"
            elif not p.vary:
                se = "fixed"
            else:
                se = "n/a" if p.stderr is None else f"{p.stderr:.4g}"
            ci = (
                f"[{p.ci_low:.5g}, {p.ci_high:.5g}]"
                if p.ci_low is not None and p.ci_high is not None
                else "-"
            )
            lines.append(f"{name:<16}{p.value:>14.6g} {se:>12}   {ci}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class FitOptions:
    """The validated keyword tail of a fit (see :func:`check_fit_options`)."""

    sigma: np.ndarray | None
    ci: str
    ci_level: float
    n_boot: int
    rng: int | np.random.Generator | None

    def generator(self) -> np.random.Generator:
        """``numpy.random.default_rng(rng)``: the only source of bootstrap draws."""
        return np.random.default_rng(self.rng)


def check_fit_options(
    *,
    sigma: Any = None,
    n: int | None = None,
    ci: str = "profile",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: Any = None,
) -> FitOptions:
    """Validate the fit contract's keyword tail; raise :class:`InputError` naming the argument.

    ``n`` is the number of data points ``sigma`` must match (``None`` skips the length check).
    """
    ci, level = _check_ci(ci, ci_level)
    n_boot = check_int(n_boot, "n_boot", minimum=20)
    if rng is not None and not isinstance(rng, np.random.Generator):
        if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
            raise InputError(f"rng must be None, a non-negative integer seed or a numpy Generator, got {rng!r}")
    sig = None
    if sigma is not None:
        try:
            sig = np.asarray(sigma, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"sigma must be an array of numbers, got {type(sigma).__name__}") from None
        if sig.ndim != 1:
            raise InputError(f"sigma must be one-dimensional, got shape {sig.shape}")
        if n is not None and sig.size != n:
            raise InputError(f"sigma must have one value per data point ({n}), got {sig.size}")
        if not (np.all(np.isfinite(sig)) and np.all(sig > 0)):
            raise InputError("sigma must be finite and > 0 at every point")
    return FitOptions(sig, ci, level, n_boot, rng)


def _check_ci(ci: str, ci_level: float) -> tuple[str, float]:
    check_choice(ci, "ci", CI_METHODS)
    level = check_fraction(ci_level, "ci_level", open_low=True, open_high=True)
    return ci, level


def _residual_factory(
    func: Callable[[Mapping[str, float], int, np.ndarray], np.ndarray],
    datasets: Sequence[Dataset],
    priors: Mapping[str, tuple[float, float]] | None = None,
) -> Callable[[lmfit.Parameters], np.ndarray]:
    def residual(params: lmfit.Parameters) -> np.ndarray:
        values = params.valuesdict()
        parts = []
        for k, ds in enumerate(datasets):
            model = np.asarray(func(values, k, ds.x), dtype=float)
            r = model - ds.y
            if ds.sigma is not None:
                r = r / ds.sigma
            parts.append(r)
        if priors:
            parts.append(np.array([(values[n] - mu) / sd for n, (mu, sd) in priors.items()]))
        out = np.concatenate(parts)
        if not np.all(np.isfinite(out)):
            # lmfit treats NaN as fatal; a large finite penalty lets the optimiser back off.
            out = np.where(np.isfinite(out), out, 1e6)
        return out

    return residual


def _wald(value: float, stderr: float | None, level: float, dof: int) -> tuple[float | None, float | None]:
    if stderr is None or not math.isfinite(stderr):
        return None, None
    t = stats.t.ppf(0.5 + level / 2, max(dof, 1))
    return value - t * stderr, value + t * stderr


def _profile_intervals(
    minimizer: lmfit.Minimizer, result: lmfit.minimizer.MinimizerResult, level: float
) -> dict[str, tuple[float, float]]:
    """Profile-likelihood intervals: for each free parameter, where the chi-square minimised
    over the others reaches ``chi2_min (1 + F(level; 1, N-P)/(N-P))`` (the F-test that
    :func:`lmfit.conf_interval` uses), found by bracketing and a secant search on the signed
    root of the chi-square increase, which is nearly linear in the parameter, with each inner
    fit warm-started from the previous one.  ``lmfit.conf_interval`` steps outward in small
    increments and needs several times more model evaluations; the two agree (tested).
    A side the data do not bound (the profile stays below the threshold up to the
    parameter's bound) is returned as -inf or +inf.
    """
    fcn = minimizer.userfcn
    best = result.params
    free = [n for n, p in best.items() if p.vary and not p.expr]
    ndata, nvarys = int(result.ndata), int(result.nvarys)
    dof = max(ndata - nvarys, 1)
    chi_min = float(result.chisqr)
    target = chi_min * (1.0 + stats.f.ppf(level, 1, dof) / dof)
    z_target = math.sqrt(max(target - chi_min, 1e-300))

    def chi2(params: lmfit.Parameters) -> float:
        r = np.asarray(fcn(params), dtype=float)
        return float(np.sum(r * r))

    out: dict[str, tuple[float, float]] = {}
    for name in free:
        p0 = best[name]
        theta0 = float(p0.value)
        step = float(p0.stderr) if (p0.stderr is not None and math.isfinite(p0.stderr) and p0.stderr > 0) else max(0.1 * abs(theta0), 0.1)
        ends = []
        for sign in (-1.0, 1.0):
            limit = float(p0.min) if sign < 0 else float(p0.max)
            warm = best.copy()

            def profile(theta: float, name: str = name) -> float:
                nonlocal warm
                trial = warm.copy()
                trial[name].set(value=theta, vary=False)
                if len(free) == 1:
                    return chi2(trial)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    inner = lmfit.Minimizer(fcn, trial, nan_policy="raise").minimize(method="leastsq")
                warm = inner.params
                warm[name].set(vary=True)
                return float(inner.chisqr)

            def z(theta: float) -> float:
                return math.sqrt(max(profile(theta) - chi_min, 0.0)) - z_target

            lo_t, z_lo = theta0, -z_target
            dist = 2.0 * step
            hi_t = z_hi = None
            for _ in range(40):
                cand = theta0 + sign * dist
                if (sign < 0 and cand <= limit) or (sign > 0 and cand >= limit):
                    cand = limit
                zc = z(cand)
                if zc >= 0:
                    hi_t, z_hi = cand, zc
                    break
                lo_t, z_lo = cand, zc
                if cand == limit:
                    break
                # linear extrapolation of the signed root, at most 4x further
                slope = (zc + z_target) / max(abs(cand - theta0), 1e-300)
                need = z_target / slope if slope > 0 else 4.0 * dist
                dist = min(max(need * 1.1, dist * 1.5), dist * 4.0)
            if hi_t is None:
                ends.append(-math.inf if sign < 0 else math.inf)
                continue
            a, za, b, zb = lo_t, z_lo, hi_t, z_hi
            tol = 1e-6 * max(step, 1e-12)
            side = 0
            for _ in range(60):  # Illinois (regula falsi with halving): bracketed, superlinear
                if abs(b - a) <= tol:
                    break
                c = b - zb * (b - a) / (zb - za)
                zc = z(c)
                if abs(zc) <= 1e-6 * z_target:
                    a = b = c
                    break
                if zc > 0:
                    b, zb = c, zc
                    if side == 1:
                        za *= 0.5
                    side = 1
                else:
                    a, za = c, zc
                    if side == -1:
                        zb *= 0.5
                    side = -1
            ends.append(float(b if zb is not None else a) if a != b else float(a))
        out[name] = (ends[0], ends[1])
    return out


def _bootstrap_intervals(
    minimizer_factory: Callable[[np.ndarray], lmfit.Minimizer],
    best: lmfit.Parameters,
    y_fit: list[np.ndarray],
    resid: list[np.ndarray],
    level: float,
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[dict[str, tuple[float, float]], int]:
    names = [n for n, p in best.items() if p.vary]
    samples: dict[str, list[float]] = {n: [] for n in names}
    failed = 0
    for _ in range(n_boot):
        ys = [yf + rng.choice(r, size=r.size, replace=True) for yf, r in zip(y_fit, resid, strict=True)]
        mini = minimizer_factory(ys)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = mini.minimize(params=best.copy())
        except (ValueError, FloatingPointError):
            failed += 1
            continue
        if not res.success:
            failed += 1
            continue
        for n in names:
            samples[n].append(res.params[n].value)
    a = 100 * (0.5 - level / 2)
    out = {}
    for n in names:
        if len(samples[n]) >= 10:
            lo, hi = np.percentile(samples[n], [a, 100 - a])
            out[n] = (float(lo), float(hi))
    return out, failed


def fit_global(
    func: Callable[[Mapping[str, float], int, np.ndarray], np.ndarray],
    params: lmfit.Parameters,
    datasets: Sequence[Dataset],
    *,
    model_name: str,
    ci: str = "profile",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
    method: str = "leastsq",
    notes: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
    scale_covar: bool = True,
    priors: Mapping[str, tuple[float, float]] | None = None,
    param_kinds: Mapping[str, str] | None = None,
) -> FitResult:
    """Least-squares fit of ``func(values, dataset_index, x)`` to several data sets at once.

    Parameters shared between data sets are ordinary lmfit parameters; per-data-set
    parameters are distinguished by name (the caller's convention, e.g. ``log10_k1_0``).
    See the module docstring for ``ci``, ``priors`` and the trust checks (``param_kinds``
    maps a parameter name to ``"log10"``, ``"log10:H"`` (a log10 constant of H units, e.g. a
    per-step constant of H host cations, checked per unit) or ``"linear"`` for the
    standard-error check).
    ``scale_covar=False`` keeps the covariance unscaled by the reduced chi-square: use it
    when ``sigma`` holds known absolute uncertainties (e.g. Poisson counts).
    """
    priors = dict(priors or {})
    for name, (_mu, sd) in priors.items():
        if name not in params:
            raise InputError(f"prior on unknown parameter {name!r}")
        if not (math.isfinite(sd) and sd > 0):
            raise InputError(f"prior sd of {name} must be > 0, got {sd!r}")
    opts = check_fit_options(ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng)
    ci, level, n_boot = opts.ci, opts.ci_level, opts.n_boot
    if not datasets:
        raise InputError("at least one data set is needed for a fit")
    for ds in datasets:
        check_magnitude(ds.y, f"the data of {model_name}")
    nvary = sum(1 for p in params.values() if p.vary and not p.expr)
    ndata = sum(ds.x.size for ds in datasets)
    if ndata <= nvary:
        raise InputError(f"a fit of {nvary} free parameter(s) needs more than {nvary} data points, got {ndata}")

    def make_minimizer(ys: Sequence[np.ndarray]) -> lmfit.Minimizer:
        dsets = [Dataset(ds.x, y, ds.sigma, ds.label) for ds, y in zip(datasets, ys, strict=True)]
        return lmfit.Minimizer(_residual_factory(func, dsets, priors), params, nan_policy="raise", scale_covar=scale_covar)

    minimizer = make_minimizer([ds.y for ds in datasets])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = minimizer.minimize(method=method)
    except (ValueError, FloatingPointError, ZeroDivisionError) as exc:
        raise FitError(f"{model_name} fit failed: {exc}") from None
    if not result.success:
        raise FitError(f"{model_name} fit did not converge: {result.message}")

    values = result.params.valuesdict()
    y_fit = [np.asarray(func(values, k, ds.x), dtype=float) for k, ds in enumerate(datasets)]
    if not all(np.all(np.isfinite(yf)) for yf in y_fit):
        raise FitError(f"{model_name} fit produced non-finite model values at the optimum")
    resid = [yf - ds.y for yf, ds in zip(y_fit, datasets, strict=True)]

    all_notes = list(notes)
    have_cov = result.covar is not None and result.errorbars
    if not have_cov:
        msg = f"{model_name}: covariance could not be estimated (a parameter is not determined by the data)"
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)
        all_notes.append(msg)

    intervals: dict[str, tuple[float, float]] = {}
    ci_used = ci
    dof = max(ndata - result.nvarys, 1)
    if ci == "profile" and have_cov:
        try:
            intervals = _profile_intervals(minimizer, result, level)
        except (ValueError, RuntimeError, lmfit.minimizer.MinimizerException, AttributeError) as exc:
            all_notes.append(f"profile-likelihood interval failed ({exc}); Wald intervals reported")
            ci_used = "stderr"
    elif ci == "profile":
        ci_used = "none"
    if ci == "bootstrap":
        gen = opts.generator()
        intervals, failed = _bootstrap_intervals(make_minimizer, result.params, y_fit, resid, level, n_boot, gen)
        if failed:
            all_notes.append(f"bootstrap: {failed} of {n_boot} refits failed and were skipped")

    estimates: dict[str, ParameterEstimate] = {}
    for name, p in result.params.items():
        stderr = float(p.stderr) if (p.stderr is not None and math.isfinite(p.stderr)) else None
        if not p.vary and not p.expr:
            lo = hi = None
        elif name in intervals:
            lo, hi = intervals[name]
        elif ci_used == "stderr" or (ci == "profile" and p.expr):
            lo, hi = _wald(float(p.value), stderr, level, dof)
        else:
            lo = hi = None
        estimates[name] = ParameterEstimate(
            name=name,
            value=float(p.value),
            stderr=stderr,
            ci_low=lo,
            ci_high=hi,
            vary=bool(p.vary),
            expr=p.expr,
        )

    y_all = np.concatenate([ds.y for ds in datasets])
    yfit_all = np.concatenate(y_fit)
    res_all = np.concatenate(resid)
    ss_res = float(np.sum(res_all**2))
    ss_tot = float(np.sum((y_all - y_all.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
    index = np.concatenate([np.full(ds.x.size, k) for k, ds in enumerate(datasets)])
    chisqr, redchi, aic, bic = float(result.chisqr), float(result.redchi), float(result.aic), float(result.bic)
    if priors:  # information criteria and chi-square of the data alone
        w = [r / ds.sigma if ds.sigma is not None else r for r, ds in zip(resid, datasets, strict=True)]
        chisqr = float(sum(np.sum(x * x) for x in w))
        k = int(result.nvarys)
        redchi = chisqr / max(ndata - k, 1)
        term = ndata * math.log(max(chisqr, 1e-300) / ndata)
        aic, bic = term + 2 * k, term + math.log(ndata) * k
    trust = _trust_warnings(model_name, result.params, estimates, r2, ci, ci_used, dict(param_kinds or {}))
    return FitResult(
        model=model_name,
        params=estimates,
        x=np.concatenate([ds.x for ds in datasets]),
        y=y_all,
        y_fit=yfit_all,
        residuals=res_all,
        r2=r2,
        aic=aic,
        bic=bic,
        chisqr=chisqr,
        redchi=redchi,
        ndata=int(ndata),
        nvarys=int(result.nvarys),
        ci_method=ci_used,
        ci_level=level,
        success=bool(result.success),
        message=str(result.message),
        dataset_index=index if len(datasets) > 1 else np.zeros(0, dtype=int),
        notes=tuple(all_notes),
        extra=dict(extra or {}),
        warnings=tuple(trust),
    )


def _at_bound(value: float, lo: float, hi: float) -> str | None:
    """``"lower"``/``"upper"`` when ``value`` is within 1e-4 of a bound, on the scale of the
    value (not of the span: wide bounds such as K/1e6..K*1e6 must not flag a value near K)."""
    span = hi - lo if math.isfinite(lo) and math.isfinite(hi) else math.inf
    for bound, label in ((lo, "lower"), (hi, "upper")):
        if not math.isfinite(bound):
            continue
        tol = 1e-4 * min(span, max(1.0, abs(bound), abs(value)))
        if abs(value - bound) <= tol:
            return label
    return None


def _trust_warnings(
    model_name: str,
    params: lmfit.Parameters,
    estimates: Mapping[str, ParameterEstimate],
    r2: float,
    ci: str,
    ci_used: str,
    kinds: Mapping[str, str],
) -> list[str]:
    """Reasons a converged optimiser's answer is still not trustworthy (see module docstring)."""
    out: list[str] = []
    if math.isfinite(r2) and r2 < 0:
        out.append(f"R^2 = {r2:.3g} < 0: the {model_name} model fits worse than a constant")
    for name, est in estimates.items():
        if not est.vary or est.expr:
            continue
        p = params[name]
        side = _at_bound(est.value, float(p.min), float(p.max))
        if side is not None:
            out.append(f"{name} = {est.value:.6g} sits at its {side} bound: the data do not determine it")
        if est.stderr is None:
            out.append(f"the standard error of {name} could not be estimated")
            continue
        kind, _, per = (kinds.get(name) or "").partition(":")
        scale = float(per) if per else 1.0
        if kind == "log10" and est.stderr / scale > 1.0 / math.log(10.0):
            what = "the constant" if scale == 1.0 else f"the constant per host cation (log10 / {per})"
            out.append(
                f"{name} has standard error {est.stderr:.3g} (> {0.434 * scale:.3g} in log10: {what} is "
                "uncertain by more than its value)"
            )
        elif kind == "linear" and est.stderr > abs(est.value):
            out.append(f"{name} = {est.value:.4g} has a standard error {est.stderr:.3g} larger than its value")
        if ci != "none" and ci_used != "none":
            if est.ci_low is None or est.ci_high is None:
                out.append(f"no {ci} interval could be computed for {name}")
            elif not (math.isfinite(est.ci_low) and math.isfinite(est.ci_high)):
                out.append(f"the {ci} interval of {name} is open ({est.ci_low:.4g}, {est.ci_high:.4g}): the data bound it on one side only")
    return out


def fit_curve(
    func: ModelFunc,
    params: lmfit.Parameters,
    x: np.ndarray,
    y: np.ndarray,
    *,
    sigma: np.ndarray | None = None,
    model_name: str,
    ci: str = "profile",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
    method: str = "leastsq",
    notes: Sequence[str] = (),
    extra: Mapping[str, Any] | None = None,
    scale_covar: bool = True,
) -> FitResult:
    """Least-squares fit of ``func(values, x)`` to ``y`` (one data set); see :func:`fit_global`."""
    if sigma is not None:
        sigma = check_fit_options(sigma=sigma, n=np.size(x), ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng).sigma
    return fit_global(
        lambda values, _k, xx: func(values, xx),
        params,
        [Dataset(x, y, sigma)],
        model_name=model_name,
        ci=ci,
        ci_level=ci_level,
        n_boot=n_boot,
        rng=rng,
        method=method,
        notes=notes,
        extra=extra,
        scale_covar=scale_covar,
    )


@dataclass(frozen=True, slots=True)
class FTest:
    """Extra-sum-of-squares F-test of a reduced model nested in a fuller one."""

    reduced: str
    full: str
    f_statistic: float
    df_num: int
    df_den: int
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "reduced": self.reduced,
            "full": self.full,
            "f_statistic": self.f_statistic,
            "df_num": self.df_num,
            "df_den": self.df_den,
            "p_value": self.p_value,
        }


def f_test(reduced: FitResult, full: FitResult) -> FTest:
    """Extra-sum-of-squares F-test: does ``full`` fit the same data significantly better?

    ``F = ((RSS_r - RSS_f) / (p_f - p_r)) / (RSS_f / (n - p_f))`` with ``p`` the number of
    free parameters; the p-value is the upper tail of F(p_f - p_r, n - p_f).  Valid for
    nested models fitted to the same points with the same weights.  When the extra
    parameters are not identified under the reduced model (a breakpoint, a second rate),
    the F distribution is only an approximation (Davies, Biometrika 74, 33 (1987)).
    """
    if reduced.ndata != full.ndata or not np.array_equal(reduced.x, full.x):
        raise InputError("f_test needs two fits of the same data points")
    df_num = full.nvarys - reduced.nvarys
    df_den = full.ndata - full.nvarys
    if df_num <= 0:
        raise InputError(
            f"f_test: the full model ({full.model}, {full.nvarys} parameters) must have more "
            f"free parameters than the reduced one ({reduced.model}, {reduced.nvarys})"
        )
    if df_den <= 0:
        raise InputError(f"f_test: {full.model} leaves no residual degrees of freedom")
    if full.chisqr <= 0:
        f_stat = math.inf
        p = 0.0
    else:
        f_stat = max((reduced.chisqr - full.chisqr) / df_num, 0.0) / (full.chisqr / df_den)
        p = float(stats.f.sf(f_stat, df_num, df_den))
    return FTest(reduced.model, full.model, float(f_stat), int(df_num), int(df_den), p)


class HoldsFit:
    """The fit contract's verdict for a domain result that holds its :class:`FitResult` as ``fit``.

    A mixin for frozen, slotted dataclasses (it has no slots of its own).
    """

    __slots__ = ()
    fit: FitResult

    @property
    def converged(self) -> bool:
        """True only for a trustworthy fit (see :attr:`FitResult.converged`)."""
        return self.fit.converged

    @property
    def warnings(self) -> tuple[str, ...]:
        """What makes the fit untrustworthy (empty when ``converged``)."""
        return self.fit.warnings


class HoldsLines:
    """The verdict of a result made of independent fits in ``lines`` (one per window)."""

    __slots__ = ()
    lines: tuple[Any, ...]

    @property
    def converged(self) -> bool:
        """True only when every window's fit is trustworthy."""
        return all(ln.converged for ln in self.lines)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Each window's warnings, prefixed with its number (from 1)."""
        return tuple(f"window {k}: {w}" for k, ln in enumerate(self.lines, start=1) for w in ln.warnings)
