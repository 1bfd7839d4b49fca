"""Kinetic fits: simulate-then-fit recovery, the paper's log-linear windows, model comparison.

Reference numbers: Yao, Lynch, Robinson, J. Chem. Phys. 159, 014704 (2023) (seed 004).
The in-situ kinetic traces are figures (Fig. 2, Fig. S12), not tables: the only values the
text gives are the absorbance at 0 s (0.9), 20 s (0.3) and 100 s (0.07) for the 100 % Ag
run, and the fitted rate constants.  Tests on full curves therefore use synthetic data
made with the paper's rate constants and windows, and say so.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cationx.errors import InputError
from cationx.kinetics import (
    biexponential,
    compare_models,
    first_order,
    fit_biexponential,
    fit_first_order,
    fit_kinetics,
    fit_log_linear_windows,
    fit_two_stage,
    two_stage,
)


def _inside(result, name, truth):
    p = result[name]
    assert p.ci_low is not None and p.ci_high is not None, f"{name} has no interval"
    assert p.ci_low <= truth <= p.ci_high, f"{name}: {truth} not in [{p.ci_low}, {p.ci_high}]"


def test_first_order_recovers_parameters_inside_intervals():
    rng = np.random.default_rng(11)
    t = np.linspace(0, 60, 61)
    a = first_order(t, 1.0, 0.08, 0.2) + rng.normal(0, 0.004, t.size)
    res = fit_first_order(t, a)
    for name, truth in (("a0", 1.0), ("k", 0.08), ("a_inf", 0.2)):
        _inside(res, name, truth)
    assert res.r2 > 0.999


def test_first_order_noise_free_matches_log_line_when_a_inf_is_zero():
    # cross-route: nonlinear fit on A(t) with A_inf = 0 vs straight line through ln A
    t = np.linspace(0, 40, 21)
    a = first_order(t, 0.9, 0.056)
    res = fit_first_order(t, a, a_inf=0.0, ci="stderr")
    win = fit_log_linear_windows(t, a, [(0, 40)])
    assert res.value("k") == pytest.approx(0.056, rel=1e-7)
    assert win.rate_constants[0] == pytest.approx(0.056, rel=1e-10)
    assert res["a_inf"].vary is False


def test_two_stage_recovers_breakpoint_inside_interval_ag_like():
    # synthetic trace with 004's Ag numbers: k1 = 0.056 /s for 0-20 s, k2 = 0.019 /s after
    rng = np.random.default_rng(5)
    t = np.arange(0.0, 101.0, 2.0)
    a = two_stage(t, 0.9, 0.056, 0.019, 20.0, 0.0) + rng.normal(0, 0.005, t.size)
    res = fit_two_stage(t, a)
    for name, truth in (("t_break", 20.0), ("k1", 0.056), ("k2", 0.019), ("a0", 0.9), ("a_inf", 0.0)):
        _inside(res, name, truth)
    tb = res["t_break"]
    assert tb.ci_high - tb.ci_low < 5.0  # the breakpoint is located, not merely allowed


def test_two_stage_cu_like_breakpoint():
    # synthetic trace with 004's Cu numbers (Fig. S12): 0.15 /s for 0-10 s, 0.011 /s to 90 s
    rng = np.random.default_rng(7)
    t = np.arange(0.0, 91.0, 1.0)
    a = two_stage(t, 1.0, 0.15, 0.011, 10.0, 0.05) + rng.normal(0, 0.004, t.size)
    res = fit_two_stage(t, a, ci="stderr")
    _inside(res, "t_break", 10.0)
    _inside(res, "k1", 0.15)
    _inside(res, "k2", 0.011)


def test_biexponential_recovers_parameters_inside_intervals():
    rng = np.random.default_rng(2)
    t = np.linspace(0, 150, 120)
    truth = {"a_fast": 0.5, "k_fast": 0.2, "a_slow": 0.4, "k_slow": 0.02, "a_inf": 0.05}
    a = biexponential(t, **truth) + rng.normal(0, 0.003, t.size)
    res = fit_biexponential(t, a)
    for name, value in truth.items():
        _inside(res, name, value)
    assert res.value("k_fast") > res.value("k_slow")


def test_biexponential_labels_fast_and_slow_whatever_the_start():
    t = np.linspace(0, 100, 80)
    a = biexponential(t, 0.2, 0.3, 0.7, 0.03, 0.0)
    res = fit_biexponential(t, a, ci="none")
    assert res.value("k_fast") == pytest.approx(0.3, rel=1e-4)
    assert res.value("a_slow") == pytest.approx(0.7, rel=1e-4)


def test_text_absorbances_reproduce_the_papers_rate_constants():
    # 004 text (Fig. 2 caption and Results): A = 0.9 at 0 s, 0.3 at 20 s, 0.07 at 100 s;
    # the paper's fits of the full trace give k = 0.056 (0-20 s) and 0.019 /s (20-100 s).
    # The absorbances are printed to one or two digits (0.3 means 0.25-0.35, i.e. k1 in
    # 0.047-0.064), so agreement within 5 % is all the text can support.
    res = fit_log_linear_windows([0.0, 20.0, 100.0], [0.9, 0.3, 0.07], [(0, 20), (20, 100)])
    k1, k2 = res.rate_constants
    assert k1 == pytest.approx(math.log(0.9 / 0.3) / 20)
    assert k1 == pytest.approx(0.056, rel=0.05)
    assert k2 == pytest.approx(0.019, rel=0.05)
    assert k1 / k2 == pytest.approx(3.0, rel=0.05)  # "three times higher"
    assert all(ln.exact for ln in res.lines) and res.r2 == [None, None]


def test_windows_and_two_stage_agree_on_noise_free_data():
    # cross-route: the paper's windows at the true breakpoint recover the two-stage rates
    t = np.arange(0.0, 101.0, 5.0)
    a = two_stage(t, 0.9, 0.056, 0.019, 20.0)
    win = fit_log_linear_windows(t, a, [(0, 20), (20, 100)])
    assert win.rate_constants == pytest.approx([0.056, 0.019], rel=1e-9)
    assert win.r2[0] == pytest.approx(1.0) and win.r2[1] == pytest.approx(1.0)


def test_compare_supports_breakpoint_for_two_stage_data():
    rng = np.random.default_rng(5)
    t = np.arange(0.0, 101.0, 2.0)
    a = two_stage(t, 0.9, 0.056, 0.019, 20.0) + rng.normal(0, 0.005, t.size)
    cmp = compare_models(t, a)
    assert cmp.breakpoint_supported
    assert cmp.f_tests["two-stage"].p_value < 1e-6
    assert "supported" in cmp.verdict and "not supported" not in cmp.verdict
    frame = cmp.to_frame()
    assert frame.loc["two-stage", "delta_aic"] == 0.0


def test_compare_rejects_breakpoint_for_first_order_data():
    rng = np.random.default_rng(8)
    t = np.arange(0.0, 101.0, 2.0)
    a = first_order(t, 0.9, 0.03, 0.05) + rng.normal(0, 0.005, t.size)
    cmp = compare_models(t, a)
    assert not cmp.breakpoint_supported
    assert "not supported" in cmp.verdict


@settings(max_examples=40, deadline=None)
@given(
    k=st.floats(0.001, 1.0),
    tb=st.floats(0.5, 50.0),
    a0=st.floats(0.1, 5.0),
    ainf=st.floats(-0.5, 0.5),
)
def test_two_stage_reduces_to_first_order_and_is_continuous(k, tb, a0, ainf):
    t = np.linspace(0, 100, 41)
    assert np.allclose(two_stage(t, a0, k, k, tb, ainf), first_order(t, a0, k, ainf), rtol=1e-12, atol=1e-12)
    left = two_stage(np.array([tb - 1e-9]), a0, k, 3 * k, tb, ainf)[0]
    right = two_stage(np.array([tb + 1e-9]), a0, k, 3 * k, tb, ainf)[0]
    assert left == pytest.approx(right, abs=1e-8)


def test_too_few_points_for_two_stage():
    t = np.arange(6.0)
    with pytest.raises(InputError, match="needs at least 7 points"):
        fit_two_stage(t, np.exp(-t))


def test_bad_inputs():
    with pytest.raises(InputError, match="repeated"):
        fit_first_order([0, 1, 1, 2, 3], [1, 0.9, 0.8, 0.7, 0.6])
    with pytest.raises(InputError, match="A > 0"):
        fit_log_linear_windows([0, 1, 2, 3], [1.0, 0.5, 0.0, -0.1], [(0, 3)])
    with pytest.raises(InputError, match="model must be one of"):
        fit_kinetics([0, 1, 2, 3, 4], [1, 0.5, 0.3, 0.2, 0.1], "zeroth-order")
    with pytest.raises(InputError, match="needs windows"):
        fit_kinetics([0, 1, 2, 3, 4], [1, 0.5, 0.3, 0.2, 0.1], "log-linear-windows")
    with pytest.raises(InputError, match="must be finite"):
        fit_first_order([0, 1, 2, 3, 4], [1, np.nan, 0.3, 0.2, 0.1])
    # a window beyond the data names the window, not an internal array
    with pytest.raises(InputError, match="window 200:300 holds 0 point"):
        fit_log_linear_windows([0, 1, 2, 3], [1.0, 0.5, 0.3, 0.2], [(0, 3), (200, 300)])
    with pytest.raises(InputError, match="lo < hi"):
        fit_log_linear_windows([0, 1, 2, 3], [1.0, 0.5, 0.3, 0.2], [(3, 0)])


def test_inputs_not_mutated():
    t = np.array([5.0, 0.0, 10.0, 15.0, 20.0, 25.0])
    a = first_order(t, 1.0, 0.1, 0.1)
    t0, a0 = t.copy(), a.copy()
    fit_first_order(t, a, ci="none")
    assert np.array_equal(t, t0) and np.array_equal(a, a0)


def test_f_test_matches_textbook_formula():
    from scipy import stats

    from cationx.fitting import f_test

    rng = np.random.default_rng(1)
    t = np.linspace(0, 60, 40)
    a = first_order(t, 1.0, 0.05, 0.1) + rng.normal(0, 0.01, t.size)
    reduced = fit_first_order(t, a, a_inf=0.1, ci="none")
    full = fit_first_order(t, a, ci="none")
    ft = f_test(reduced, full)
    f_manual = (reduced.chisqr - full.chisqr) / 1 / (full.chisqr / (t.size - 3))
    assert ft.f_statistic == pytest.approx(f_manual)
    assert ft.p_value == pytest.approx(stats.f.sf(f_manual, 1, t.size - 3))
    assert (ft.df_num, ft.df_den) == (1, t.size - 3)
    with pytest.raises(InputError, match="more free parameters"):
        f_test(full, reduced)
    other = fit_first_order(t[:-1], a[:-1], ci="none")
    with pytest.raises(InputError, match="same data"):
        f_test(other, full)
