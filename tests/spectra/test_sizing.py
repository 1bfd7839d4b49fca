"""Yu et al. 2003 sizing, stoichiometry and the 000 Supplementary Table S2 bookkeeping."""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cationx.errors import InputError, InterpretationWarning
from cationx.spectra import sizing


def _yu_cdse(lam: float) -> float:
    # Yu, Qu, Guo, Peng, Chem. Mater. 15, 2854 (2003), eq. 2, as printed (also 000 eq. 1):
    # D = (1.6122e-9) l^4 - (2.6575e-6) l^3 + (1.6242e-3) l^2 - (0.4277) l + 41.57
    return 1.6122e-9 * lam**4 - 2.6575e-6 * lam**3 + 1.6242e-3 * lam**2 - 0.4277 * lam + 41.57


def _yu_cdte(lam: float) -> float:
    # Yu et al. 2003 eq. 1: D = (9.8127e-7) l^3 - (1.7147e-3) l^2 + (1.0064) l - 194.84
    return 9.8127e-7 * lam**3 - 1.7147e-3 * lam**2 + 1.0064 * lam - 194.84


def _yu_cds(lam: float) -> float:
    # Yu et al. 2003 eq. 3: D = (-6.6521e-8) l^3 + (1.9557e-4) l^2 - (9.2352e-2) l + 13.29
    return -6.6521e-8 * lam**3 + 1.9557e-4 * lam**2 - 9.2352e-2 * lam + 13.29


@pytest.mark.parametrize(
    ("material", "lam", "ref"),
    [("CdSe", lam, _yu_cdse) for lam in (480.0, 550.0, 590.0, 640.0)]
    + [("CdTe", lam, _yu_cdte) for lam in (560.0, 620.0, 700.0)]
    + [("CdS", lam, _yu_cds) for lam in (350.0, 400.0, 440.0)],
)
def test_yu_diameter_polynomials(material, lam, ref):
    # explicit powers in the test vs Horner in the code: agreement to rounding (1e-12 relative)
    assert sizing.diameter_nm(material, lam) == pytest.approx(ref(lam), rel=1e-12)


@pytest.mark.parametrize(
    ("material", "a", "b"),
    # Yu et al. 2003: eps = 10043 D^2.12 (CdTe), 5857 D^2.65 (CdSe; 000 eq. 2), 21536 D^2.3 (CdS)
    [("CdTe", 10043.0, 2.12), ("CdSe", 5857.0, 2.65), ("CdS", 21536.0, 2.3)],
)
def test_yu_extinction_power_laws(material, a, b):
    for d in (2.0, 3.5, 5.0):
        assert sizing.extinction_per_molar_cm(material, d) == pytest.approx(a * d**b, rel=1e-12)


def test_cdse_4nm_numbers():
    # 000: "~4 nm" CdSe; eps(4 nm) = 5857 * 4^2.65 = 2.307e5 per M per cm
    assert sizing.extinction_per_molar_cm("CdSe", 4.0) == pytest.approx(2.307e5, rel=1e-3)
    # SCIENCE.md section 2: a 4 nm CdSe NC holds ~600 Cd (zinc blende a = 6.077 A gives 597)
    n = sizing.host_cations_per_nc("CdSe", 4.0)
    assert n == pytest.approx(600, rel=0.02)
    # both phases have (nearly) the same volume per formula unit
    assert sizing.host_cations_per_nc("CdSe", 4.0, phase="wurtzite") == pytest.approx(n, rel=0.01)


def test_density_from_lattice():
    # zinc blende CdSe: 4 x 191.385 g/mol / (N_A (6.077 A)^3) = 5.664 g/cm^3
    assert sizing.density_g_cm3("CdSe") == pytest.approx(4 * 191.385 / (6.02214076e23 * 6.077**3 * 1e-24), rel=1e-9)
    assert sizing.density_g_cm3("CdS", "wurtzite") == pytest.approx(4.82, abs=0.02)
    assert sizing.density_g_cm3("CdTe") == pytest.approx(5.85, abs=0.02)
    # an explicit density is used as given
    assert sizing.host_cations_per_nc("CdSe", 4.0, density=5.81) == pytest.approx(
        5.81 * math.pi / 6 * 64e-21 * 6.02214076e23 / 191.385, rel=1e-9
    )


def test_msc_exciton_is_outside_the_calibration():
    # 004: CdS magic-size clusters absorb at 324 nm, far below the calibrated sizes
    with pytest.warns(InterpretationWarning, match="outside the calibrated range"):
        d = sizing.diameter_nm("CdS", 324.0)
    assert 1.0 < d < 2.0


def test_uncertainty_is_first_order_propagation():
    s = sizing.size_from_exciton("CdSe", 590.0, wavelength_uncertainty_nm=2.0, absorbance=0.3)
    h = 1e-4
    slope = (sizing.diameter_nm("CdSe", 590.0 + h) - sizing.diameter_nm("CdSe", 590.0 - h)) / (2 * h)
    assert s.diameter_uncertainty_nm == pytest.approx(abs(slope) * 2.0, rel=1e-6)
    assert s.extinction_uncertainty == pytest.approx(s.extinction_per_molar_cm * 2.65 * s.diameter_uncertainty_nm / s.diameter_nm)
    assert s.nc_conc_molar == pytest.approx(0.3 / s.extinction_per_molar_cm)
    assert s.warning is None


@given(st.floats(min_value=455, max_value=655))
def test_diameter_increases_with_wavelength(lam):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sizing.diameter_nm("CdSe", lam + 1.0) > sizing.diameter_nm("CdSe", lam)


def test_table_s2_bookkeeping():
    # 000 Methods: 4.8e-6 mol Cd2+ in 3.0 mL toluene; 9.6e-6 mol Cu+ in 200 uL methanol in
    # total (0.048 M); ~600 Cd per NC -> 8.0e-9 mol NCs -> 2 Cu+ per Cd2+ = 1200 Cu+ per NC
    cd_per_nc = 600.0
    nc_mol = 4.8e-6 / cd_per_nc
    nc_conc = nc_mol / 3.0e-3
    vols = [20.0] * 10
    table = sizing.cumulative_ions_per_nc(vols, 0.048, nc_conc_molar=nc_conc, start_volume_ml=3.0, dilution=True)
    assert table["cumulative_mol"].iloc[-1] == pytest.approx(9.6e-6)
    assert table["ions_per_nc"].iloc[-1] == pytest.approx(2 * cd_per_nc)
    assert table["ions_per_nc"].iloc[1] == pytest.approx(120.0)
    # dilution < 10 %, as the paper says (200 uL into 3.0 mL = 6.7 %)
    assert table["volume_ratio"].iloc[-1] == pytest.approx(3.2 / 3.0)
    assert table["dilution_factor"].iloc[-1] == pytest.approx(3.2 / 3.0)
    plain = sizing.cumulative_ions_per_nc(vols, 0.048, nc_conc_molar=nc_conc, start_volume_ml=3.0)
    assert (plain["dilution_factor"] == 1.0).all()


def test_bad_sizing_inputs():
    with pytest.raises(InputError, match="material must be one of"):
        sizing.diameter_nm("ZnS", 300.0)
    with pytest.raises(InputError, match=r"volumes_ul must be >= 0; addition 2"):
        sizing.cumulative_ions_per_nc([10, -5], 0.01, nc_conc_molar=1e-6, start_volume_ml=3.0)
    with pytest.raises(InputError, match="wavelength_nm must be > 0"):
        sizing.diameter_nm("CdSe", -1.0)
    # beyond the bulk gap (CdSe 1.74 eV = 713 nm) there is no confined exciton to size
    with pytest.raises(InputError, match="bulk band gap"):
        sizing.diameter_nm("CdSe", 800.0)
    with pytest.raises(InputError, match="bulk band gap"):
        sizing.diameter_nm("CdS", 520.0)
