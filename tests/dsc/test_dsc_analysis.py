"""DSC analysis on a synthetic run with known truth (onset, enthalpy, step, hysteresis)."""

from __future__ import annotations

import numpy as np
import pytest

from cationx.dsc import analyze_dsc, sigmoidal_baseline, split_segments
from cationx.errors import InputError

from .conftest import Truth, make_run


def _by_direction(res):
    t = res.transition_table()
    return t[t.direction == "heating"].iloc[0], t[t.direction == "cooling"].iloc[0]


def test_segments_and_rates(run):
    time, temp, _ = run
    segs = split_segments(time, temp)
    kinds = [s.kind for s in segs]
    assert kinds == ["heating", "isothermal", "cooling"]
    assert segs[0].rate_k_min == pytest.approx(10.0, rel=1e-3)
    assert segs[2].rate_k_min == pytest.approx(-10.0, rel=1e-3)


def test_onset_enthalpy_hysteresis_recovered(run, truth):
    time, temp, hf = run
    res = analyze_dsc(temp, hf, time_s=time, mass_mg=truth.mass_mg, exo_up=True)
    h, c = _by_direction(res)
    # ISO onset of a Gaussian peak: mu -/+ 2 sigma; brief tolerance 0.5 K
    assert h.onset_c == pytest.approx(truth.onset_heat_c, abs=0.5)
    assert c.onset_c == pytest.approx(truth.onset_cool_c, abs=0.5)
    assert h.peak_c == pytest.approx(truth.mu_heat_c, abs=0.1)
    assert c.peak_c == pytest.approx(truth.mu_cool_c, abs=0.1)
    # enthalpy over time, J/g, within 2 %; endotherm positive, exotherm negative
    assert res.enthalpy_unit == "J/g"
    assert h.enthalpy == pytest.approx(truth.enthalpy_j_g, rel=0.02)
    assert c.enthalpy == pytest.approx(-truth.enthalpy_j_g, rel=0.02)
    assert h.kind == "endothermic" and c.kind == "exothermic"
    # the sigmoidal baseline carries the heat-capacity step
    assert h.baseline_step == pytest.approx(truth.step_mw, abs=0.05)
    (hy,) = res.hysteresis
    assert hy["peak_difference_k"] == pytest.approx(truth.mu_heat_c - truth.mu_cool_c, abs=0.2)
    assert hy["onset_difference_k"] == pytest.approx(truth.onset_heat_c - truth.onset_cool_c, abs=0.5)
    assert "exo up" in res.sign_convention and "option" in res.sign_convention


def test_sign_convention_flip_and_units_without_mass(run):
    time, temp, hf = run
    wrong = analyze_dsc(temp, hf, time_s=time, exo_up=False)
    h, _ = _by_direction(wrong)
    assert h.kind == "exothermic" and wrong.enthalpy_unit == "mJ"
    assert h.enthalpy == pytest.approx(-100.0, rel=0.02)  # 20 J/g x 5 mg, sign flipped
    assert any("no sample mass" in n for n in wrong.notes)


def test_per_mass_signal_and_range(run, truth):
    time, temp, hf = run
    res = analyze_dsc(temp, hf / truth.mass_mg, time_s=time, heat_flow_unit="mW/mg", exo_up=True,
                      temperature_range_c=(-20.0, 30.0))
    h, c = _by_direction(res)
    assert res.enthalpy_unit == "J/g"
    assert h.enthalpy == pytest.approx(truth.enthalpy_j_g, rel=0.02)
    assert c.onset_c == pytest.approx(truth.onset_cool_c, abs=0.5)


def test_without_time_column_reports_kelvin_integral(run, truth):
    _, temp, hf = run
    res = analyze_dsc(temp, hf, exo_up=True)
    h, _ = _by_direction(res)
    assert res.enthalpy_unit == "mW*K"
    # area over temperature = area over time x rate (K/s)
    assert h.enthalpy == pytest.approx(truth.enthalpy_j_g * truth.mass_mg * truth.rate_k_min / 60, rel=0.02)
    with_rate = analyze_dsc(temp, hf, exo_up=True, rate_k_min=10.0, mass_mg=5.0)
    assert _by_direction(with_rate)[0].enthalpy == pytest.approx(truth.enthalpy_j_g, rel=0.02)


def test_slower_scan_broader_window():
    t = Truth(rate_k_min=2.0, sigma_k=1.0, step_mw=0.0)
    time, temp, hf = make_run(t, rng=2, dt_s=2.0)
    res = analyze_dsc(temp, hf, time_s=time, mass_mg=t.mass_mg, exo_up=True)
    h, c = _by_direction(res)
    assert h.onset_c == pytest.approx(t.onset_heat_c, abs=0.5)
    assert h.enthalpy == pytest.approx(t.enthalpy_j_g, rel=0.02)
    assert c.enthalpy == pytest.approx(-t.enthalpy_j_g, rel=0.02)


def test_sigmoidal_baseline_without_step_is_the_line():
    u = np.linspace(0, 100, 201)
    y = 2.0 + 0.01 * u + 5 * np.exp(-0.5 * ((u - 50) / 5) ** 2)
    b = sigmoidal_baseline(u, y, (2.0, 0.01), (2.0, 0.01))
    assert np.allclose(b, 2.0 + 0.01 * u)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mass_mg": -2.0}, "mass_mg must be > 0"),
        ({"temperature_range_c": (100.0, 200.0)}, "outside the data"),
        ({"temperature_range_c": (30.0, 10.0)}, "lo < hi"),
    ],
)
def test_bad_arguments(run, kwargs, message):
    time, temp, hf = run
    with pytest.raises(InputError, match=message):
        analyze_dsc(temp, hf, time_s=time, **kwargs)


def test_decreasing_time_and_constant_temperature_rejected(run):
    time, temp, hf = run
    with pytest.raises(InputError, match="must not decrease"):
        analyze_dsc(temp, hf, time_s=time[::-1])
    with pytest.raises(InputError, match="constant"):
        analyze_dsc(np.full(50, 25.0), np.zeros(50))


def test_weak_noisy_transition_within_looser_bounds():
    """A weak broad transition (5 J/g, sigma 3 K, peak 0.55 mW over 0.05 mW noise: SNR ~ 11),
    closer to a few mg of clusters than the clean case: onsets within 1 K, peaks within 0.6 K,
    enthalpies within 15 %.  (Measured: onsets 4.3 / 4.2 °C vs 4.0 / 4.0, enthalpy -9 % / -2 %.)"""
    t = Truth(sigma_k=3.0, enthalpy_j_g=5.0)
    time, temp, hf = make_run(t, rng=3, noise_mw=0.05)
    res = analyze_dsc(temp, hf, time_s=time, mass_mg=t.mass_mg, exo_up=True)
    h, c = _by_direction(res)
    assert h.onset_c == pytest.approx(t.onset_heat_c, abs=1.0)
    assert c.onset_c == pytest.approx(t.onset_cool_c, abs=1.0)
    assert h.peak_c == pytest.approx(t.mu_heat_c, abs=0.6) and c.peak_c == pytest.approx(t.mu_cool_c, abs=0.6)
    assert h.enthalpy == pytest.approx(t.enthalpy_j_g, rel=0.15)
    assert c.enthalpy == pytest.approx(-t.enthalpy_j_g, rel=0.15)


def test_two_transitions_in_one_heating():
    t = Truth(step_mw=0.0)
    time, temp, hf = make_run(t, rng=4)
    second = np.exp(-0.5 * ((temp - 35.0) / 1.5) ** 2) * 40 / (9 * np.sqrt(2 * np.pi))  # 40 mJ, endo
    second[temp.size // 2 :] = 0.0
    res = analyze_dsc(temp, hf - second, time_s=time, mass_mg=t.mass_mg, exo_up=True)
    heat = res.transition_table().query("direction == 'heating'").sort_values("peak_c")
    assert list(heat["onset_c"]) == pytest.approx([7.0, 32.0], abs=0.5)
    assert list(heat["enthalpy"]) == pytest.approx([20.0, 8.0], rel=0.02)
