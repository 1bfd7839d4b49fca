"""Reading spectra, baseline, peak picking and calibration."""

from __future__ import annotations

import numpy as np
import pytest

from cationx.errors import DataFileError, InputError
from cationx.io.massspec import read_spectrum
from cationx.massspec import envelope
from cationx.massspec.spectrum import calibrate, pick_peaks, subtract_baseline

from .conftest import synth, write_mzml


def test_read_csv_with_header_and_comments(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("# exported\nm/z,intensity\n100.0,1\n100.5,3\n101.0,2\n")
    sp = read_spectrum(p)
    assert sp.mz.tolist() == [100.0, 100.5, 101.0]
    assert sp.intensity.tolist() == [1, 3, 2]


def test_read_whitespace_txt_unsorted(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("101.0\t2\n100.0   1\n100.5 3\n")
    sp = read_spectrum(p)
    assert sp.mz.tolist() == [100.0, 100.5, 101.0]
    assert sp.intensity.tolist() == [1, 3, 2]


def test_read_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("mz,intensity\n100,1\n101,abc\n102,3\n")
    with pytest.raises(InputError, match=r":3: non-numeric value 'abc' in column 2"):
        read_spectrum(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataFileError, match="empty"):
        read_spectrum(empty)
    header_only = tmp_path / "h.csv"
    header_only.write_text("mz,intensity\n")
    with pytest.raises(DataFileError, match="no data rows"):
        read_spectrum(header_only)
    one_col = tmp_path / "one.csv"
    one_col.write_text("1\n2\n3\n")
    with pytest.raises(InputError, match="need m/z and intensity"):
        read_spectrum(one_col)
    with pytest.raises(DataFileError, match="not found"):
        read_spectrum(tmp_path / "missing.csv")


def test_read_mzml(tmp_path):
    mz = np.linspace(3000, 3010, 50)
    y = np.exp(-0.5 * ((mz - 3005) / 0.3) ** 2)
    sp = read_spectrum(write_mzml(tmp_path / "a.mzML", mz, y))
    assert np.allclose(sp.mz, mz)
    assert np.allclose(sp.intensity, y)
    with pytest.raises(DataFileError, match="out of range"):
        read_spectrum(tmp_path / "a.mzML", index=3)


def test_baseline_and_peaks_recover_envelope_centroids():
    sp = synth(["Ag29S13+"], [1.0], fwhm=0.3, step=0.02, baseline=50.0)
    corrected, base = subtract_baseline(sp, half_window_da=10)
    assert np.median(base) == pytest.approx(50.0, abs=2.0)
    pk = pick_peaks(corrected, min_relative_height=0.2)
    env = envelope("Ag29S13+")
    strong = env.mz[env.abundance > 0.25 * env.abundance.max()]
    for m in strong:
        assert np.min(np.abs(pk.mz - m)) < 0.02


def test_calibration_recovers_linear_error():
    ref = np.array([3297.25, 3545.05, 4871.2, 5163.05, 6550.77])
    observed = 1.5 + ref * (1 + 150e-6)
    cal = calibrate(observed, ref, order="linear")
    assert np.allclose(cal.apply(observed), ref, atol=1e-6)
    assert np.sqrt(np.mean(cal.residual_ppm**2)) < 1e-3
    observed_q = ref + 2e-7 * (ref - 4000) ** 2 + 0.8
    calq = calibrate(observed_q, ref, order="quadratic")
    assert np.allclose(calq.apply(observed_q), ref, atol=1e-3)
    with pytest.raises(InputError, match="at least 4"):
        calibrate(observed[:3], ref[:3], order="quadratic")
