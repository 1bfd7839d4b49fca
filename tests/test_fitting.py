"""The shared fitting layer: values, errors and intervals against closed forms."""

import warnings

import lmfit
import numpy as np
import pytest
from scipy import stats

from cationx.errors import ConvergenceWarning, FitError, InputError
from cationx.fitting import Dataset, fit_curve, fit_global


def _line_params():
    p = lmfit.Parameters()
    p.add("slope", value=1.0)
    p.add("intercept", value=0.0)
    return p


def _line(values, x):
    return values["slope"] * x + values["intercept"]


def test_linear_fit_matches_ordinary_least_squares_and_t_intervals():
    rng = np.random.default_rng(3)
    x = np.linspace(0, 10, 25)
    y = 2.5 * x - 1.0 + rng.normal(0, 0.7, x.size)
    ref = stats.linregress(x, y)
    t = stats.t.ppf(0.975, x.size - 2)
    for ci in ("profile", "stderr"):
        res = fit_curve(_line, _line_params(), x, y, model_name="line", ci=ci)
        assert res.value("slope") == pytest.approx(ref.slope, rel=1e-7)
        assert res["slope"].stderr == pytest.approx(ref.stderr, rel=1e-4)
        # for a linear model the profile-likelihood interval is the exact t interval
        assert res["slope"].ci_low == pytest.approx(ref.slope - t * ref.stderr, rel=1e-3)
        assert res["slope"].ci_high == pytest.approx(ref.slope + t * ref.stderr, rel=1e-3)
        assert res.r2 == pytest.approx(ref.rvalue**2, rel=1e-9)
    n, k = x.size, 2
    rss = np.sum(res.residuals**2)
    assert res.aic == pytest.approx(n * np.log(rss / n) + 2 * k, rel=1e-9)
    assert res.bic == pytest.approx(n * np.log(rss / n) + np.log(n) * k, rel=1e-9)


def test_bootstrap_interval_is_seeded_and_sensible():
    rng = np.random.default_rng(4)
    x = np.linspace(0, 10, 40)
    y = 2.5 * x - 1.0 + rng.normal(0, 0.7, x.size)
    a = fit_curve(_line, _line_params(), x, y, model_name="line", ci="bootstrap", n_boot=100, rng=7)
    b = fit_curve(_line, _line_params(), x, y, model_name="line", ci="bootstrap", n_boot=100, rng=7)
    assert a["slope"].ci_low == b["slope"].ci_low
    wald = fit_curve(_line, _line_params(), x, y, model_name="line", ci="stderr")
    width_boot = a["slope"].ci_high - a["slope"].ci_low
    width_wald = wald["slope"].ci_high - wald["slope"].ci_low
    assert 0.6 < width_boot / width_wald < 1.4


def test_global_fit_shares_parameters():
    x = np.linspace(0, 1, 20)
    p = lmfit.Parameters()
    p.add("slope", value=1.0)
    p.add("intercept_0", value=0.0)
    p.add("intercept_1", value=0.0)
    noise = 0.01 * np.sin(37 * x)
    sets = [Dataset(x, 3 * x + 1 + noise), Dataset(x, 3 * x - 2 - noise)]
    res = fit_global(
        lambda v, k, xx: v["slope"] * xx + v[f"intercept_{k}"], p, sets, model_name="lines", ci="none"
    )
    assert res.value("slope") == pytest.approx(3.0, abs=0.01)
    assert res.value("intercept_1") == pytest.approx(-2.0, abs=0.01)
    assert res.dataset_index.tolist() == [0] * 20 + [1] * 20


def test_undetermined_parameter_warns_instead_of_returning_quietly():
    x = np.linspace(0, 1, 10)
    p = lmfit.Parameters()
    p.add("a", value=1.0)
    p.add("b", value=1.0)
    with pytest.warns(ConvergenceWarning, match="covariance could not be estimated"):
        res = fit_curve(lambda v, xx: (v["a"] * v["b"]) * xx, p, x, 2 * x, model_name="degenerate")
    assert res["a"].stderr is None or not np.isfinite(res["a"].stderr) or res.notes


def test_model_that_cannot_be_evaluated_raises_fit_error():
    x = np.linspace(0, 1, 10)
    p = lmfit.Parameters()
    p.add("a", value=1.0)

    def broken(values, xx):
        raise ValueError("boom")

    with pytest.raises(FitError, match="fit failed"):
        fit_curve(broken, p, x, x, model_name="broken")


def test_too_few_points():
    with pytest.raises(InputError, match="needs more than 2 data points"):
        fit_curve(_line, _line_params(), np.array([0.0, 1.0]), np.array([0.0, 1.0]), model_name="line")


def test_result_conversions():
    x = np.linspace(0, 10, 12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_curve(_line, _line_params(), x, 2 * x + np.sin(x), model_name="line")
    d = res.to_dict()
    assert set(d["params"]["slope"]) >= {"value", "stderr", "ci_low", "ci_high"}
    assert list(res.to_frame().columns)[:4] == ["value", "stderr", "ci_low", "ci_high"]
    assert list(res.curve_frame().columns) == ["x", "y", "y_fit", "residual"]
    assert "slope" in res.report()


def test_profile_intervals_match_lmfit_conf_interval():
    """The bracketed secant profile search agrees with lmfit.conf_interval (lmfit's F-test)."""
    from cationx.fitting import _residual_factory

    rng = np.random.default_rng(7)
    x = np.linspace(0, 5, 30)
    y = 2.0 * np.exp(-1.3 * x) + 0.1 + rng.normal(0, 0.02, x.size)
    params = lmfit.Parameters()
    params.add("a", 1.0, min=0)
    params.add("k", 1.0, min=0)
    params.add("c", 0.0)

    def func(v, _k, xx):
        return v["a"] * np.exp(-v["k"] * xx) + v["c"]

    data = [Dataset(x, y)]
    ours = fit_global(func, params, data, model_name="exp", ci_level=0.95)
    mini = lmfit.Minimizer(_residual_factory(func, data), params)
    best = mini.minimize()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = lmfit.conf_interval(mini, best, sigmas=[0.95])
    for name in ("a", "k", "c"):
        assert ours[name].ci_low == pytest.approx(ref[name][0][1], rel=1e-5)
        assert ours[name].ci_high == pytest.approx(ref[name][-1][1], rel=1e-5)
