"""Stated uncertainties of onset, peak, enthalpy; the onset meets the sigmoidal baseline."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.dsc import analyze_dsc

from .conftest import Truth, iso_onset, make_run, write_ta

runner = CliRunner()


def test_onset_meets_the_baseline_under_the_peak():
    """With the 0.3 mW heat-capacity step the exact ISO onset of the model is 7.018 °C; the
    tangent used to meet the before line and the smoothing ran over the whole limits: 6.895."""
    t = Truth()
    time, temp, hf = make_run(t, rng=11)
    res = analyze_dsc(temp, hf, time_s=time, mass_mg=t.mass_mg, exo_up=True, n_bootstrap=0)
    h = res.transition_table().query("direction == 'heating'").iloc[0]
    assert iso_onset(t, True) == pytest.approx(7.0176, abs=1e-3)
    assert h.onset_c == pytest.approx(iso_onset(t, True), abs=0.02)


def test_uncertainties_reported_reproducibly_and_zero_bootstrap_gives_none():
    t = Truth()
    time, temp, hf = make_run(t, rng=12)
    a = analyze_dsc(temp, hf, time_s=time, mass_mg=t.mass_mg, exo_up=True).transition_table()
    b = analyze_dsc(temp, hf, time_s=time, mass_mg=t.mass_mg, exo_up=True).transition_table()
    assert list(a["onset_sd_k"]) == list(b["onset_sd_k"])  # seeded
    assert (a["onset_sd_k"] > 0).all() and (a["enthalpy_sd"] > 0).all() and (a["peak_sd_k"] > 0).all()
    # noise 0.002 mW on a 4.4 mW peak: onset SD of order millikelvin, enthalpy SD ~0.1 %
    assert (a["onset_sd_k"] < 0.01).all() and (a["enthalpy_sd"] < 0.003 * 20).all()
    none = analyze_dsc(temp, hf, time_s=time, mass_mg=t.mass_mg, exo_up=True, n_bootstrap=0).transition_table()
    assert none["onset_sd_k"].isna().all()


def test_uncertainty_scales_with_noise():
    t = Truth()
    sds = []
    for noise in (0.002, 0.02):
        time, temp, hf = make_run(t, rng=13, noise_mw=noise)
        tt = analyze_dsc(temp, hf, time_s=time, mass_mg=t.mass_mg, exo_up=True).transition_table()
        sds.append(tt.query("direction == 'heating'").iloc[0].enthalpy_sd)
    assert 5 < sds[1] / sds[0] < 20  # ~10x the noise, ~10x the SD


def test_cli_prints_and_writes_uncertainties(tmp_path):
    t = Truth()
    time, temp, hf = make_run(t, rng=14)
    p = write_ta(tmp_path / "run.txt", time[::2], temp[::2], hf[::2])
    r = runner.invoke(app, ["dsc", "analyze", str(p), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    tr = d["transitions"][0]
    assert tr["onset_sd_k"] > 0 and tr["enthalpy_sd"] > 0
    assert "uncertainty" in d and d["hysteresis"][0]["onset_difference_sd_k"] > 0
    text = runner.invoke(app, ["dsc", "analyze", str(p)])
    assert "±" in text.output and "standard uncertainty" in text.output
