"""Cooperative engine and fits in real units.

1. 1,000-point titrations of every preset at n = 667 steps of one host cation (a ~4 nm CdSe NC)
   and at n = 23 steps of 29, at a real NC concentration (2.4 uM), with constants that put the
   product midpoint at 2.5 x N ions per NC.  Target: < 50 ms each.  No peer program solves this
   model; the reference is the obvious slow route (a scalar brentq root of the same mass balance
   per point), timed on 100 points and scaled x10, and checked to agree.
2. Real-units fits with profile-likelihood intervals (50 points, n = 667): wall time (target
   < 2 s), and model evaluations against lmfit.conf_interval run in the same process on the same
   fit (the peer), with the largest difference of the intervals.
"""

from __future__ import annotations

import math
import time
import warnings

import lmfit
import numpy as np
from scipy.optimize import brentq
from scipy.special import logsumexp

from cationx.cooperative import solve_titration
from cationx.cooperative.fits import Titration, _affinity_for_midpoint, _build, fit_sequential
from cationx.cooperative.models import MODEL_PARAMETERS

NC = 2.4e-6
N_HOST = 667
SHAPES = {
    "white2013": {"log10_alpha": 1.0},
    "ladder": {"log10_alpha": -2.0 / 666},
    "nucleation": {"log10_sigma": -4.0},
    "mwc": {"log10_alpha": 1.0},
    "lattice": {"coupling": 3.0},
    "independent": {},
}


def best_of(fn, repeat=7):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def model_for(name, h):
    n = N_HOST // h
    aff = MODEL_PARAMETERS[name][0]
    names = [aff, *SHAPES[name]]
    values = {aff: 0.0, **SHAPES[name]}
    unit = _build(name, n, values, 0, 2, h, names)
    values[aff] = _affinity_for_midpoint(unit, "product", 0.5, 2.5 * n * h, NC, 0.0) / math.log(10)
    return _build(name, n, values, 0, 2, h, names), values, names


def scalar_reference(model, totals, conc):
    """One bracketed root per point on the plain scalar balance T = m h s + c/C: the slow obvious path."""
    g = model.cumulative_log_k()
    i = np.arange(model.sites + 1)
    m, h = model.ions_per_host, model.host_per_site
    out = []
    for t in totals:
        def f(u, t=t):
            lw = g + i * u
            log_s = float(logsumexp(lw[1:] + np.log(i[1:])) - logsumexp(lw))
            log_c = (u / h + math.log(conc * h) + log_s) / m
            return float(np.logaddexp(math.log(m * h) + log_s, log_c - math.log(conc))) - math.log(t)
        lo, hi = -3000.0 * h, 3000.0 * h
        u = brentq(f, lo, hi, xtol=1e-13)
        lw = g + i * u
        p = np.exp(lw - logsumexp(lw))
        out.append(float(p @ i) / model.sites)
    return np.array(out)


def engine_rows():
    rows = []
    for h in (1, 29):
        for name in SHAPES:
            model, _, _ = model_for(name, h)
            totals = np.linspace(0.0, 5.0 * N_HOST, 1001)[1:]
            solve_titration(model, totals, nc_conc_molar=NC)
            t_fast = best_of(lambda model=model, totals=totals: solve_titration(model, totals, nc_conc_molar=NC))
            sub = totals[5::10]
            t0 = time.perf_counter()
            ref = scalar_reference(model, sub, NC)
            t_ref = (time.perf_counter() - t0) * 10
            fast = solve_titration(model, sub, nc_conc_molar=NC).product_fraction
            err = float(np.max(np.abs(fast - ref)))
            rows.append((model.sites, h, name, t_fast * 1e3, t_ref * 1e3, t_ref / t_fast, err))
    return rows


class Counter:
    def __init__(self):
        self.calls = 0


def fit_rows():
    import cationx.cooperative.fits as fits_mod

    rows = []
    for name in ("independent", "mwc", "lattice", "ladder"):
        model, _, _ = model_for(name, 1)
        x = np.linspace(0, 5 * N_HOST, 50)
        y = solve_titration(model, x, nc_conc_molar=NC).product_fraction + np.random.default_rng(1).normal(0, 0.005, 50)
        data = Titration.from_arrays(x, y, nc_conc_molar=NC)
        counter = Counter()
        original = fits_mod.solve_titration

        def counted(*a, _c=counter, _o=original, **k):
            _c.calls += 1
            return _o(*a, **k)

        fits_mod.solve_titration = counted
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit_sequential(data, name, host_cations=N_HOST)  # warm
                counter.calls = 0
                t0 = time.perf_counter()
                res = fit_sequential(data, name, host_cations=N_HOST)
                t_fit = time.perf_counter() - t0
                ours_calls = counter.calls
                # the peer: lmfit.conf_interval on the same residual and optimum
                counter.calls = 0
                t0 = time.perf_counter()
                base = fit_sequential(data, name, host_cations=N_HOST, ci="none")
                t_none = time.perf_counter() - t0
                none_calls = counter.calls
                t_lmfit, lmfit_calls, diff = math.nan, None, math.nan
                if len(base.params) >= 2:  # conf_interval refuses one-parameter fits
                    mini, best = _minimizer_for(base, data, name)
                    counter.calls = 0
                    t0 = time.perf_counter()
                    ref = lmfit.conf_interval(mini, best, sigmas=[0.95])
                    t_lmfit = time.perf_counter() - t0
                    lmfit_calls = counter.calls
                    diff = max(
                        max(abs(res[p].ci_low - ref[p][0][1]), abs(res[p].ci_high - ref[p][-1][1])) for p in ref
                    )
        finally:
            fits_mod.solve_titration = original
        rows.append((name, t_fit, t_none, ours_calls - none_calls, t_lmfit, lmfit_calls, diff, res.converged))
    return rows


def _minimizer_for(base, data, name):
    """An lmfit Minimizer at the same optimum as a cationx fit (for conf_interval)."""
    from cationx.cooperative.fits import _build as build
    from cationx.fitting import Dataset, _residual_factory

    names = [p for p in base.params]

    import cationx.cooperative.fits as fits_mod

    def func(values, _k, x):  # through fits_mod, so the evaluation counter sees it
        model = build(name, base.extra["sites"], values, 0, 2, 1, names)
        return fits_mod.solve_titration(model, x, nc_conc_molar=NC).product_fraction

    params = lmfit.Parameters()
    for p, est in base.params.items():
        params.add(p, value=est.value)
    mini = lmfit.Minimizer(_residual_factory(func, [Dataset(data.x, data.y)]), params)
    best = mini.minimize(method="leastsq")
    return mini, best


def main() -> str:
    rows = engine_rows()
    lines = [
        "## Cooperative engine in real units (`python benchmarks/run.py cooperative`)",
        "",
        "1,000-point titration (0 to 5 N ions per NC) at 2.4 uM NCs, N = 667 host cations, mass balance",
        "solved at every point (closure ~1e-12); constants put the product midpoint at 2.5 N.",
        "Reference: scalar brentq per point on the same balance (timed on 100 points, x10).",
        "Target: under 50 ms for each preset.",
        "",
        "| n steps | h | preset | cationx (ms) | scalar reference (ms) | speed-up | max abs diff |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, h, name, tf, tr, ratio, err in rows:
        lines.append(f"| {n} | {h} | {name} | {tf:.1f} | {tr:.0f} | {ratio:.0f}x | {err:.1e} |")
    lines += [
        "",
        "### Real-units fits with profile intervals (50 points, n = 667, sd 0.005)",
        "",
        "Target: under 2 s. The peer is `lmfit.conf_interval` on the same optimum in the same process;",
        "model evaluations are counted (each is one mass-balance solve over the 50 points).",
        "",
        "| preset | fit + profile (s) | fit alone (s) | profile evaluations | lmfit.conf_interval (s) | its evaluations | max interval difference | converged |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, tf, tn, oc, tl, lc, diff, conv in fit_rows():
        lines.append(f"| {name} | {tf:.2f} | {tn:.2f} | {oc} | {tl:.2f} | {lc if lc is not None else '-'} | {diff:.1e} | {conv} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
