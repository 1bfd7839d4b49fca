"""Assigning spectra: envelope fit of one formula, and exchange-series fits of a family.

Envelope fit (:func:`fit_envelope`).  The model is ``scale * sum_k a_k G(m - m_k - shift;
fwhm)``: the aggregated envelope of the ion (centroids m_k, abundances a_k) broadened by
Gaussians of one width, shifted by ``shift`` (calibration offset) and scaled.  The score
is the cosine similarity between data and model in the fitted window (1 = same shape).

Exchange series (:func:`fit_series`).  A family such as ``Ag{x}Cd{34-x}S33(L)`` is
modelled as one distribution of x: ``scale * sum_x w_x(theta) G_x(m - shift; fwhm)``.
Fitting each member's amplitude separately (non-negative least squares) is ill-conditioned
here, because neighbouring members are shifted by only ~4.5 Da while each envelope is ~20
Da wide; a two-parameter distribution is identifiable and gives a mean with an interval.

- ``"normal"``: a discretised normal on x = 0..x_max, parametrised by its *mean* (the
  mean of the discrete, truncated distribution, solved for the normal's centre) and the
  normal's standard deviation ``sd``.
- ``"binomial"``: independent exchange of ``n_sites`` sites (default the largest x),
  parametrised by its mean n p (of the full binomial; members outside ``x_values`` are
  left out and the weights renormalised).

Both go through :func:`cationx.fitting.fit_curve`, so the mean comes with a standard error
and a (profile-likelihood, by default) confidence interval.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cationx._validation import (
    check_choice,
    check_finite,
    check_grid_size,
    check_int,
    check_magnitude,
    check_positive,
    warn_negative,
)
from cationx.constants import GAUSSIAN_FWHM_PER_SIGMA
from cationx.errors import FitError, InputError, InterpretationWarning, ParseError
from cationx.fitting import FitResult, HoldsFit, Parameters, fit_curve
from cationx.massspec.envelope import Envelope, _gaussians, envelope, envelopes
from cationx.massspec.formula import Formula, parse_formula
from cationx.massspec.spectrum import Spectrum

__all__ = [
    "DISTRIBUTIONS",
    "EnvelopeFit",
    "SeriesFit",
    "expand_family",
    "fit_envelope",
    "fit_series",
    "series_weights",
]

DISTRIBUTIONS = ("normal", "binomial")  # count distributions of a family
_FWHM_PER_SIGMA = GAUSSIAN_FWHM_PER_SIGMA


def _sticks(env: Envelope, rel: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    keep = env.abundance >= rel * env.abundance.max()
    return env.mz[keep], env.abundance[keep]


def _cosine(y: np.ndarray, m: np.ndarray) -> float:
    ny, nm = float(np.linalg.norm(y)), float(np.linalg.norm(m))
    if ny == 0 or nm == 0:
        return 0.0
    return float(np.dot(y, m) / (ny * nm))


MAX_SHIFT_STEPS = 20_000  # trial shifts of the envelope search (each one a full model evaluation)


def _shift_lobes(x: np.ndarray, y: np.ndarray, centers: np.ndarray, areas: np.ndarray, fwhm: float, max_shift: float, k: int = 3) -> list[float]:
    """Best ``k`` local maxima of the cosine score over shifts (steps of fwhm / 8).

    The score has one lobe per Da (the aggregated peaks are 1 Da apart) and neighbouring
    lobes differ little, so each of the best few is refined by the caller."""
    step = max(fwhm / 8, 0.01)
    check_grid_size(2 * max_shift / step, f"the shift search (max_shift_da = {max_shift:g} in steps of {step:.3g} Da)",
                    limit=MAX_SHIFT_STEPS, hint="a calibration offset is rarely more than a few Da")
    shifts = np.arange(-max_shift, max_shift + 1e-9, step)
    cos = np.array([_cosine(y, _gaussians(x, centers + s, areas, fwhm)) for s in shifts])
    peaks = [i for i in range(cos.size) if (i == 0 or cos[i] >= cos[i - 1]) and (i == cos.size - 1 or cos[i] >= cos[i + 1])]
    peaks.sort(key=lambda i: -cos[i])
    return [float(shifts[i]) for i in peaks[:k]]


@dataclass(frozen=True, slots=True)
class EnvelopeFit(HoldsFit):
    """Result of :func:`fit_envelope`.

    ``shift_da`` is observed minus computed m/z; ``score`` the cosine similarity (0..1);
    ``observed_most_abundant_mz`` the computed most-abundant m/z plus the shift.
    """

    formula: Formula
    envelope: Envelope
    shift_da: float
    scale: float
    fwhm_da: float
    score: float
    fit: FitResult

    @property
    def observed_most_abundant_mz(self) -> float:
        return self.envelope.most_abundant_mz + self.shift_da

    def to_dict(self) -> dict[str, Any]:
        return {
            "formula": self.formula.hill(),
            "ion": self.formula.ion_label(),
            "charge": self.formula.charge,
            "computed_most_abundant_mz": self.envelope.most_abundant_mz,
            "observed_most_abundant_mz": self.observed_most_abundant_mz,
            "shift_da": self.shift_da,
            "shift_ppm": self.shift_da / self.envelope.most_abundant_mz * 1e6,
            "scale": self.scale,
            "fwhm_da": self.fwhm_da,
            "score": self.score,
            "r2": self.fit.r2,
            "converged": self.converged,
            "warnings": list(self.warnings),
            "params": {k: v.to_dict() for k, v in self.fit.params.items()},
        }

    def to_frame(self) -> pd.DataFrame:
        return self.fit.curve_frame().rename(columns={"x": "mz", "y": "intensity", "y_fit": "model"})


def fit_envelope(
    spectrum: Spectrum,
    formula: str | Formula,
    *,
    charge: int | None = None,
    fwhm_da: float | None = None,
    max_shift_da: float = 3.0,
    fit_width: bool = True,
    ci: str = "stderr",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> EnvelopeFit:
    """Fit the envelope of ``formula`` to ``spectrum`` (shift, scale and width).

    Parameters
    ----------
    spectrum
        Profile spectrum (baseline already removed).
    formula, charge
        The ion; see :func:`cationx.massspec.parse_formula`.
    fwhm_da
        Starting peak width (default m/z / 10000, a typical MALDI-TOF reflectron value).
    max_shift_da
        Largest calibration offset searched for the starting point.
    fit_width
        Fit the width (else keep ``fwhm_da``).
    ci, ci_level, n_boot, rng
        The fit contract's keyword tail (:mod:`cationx.fitting`); a profile spectrum carries
        no per-point uncertainties, so there is no ``sigma`` (noise from the residuals).
    """
    f = parse_formula(formula, charge=charge)
    env = envelope(f)
    centers, areas = _sticks(env)
    w0 = check_positive(fwhm_da, "fwhm_da") if fwhm_da is not None else env.most_abundant_mz / 1e4
    ms = check_positive(max_shift_da, "max_shift_da")
    lo = centers[0] - ms - 3 * w0
    hi = centers[-1] + ms + 3 * w0
    win = spectrum.window(lo, hi)
    x, y = win.mz, win.intensity
    check_magnitude(y, "spectrum intensities")
    warn_negative(y, "spectrum intensities")

    def model(v: Any, xx: np.ndarray) -> np.ndarray:
        return v["scale"] * _gaussians(xx, centers + v["shift"], areas, v["fwhm"])

    def params_at(s0: float) -> Parameters:
        m0 = _gaussians(x, centers + s0, areas, w0)
        mm = float(np.dot(m0, m0))
        a0 = float(np.dot(y, m0) / mm) if mm > 0 else 0.0
        if a0 <= 0:
            raise FitError(f"no signal of {f.ion_label()} between m/z {lo:.1f} and {hi:.1f}")
        params = Parameters()
        params.add("shift", value=s0, min=s0 - 0.4, max=s0 + 0.4)
        params.add("scale", value=a0, min=0)
        params.add("fwhm", value=w0, min=w0 / 5, max=w0 * 5, vary=bool(fit_width))
        return params

    name = f"envelope {f.ion_label()}"
    trials = []
    for s0 in _shift_lobes(x, y, centers, areas, w0, ms):
        try:
            trials.append(fit_curve(model, params_at(s0), x, y, model_name=name, ci="none"))
        except FitError:
            continue
    if not trials:
        raise FitError(f"the envelope fit of {f.ion_label()} did not converge")
    best = min(trials, key=lambda r: r.chisqr)
    start = params_at(best.value("shift"))
    for k2, p2 in best.params.items():
        start[k2].set(value=p2.value)
    res = fit_curve(model, start, x, y, model_name=name, ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng)
    score = _cosine(y, res.y_fit)
    return EnvelopeFit(f, env, res.value("shift"), res.value("scale"), res.value("fwhm"), score, res)


_EXPR = re.compile(r"\{([^{}]*)\}")
_COUNT_MAX = 1_000_000  # largest atom count a family member may have
_COUNT_TEXT_MAX = 64  # longest count expression read


class _CountParser:
    """Recursive-descent reader of a family count: integers, ``x``, ``+ - *`` and parentheses.

    Written by hand (a dozen lines) so that user text never reaches ``eval``; every literal,
    intermediate and result is kept within +/- ``_COUNT_MAX``.  Grammar::

        expr   := term (('+' | '-') term)*
        term   := factor ('*' factor)*
        factor := ('+' | '-') factor | INTEGER | 'x' | '(' expr ')'
    """

    def __init__(self, expr: str, x: int, template: str, pos: int):
        self.tokens = re.findall(r"\d+|\S", expr)
        self.i = 0
        self.x = x
        self.expr_text = expr
        self.template = template
        self.pos = pos

    def fail(self, why: str) -> ParseError:
        return ParseError(
            f"cannot read family count {{{self.expr_text}}} at position {self.pos + 1} in {self.template!r}: {why}",
            position=self.pos + 1,
        )

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str | None:
        tok = self.peek()
        self.i += 1
        return tok

    def bound(self, value: int) -> int:
        if abs(value) > _COUNT_MAX:
            raise self.fail(f"value {value} exceeds the limit of {_COUNT_MAX} atoms")
        return value

    def parse(self) -> int:
        if not self.tokens:
            raise self.fail("empty count")
        value = self.expr(0)
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()!r} (only x, integers, + - * and parentheses are allowed)")
        return value

    def expr(self, depth: int) -> int:
        value = self.term(depth)
        while self.peek() in ("+", "-"):
            op = self.take()
            rhs = self.term(depth)
            value = self.bound(value + rhs if op == "+" else value - rhs)
        return value

    def term(self, depth: int) -> int:
        value = self.factor(depth)
        while self.peek() == "*":
            self.take()
            if self.peek() == "*":
                raise self.fail("powers (**) are not allowed")
            value = self.bound(value * self.factor(depth))
        return value

    def factor(self, depth: int) -> int:
        if depth > 20:
            raise self.fail("parentheses nested too deeply")
        tok = self.take()
        if tok is None:
            raise self.fail("ends too early")
        if tok in ("+", "-"):
            inner = self.factor(depth + 1)
            return inner if tok == "+" else -inner
        if tok.isdigit() and tok.isascii():
            if len(tok) > 7:
                raise self.fail(f"integer {tok} exceeds the limit of {_COUNT_MAX} atoms")
            return self.bound(int(tok))
        if tok == "x":
            return self.bound(self.x)
        if tok == "(":
            value = self.expr(depth + 1)
            if self.take() != ")":
                raise self.fail("missing ')'")
            return value
        raise self.fail(f"unexpected {tok!r} (only x, integers, + - * and parentheses are allowed)")


def _eval_count(expr: str, x: int, template: str, pos: int) -> int:
    """Value of one ``{...}`` count of ``template`` at ``x`` (never through ``eval``)."""
    if len(expr) > _COUNT_TEXT_MAX:
        raise ParseError(
            f"family count at position {pos + 1} in {template!r} is longer than {_COUNT_TEXT_MAX} characters",
            position=pos + 1,
        )
    return _CountParser(expr, x, template, pos).parse()


def _shorthand(text: str) -> str:
    """Chemists' shorthand to braces: ``AgxCd34-xS33(L)`` -> ``Ag{x}Cd{34-x}S33(L)``."""
    out = re.sub(r"(?<=[A-Za-z)])(\d+)([-+])x(?![a-z])", r"{\1\2x}", text)
    return re.sub(r"(?<=[A-Za-z)])x(?![a-z])", "{x}", out)


def expand_family(template: str, x_values: Sequence[int] | None = None) -> list[tuple[int, Formula]]:
    """Members of a family written with ``{...}`` counts in x, e.g. ``Ag{x}Cd{34-x}S33(L)``
    (the shorthand ``AgxCd34-xS33(L)`` is read the same way).

    Without ``x_values``, x runs from 0 while every count stays >= 0 (at most 500).
    """
    if isinstance(template, str) and not _EXPR.search(template):
        template = _shorthand(template)
    if not isinstance(template, str) or not _EXPR.search(template):
        raise ParseError(f"family must contain a count in x such as Ag{{x}}Cd{{34-x}}S33(L), got {template!r}")
    auto = x_values is None
    xs = range(0, 501) if auto else [check_int(v, "x", minimum=0) for v in x_values]
    out = []
    for x in xs:
        counts = []
        text = []
        last = 0
        for mt in _EXPR.finditer(template):
            n = _eval_count(mt.group(1), x, template, mt.start())
            counts.append(n)
            text.append(template[last : mt.start()] + str(n))
            last = mt.end()
        text.append(template[last:])
        if min(counts) < 0:
            if auto:
                break
            raise InputError(f"x = {x} gives a negative count in {template!r}")
        out.append((x, parse_formula("".join(text))))
    if not out:
        raise InputError(f"family {template!r} has no member with all counts >= 0")
    return out


def _normal_weights(xs: np.ndarray, mean: float, sd: float) -> np.ndarray:
    def weights(mu: float) -> np.ndarray:
        lw = -0.5 * ((xs - mu) / sd) ** 2
        w = np.exp(lw - lw.max())
        return w / w.sum()

    lo_b = xs[0] - 10 * sd - 5 * (xs[-1] - xs[0]) - 1
    hi_b = xs[-1] + 10 * sd + 5 * (xs[-1] - xs[0]) + 1
    g = lambda mu: float(np.dot(weights(mu), xs)) - mean  # noqa: E731
    if g(lo_b) >= 0:
        return weights(lo_b)
    if g(hi_b) <= 0:
        return weights(hi_b)
    mu = optimize.brentq(g, lo_b, hi_b, xtol=1e-12)
    return weights(mu)


def series_weights(distribution: str, xs: np.ndarray, mean: float, sd: float | None = None, n_sites: int | None = None) -> np.ndarray:
    """Weights of members x for a distribution with the given mean (see module docstring)."""
    check_choice(distribution, "distribution", DISTRIBUTIONS)
    xs = np.asarray(xs, dtype=float)
    if distribution == "normal":
        return _normal_weights(xs, float(mean), float(sd if sd is not None else 1.0))
    n = int(n_sites if n_sites is not None else xs.max())
    p = min(max(float(mean) / n, 0.0), 1.0)
    w = stats.binom.pmf(xs.astype(int), n, p)
    s = w.sum()
    return w / s if s > 0 else w


@dataclass(frozen=True, slots=True)
class SeriesFit(HoldsFit):
    """Result of :func:`fit_series`: the distribution of x, with the mean's interval."""

    family: str
    distribution: str
    x: np.ndarray
    formulas: tuple[str, ...]
    weights: np.ndarray
    mean: float
    mean_stderr: float | None
    mean_ci: tuple[float | None, float | None]
    spread: float
    shift_da: float
    fwhm_da: float
    score: float
    fit: FitResult
    alternatives: tuple[dict[str, float], ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per member: x, formula, weight."""
        return pd.DataFrame({"x": self.x, "formula": list(self.formulas), "weight": self.weights})

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "distribution": self.distribution,
            "mean": self.mean,
            "mean_stderr": self.mean_stderr,
            "mean_ci_low": self.mean_ci[0],
            "mean_ci_high": self.mean_ci[1],
            "ci_level": self.fit.ci_level,
            "spread": self.spread,
            "shift_da": self.shift_da,
            "fwhm_da": self.fwhm_da,
            "score": self.score,
            "r2": self.fit.r2,
            "converged": self.converged,
            "warnings": list(self.warnings),
            "alternatives": list(self.alternatives),
            "notes": list(self.fit.notes),
            "members": [
                {"x": int(x), "formula": f, "weight": float(w)}
                for x, f, w in zip(self.x, self.formulas, self.weights, strict=True)
            ],
            "params": {k: v.to_dict() for k, v in self.fit.params.items()},
        }


def fit_series(
    spectrum: Spectrum,
    family: str,
    *,
    charge: int = 1,
    x_values: Sequence[int] | None = None,
    distribution: str = "normal",
    fwhm_da: float | None = None,
    max_shift_da: float = 3.0,
    n_sites: int | None = None,
    shift_da: float | None = None,
    ci: str = "profile",
    ci_level: float = 0.95,
    n_boot: int = 200,
    rng: int | np.random.Generator | None = None,
) -> SeriesFit:
    """Fit the distribution of x in a family like ``Ag{x}Cd{34-x}S33(L)`` to a spectrum.

    Parameters
    ----------
    spectrum
        Profile spectrum (baseline removed) covering the family's envelopes.
    family
        Template with ``{...}`` counts in x (see :func:`expand_family`).
    charge
        Ion charge.
    x_values
        Members to include (default all with non-negative counts).
    distribution
        ``"normal"`` (mean, sd) or ``"binomial"`` (mean; ``n_sites`` defaults to max x).
    fwhm_da
        Starting peak width (default m/z / 10000).
    max_shift_da
        Largest calibration offset searched for the starting point.
    shift_da
        Fix the calibration offset (observed - computed m/z) instead of fitting it.  Do so
        when the spectrum is calibrated: a free shift of 1 Da trades against ~0.2 in the
        mean of x (one Ag for Cd moves the envelope by 4.5 Da), and solutions one Da apart
        can fit almost equally well; they are listed in ``alternatives`` and a warning.
    ci, ci_level, n_boot, rng
        The fit contract's keyword tail (:mod:`cationx.fitting`), for the mean's interval;
        no ``sigma`` (noise from the residuals).
    """
    check_choice(distribution, "distribution", DISTRIBUTIONS)
    members = expand_family(family, x_values)
    xs = np.array([m[0] for m in members], dtype=float)
    if xs.size < 2:
        raise InputError("a series fit needs at least two members")
    envs = envelopes([m[1] for m in members], charge=charge)
    sticks = [_sticks(e, 1e-4) for e in envs]
    mid = float(np.median([e.most_abundant_mz for e in envs]))
    w0 = check_positive(fwhm_da, "fwhm_da") if fwhm_da is not None else mid / 1e4
    ms = check_positive(max_shift_da, "max_shift_da")
    lo = min(s[0][0] for s in sticks) - ms - 3 * w0
    hi = max(s[0][-1] for s in sticks) + ms + 3 * w0
    win = spectrum.window(lo, hi)
    x, y = win.mz, win.intensity
    check_magnitude(y, "spectrum intensities")
    warn_negative(y, "spectrum intensities")
    cache: dict[tuple[float, float], np.ndarray] = {}

    def basis(shift: float, fwhm: float) -> np.ndarray:
        key = (shift, fwhm)
        b = cache.get(key)
        if b is None:
            b = np.column_stack([_gaussians(x, c + shift, a, fwhm) for c, a in sticks])
            if len(cache) > 64:
                cache.clear()
            cache[key] = b
        return b

    nsite = int(n_sites) if n_sites is not None else int(xs.max())

    def weights(v: Any) -> np.ndarray:
        return series_weights(distribution, xs, v["mean"], v.get("sd"), nsite)

    # starting points: joint grid over shift (quarter-width steps), mean and sd.  A shift
    # by a whole Da trades against the mean (one Ag for Cd moves the envelope by 4.5 Da), so
    # the cost has local minima one Da apart: the best few lobes are each fitted, and the
    # lowest chi-square wins.
    fixed_shift = None if shift_da is None else check_finite(shift_da, "shift_da")
    shifts = np.arange(-ms, ms + 1e-9, max(w0 / 8, 0.01)) if fixed_shift is None else np.array([fixed_shift])
    means = np.linspace(xs.min() + 0.05, xs.max() - 0.05, min(60, 4 * xs.size))
    sds = (0.3, 0.7, 1.5, 3.0) if distribution == "normal" else (1.0,)
    combos = [(mtry, sd) for sd in sds for mtry in means]
    wmat = np.column_stack([series_weights(distribution, xs, mtry, sd, nsite) for mtry, sd in combos])
    ny = float(np.linalg.norm(y))
    per_shift = []
    for s_try in shifts:
        models = basis(float(s_try), w0) @ wmat
        cos = (y @ models) / (ny * np.linalg.norm(models, axis=0) + 1e-300)
        k = int(np.argmax(cos))
        per_shift.append((float(cos[k]), float(s_try), combos[k]))
    cache.clear()
    cos_arr = np.array([p[0] for p in per_shift])
    lobes = [k for k in range(cos_arr.size) if (k == 0 or cos_arr[k] >= cos_arr[k - 1]) and (k == cos_arr.size - 1 or cos_arr[k] >= cos_arr[k + 1])]
    lobes = sorted(lobes, key=lambda k: -cos_arr[k])[:5]

    def model(v: Any, xx: np.ndarray) -> np.ndarray:
        return v["scale"] * (basis(v["shift"], v["fwhm"]) @ weights(v))

    def make_params(s0: float, mean0: float, sd0: float) -> Parameters:
        m0 = basis(s0, w0) @ series_weights(distribution, xs, mean0, sd0, nsite)
        a0 = float(np.dot(y, m0) / np.dot(m0, m0))
        if not a0 > 0:
            raise FitError(f"no signal of the family {family} between m/z {lo:.1f} and {hi:.1f}")
        params = Parameters()
        params.add("mean", value=mean0, min=xs.min() + 1e-3, max=xs.max() - 1e-3)
        if distribution == "normal":
            params.add("sd", value=sd0, min=0.05, max=max(5.0, xs.max() - xs.min()))
        if fixed_shift is None:
            params.add("shift", value=s0, min=s0 - 0.6, max=s0 + 0.6)
        else:
            params.add("shift", value=fixed_shift, vary=False)
        params.add("scale", value=a0, min=0)
        params.add("fwhm", value=w0, min=w0 / 5, max=w0 * 5)
        return params

    name = f"series {family} ({distribution})"
    trials = []
    for k in lobes:
        _c, s0, (mean0, sd0) = per_shift[k]
        try:
            r = fit_curve(model, make_params(s0, mean0, sd0), x, y, model_name=name, ci="none")
        except FitError:
            continue
        trials.append((r.chisqr, r))
    if not trials:
        raise FitError(f"the series fit of {family} did not converge from any starting point")
    best_fit = min(trials, key=lambda t: t[0])[1]
    start_params = make_params(best_fit.value("shift"), best_fit.value("mean"), best_fit.params["sd"].value if "sd" in best_fit.params else 1.0)
    for k2, p2 in best_fit.params.items():
        start_params[k2].set(value=p2.value)
    # alternative solutions (other lobes) that fit nearly as well: Delta chi^2 / redchi < 10
    alternatives = []
    for chi, r in trials:
        if r is best_fit:
            continue
        dchi = (chi - best_fit.chisqr) / max(best_fit.redchi, 1e-300)
        if dchi < 10:
            alternatives.append({"mean": r.value("mean"), "shift_da": r.value("shift"), "delta_chi2": float(dchi)})
    notes = []
    if alternatives:
        alt = "; ".join(f"mean {a['mean']:.3f} at shift {a['shift_da']:.3f} Da (delta chi2 {a['delta_chi2']:.1f})" for a in alternatives)
        msg = f"{family}: the shift trades against the mean; other solutions fit nearly as well: {alt}. Calibrate and fix shift_da."
        warnings.warn(msg, InterpretationWarning, stacklevel=2)
        notes.append(msg)
    res = fit_curve(model, start_params, x, y, model_name=name, ci=ci, ci_level=ci_level, n_boot=n_boot, rng=rng,
                    notes=notes)
    vals = {k: p.value for k, p in res.params.items()}
    wbest = series_weights(distribution, xs, vals["mean"], vals.get("sd"), nsite)
    spread = float(np.sqrt(np.dot(wbest, (xs - np.dot(wbest, xs)) ** 2)))
    pm = res.params["mean"]
    return SeriesFit(
        family=family,
        distribution=distribution,
        x=xs.astype(int),
        formulas=tuple(m[1].hill() for m in members),
        weights=wbest,
        mean=pm.value,
        mean_stderr=pm.stderr,
        mean_ci=(pm.ci_low, pm.ci_high),
        spread=spread,
        shift_da=vals["shift"],
        fwhm_da=vals["fwhm"],
        score=_cosine(y, res.y_fit),
        fit=res,
        alternatives=tuple(alternatives),
    )
