"""An exciton is a positive feature above its red-side background, bluer than the bulk gap.

Real data: imperial_run6_uvvis.csv (growing CdSe QDs, 18 spectra 30-600 s; tests/data/real/
PROVENANCE.md).  Synthetic: an early-growth spectrum extended to 800 nm with a negative
baseline offset and a 1.5 mAbs dip near 755 nm, the case where a shoulder "exciton" with a
negative height at ~770 nm used to be reported.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.io.spectra import read_spectra
from cationx.spectra.exciton import find_exciton
from cationx.spectra.isosbestic import find_isosbestic

DATA = Path(__file__).resolve().parents[1] / "data" / "real"
RUN6 = DATA / "imperial_run6_uvvis.csv"
CDSE_GAP_NM = 1239.8419843320026 / 1.74  # 712.6 nm


def _early_growth_to_800nm():
    w = np.arange(350, 800.01, 1.0)
    a = 0.6 * np.exp(-(w - 350) / 40) + 0.002 * (500 / w) ** 4 - 0.004
    a += -0.0015 * np.exp(-0.5 * ((w - 755) / 8) ** 2)
    a += np.random.default_rng(0).normal(0, 0.00015, w.size)
    return w, a


def test_negative_red_shoulder_is_rejected_with_reason():
    w, a = _early_growth_to_800nm()
    ex = find_exciton(w, a)
    assert not ex.found and ex.height is None
    assert "rejected" in ex.reason and "not above" in ex.reason
    assert len(ex.rejected) == 1 and "770" in ex.rejected[0]
    cdse = find_exciton(w, a, material="CdSe")
    assert not cdse.found and "bulk gap (713 nm)" in cdse.reason


def test_feature_beyond_the_bulk_gap_is_not_a_cdse_exciton():
    """A real, positive band at 740 nm is kept without a material and refused for CdSe."""
    w = np.arange(400, 850.01, 1.0)
    a = 0.05 + 0.3 * np.exp(-0.5 * ((w - 740) / 15) ** 2) + np.random.default_rng(1).normal(0, 1e-3, w.size)
    assert find_exciton(w, a).wavelength_nm == pytest.approx(740, abs=1)
    ex = find_exciton(w, a, material="CdSe")
    assert not ex.found and "redder than the CdSe bulk gap" in ex.reason
    # CdTe's gap (1.50 eV = 827 nm) admits it
    assert find_exciton(w, a, material="CdTe").found


def test_run6_every_exciton_is_plausible_cdse():
    data = read_spectra(RUN6)
    rows = [find_exciton(s.x, s.y, material="CdSe") for s in data]
    assert all(r.found for r in rows)
    pos = np.array([r.wavelength_nm for r in rows])
    assert np.all(np.array([r.height for r in rows]) > 0)
    assert np.all(pos < CDSE_GAP_NM)
    # 30 s: 494 nm shoulder; 600 s: 523 nm peak (the run's growth, as reported for run 6)
    assert pos[0] == pytest.approx(494.4, abs=1.0) and rows[0].kind == "shoulder"
    assert pos[-1] == pytest.approx(522.7, abs=1.0) and rows[-1].kind == "peak"


def test_run6_early_red_range_has_no_exciton_and_says_why():
    """The red part of the early spectra (540-650 nm) is a featureless tail: none, with the reason."""
    data = read_spectra(RUN6)
    for s in data[:3]:
        sel = s.x >= 540
        ex = find_exciton(s.x[sel], s.y[sel], material="CdSe")
        assert not ex.found and ex.wavelength_nm is None
        assert ex.reason  # "no peak or shoulder above 5 x noise ..." (with any rejected candidates)


def test_inspect_cli_reports_none_with_reason(tmp_path):
    w, a = _early_growth_to_800nm()
    f = tmp_path / "early.csv"
    f.write_text("wavelength_nm,absorbance\n" + "\n".join(f"{x:g},{y:.6g}" for x, y in zip(w, a, strict=True)) + "\n")
    r = CliRunner().invoke(app, ["spectra", "inspect", str(f), "--material", "CdSe", "--json"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)["spectra"][0]
    assert row["exciton_nm"] is None and row["exciton_height"] is None
    assert "bulk gap" in row["exciton_reason"] and row["exciton_rejected"]
    assert row["size"] is None
    text = CliRunner().invoke(app, ["spectra", "inspect", str(f), "--material", "CdSe"])
    assert text.exit_code == 0 and "no exciton (" in text.stdout


# --- isosbestic points between grid nodes ----------------------------------------------------------


def _two_gaussians(iso_nm, w):
    """A -> B conversion (8 spectra) whose isosbestic point lies exactly at iso_nm."""
    c1, c2, s = 480.0, 530.0, 30.0
    a2 = np.exp(-(iso_nm - (c1 + c2) / 2) * (c2 - c1) / s**2)  # equal heights at iso_nm
    a = np.exp(-((w - c1) ** 2) / (2 * s * s))
    b = a2 * np.exp(-((w - c2) ** 2) / (2 * s * s))
    f = np.linspace(0, 1, 8)[:, None]
    return (1 - f) * a + f * b


@pytest.mark.parametrize("noise", [0.0, 2e-4])
def test_isosbestic_shift_smaller_than_a_grid_step_is_resolved(noise):
    """A 0.4 nm shift on a 1 nm grid: crossings are interpolated, not snapped to grid nodes."""
    w = np.arange(400.0, 651.0)
    rng = np.random.default_rng(5)
    found = {}
    for iso in (505.3, 505.7):
        y = _two_gaussians(iso, w) + rng.normal(0, noise, (8, w.size))
        pts = find_isosbestic(w, y, noise=max(noise, 1e-4))
        assert len(pts) == 1
        found[iso] = pts[0]
        # linear interpolation of a smooth difference: error << 0.05 nm without noise;
        # with noise, within 3 of the reported uncertainties (+ 0.02 nm)
        tol = 0.01 if noise == 0 else 3 * pts[0].uncertainty_nm + 0.02
        assert pts[0].wavelength_nm == pytest.approx(iso, abs=tol)
    shift = found[505.7].wavelength_nm - found[505.3].wavelength_nm
    if noise == 0:
        assert shift == pytest.approx(0.4, abs=0.01)
        assert abs(found[505.3].wavelength_nm - round(found[505.3].wavelength_nm)) > 0.25  # not on a node
    else:
        both = np.hypot(found[505.7].uncertainty_nm, found[505.3].uncertainty_nm)
        assert shift == pytest.approx(0.4, abs=3 * both + 0.02)


def test_isosbestic_exactly_on_a_grid_node_is_found():
    """The difference is exactly 0 at a node: a strict sign-change test used to miss it."""
    w = np.arange(400.0, 651.0)
    pts = find_isosbestic(w, _two_gaussians(505.0, w), noise=1e-4)
    assert len(pts) == 1 and pts[0].wavelength_nm == pytest.approx(505.0, abs=1e-6)
