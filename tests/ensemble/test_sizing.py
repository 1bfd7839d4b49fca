"""Size -> host cations (cationx.materials, the one sizing table) -> steps (cationx.ensemble.sizing)."""

import math

import numpy as np
import pytest

from cationx.ensemble.sizing import sample_diameters, sites_from_diameter
from cationx.errors import InputError
from cationx.materials import cations_per_nm3, density_g_cm3, host_cations_per_nc


def test_4nm_cdse_holds_about_600_cd():
    # SCIENCE.md section 2 / White et al. 2013: a ~4 nm CdSe NC holds ~600 Cd ("~1,300 atoms").
    n = host_cations_per_nc("CdSe", 4.0)
    assert 590 < n < 605
    # 2 n atoms (Cd + Se) against the paper's "~1,300 atoms": within 10 %
    assert abs(2 * n - 1300) / 1300 < 0.10
    # h = 1: one step per host cation
    assert sites_from_diameter(4.0)[0] == round(n)


def test_density_from_lattice_matches_handbook_xray_density():
    # zinc blende a = 6.077 A, Z = 4, M = 191.385 g/mol -> 5.664 g/cm^3 (X-ray density)
    assert density_g_cm3("CdSe", "zincblende") == pytest.approx(5.664, abs=2e-3)
    # wurtzite and zinc blende CdSe have the same density to < 0.1 %
    assert density_g_cm3("CdSe", "wurtzite") == pytest.approx(density_g_cm3("CdSe", "zincblende"), rel=1e-3)
    # cations per nm^3 = Z / a^3 for the cubic cell (independent of the masses)
    assert cations_per_nm3("CdSe", "zincblende") == pytest.approx(4 / 0.6077**3, rel=1e-12)


def test_volume_scaling_and_coarse_steps():
    d = np.array([2.0, 4.0, 8.0])
    n = host_cations_per_nc("CdSe", d)
    assert n[1] / n[0] == pytest.approx(8.0)
    assert n[2] / n[1] == pytest.approx(8.0)
    # White et al.'s n = 20 model NC: ~29.9 Cd per step at 4 nm; steps of h = 30 host cations
    assert sites_from_diameter(4.0, host_per_site=30)[0] == 20
    assert sites_from_diameter(0.1)[0] == 1  # never zero steps
    # material and phase go through to the table
    assert sites_from_diameter(4.0, material="CdS")[0] == round(host_cations_per_nc("CdS", 4.0))
    wz = sites_from_diameter(d, phase="wurtzite")
    assert np.array_equal(wz, np.rint(host_cations_per_nc("CdSe", d, phase="wurtzite")).astype(int))


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
        (lambda: sites_from_diameter(-1.0), "diameter_nm must be > 0"),
        (lambda: sample_diameters(3, 4.0, -0.1), "size_sd_nm must be >= 0"),
        (lambda: sites_from_diameter(4.0, host_per_site=0), "host_per_site must be"),
        (lambda: sites_from_diameter(4.0, material="GaAs"), "material must be one of"),
        (lambda: sites_from_diameter(4.0, phase="rocksalt"), "phase must be one of"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_math_of_sphere():
    assert host_cations_per_nc("CdSe", 1.0) == pytest.approx(math.pi / 6 * cations_per_nm3("CdSe"))


def test_the_ensemble_uses_the_one_sizing_table():
    from cationx.ensemble import make_ensemble

    ens = make_ensemble("white2013", n_ncs=3, diameter_nm=4.0, k1=1e-2, alpha=1.01, host_per_site=3, material="CdSe", phase="wurtzite")
    assert ens.sites[0] == round(host_cations_per_nc("CdSe", 4.0, phase="wurtzite") / 3)
    assert ens.summary()["material"] == "CdSe" and ens.summary()["phase"] == "wurtzite"
    assert ens.summary()["host_per_site"] == 3
