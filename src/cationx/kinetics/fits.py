"""Fits of kinetic traces A(t): first order, two stage (fitted breakpoint), bi-exponential,
the paper's log-linear windows, and a model comparison that says whether a breakpoint is
supported.

- First order is fitted on A(t) itself with ``A_inf`` as a parameter, not as a straight
  line through ``ln(A - A_inf)``: the log transform needs ``A_inf`` in advance, distorts
  the noise (small A near the end dominate) and gives no honest interval for ``A_inf``.
- Two stage: the breakpoint ``t_break`` is a parameter with its own interval.  The fit
  starts from the best ``t_break`` of a grid over the data times (every stage keeping at
  least two points, the other parameters re-fitted at each grid point) and then refines
  all parameters together, so ``t_break`` gets a profile-likelihood interval.
- Bi-exponential: two parallel decays; ``k_fast > k_slow`` by construction.
- Log-linear windows: Yao, Lynch, Robinson, J. Chem. Phys. 159, 014704 (2023), Fig. 2b:
  straight lines of ``ln A`` against t over chosen windows (Ag: 0-20 s and 20-100 s,
  k = 0.056 and 0.019 s^-1, R^2 0.966 and 0.986; Cu, Fig. S12: 0-10 s and 10-90 s,
  k = 0.15 and 0.011 s^-1).  Offered to reproduce the paper; it assumes A_inf = 0 and
  chooses the break by eye.
- :func:`compare_models`: AIC, BIC and the extra-sum-of-squares F-test of first order
  against two stage (and against bi-exponential).  A breakpoint is called supported when
  the F-test rejects first order at ``alpha`` *and* the two-stage model has the lower AIC
  and BIC.  The F-test p-value is approximate here: ``t_break`` does not exist under the
  first-order model (Davies, Biometrika 74, 33 (1987)), which makes it anti-conservative.

All fits go through :func:`cationx.fitting.fit_curve` and return its
:class:`~cationx.fitting.FitResult` (windows: :class:`LogLinearFit`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import (
    as_1d_array,
    check_choice,
    check_finite,
    check_fraction,
    check_magnitude,
    check_matching_lengths,
)
from cationx.errors import ConvergenceWarning, FitError, InputError
from cationx.fitting import (
    FitResult,
    FTest,
    HoldsLines,
    Parameters,
    check_fit_options,
    f_test,
    fit_curve,
)
from cationx.kinetics.models import biexponential, first_order, two_stage
from cationx.kinetics.piecewise import LineFit, fit_line

__all__ = [
    "KINETIC_MODELS",
    "LogLinearFit",
    "ModelComparison",
    "compare_models",
    "fit_biexponential",
    "fit_first_order",
    "fit_kinetics",
    "fit_log_linear_windows",
    "fit_two_stage",
]

KINETIC_MODELS = ("first-order", "two-stage", "biexponential", "log-linear-windows")
MAX_GRID_POINTS = 40  # trial breakpoints before the two-stage refinement


def _trace(t: Any, a: Any, sigma: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    ta = as_1d_array(t, "t", min_length=2)
    aa = as_1d_array(a, "a", min_length=2)
    check_matching_lengths([ta, aa], ["t", "a"])
    sig = None
    if sigma is not None:
        sig = as_1d_array(sigma, "sigma")
        check_matching_lengths([ta, sig], ["t", "sigma"])
        if np.any(sig <= 0):
            raise InputError("sigma must be > 0 at every point")
    order = np.argsort(ta, kind="stable")
    ta, aa = ta[order], aa[order]
    if sig is not None:
        sig = sig[order]
    if np.any(np.diff(ta) == 0):
        raise InputError("t has repeated values; average repeated measurements first")
    return ta, aa, sig


def _need(n: int, nvary: int, model: str, extra: str = "") -> None:
    if n < nvary + 2:
        raise InputError(
            f"a {model} fit has {nvary} free parameters and needs at least {nvary + 2} points{extra}, got {n}"
        )


def _initial(t: np.ndarray, a: np.ndarray, a_inf: float | None) -> tuple[float, float, float]:
    """Rough a0, k, a_inf from the e-folding time of the trace."""
    a0 = float(a[0])
    ainf = float(a[-1]) if a_inf is None else check_finite(a_inf, "a_inf")
    check_magnitude([ainf], "a_inf")
    span = a0 - ainf
    if span == 0:
        return a0, 1.0 / max(float(np.ptp(t)), 1e-12), ainf
    frac = (a - ainf) / span
    below = np.flatnonzero(frac <= math.exp(-1))
    t_e = float(t[below[0]] - t[0]) if below.size and t[below[0]] > t[0] else float(np.ptp(t)) / 3
    return a0, 1.0 / max(t_e, 1e-12 * max(float(np.ptp(t)), 1.0)), ainf


def _add_a_inf(params: Parameters, a_inf: float | None, guess: float) -> None:
    if a_inf is None:
        params.add("a_inf", value=guess)
    else:
        params.add("a_inf", value=check_finite(a_inf, "a_inf"), vary=False)


def fit_first_order(
    t: Any,
    a: Any,
    *,
    a_inf: float | None = None,
    sigma: Any = None,
    ci: str = "profile",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> FitResult:
    """Fit ``A = A_inf + (A0 - A_inf) exp(-k t)`` to A(t).

    Parameters
    ----------
    t, a
        Time (any unit; k comes out in its inverse) and signal (e.g. absorbance).
    a_inf
        None (default) fits the end value; a number fixes it (0 mimics ``ln A`` fits).
    sigma
        Optional per-point standard deviations.
    ci, ci_level, n_boot, rng
        Interval method, see :mod:`cationx.fitting`.

    Returns
    -------
    FitResult with parameters ``a0``, ``k``, ``a_inf``.
    """
    ta, aa, sig = _trace(t, a, sigma)
    _need(ta.size, 3 if a_inf is None else 2, "first-order")
    a0, k0, ainf0 = _initial(ta, aa, a_inf)
    params = Parameters()
    params.add("a0", value=a0)
    params.add("k", value=k0, min=0.0)
    _add_a_inf(params, a_inf, ainf0)
    return fit_curve(
        lambda v, x: first_order(x, v["a0"], v["k"], v["a_inf"]),
        params,
        ta,
        aa,
        sigma=sig,
        model_name="first-order",
        ci=ci,
        ci_level=ci_level,
        n_boot=n_boot,
        rng=rng,
    )


def _two_stage_params(a0: float, k1: float, k2: float, tb: float, a_inf: float | None, ainf0: float,
                      t_lo: float, t_hi: float, vary_tb: bool) -> Parameters:
    params = Parameters()
    params.add("a0", value=a0)
    params.add("k1", value=k1, min=0.0)
    params.add("k2", value=k2, min=0.0)
    params.add("t_break", value=tb, min=t_lo, max=t_hi, vary=vary_tb)
    _add_a_inf(params, a_inf, ainf0)
    return params


def _two_stage_func(v: Any, x: np.ndarray) -> np.ndarray:
    return two_stage(x, v["a0"], v["k1"], v["k2"], v["t_break"], v["a_inf"])


def fit_two_stage(
    t: Any,
    a: Any,
    *,
    a_inf: float | None = None,
    sigma: Any = None,
    ci: str = "profile",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> FitResult:
    """Fit two sequential first-order stages with a fitted breakpoint ``t_break``.

    ``A = A_inf + (A0 - A_inf) exp(-k1 min(t, t_break) - k2 max(t - t_break, 0))``.

    Parameters as in :func:`fit_first_order`.  Needs at least two points on each side
    of the breakpoint and two more points than free parameters (7 with ``A_inf`` fitted,
    6 with it fixed).

    Returns
    -------
    FitResult with parameters ``a0``, ``k1``, ``k2``, ``t_break``, ``a_inf``; the grid
    used to start the fit is in ``extra["grid"]``.
    """
    ta, aa, sig = _trace(t, a, sigma)
    nvary = 5 if a_inf is None else 4
    _need(ta.size, nvary, "two-stage", " (two on each side of the breakpoint)")
    a0, k0, ainf0 = _initial(ta, aa, a_inf)
    t_lo, t_hi = float(ta[1]), float(ta[-2])
    candidates = ta[2:-2]
    if candidates.size > MAX_GRID_POINTS:  # long traces: an even subset; the refinement is continuous
        candidates = candidates[np.unique(np.linspace(0, candidates.size - 1, MAX_GRID_POINTS).round().astype(int))]
    grid_rows = []
    best: tuple[float, Any] = (math.inf, None)
    for tb in candidates:
        params = _two_stage_params(a0, 2 * k0, k0 / 2, float(tb), a_inf, ainf0, t_lo, t_hi, vary_tb=False)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                res = fit_curve(_two_stage_func, params, ta, aa, sigma=sig, model_name="two-stage", ci="none")
        except FitError:
            continue
        grid_rows.append((float(tb), res.chisqr))
        if res.chisqr < best[0]:
            best = (res.chisqr, res)
    if best[1] is None:
        raise FitError("two-stage fit failed at every trial breakpoint")
    start = best[1]
    params = _two_stage_params(
        start.value("a0"), start.value("k1"), start.value("k2"), start.value("t_break"),
        a_inf, start.value("a_inf"), t_lo, t_hi, vary_tb=True,
    )
    grid = {"t_break": [g[0] for g in grid_rows], "chisqr": [g[1] for g in grid_rows]}
    return fit_curve(
        _two_stage_func,
        params,
        ta,
        aa,
        sigma=sig,
        model_name="two-stage",
        ci=ci,
        ci_level=ci_level,
        n_boot=n_boot,
        rng=rng,
        extra={"grid": grid},
    )


def fit_biexponential(
    t: Any,
    a: Any,
    *,
    a_inf: float | None = None,
    sigma: Any = None,
    ci: str = "profile",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> FitResult:
    """Fit ``A = A_inf + a_fast exp(-k_fast t) + a_slow exp(-k_slow t)`` (``k_fast >= k_slow``).

    Returns
    -------
    FitResult with parameters ``a_fast``, ``k_fast``, ``a_slow``, ``k_slow``, ``a_inf``.
    """
    ta, aa, sig = _trace(t, a, sigma)
    _need(ta.size, 5 if a_inf is None else 4, "biexponential")
    a0, k0, ainf0 = _initial(ta, aa, a_inf)
    span = a0 - ainf0

    def build(af: float, kf: float, as_: float, ks: float, ainf: float) -> Parameters:
        params = Parameters()
        params.add("a_fast", value=af)
        params.add("k_fast", value=kf, min=0.0)
        params.add("a_slow", value=as_)
        params.add("k_slow", value=ks, min=0.0)
        _add_a_inf(params, a_inf, ainf)
        return params

    def func(v: Any, x: np.ndarray) -> np.ndarray:
        return biexponential(x, v["a_fast"], v["k_fast"], v["a_slow"], v["k_slow"], v["a_inf"])

    kwargs: dict[str, Any] = {"sigma": sig, "model_name": "biexponential", "ci_level": ci_level, "n_boot": n_boot, "rng": rng}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        first = fit_curve(func, build(0.6 * span, 3 * k0, 0.4 * span, k0 / 3, ainf0), ta, aa, ci="none", **kwargs)
    v = {n: p.value for n, p in first.params.items()}
    if v["k_fast"] < v["k_slow"]:  # labels swapped: restart from the swapped optimum
        v = {**v, "a_fast": v["a_slow"], "k_fast": v["k_slow"], "a_slow": v["a_fast"], "k_slow": v["k_fast"]}
    return fit_curve(func, build(v["a_fast"], v["k_fast"], v["a_slow"], v["k_slow"], v["a_inf"]), ta, aa, ci=ci, **kwargs)


@dataclass(frozen=True, slots=True)
class LogLinearFit(HoldsLines):
    """The paper's route: ``ln A = ln A0 - k t`` fitted separately over each window."""

    windows: tuple[tuple[float, float], ...]
    lines: tuple[LineFit, ...]
    notes: tuple[str, ...] = ()

    @property
    def rate_constants(self) -> list[float]:
        return [-ln.slope.value for ln in self.lines]

    @property
    def r2(self) -> list[float | None]:
        return [ln.r2 for ln in self.lines]


    def params(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for j, ln in enumerate(self.lines, start=1):
            s = ln.slope
            out[f"k_{j}"] = {
                "value": -s.value,
                "stderr": s.stderr,
                "ci_low": None if s.ci_high is None else -s.ci_high,
                "ci_high": None if s.ci_low is None else -s.ci_low,
            }
            b = ln.intercept
            out[f"ln_a0_{j}"] = {"value": b.value, "stderr": b.stderr, "ci_low": b.ci_low, "ci_high": b.ci_high}
        return out

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for j, (w, ln) in enumerate(zip(self.windows, self.lines, strict=True), start=1):
            p = self.params()[f"k_{j}"]
            rows.append({"window": j, "t_lo": w[0], "t_hi": w[1], "n_points": int(ln.n_points), "k": p["value"],
                         "k_stderr": p["stderr"], "k_ci_low": p["ci_low"], "k_ci_high": p["ci_high"],
                         "ln_a0": ln.intercept.value, "r2": ln.r2})
        return pd.DataFrame(rows).set_index("window")

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": "log-linear-windows",
            "params": self.params(),
            "windows": [
                {"t_lo": w[0], "t_hi": w[1], "n_points": ln.n_points, "r2": ln.r2, "exact": ln.exact}
                for w, ln in zip(self.windows, self.lines, strict=True)
            ],
            "r2": self.r2,
            "aic": None,
            "bic": None,
            "converged": self.converged,
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }

    def report(self) -> str:
        lines = ["model: log-linear-windows (ln A = ln A0 - k t per window)"]
        for j, row in self.to_frame().iterrows():
            ci = "-" if row["k_ci_low"] is None or pd.isna(row["k_ci_low"]) else f"[{row['k_ci_low']:.4g}, {row['k_ci_high']:.4g}]"
            r2 = "n/a" if row["r2"] is None or pd.isna(row["r2"]) else f"{row['r2']:.4f}"
            lines.append(f"window {j}: t {row['t_lo']:g}..{row['t_hi']:g}  n={int(row['n_points'])}  k = {row['k']:.4g}  {ci}  R^2 = {r2}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def fit_log_linear_windows(
    t: Any,
    a: Any,
    windows: Sequence[tuple[float, float]],
    *,
    sigma: Any = None,
    ci: str = "stderr",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> LogLinearFit:
    """Straight lines of ``ln A`` vs t over each window (ends included); k = -slope.

    Every A inside a window must be > 0.  Reproduces the route of Yao et al. (2023),
    Fig. 2b; prefer :func:`fit_two_stage` for a fitted breakpoint with an interval.
    ``sigma`` (of A), ``ci``, ``ci_level``, ``n_boot``, ``rng``: the fit contract's keyword
    tail (:mod:`cationx.fitting`); the standard deviation of ln A is taken as ``sigma / A``.
    """
    ta, aa, sig = _trace(t, a, sigma)
    gen = check_fit_options(ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng).generator()
    if not windows:
        raise InputError("windows must name at least one window, e.g. 0:20,20:100")
    lines = []
    for lo, hi in windows:
        sel = (ta >= lo) & (ta <= hi)
        if not lo < hi:
            raise InputError(f"window must have lo < hi, got {lo}:{hi}")
        if sel.sum() < 2:
            raise InputError(f"window {lo:g}:{hi:g} holds {int(sel.sum())} point(s); a line needs at least 2")
        if np.any(aa[sel] <= 0):
            bad = float(ta[sel][np.flatnonzero(aa[sel] <= 0)[0]])
            raise InputError(f"ln A needs A > 0; A <= 0 at t = {bad:g} in window {lo:g}:{hi:g}")
        sig_ln = None if sig is None else sig[sel] / aa[sel]
        lines.append(fit_line(ta[sel], np.log(aa[sel]), window=(lo, hi), sigma=sig_ln, ci=ci, ci_level=ci_level,
                              n_boot=n_boot, rng=gen))
    notes = [
        "ln A fits assume A_inf = 0 and weight late, small absorbances heavily; the windows are chosen, not fitted"
    ]
    notes += [f"window {ln.window[0]:g}:{ln.window[1]:g} holds 2 points: exact line, no interval or R^2" for ln in lines if ln.exact]
    return LogLinearFit(tuple((float(lo), float(hi)) for lo, hi in windows), tuple(lines), tuple(notes))


def fit_kinetics(
    t: Any,
    a: Any,
    model: str = "first-order",
    *,
    windows: Sequence[tuple[float, float]] | None = None,
    **kwargs: Any,
) -> FitResult | LogLinearFit:
    """Dispatch to one of the fits by name (see :data:`KINETIC_MODELS`)."""
    check_choice(model, "model", KINETIC_MODELS)
    if model == "log-linear-windows":
        if windows is None:
            raise InputError("model log-linear-windows needs windows, e.g. 0:20,20:100")
        tail = {k: kwargs[k] for k in ("sigma", "ci", "ci_level", "n_boot", "rng") if k in kwargs}
        return fit_log_linear_windows(t, a, windows, **tail)
    if windows is not None:
        raise InputError(f"windows apply only to model log-linear-windows, not {model}")
    func = {"first-order": fit_first_order, "two-stage": fit_two_stage, "biexponential": fit_biexponential}[model]
    return func(t, a, **kwargs)


@dataclass(frozen=True, slots=True)
class ModelComparison:
    """First order vs two stage vs bi-exponential on one trace."""

    fits: dict[str, FitResult]
    f_tests: dict[str, FTest]
    alpha: float
    breakpoint_supported: bool
    verdict: str
    failures: dict[str, str] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {"model": name, "nvarys": r.nvarys, "chisqr": r.chisqr, "r2": r.r2, "aic": r.aic, "bic": r.bic}
            for name, r in self.fits.items()
        ]
        frame = pd.DataFrame(rows).set_index("model")
        frame["delta_aic"] = frame["aic"] - frame["aic"].min()
        frame["delta_bic"] = frame["bic"] - frame["bic"].min()
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "models": {name: r.to_dict(arrays=False) for name, r in self.fits.items()},
            "f_tests": {name: f.to_dict() for name, f in self.f_tests.items()},
            "alpha": self.alpha,
            "breakpoint_supported": self.breakpoint_supported,
            "verdict": self.verdict,
            "failures": self.failures,
        }


def compare_models(
    t: Any, a: Any, *, a_inf: float | None = None, sigma: Any = None, alpha: float = 0.05, ci: str = "stderr"
) -> ModelComparison:
    """Fit first order, two stage and bi-exponential; AIC/BIC and F-tests against first order.

    ``breakpoint_supported`` is True when the F-test of first order vs two stage gives
    ``p < alpha`` and the two-stage model also has the lower AIC and the lower BIC.
    """
    alpha = check_fraction(alpha, "alpha", open_low=True, open_high=True)
    fits: dict[str, FitResult] = {}
    failures: dict[str, str] = {}
    for name, func in (("first-order", fit_first_order), ("two-stage", fit_two_stage), ("biexponential", fit_biexponential)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                fits[name] = func(t, a, a_inf=a_inf, sigma=sigma, ci=ci)
        except FitError as exc:
            if name == "first-order":
                raise
            failures[name] = str(exc)
    tests = {
        name: f_test(fits["first-order"], fits[name]) for name in ("two-stage", "biexponential") if name in fits
    }
    supported = False
    if "two-stage" in fits:
        fo, ts = fits["first-order"], fits["two-stage"]
        supported = tests["two-stage"].p_value < alpha and ts.aic < fo.aic and ts.bic < fo.bic
        tb = ts["t_break"]
        where = f"t_break = {tb.value:.4g}" + (
            f" [{tb.ci_low:.4g}, {tb.ci_high:.4g}]" if tb.ci_low is not None and tb.ci_high is not None else ""
        )
        if supported:
            verdict = (
                f"a breakpoint is supported ({where}; F-test p = {tests['two-stage'].p_value:.3g}, "
                f"dAIC = {ts.aic - fo.aic:.1f}, dBIC = {ts.bic - fo.bic:.1f} vs first order)"
            )
        else:
            verdict = (
                f"a breakpoint is not supported (F-test p = {tests['two-stage'].p_value:.3g}, "
                f"dAIC = {ts.aic - fo.aic:.1f}, dBIC = {ts.bic - fo.bic:.1f} vs first order)"
            )
        if "biexponential" in fits:
            d = fits["biexponential"].aic - ts.aic
            better = "two-stage" if d > 0 else "biexponential"
            verdict += f"; AIC prefers {better} over the other by {abs(d):.1f}"
    else:
        verdict = "two-stage fit failed; no breakpoint test"
    return ModelComparison(fits, tests, alpha, bool(supported), verdict, failures)
