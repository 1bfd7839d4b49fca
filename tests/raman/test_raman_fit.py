"""Global band fits across replicates: synthetic truth, shared parameters, strain, failure reports."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cationx.errors import ConvergenceWarning, InputError
from cationx.physics.strain import strain_from_raman
from cationx.raman import fit_replicates

from .conftest import TRUE_CENTRES, TRUE_FWHM, make_replicates


def test_per_spectrum_centres_within_standard_error(replicates):
    spectra, _ = replicates
    res = fit_replicates(spectra, [260], window_cm1=(150, 350), remove_spikes=True)
    assert res.converged and not res.warnings
    t = res.peak_table()
    for (_, row), c in zip(t.iterrows(), TRUE_CENTRES, strict=True):
        # 3 standard errors: a 99.7 % band for a well-determined (near-Gaussian) estimate
        assert abs(row["center_cm1"] - c) < 3 * row["center_se"]
        assert abs(row["fwhm_cm1"] - TRUE_FWHM) < 3 * row["fwhm_se"]
    s = res.summary_table().iloc[0]
    assert s["center_cm1_mean"] == pytest.approx(t["center_cm1"].mean())
    assert s["center_cm1_sd"] == pytest.approx(t["center_cm1"].std(ddof=1))
    # the replicate mean +/- SD brackets the true mean of the replicate centres
    assert abs(s["center_cm1_mean"] - np.mean(TRUE_CENTRES)) < s["center_cm1_sd"] / np.sqrt(5) * 3
    assert s["center_cm1_sd"] == pytest.approx(np.std(TRUE_CENTRES, ddof=1), rel=0.05)
    assert sum(sp.n_removed for sp in res.spikes) == 15


def test_shared_width_gives_one_width(replicates):
    spectra, _ = replicates
    res = fit_replicates(spectra, [260], window_cm1=(150, 350), share="width", remove_spikes=True)
    t = res.peak_table()
    assert t["fwhm_cm1"].nunique() == 1
    se = t["fwhm_se"].iloc[0]
    assert abs(t["fwhm_cm1"].iloc[0] - TRUE_FWHM) < 3 * se
    assert res.summary_table()["fwhm_cm1_sd"].iloc[0] is None


def test_shared_position_recovers_common_centre():
    spectra, _ = make_replicates(np.random.default_rng(5), centres=(261.3,) * 5)
    res = fit_replicates(spectra, [260], window_cm1=(150, 350), share="position", remove_spikes=True)
    t = res.peak_table()
    assert t["center_cm1"].nunique() == 1
    assert abs(t["center_cm1"].iloc[0] - 261.3) < 3 * t["center_se"].iloc[0]
    assert res.converged


@pytest.mark.parametrize("shape", ["voigt", "pvoigt"])
def test_voigt_shapes_recover_a_lorentzian(replicates, shape):
    spectra, _ = replicates
    res = fit_replicates(spectra[:2], [260], window_cm1=(150, 350), shape=shape, remove_spikes=True)
    t = res.peak_table()
    assert t["lorentz_fraction"].iloc[0] > 0.9
    assert res.converged and t["center_se"].notna().all()
    assert np.allclose(t["center_cm1"], TRUE_CENTRES[:2], atol=0.1)


def test_strain_goes_through_physics_strain(replicates):
    spectra, _ = replicates
    res = fit_replicates(spectra, [260], window_cm1=(150, 350), remove_spikes=True, reference_cm1=252.0, gruneisen=1.1)
    t = res.peak_table()
    expect = [strain_from_raman(c, 252.0, 1.1).linear_strain for c in t["center_cm1"]]
    assert res.strain["per_spectrum_linear_strain"] == pytest.approx(expect, rel=1e-12)
    assert res.strain["linear_strain_mean"] == pytest.approx(np.mean(expect))
    assert res.strain["linear_strain_sd"] == pytest.approx(np.std(expect, ddof=1))
    assert res.strain["linear_strain_mean"] < 0  # stiffer phonon = compression
    assert res.strain["at_mean"]["inputs"]["gruneisen"] == 1.1


def test_missing_band_is_reported_not_converged():
    rng = np.random.default_rng(11)
    x = np.linspace(150, 350, 101)
    spectra = [(x, 200 + 0.1 * x + rng.normal(0, 10, x.size)) for _ in range(2)]
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = fit_replicates(spectra, [260], window_cm1=(150, 350))
    assert not res.converged
    assert any("bound" in w or "exceeds" in w for w in res.warnings)
    assert any(issubclass(w.category, ConvergenceWarning) for w in rec)
    assert "FAILED" in res.report()
    assert res.to_dict()["converged"] is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window_cm1": (700, 800), "peaks_cm1": [750]}, "outside the data"),
        ({"window_cm1": (300, 350)}, "outside the window"),
        ({"shape": "gauss"}, "shape must be one of"),
        ({"share": "height"}, "share must be one of"),
        ({"peaks_cm1": [-5]}, "positive finite"),
        ({"strain_peak": 2}, "strain_peak"),
    ],
)
def test_bad_input(replicates, kwargs, message):
    spectra, _ = replicates
    args = {"peaks_cm1": [260], **kwargs}
    with pytest.raises(InputError, match=message):
        fit_replicates(spectra, **args)


def test_repeated_shift_values_rejected():
    x = np.array([1.0, 2, 3, 3, 4, 5, 6])
    with pytest.raises(InputError, match="repeat"):
        fit_replicates([(x, x)], [3])
