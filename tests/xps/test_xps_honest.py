"""XPS fits must not report success for a diverged background or a degenerate fit.

Real data: the PHI VersaProbe II (MultiPak) VAMAS export of a MoS2-type sample and a SPECS
survey (tests/data/real/PROVENANCE.md).  The PHI C 1s region (275-305 eV) and S 2p region
(155-180 eV) end on a rising slope: the high-BE end level lies above the data between the
peak and the end, which makes the Shirley iteration diverge.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.errors import FitError
from cationx.io.xps import read_spectrum
from cationx.xps import fit_spectrum, peak, shirley_background
from cationx.xps.backgrounds import compute_background, plateau_window, shirley_iterate

DATA = Path(__file__).resolve().parents[1] / "data" / "real"
runner = CliRunner()


@pytest.fixture(scope="module")
def phi(tmp_path_factory):
    """C 1s and S 2p blocks of the PHI file (the vamas package wants a .vms name)."""
    p = tmp_path_factory.mktemp("phi") / "phi.vms"
    shutil.copyfile(DATA / "LG4X_Mutlipak_PHI.npl", p)
    out = {}
    for block, name in ((0, "c1s"), (2, "s2p")):
        s = read_spectrum(p, block=block)
        out[name] = (s.binding_energy_ev, s.intensity)
    return out


def _window(xy, lo, hi):
    x, y = xy
    sel = (x >= lo) & (x <= hi)
    return x[sel], y[sel]


@pytest.mark.parametrize(("name", "plateau_ev"), [("c1s", 294.4), ("s2p", 175.65)])
def test_real_shirley_divergence_is_reported_with_its_cause(phi, name, plateau_ev):
    x, y = phi[name]
    res = shirley_iterate(x, y)
    assert not res.converged
    assert "high-BE end level" in res.reason and "lies above the data" in res.reason
    assert f"{plateau_ev:.2f}" in res.reason  # the plateau where the window should end
    with pytest.raises(FitError, match="Shirley background diverged"):
        shirley_background(x, y)
    with pytest.raises(FitError, match="--fallback"):
        fit_spectrum(x, y, "a:s@285" if name == "c1s" else "s:s2p@161.5")
    # the cause is the window, not the energy order or the intensity unit (c/s vs counts):
    # reversed order and counts (dwell 0.4 s) diverge alike, and the plateau window converges
    assert not shirley_iterate(x[::-1], 0.4 * y[::-1]).converged
    assert plateau_window(x, y)[1] == pytest.approx(plateau_ev, abs=0.05)
    xw, yw = _window(phi[name], x.min(), plateau_ev)
    ok = shirley_iterate(xw, yw)
    assert ok.converged and ok.iterations < 20
    counts = shirley_iterate(xw[::-1], 0.4 * yw[::-1])
    assert counts.converged and np.allclose(counts.values[::-1], 0.4 * ok.values, rtol=1e-6)


def test_real_c1s_fit_on_plateau_window_and_explicit_fallback(phi):
    x, y = phi["c1s"]
    good = fit_spectrum(x, y, "cc:s@284.8; co:s@286.5", be_range=(275, 294.4), ci="none")
    assert good.converged and good.failures == () and good.fit.r2 > 0.99
    assert good.fit.value("cc_center") == pytest.approx(284.8, abs=0.1)  # adventitious C-C
    d = good.to_dict()
    assert d["converged"] is True and d["background"] == {
        "method": "shirley", "used": "shirley", "converged": True, "iterations": good.background_info.iterations,
        "fallback": None, "reason": None,
    }
    fb = fit_spectrum(x, y, "cc:s@284.8; co:s@286.5", fallback="linear", ci="none")
    assert fb.background_info.fallback == "linear" and not fb.background_info.converged
    assert any("fallback" in w for w in fb.warnings)
    assert "fallback" in fb.report().splitlines()[0]
    np.testing.assert_allclose(fb.background, compute_background("linear", x, y).values[np.argsort(x)])


def test_real_component_collapse_is_not_a_success(phi):
    x, y = phi["c1s"]
    r = fit_spectrum(x, y, "cc:s@284.8; z:s@278,fwhm=0.3", background="linear", be_range=(275, 294.4), ci="none")
    assert not r.converged
    assert any("collapsed to its lower bound 0.05 eV" in f for f in r.failures)
    assert r.report().startswith("FIT NOT TRUSTWORTHY")
    assert r.to_dict()["success"] is False


@pytest.mark.filterwarnings("ignore:xps .1 component.. covariance")
def test_real_survey_narrow_line_and_negative_r2_flagged():
    s = read_spectrum(DATA / "pynxtools_regular_SPECS.vms")
    r = fit_spectrum(s.binding_energy_ev, s.intensity, "x:s@301.9,fwhm=0.1", background="linear", be_range=(270, 560), ci="none")
    assert r.fit.r2 < 0 and not r.converged
    assert any("r^2" in f for f in r.failures)
    assert any("narrower than two grid steps" in f for f in r.failures)  # 1 eV survey steps
    d = r.to_dict()
    assert d["success"] is False and d["optimizer_success"] is True and d["warnings"]


# --- end-level window: n_avg > 1, sloped ends, energy order ---------------------------------------


def _sloped(slope=0.1, n=401):
    x = np.linspace(360, 380, n)
    pk = peak(x, 370.0, 100.0, 1.5, "gauss")
    return x, 10.0 + slope * (x - 360) + pk + 20.0 * np.cumsum(pk) / pk.sum()


@pytest.mark.parametrize("n_avg", [1, 4, 7])
def test_shirley_end_levels_are_means_of_the_end_windows_in_be_order(n_avg):
    x, y = _sloped()
    for xx, yy in ((x, y), (x[::-1].copy(), y[::-1].copy())):  # ascending and descending input
        bg = shirley_background(xx, yy, n_avg=n_avg)
        o = np.argsort(xx)
        b, ys = bg[o], yy[o]
        assert b[0] == pytest.approx(ys[:n_avg].mean(), rel=1e-9)
        assert b[-1] == pytest.approx(ys[-n_avg:].mean(), rel=1e-9)
        # on a sloped end the mean of n points is the data value at the window centre, so the
        # background at the extreme point sits (n - 1) / 2 steps of slope off the data
        step = x[1] - x[0]
        assert ys[0] - b[0] == pytest.approx(-0.1 * step * (n_avg - 1) / 2, abs=1e-9)
        assert ys[-1] - b[-1] == pytest.approx(0.1 * step * (n_avg - 1) / 2, abs=1e-6)


def test_shirley_end_window_averages_noise_and_prevents_divergence():
    """200 noisy copies (sigma 1 against a step of 20): the end level's sigma falls as
    1 / sqrt(n_avg); a single-point end level that lands above the plateau makes the
    iteration diverge in a few per cent of the copies (12 of 200 at this seed), 9 points never."""
    x, y = _sloped(slope=0.0)
    rng = np.random.default_rng(7)
    lows: dict[int, list[float]] = {1: [], 9: []}
    failed = dict.fromkeys(lows, 0)
    for _ in range(200):
        yn = y + rng.normal(0, 1.0, y.size)
        for n in lows:
            r = shirley_iterate(x, yn, n_avg=n)
            lows[n].append(r.values[0])
            failed[n] += not r.converged
    assert np.std(lows[1]) == pytest.approx(1.0, rel=0.15)
    assert np.std(lows[9]) == pytest.approx(1 / 3, rel=0.15)
    assert failed[1] >= 3 and failed[9] == 0


def test_shirley_sloped_end_converges_but_rising_end_diverges():
    x, y = _sloped(slope=0.1)  # gentle slope (2 over 20 eV against a step of 20)
    r = shirley_iterate(x, y, n_avg=5)
    assert r.converged and r.iterations < 30
    # a steep slope puts the high-BE end level above the data after the peak
    x, y = _sloped(slope=2.0)
    steep = shirley_iterate(x, y, n_avg=5)
    assert not steep.converged and "high-BE end level" in steep.reason
    # so does a second feature entering at the high-BE end
    x, y = _sloped(slope=0.0)
    y2 = y + peak(x, 383.0, 60.0, 3.0, "gauss")
    bad = shirley_iterate(x, y2, n_avg=5)
    assert not bad.converged and "high-BE end level" in bad.reason and "low-BE" not in bad.reason


# --- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def c1s_csv(tmp_path, phi):
    x, y = phi["c1s"]
    p = tmp_path / "c1s.csv"
    pd.DataFrame({"binding_energy_ev": x, "intensity": y}).to_csv(p, index=False)
    return p


def test_cli_diverged_shirley_is_an_error_or_a_named_fallback(c1s_csv):
    r = runner.invoke(app, ["xps", "fit", str(c1s_csv), "--components", "cc:s@284.8; co:s@286.5"])
    assert r.exit_code == 2 and "Shirley background diverged" in r.output and "--range" in r.output
    j = runner.invoke(app, ["xps", "fit", str(c1s_csv), "--components", "cc:s@284.8; co:s@286.5", "--fallback", "linear", "--json"])
    assert j.exit_code == 0, j.output
    d = json.loads(j.stdout)
    assert d["background"]["method"] == "shirley" and d["background"]["converged"] is False
    assert d["background"]["fallback"] == "linear" and d["background"]["iterations"] >= 1
    assert d["converged"] is True and any("fallback" in w for w in d["warnings"])
    bad = runner.invoke(app, ["xps", "fit", str(c1s_csv), "--components", "a:s@284.8", "--fallback", "spline"])
    assert bad.exit_code == 2 and "fallback must be one of" in bad.output


def test_cli_degenerate_fit_says_so_with_exit_3(c1s_csv):
    r = runner.invoke(app, ["xps", "fit", str(c1s_csv), "--components", "cc:s@284.8; z:s@278,fwhm=0.3", "--background", "linear",
                            "--range", "275:294.4"])
    assert r.exit_code == 3  # computed, printed, not trustworthy
    assert r.stdout.startswith("FIT NOT TRUSTWORTHY") and "0.05 eV" in r.stdout
