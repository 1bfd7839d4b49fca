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
    "Dataset",
    "FTest",
    "FitResult",
    "ParameterEstimate",
    "f_test",
    "fit_curve",
    "fit_global",
]

CI_METHODS = ("profile", "bootstrap", "stderr", "none")

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
        lines = [f"model: {self.model}   R^2 = {self.r2:.5f}   AIC = {self.aic:.2f}   BIC = {self.bic:.2f}"]
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


def _check_ci(ci: str, ci_level: float) -> tuple[str, float]:
    check_choice(ci, "ci", CI_METHODS)
    level = check_fraction(ci_level, "ci_level", open_low=True, open_high=True)
    return ci, level


def _residual_factory(
    func: Callable[[Mapping[str, float], int, np.ndarray], np.ndarray],
    datasets: Sequence[Dataset],
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ci = lmfit.conf_interval(minimizer, result, sigmas=[level], maxiter=400)
    out = {}
    for name, rows in ci.items():
        vals = [v for _, v in rows]
        lo, hi = vals[0], vals[-1]
        out[name] = (float(lo), float(hi))
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
) -> FitResult:
    """Least-squares fit of ``func(values, dataset_index, x)`` to several data sets at once.

    Parameters shared between data sets are ordinary lmfit parameters; per-data-set
    parameters are distinguished by name (the caller's convention, e.g. ``log10_k1_0``).
    See the module docstring for ``ci``.  ``scale_covar=False`` keeps the covariance
    unscaled by the reduced chi-square: use it when ``sigma`` holds known absolute
    uncertainties (e.g. Poisson counts).
    """
    ci, level = _check_ci(ci, ci_level)
    n_boot = check_int(n_boot, "n_boot", minimum=20)
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
        return lmfit.Minimizer(_residual_factory(func, dsets), params, nan_policy="raise", scale_covar=scale_covar)

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
        gen = np.random.default_rng(rng)
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
    return FitResult(
        model=model_name,
        params=estimates,
        x=np.concatenate([ds.x for ds in datasets]),
        y=y_all,
        y_fit=yfit_all,
        residuals=res_all,
        r2=r2,
        aic=float(result.aic),
        bic=float(result.bic),
        chisqr=float(result.chisqr),
        redchi=float(result.redchi),
        ndata=int(ndata),
        nvarys=int(result.nvarys),
        ci_method=ci_used,
        ci_level=level,
        success=bool(result.success),
        message=str(result.message),
        dataset_index=index if len(datasets) > 1 else np.zeros(0, dtype=int),
        notes=tuple(all_notes),
        extra=dict(extra or {}),
    )


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
