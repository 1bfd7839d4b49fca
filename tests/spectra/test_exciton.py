"""Exciton detection and saturation on the real exports and on synthetic spectra."""

from __future__ import annotations

import numpy as np
import pytest

from cationx.io.spectra import read_spectra
from cationx.spectra.exciton import find_exciton, saturated_mask, saturated_ranges, track_excitons


def test_jasco_cdse5_peak_and_clipping(real_dir):
    s = read_spectra(real_dir / "jasco_v670_cdse5.csv")[0]
    # the detector clips at A = 7 (355-364 nm in the file); readings above A = 3 below 380 nm
    # are unreliable: one flagged range from the start of the scan to 379 nm
    assert saturated_ranges(s.x, s.y) == [(300.0, 379.0)]
    mask = saturated_mask(s.y, reliable_max=None)
    assert set(s.x[mask]) >= {355.0, 360.0, 364.0}
    ex = find_exciton(s.x, s.y)
    assert ex.kind == "peak"
    # the raw maximum of the band is at 544 nm (0.5097); sub-nm vertex within 1 nm of it
    assert ex.wavelength_nm == pytest.approx(544.0, abs=1.0)
    assert ex.height == pytest.approx(0.5097, abs=0.005)


def test_jasco_cdse8_exciton_is_a_shoulder(real_dir):
    s = read_spectra(real_dir / "jasco_v670_cdse8.csv")[0]
    assert saturated_ranges(s.x, s.y)[0][1] >= 378.0  # clipped at 7 from 378 nm down
    ex = find_exciton(s.x, s.y)
    assert ex.kind == "shoulder"
    assert 555.0 < ex.wavelength_nm < 575.0
    # a peak-only search finds nothing: the band has no local maximum
    none = find_exciton(s.x, s.y, shoulders=False)
    assert none.wavelength_nm is None and "no peak" in none.reason


def test_imperial_growth_series(real_dir):
    data = read_spectra(real_dir / "imperial_run6_uvvis.csv")
    rows = [find_exciton(s.x, s.y) for s in data]
    # the early spectra show the exciton only as a shoulder, later ones as a peak
    kinds = [r.kind for r in rows]
    assert kinds[:5] == ["shoulder"] * 5 and kinds[-1] == "peak"
    pos = np.array([r.wavelength_nm for r in rows])
    # the QDs grow: the exciton moves red by > 20 nm over the run (494 -> 522 nm)
    assert pos[-1] - pos[0] > 20.0
    peaks = pos[np.array(kinds) == "peak"]
    assert np.all(np.diff(peaks) > -1.0)


def test_no_resolved_exciton_in_a_featureless_range(real_dir):
    # between the clipped range and the exciton both spectra rise smoothly: nothing resolved
    for name in ("jasco_v670_cdse5.csv", "jasco_v670_cdse8.csv"):
        s = read_spectra(real_dir / name)[0]
        sel = (s.x >= 403) & (s.x <= 520)
        ex = find_exciton(s.x[sel], s.y[sel])
        assert ex.wavelength_nm is None and ex.kind is None
        assert "above" in ex.reason


def test_tail_artifact_is_not_an_exciton(real_dir):
    # both JASCO files have a ~1 mAbs step near 665-670 nm in the flat tail; on the whole
    # spectrum it is far below 2 % of the absorbance and is not taken for the exciton
    s = read_spectra(real_dir / "jasco_v670_cdse8.csv")[0]
    tail = s.x >= 600
    assert find_exciton(s.x[tail], s.y[tail]).wavelength_nm == pytest.approx(668, abs=3)
    assert find_exciton(s.x, s.y).wavelength_nm < 575.0


def test_all_saturated():
    w = np.arange(300.0, 400.0)
    ex = find_exciton(w, np.full(w.size, 7.0))
    assert ex.wavelength_nm is None and "saturated" in ex.reason


def test_sub_nm_position():
    w = np.arange(500.0, 650.0, 1.0)
    rng = np.random.default_rng(3)
    y = 0.4 * np.exp(-0.5 * ((w - 587.3) / 12) ** 2) + 0.002 * (650 - w) / 10 + rng.normal(0, 5e-4, w.size)
    ex = find_exciton(w, y)
    assert ex.kind == "peak"
    assert ex.wavelength_nm == pytest.approx(587.3, abs=0.3)


def test_msc_exciton_shifts_004():
    # 004: the CdS MSC exciton moves 324 -> 327 nm (Ag+) and 324 -> 331 nm (Cu+) in stage 1
    w = np.arange(280.0, 420.0, 0.5)
    rng = np.random.default_rng(4)

    def spec(center, height):
        band = height * np.exp(-0.5 * ((w - center) / 4.0) ** 2)
        return band + 0.3 / (1 + np.exp((w - 300) / 6)) + rng.normal(0, 5e-4, w.size)

    y = np.vstack([spec(324, 0.5), spec(327, 0.45), spec(331, 0.4)])
    table = track_excitons(w, y, labels=["start", "Ag+", "Cu+"])
    got = table["exciton_nm"].to_numpy()
    np.testing.assert_allclose(got, [324, 327, 331], atol=0.3)
    assert got[1] - got[0] == pytest.approx(3.0, abs=0.3)
    assert got[2] - got[0] == pytest.approx(7.0, abs=0.3)
    assert list(table["exciton_kind"]) == ["peak"] * 3
