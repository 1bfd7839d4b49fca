"""Hill, Langmuir and sequential fits: recovery of known parameters with honest intervals."""

import math
import warnings

import numpy as np
import pytest

from cationx.cooperative import independent, make_model, simulate, solve_titration, white2013
from cationx.cooperative.fits import Titration, fit, fit_hill, fit_langmuir, fit_sequential, hill
from cationx.errors import InputError, InterpretationWarning


def test_hill_function_matches_formula():
    x = np.array([0.0, 0.5, 1.0, 3.0, 1e3])
    n, k = 3.2, 1.7
    expected = x**n / (k**n + x**n)
    np.testing.assert_allclose(hill(x, n, k), expected, rtol=1e-13)


def test_hill_fit_recovers_parameters_inside_interval():
    rng = np.random.default_rng(11)
    x = np.linspace(50, 1400, 30)
    y = hill(x, 7.1, 620.0) + rng.normal(0, 0.02, x.size)
    res = fit_hill(Titration.from_arrays(x, y), against="free")
    for name, true in (("n_hill", 7.1), ("k_half", 620.0)):
        p = res[name]
        assert p.ci_low < true < p.ci_high
        assert p.ci_low < p.value < p.ci_high
    assert res.r2 > 0.98


def test_langmuir_fit_recovers_k():
    rng = np.random.default_rng(12)
    x = np.geomspace(0.1, 100, 25)
    y = x / (4.0 + x) + rng.normal(0, 0.01, x.size)
    res = fit_langmuir(Titration.from_arrays(x, y))
    assert res["k_half"].ci_low < 4.0 < res["k_half"].ci_high


def test_hill_on_totals_warns_when_most_ions_are_bound():
    state = simulate(white2013(20, 1e-2, 55.0), 60)
    sel = slice(1, None)
    data = Titration.from_arrays(state.total_ions_per_nc[sel], state.fraction_exchanged[sel])
    with pytest.warns(InterpretationWarning, match="descriptive"):
        res = fit_hill(data, sites=20)
    assert res.extra["bound_fraction_at_midpoint"] > 0.1
    # the paper's simulation (n = 20, K1 = 1e-2, alpha = 55) fitted on totals gives n_H ~ 7
    assert 6.0 < res.value("n_hill") < 8.5


def test_hill_on_totals_is_quiet_when_few_ions_are_bound():
    x = np.linspace(10, 100, 20)
    data = Titration.from_arrays(x, hill(x, 2.0, 50.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", InterpretationWarning)
        res = fit_hill(data, bound_fraction_at_midpoint=0.02)
    assert res.value("n_hill") == pytest.approx(2.0, rel=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_white2013_simulate_then_fit_recovers_k1_and_alpha(seed):
    """Noisy (sd 0.02) seeded synthetic titration of the paper's model; 95 % profile intervals."""
    true = {"log10_k1": -2.0, "log10_alpha": math.log10(55.0)}
    state = simulate(white2013(20, 1e-2, 55.0), 35)
    rng = np.random.default_rng(seed)
    y = state.fraction_exchanged + rng.normal(0, 0.02, state.fraction_exchanged.size)
    res = fit_sequential(Titration.from_arrays(state.total_ions_per_nc, y), "white2013", sites=20, observable="exchanged")
    for name, value in true.items():
        p = res[name]
        assert p.ci_low < value < p.ci_high, (name, p)
        assert p.stderr is not None and p.stderr < 0.3


def test_ladder_and_mwc_fits_recover_parameters():
    for name, k1, alpha in (("ladder", 1e-2, 1.3), ("mwc", 1e-3, 30.0)):
        model = make_model(name, sites=12, k1=k1, alpha=alpha)
        state = simulate(model, 30)
        rng = np.random.default_rng(5)
        y = state.fraction_exchanged + rng.normal(0, 0.01, state.fraction_exchanged.size)
        fixed = {"log10_l": model.parameters["log10_l"]} if name == "mwc" else None
        res = fit_sequential(Titration.from_arrays(state.total_ions_per_nc, y), name, sites=12, fixed=fixed, observable="exchanged")
        assert res["log10_alpha"].ci_low < math.log10(alpha) < res["log10_alpha"].ci_high, (name, res.report())
        assert res["log10_k1"].ci_low < math.log10(k1) < res["log10_k1"].ci_high, (name, res.report())


def test_independent_fit_recovers_k1():
    model = independent(10, 0.5)
    state = simulate(model, 30)
    y = state.fraction_exchanged + np.random.default_rng(8).normal(0, 0.01, 30)
    res = fit_sequential(Titration.from_arrays(state.total_ions_per_nc, y), "independent", sites=10, observable="exchanged")
    assert "log10_alpha" not in res.params
    assert res["log10_k1"].ci_low < math.log10(0.5) < res["log10_k1"].ci_high


def test_global_fit_of_two_concentrations_shares_constants():
    model = white2013(20, 1e-2, 55.0)
    rng = np.random.default_rng(21)
    sets = []
    for conc in (1.0, 0.2):
        totals = np.linspace(0, 110, 25)
        st = solve_titration(model, totals, nc_conc_molar=conc)
        y = st.fraction_exchanged + rng.normal(0, 0.015, totals.size)
        sets.append(Titration.from_arrays(totals, y, nc_conc_molar=conc))
    res = fit_sequential(sets, "white2013", sites=20, observable="exchanged")
    assert set(res.params) == {"log10_k1", "log10_alpha"}
    assert res["log10_alpha"].ci_low < math.log10(55.0) < res["log10_alpha"].ci_high
    assert res.dataset_index.max() == 1


def test_site_scan_prefers_the_true_n():
    model = white2013(20, 1e-2, 55.0)
    state = simulate(model, 40)
    y = state.fraction_exchanged + np.random.default_rng(2).normal(0, 0.005, 40)
    res = fit_sequential(Titration.from_arrays(state.total_ions_per_nc, y), "white2013", sites=[10, 20, 40], observable="exchanged")
    assert res.extra["sites"] == 20
    assert [row["sites"] for row in res.extra["scan"]] == [10, 20, 40]


def test_dispatch_and_bad_inputs():
    x = np.linspace(1, 10, 8)
    data = Titration.from_arrays(x, hill(x, 2, 5))
    assert fit(data, "hill-free").model == "hill-free"
    with pytest.raises(InputError, match="model must be one of"):
        fit(data, "sigmoid")
    with pytest.raises(InputError, match="x must be sorted in ascending order"):
        Titration.from_arrays([1.0, 3.0, 2.0], [0.1, 0.2, 0.3])
    with pytest.raises(InputError, match="y must be finite"):
        Titration.from_arrays([1.0, 2.0, 3.0], [0.1, float("nan"), 0.3])
    with pytest.raises(InputError, match="arrays must have equal lengths"):
        Titration.from_arrays([1.0, 2.0, 3.0], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(InputError, match="cannot fix 'log10_l'"):
        fit_sequential(data, "white2013", sites=5, fixed={"log10_l": 1.0})
