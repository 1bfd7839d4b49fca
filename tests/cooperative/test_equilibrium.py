"""Equilibrium and mass balance of the sequential exchange model."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from cationx.cooperative import (
    default_totals,
    from_log_constants,
    independent,
    make_model,
    simulate,
    solve_titration,
    sweep_kappa,
    total_at_fraction_exchanged,
    white2013,
)
from cationx.errors import InputError
from cationx.reproduce.white2013 import printed_fractions


def assert_balance_closes(state, totals, rtol=1e-9):
    """Populations sum to 1; totals are reproduced; total = free + bound; d = d0 + C s."""
    np.testing.assert_allclose(state.populations.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    pos = totals > 0
    np.testing.assert_allclose(state.total_ions_per_nc[pos], totals[pos], rtol=rtol, atol=0)
    np.testing.assert_allclose(
        state.free_ions_per_nc + state.bound_ions_per_nc, state.total_ions_per_nc, rtol=1e-12, atol=0
    )
    m = state.model.ions_per_site
    np.testing.assert_allclose(state.bound_ions_per_nc, m * state.released_host_per_nc, rtol=1e-12)
    np.testing.assert_allclose(
        state.free_host_molar,
        state.host_initial_molar + state.nc_conc_molar * state.released_host_per_nc,
        rtol=1e-12,
    )
    # x = c^m / d holds at the solution (the equilibrium condition); a free-ion concentration
    # below the smallest normal float (~2e-308 M) keeps fewer significant bits, so there the
    # check is that it is the float nearest to (x d)^(1/m), to a few of its spacing
    fin = np.isfinite(state.log_x) & (state.free_ion_molar > 0)
    normal = fin & (state.free_ion_molar >= np.finfo(float).tiny)
    np.testing.assert_allclose(
        m * np.log(state.free_ion_molar[normal]) - np.log(state.free_host_molar[normal]), state.log_x[normal],
        rtol=1e-9, atol=1e-9,
    )
    sub = fin & ~normal
    np.testing.assert_allclose(
        state.free_ion_molar[sub], np.exp((state.log_x[sub] + np.log(state.free_host_molar[sub])) / m),
        rtol=1e-9, atol=4 * np.finfo(float).smallest_subnormal,
    )
    fractions = state.fraction_host + state.fraction_doped + state.fraction_exchanged
    np.testing.assert_allclose(fractions, 1.0, atol=1e-12)


models = st.one_of(
    st.builds(
        lambda name, n, lk1, la, m: make_model(name, sites=n, k1=10.0**lk1, alpha=10.0**la, ions_per_site=m),
        st.sampled_from(["white2013", "ladder", "mwc"]),
        st.integers(1, 400),
        st.floats(-6, 4),
        st.floats(-1, 4),
        st.integers(1, 3),
    ),
    st.builds(
        lambda n, lk1, m: independent(n, 10.0**lk1, ions_per_site=m),
        st.integers(1, 400),
        st.floats(-6, 4),
        st.integers(1, 3),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=models,
    log_totals=st.lists(st.floats(-4, 4), min_size=1, max_size=30),
    log_conc=st.floats(-9, 1),
    host=st.one_of(st.just(0.0), st.floats(1e-9, 1.0)),
)
# found by a CI run: a steep ladder leaves 6.4e-319 M free ions, a subnormal float
@example(model=make_model("ladder", sites=182, k1=1.0, alpha=10.0**3.5, ions_per_site=1), log_totals=[-1.0], log_conc=-3.0, host=0.0)
def test_mass_balance_closes_for_random_parameters(model, log_totals, log_conc, host):
    scale = 2.0 * model.ions_per_site * model.sites
    totals = np.sort(scale * 10.0 ** np.array(log_totals))
    state = solve_titration(model, totals, nc_conc_molar=10.0**log_conc, host_initial_molar=host)
    assert_balance_closes(state, totals)


@pytest.mark.parametrize("name", ["white2013", "ladder", "independent", "mwc"])
@pytest.mark.parametrize("alpha", [1.5, 1e6])
def test_extreme_sizes_no_overflow_nan_or_warning(name, alpha):
    """n = 10,000 steps and alpha up to 1e6 (the issue's limits)."""
    model = make_model(name, sites=10_000, k1=1e-2, alpha=None if name == "independent" else alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        totals = default_totals(model, 60)
        state = solve_titration(model, totals)
    assert np.isfinite(state.populations).all()
    assert_balance_closes(state, totals)
    assert state.fraction_exchanged[-1] >= 0.99


def test_single_step_matches_closed_form_quadratic():
    """n = 1, one ion per step: K = y (d0 + C y) / ((1 - y)(T - C y)) is a quadratic in y."""
    k, conc, d0 = 3.7, 0.02, 0.005
    model = from_log_constants([math.log(k)], ions_per_site=1)
    totals_molar = np.array([1e-4, 0.003, 0.02, 0.05, 0.4])
    state = solve_titration(model, total_ions_molar=totals_molar, nc_conc_molar=conc, host_initial_molar=d0)
    for t, y_num in zip(totals_molar, state.fraction_exchanged, strict=True):
        a = k * conc - conc
        b = -k * conc - k * t - d0
        c = k * t
        roots = np.roots([a, b, c]) if a != 0 else np.array([-c / b])
        y = [r.real for r in roots if abs(r.imag) < 1e-12 and 0 <= r.real <= min(1, t / conc) + 1e-12]
        assert len(y) == 1
        assert y_num == pytest.approx(y[0], rel=1e-10)


def test_single_step_two_ions_matches_cubic():
    """n = 1, m = 2: K (1 - y)(T - 2 C y)^2 = y (d0 + C y), a cubic in y."""
    k, conc, d0 = 50.0, 0.01, 0.0
    model = from_log_constants([math.log(k)], ions_per_site=2)
    for t in (1e-3, 0.01, 0.03, 0.2):
        state = solve_titration(model, total_ions_molar=[t], nc_conc_molar=conc, host_initial_molar=d0)
        p_lhs = k * np.polymul([-1, 1], np.polymul([-2 * conc, t], [-2 * conc, t]))
        p = np.polysub(p_lhs, [conc, d0, 0])
        roots = [r.real for r in np.roots(p) if abs(r.imag) < 1e-9 and 0 <= r.real <= min(1, t / (2 * conc))]
        assert len(roots) == 1
        assert state.fraction_exchanged[0] == pytest.approx(roots[0], rel=1e-10)


def test_independent_sites_give_binomial_populations():
    n, k1 = 12, 0.6
    model = independent(n, k1)
    state = solve_titration(model, np.array([1.0, 5.0, 12.0, 24.0, 60.0]))
    x = np.exp(state.log_x)
    q = (k1 / n) * x / (1 + (k1 / n) * x)
    for k in range(state.populations.shape[0]):
        np.testing.assert_allclose(state.populations[k], binom.pmf(np.arange(n + 1), n, q[k]), rtol=1e-10, atol=1e-300)


def test_white2013_matches_the_printed_fractions():
    """White et al. 2013, Methods: M/M_T, ML_n/M_T, c_d, c_b, c_f, c_t from the closed formulas."""
    n, k1, alpha = 20, 1e-2, 55.0
    kappa = np.geomspace(1e-4, 2.0, 40)
    ref = printed_fractions(kappa, n, k1, alpha)
    state = sweep_kappa(white2013(n, k1, alpha), kappa)
    np.testing.assert_allclose(state.fraction_host, ref["pure_host"], rtol=1e-12)
    np.testing.assert_allclose(state.fraction_exchanged, ref["exchanged"], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(state.dopants_per_nc, ref["dopants"], rtol=1e-12)
    np.testing.assert_allclose(state.bound_ions_per_nc, ref["bound"], rtol=1e-12)
    np.testing.assert_allclose(state.free_host_molar, ref["free_host"], rtol=1e-12)
    np.testing.assert_allclose(state.free_ions_per_nc, ref["free"], rtol=1e-12)
    np.testing.assert_allclose(state.total_ions_per_nc, ref["total"], rtol=1e-12)


def test_sweep_and_solve_agree():
    model = make_model("mwc", sites=15, k1=0.01, alpha=40.0)
    sweep = sweep_kappa(model, np.geomspace(1e-3, 10, 25), nc_conc_molar=1e-3, host_initial_molar=1e-4)
    solved = solve_titration(model, sweep.total_ions_per_nc, nc_conc_molar=1e-3, host_initial_molar=1e-4)
    np.testing.assert_allclose(solved.kappa, sweep.kappa, rtol=1e-9)
    np.testing.assert_allclose(solved.populations, sweep.populations, rtol=1e-8, atol=1e-14)


def test_molar_and_per_nc_totals_agree():
    model = white2013(20, 1e-2, 55.0)
    conc = 2e-6
    per_nc = solve_titration(model, [10.0, 40.0, 80.0], nc_conc_molar=conc)
    molar = solve_titration(model, total_ions_molar=np.array([10.0, 40.0, 80.0]) * conc, nc_conc_molar=conc)
    np.testing.assert_allclose(per_nc.fraction_exchanged, molar.fraction_exchanged, rtol=1e-12)


def test_figure_2b_features():
    """White 2013 Fig. 2b: sigmoid with a latent region; dopants peak near half conversion
    and fall to under 1 % of their peak at full exchange."""
    model = white2013(20, 1e-2, 55.0)
    state = simulate(model, 801)
    x, y, dop = state.total_ions_per_nc, state.fraction_exchanged, state.dopants_per_nc
    assert np.all(np.diff(y) > 0)
    t_half = np.interp(0.5, y, x)
    # latent region: under 1 % exchanged up to at least 10 % of the midpoint
    assert np.interp(0.01, y, x) > 0.1 * t_half
    # sigmoid: slope at the midpoint exceeds the mean slope 0 -> midpoint
    slope_mid = np.gradient(y, x)[np.argmin(np.abs(x - t_half))]
    assert slope_mid > 1.5 * (0.5 / t_half)
    # host (pure + doped) is the mirror image
    np.testing.assert_allclose(state.fraction_unexchanged, 1 - y, atol=1e-12)
    k_peak = int(np.argmax(dop))
    assert abs(x[k_peak] - t_half) < 0.2 * t_half
    t_full = total_at_fraction_exchanged(model, 0.999)
    dop_full = solve_titration(model, [t_full]).dopants_per_nc[0]
    assert dop_full < 0.01 * dop[k_peak]


def test_default_range_ends_past_full_exchange():
    for name in ("white2013", "ladder", "mwc"):
        state = simulate(make_model(name, sites=30, k1=1e-2, alpha=20.0), 50)
        assert state.total_ions_per_nc[0] == 0.0
        assert state.fraction_exchanged[-1] >= 0.99
        assert np.all(np.diff(state.fraction_exchanged) >= 0)


def test_zero_total_is_untouched_solution():
    state = solve_titration(white2013(20, 1e-2, 55.0), [0.0, 1.0], host_initial_molar=0.3)
    assert state.fraction_host[0] == 1.0
    assert state.free_ions_per_nc[0] == 0.0
    assert state.free_host_molar[0] == 0.3


@pytest.mark.parametrize(
    ("totals", "message"),
    [
        ([1.0, float("nan")], "total_ions_per_nc must be finite; value nan at index 1"),
        ([1.0, float("inf")], "must be finite"),
        ([-1.0, 2.0], "total_ions_per_nc must be >= 0; value -1.0 at index 0"),
        ([], "needs at least 1 value"),
    ],
)
def test_bad_totals(totals, message):
    with pytest.raises(InputError, match=message):
        solve_titration(white2013(20, 1e-2, 55.0), totals)


def test_bad_conditions():
    model = white2013(20, 1e-2, 55.0)
    with pytest.raises(InputError, match="nc_conc_molar must be > 0"):
        solve_titration(model, [1.0], nc_conc_molar=0)
    with pytest.raises(InputError, match="host_initial_molar must be >= 0"):
        solve_titration(model, [1.0], host_initial_molar=-1)
    with pytest.raises(InputError, match="exactly one of"):
        solve_titration(model, [1.0], total_ions_molar=[1.0])
    with pytest.raises(InputError, match="kappa must be >= 0"):
        sweep_kappa(model, [-1.0])


def test_inputs_are_not_modified():
    totals = np.array([1.0, 10.0, 50.0])
    copy = totals.copy()
    solve_titration(white2013(20, 1e-2, 55.0), totals)
    np.testing.assert_array_equal(totals, copy)


def test_frames_and_dict():
    state = simulate(white2013(5, 1e-2, 10.0), 7)
    frame = state.to_frame()
    assert list(frame.columns)[:3] == ["total_ions_per_nc", "free_ions_per_nc", "bound_ions_per_nc"]
    pops = state.populations_frame()
    assert list(pops.columns) == ["total_ions_per_nc"] + [f"ML_{i}" for i in range(6)]
    d = state.to_dict()
    assert d["model"]["name"] == "white2013" and len(d["fraction_exchanged"]) == 7
