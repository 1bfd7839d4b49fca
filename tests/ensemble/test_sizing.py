"""Size -> host cations -> sites (cationx.ensemble.sizing)."""

import math

import numpy as np
import pytest

from cationx.ensemble.sizing import (
    cations_per_nm3,
    density_g_cm3,
    host_cations_per_nc,
    sample_diameters,
    sites_from_diameter,
)
from cationx.errors import InputError


def test_4nm_cdse_holds_about_600_cd():
    # SCIENCE.md section 2 / White et al. 2013: a ~4 nm CdSe NC holds ~600 Cd ("~1,300 atoms").
    n = host_cations_per_nc(4.0)[0]
    assert 590 < n < 605
    # 2 n atoms (Cd + Se) against the paper's "~1,300 atoms": within 10 %
    assert abs(2 * n - 1300) / 1300 < 0.10


def test_density_from_lattice_matches_handbook_xray_density():
    # zinc blende a = 6.077 A, Z = 4, M = 191.385 g/mol -> 5.664 g/cm^3 (X-ray density)
    assert density_g_cm3("CdSe-zb") == pytest.approx(5.664, abs=2e-3)
    # wurtzite and zinc blende CdSe have the same density to < 0.1 %
    assert density_g_cm3("CdSe-wz") == pytest.approx(density_g_cm3("CdSe-zb"), rel=1e-3)
    # cations per nm^3 = Z / a^3 for the cubic cell (independent of the masses)
    assert cations_per_nm3("CdSe-zb") == pytest.approx(4 / 0.6077**3, rel=1e-12)


def test_volume_scaling_and_white2013_sites():
    d = np.array([2.0, 4.0, 8.0])
    n = host_cations_per_nc(d)
    assert n[1] / n[0] == pytest.approx(8.0)
    assert n[2] / n[1] == pytest.approx(8.0)
    # White et al.'s n = 20 model NC: ~29.9 Cd per step at 4 nm
    assert sites_from_diameter(4.0, cations_per_site=29.86)[0] == 20
    assert sites_from_diameter(0.1)[0] == 1  # never zero steps


def test_lognormal_sample_has_the_requested_mean_and_sd():
    d = sample_diameters(200_000, 4.0, 0.4, rng=1)
    assert d.mean() == pytest.approx(4.0, rel=3e-3)
    assert d.std() == pytest.approx(0.4, rel=1e-2)
    assert (d > 0).all()
    assert np.array_equal(sample_diameters(5, 4.0, 0.0), np.full(5, 4.0))
    assert np.array_equal(sample_diameters(50, 4.0, 0.3, rng=7), sample_diameters(50, 4.0, 0.3, rng=7))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: host_cations_per_nc(-1.0), "diameter_nm must be > 0"),
        (lambda: sample_diameters(3, 4.0, -0.1), "size_sd_nm must be >= 0"),
        (lambda: sites_from_diameter(4.0, cations_per_site=0), "cations_per_site must be > 0"),
        (lambda: host_cations_per_nc(4.0, "GaAs"), "material must be one of"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_math_of_sphere():
    assert host_cations_per_nc(1.0)[0] == pytest.approx(math.pi / 6 * cations_per_nm3())


@pytest.mark.parametrize(
    ("ours", "material", "phase", "rel"),
    [("CdSe-zb", "CdSe", "zincblende", 1e-12), ("CdS-zb", "CdS", "zincblende", 1e-12),
     ("CdSe-wz", "CdSe", "wurtzite", 1e-3), ("CdS-wz", "CdS", "wurtzite", 1e-3)],
)
def test_same_counts_as_the_sizing_module(ours, material, phase, rel):
    from cationx.spectra.sizing import host_cations_per_nc as sizing_count

    d = np.array([2.0, 4.0, 6.5])
    mine = host_cations_per_nc(d, ours)
    theirs = [sizing_count(material, float(x), phase=phase) for x in d]
    assert mine == pytest.approx(theirs, rel=rel)
