"""Kinematic powder patterns: peer agreement, seed numbers, invariants."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cationx.crystal import Site, Structure, load_structure
from cationx.crystal.powder import (
    d_to_two_theta,
    lorentz_polarization,
    powder_pattern,
    reflections,
    resolve_wavelength,
    two_theta_to_d,
)
from cationx.errors import InputError

SEEDS = ["cu2se-6nm", "cu2se-4nm", "cu2se-2nm", "cdse-wurtzite", "cdse-zincblende", "cds-wurtzite", "cus-covellite", "ag2s-acanthite", "au"]


def _merged(table, decimals=3):
    tt = np.round(table.two_theta_deg, decimals)
    u = np.unique(tt)
    inten = np.array([table.intensity[tt == x].sum() for x in u])
    return u, 100 * inten / inten.max()


def _to_pymatgen(s):
    from pymatgen.core import Lattice
    from pymatgen.core import Structure as PmgStructure

    t = s.expand()
    species = [{str(e): float(o)} for e, o in zip(t.element, t.occupancy, strict=True)]
    return PmgStructure(Lattice.from_parameters(*s.cell), species, t.frac)


@pytest.mark.parametrize("name", SEEDS)
def test_sticks_match_pymatgen(name):
    """pymatgen XRDCalculator (test extra), dispersion off: strong reflections within 1 %.

    Both codes use the same Lorentz-polarisation factor; the residual difference (<= 0.7 %)
    is the form-factor parametrisation (pymatgen's own fits vs Waasmaier-Kirfel in xraydb).
    B is per element in pymatgen, so each structure's B is set per element.
    """
    pytest.importorskip("pymatgen")
    from pymatgen.analysis.diffraction.xrd import XRDCalculator

    s = load_structure(name)
    b_by_elem = {}
    for site in s.sites:
        b_by_elem.setdefault(site.element, site.b_iso)
    s = s.with_b_iso({site.label: b_by_elem[site.element] for site in s.sites})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        calc = XRDCalculator(wavelength=1.54056, debye_waller_factors=b_by_elem)
        peer = calc.get_pattern(_to_pymatgen(s), two_theta_range=(10, 90))
    ours = reflections(s, wavelength_angstrom=1.54056, two_theta_range_deg=(10, 90), dispersion=False)
    u, inten = _merged(ours)
    n_strong = 0
    for x, y in zip(peer.x, peer.y, strict=True):
        j = int(np.argmin(abs(u - x)))
        assert abs(u[j] - x) < 2e-3  # same Bragg positions
        if y >= 10:
            n_strong += 1
            assert inten[j] == pytest.approx(y, rel=0.01), (name, x)
    assert n_strong >= 2


def test_sticks_match_dans_diffraction():
    """Dans_Diffraction (test extra) on CdSe wurtzite, dispersion off: strong families within 1 %."""
    dif = pytest.importorskip("Dans_Diffraction")
    s = load_structure("cdse-wurtzite").with_b_iso(0.0)
    xtl = dif.Crystal()
    xtl.Cell.latt([4.299, 4.299, 7.010, 90, 90, 120])
    xtl.Symmetry.load_spacegroup(186)
    xtl.Atoms.changeatom(0, u=0.3333333333, v=0.6666666667, w=0.0, type="Cd", label="Cd", occupancy=1.0, uiso=0.0)
    xtl.Atoms.addatom(u=0.3333333333, v=0.6666666667, w=0.375, type="Se", label="Se", occupancy=1.0, uiso=0.0)
    xtl.generate_structure()
    ours = reflections(s, two_theta_range_deg=(10, 90), dispersion=False)
    hkl = ours.hkl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xtl.Scatter.setup_scatter(scattering_type="xray", energy_kev=12.398419843320026 / 1.54056, output=False)
        f2 = np.abs(np.asarray(xtl.Scatter.structure_factor(hkl))) ** 2
    # compare |F|^2 per family, scaled at the strongest
    ours_f2 = ours.f_squared / ours.f_squared.max()
    peer_f2 = f2 / f2.max()
    strong = ours_f2 > 0.1
    assert strong.sum() >= 5
    np.testing.assert_allclose(ours_f2[strong], peer_f2[strong], rtol=0.01)


def test_peak_positions_001():
    """001 text: (111) 26.4, (200) 30.5, (311) 51.8 deg 2-theta for a = 5.85 A, Cu K-alpha (1.54 A)."""
    r = reflections(load_structure("cu2se-4nm"), two_theta_range_deg=(15, 65))
    for hkl, expected in [((1, 1, 1), 26.4), ((2, 0, 0), 30.5), ((3, 1, 1), 51.8)]:
        assert r.two_theta_deg[r.find(*hkl)] == pytest.approx(expected, abs=0.05)


def _ratios(name, size=None):
    r = reflections(load_structure(name), two_theta_range_deg=(15, 65))
    rel = r.relative
    return {tuple(h): v for h, v in zip(r.hkl.tolist(), rel, strict=True)}


def test_fig4b_trends():
    """001 Fig. 4b / text: from 6 to 2 nm, I(200)/I(111) rises and I(311) falls; 2 nm: I(111) ~ I(200)."""
    r6, r4, r2 = (_ratios(n) for n in ("cu2se-6nm", "cu2se-4nm", "cu2se-2nm"))
    ratio = [r[(2, 0, 0)] / r[(1, 1, 1)] for r in (r6, r4, r2)]
    assert ratio[0] < 0.01 < ratio[1] < ratio[2]
    assert ratio[2] == pytest.approx(1.0, abs=0.1)
    assert r2[(3, 1, 1)] < r6[(3, 1, 1)] / 1.5
    assert r2[(3, 1, 1)] / r2[(1, 1, 1)] < r6[(3, 1, 1)] / r6[(1, 1, 1)] / 2


def _profile_heights(name, size_nm):
    p = powder_pattern(load_structure(name), size_nm=size_nm, two_theta_range_deg=(15, 65))
    out = {}
    for hkl, centre in [((1, 1, 1), 26.37), ((2, 0, 0), 30.54), ((2, 2, 0), 43.73), ((3, 1, 1), 51.79)]:
        sel = (p.two_theta_deg > centre - 1) & (p.two_theta_deg < centre + 1)
        out[hkl] = float(p.intensity[sel].max())
    return out


def test_fig4c_and_4d_series():
    """001 Fig. 4c (4 nm broadening): 32f -> 8c raises I(200) relative to I(111).

    Fig. 4d (2 nm broadening): 24e -> 4b suppresses I(311) and raises I(200).  The
    suppression of (311) shows in the patterns as plotted (maximum = 100) and, more
    strongly, against (220): sticks I(311)/I(220) = 0.98, 0.58, 0.34.
    """
    c = [_ratios(n) for n in ("cu2se-t3a", "cu2se-t3b", "cu2se-t3c")]
    r200 = [x[(2, 0, 0)] / x[(1, 1, 1)] for x in c]
    assert r200[0] < r200[1] < r200[2]
    d = [_ratios(n) for n in ("cu2se-t4a", "cu2se-t4b", "cu2se-t4c")]
    r200 = [x[(2, 0, 0)] / x[(1, 1, 1)] for x in d]
    assert r200[0] < r200[1] < r200[2]
    r311_220 = [x[(3, 1, 1)] / x[(2, 2, 0)] for x in d]
    assert r311_220 == pytest.approx([0.98, 0.58, 0.34], abs=0.01)
    h = [_profile_heights(n, 2.0) for n in ("cu2se-t4a", "cu2se-t4b", "cu2se-t4c")]
    assert h[0][(3, 1, 1)] > h[1][(3, 1, 1)] > h[2][(3, 1, 1)]
    assert h[0][(2, 0, 0)] < h[1][(2, 0, 0)] < h[2][(2, 0, 0)]


def test_multiplicities():
    r = reflections(load_structure("au"), two_theta_range_deg=(10, 120))
    mult = dict(zip(r.labels(), r.multiplicity.tolist(), strict=True))
    assert mult["(1 1 1)"] == 8 and mult["(2 0 0)"] == 6 and mult["(2 2 0)"] == 12 and mult["(3 1 1)"] == 24
    w = reflections(load_structure("cdse-wurtzite"), two_theta_range_deg=(10, 60))
    mw = dict(zip(w.labels(), w.multiplicity.tolist(), strict=True))
    assert mw["(1 0 0)"] == 6 and mw["(0 0 2)"] == 2 and mw["(1 0 1)"] == 12 and mw["(1 1 0)"] == 6
    assert "(0 0 1)" not in mw  # 6_3 screw axis: 00l with l odd absent


def test_multiplicities_sum_to_lattice_points():
    """Sum of multiplicities = number of non-absent lattice points in the sphere (brute force)."""
    s = load_structure("cus-covellite")
    lam = 1.54056
    r = reflections(s, wavelength_angstrom=lam, two_theta_range_deg=(0.001, 100))
    d_min = lam / (2 * math.sin(math.radians(50)))
    rec = s.reciprocal_matrix()
    import gemmi

    ops = gemmi.SpaceGroup(s.spacegroup).operations()
    grid = [(h, k, l) for h in range(-6, 7) for k in range(-6, 7) for l in range(-25, 26) if (h, k, l) != (0, 0, 0)]  # noqa: E741
    allowed = [g for g in grid if 1 / np.linalg.norm(np.array(g) @ rec) >= d_min and not ops.is_systematically_absent(list(g))]
    assert int(r.multiplicity.sum()) == len(allowed)


def test_lp_formula_and_monochromator():
    tt = np.array([30.0, 60.0, 90.0])
    th = np.radians(tt / 2)
    expected = (1 + np.cos(2 * th) ** 2) / (np.sin(th) ** 2 * np.cos(th) * 2)
    np.testing.assert_allclose(lorentz_polarization(tt), expected)
    m = lorentz_polarization(tt, 26.6)
    c = math.cos(math.radians(26.6)) ** 2
    np.testing.assert_allclose(m, (1 + np.cos(2 * th) ** 2 * c) / (np.sin(th) ** 2 * np.cos(th) * (1 + c)))


def test_dispersion_changes_intensities_and_friedel():
    s = load_structure("cdse-wurtzite")
    on = reflections(s, two_theta_range_deg=(10, 90))
    off = reflections(s, two_theta_range_deg=(10, 90), dispersion=False)
    assert on.dispersion and not off.dispersion
    assert not np.allclose(on.f_squared, off.f_squared)
    # Se f' at Cu K-alpha is -0.8 (Cd's is +0.04): |F|^2 of the strongest reflection decreases
    i = int(np.argmax(off.f_squared))
    assert on.f_squared[i] < off.f_squared[i]
    # wurtzite is polar: with dispersion |F(h k l)|^2 != |F(-h -k -l)|^2 (Friedel's law broken);
    # a powder holds both, so the table has their mean.  Direct sum over the expanded cell:
    from cationx.crystal.formfactors import anomalous, f0

    t = s.expand()
    j = on.find(1, 0, 1)
    q = 2 * np.pi / on.d_angstrom[j]
    f = np.array([f0(e, q) + complex(*anomalous(e, 1.54056)) for e in t.element]) * t.occupancy
    f = f * np.exp(-t.b_iso * (q / (4 * np.pi)) ** 2)
    fp = abs(np.sum(f * np.exp(2j * np.pi * (t.frac @ np.array([1, 0, 1]))))) ** 2
    fm = abs(np.sum(f * np.exp(-2j * np.pi * (t.frac @ np.array([1, 0, 1]))))) ** 2
    assert abs(fp - fm) / fp > 0.01
    assert on.f_squared[j] == pytest.approx((fp + fm) / 2, rel=1e-10)


def test_debye_waller_reduces_high_angle():
    s = load_structure("au")
    cold = reflections(s.with_b_iso(0.0), two_theta_range_deg=(10, 120), dispersion=False)
    hot = reflections(s.with_b_iso(2.0), two_theta_range_deg=(10, 120), dispersion=False)
    ratio = hot.f_squared / cold.f_squared
    s2 = 1 / (4 * cold.d_angstrom**2)
    np.testing.assert_allclose(ratio, np.exp(-2 * 2.0 * s2), rtol=1e-10)


def test_profile_area_and_scherrer_width():
    s = load_structure("au")
    p = powder_pattern(s, size_nm=10, instrument_fwhm_deg=0.0, profile="gaussian", two_theta_range_deg=(30, 50), step_deg=0.005)
    # FWHM of the (111) peak = K lambda / (L cos theta)
    tt = p.reflections.two_theta_deg[0]
    expected = math.degrees(0.9 * 1.54056 / (100 * math.cos(math.radians(tt / 2))))
    y = p.intensity
    peak = int(np.argmax(y))
    half = y[peak] / 2
    left = np.interp(half, y[:peak][y[:peak] > 0], p.two_theta_deg[:peak][y[:peak] > 0])
    right_y, right_x = y[peak:][::-1], p.two_theta_deg[peak:][::-1]
    right = np.interp(half, right_y, right_x)
    assert right - left == pytest.approx(expected, rel=0.02)


def test_kalpha2_doublet():
    s = load_structure("au")
    p1 = powder_pattern(s, wavelength_angstrom="CuKa1", two_theta_range_deg=(75, 80), step_deg=0.002, instrument_fwhm_deg=0.02)
    p2 = powder_pattern(s, wavelength_angstrom="Cu", kalpha2=True, two_theta_range_deg=(75, 80), step_deg=0.002, instrument_fwhm_deg=0.02)
    assert p2.reflections2 is not None
    t1 = p2.reflections.two_theta_deg[0]
    t2 = p2.reflections2.two_theta_deg[0]
    assert t2 - t1 == pytest.approx(float(d_to_two_theta(p2.reflections.d_angstrom[0], 1.54439)) - t1)
    assert p2.intensity_at(t2) / p2.intensity_at(t1) == pytest.approx(0.5, rel=0.05)
    assert p1.reflections2 is None


def test_output_axes():
    p = powder_pattern(load_structure("au"), size_nm=5)
    f = p.to_frame()
    np.testing.assert_allclose(f["d_angstrom"], two_theta_to_d(f["two_theta_deg"], 1.54056))
    np.testing.assert_allclose(f["q_inv_angstrom"], 2 * np.pi / f["d_angstrom"])
    assert p.intensity.max() == pytest.approx(100)
    d = p.to_dict()
    assert {"reflections", "two_theta_deg", "intensity", "q_inv_angstrom", "d_angstrom"} <= set(d)
    assert max(r["intensity"] for r in d["reflections"]) == pytest.approx(100)


@settings(max_examples=15, deadline=None)
@given(occ=st.floats(0.0, 1.0), shift=st.integers(0, 3))
def test_invariant_to_origin_shift(occ, shift):
    """|F|^2 does not depend on an origin shift by a lattice translation or site order."""
    sites = [Site("Se", "Se", (0, 0, 0)), Site("Cu", "Cu", (0.25, 0.25, 0.25), occ)]
    a = Structure("a", (5.85,) * 3 + (90.0,) * 3, "Fm-3m", tuple(sites))
    b = Structure("b", (5.85,) * 3 + (90.0,) * 3, "Fm-3m", tuple(sites[::-1]))
    ra = reflections(a, two_theta_range_deg=(10, 80))
    rb = reflections(b, two_theta_range_deg=(10, 80))
    np.testing.assert_allclose(ra.f_squared, rb.f_squared, rtol=1e-10, atol=1e-9)
    # P1 version of the same crystal (expanded positions, shifted by whole cells) gives the same sticks
    t = a.expand()
    p1 = Structure(
        "p1",
        a.cell,
        "P1",
        tuple(Site(f"x{i}", e, tuple(f + shift), o) for i, (e, f, o) in enumerate(zip(t.element, t.frac, t.occupancy, strict=True))),
    )
    rp = reflections(p1, two_theta_range_deg=(10, 80))
    ua, ia = _merged(ra)
    up, ip = _merged(rp)
    keep = ip > 1e-6  # P1 has no systematic absences: F-centring zeros come out as ~0
    np.testing.assert_allclose(up[keep], ua, atol=1e-9)
    np.testing.assert_allclose(ip[keep], ia, rtol=1e-8, atol=1e-8)


def test_profile_sum_equals_dense_sum():
    """The windowed Gaussian + full Lorentzian sum equals the dense matrix product."""
    from cationx.crystal.powder import peak_shapes, profile_sum, profile_sum_numpy

    rng = np.random.default_rng(5)
    x = np.linspace(10, 90, 8001)
    c = np.sort(rng.uniform(5, 95, 40))
    fw = rng.uniform(0.05, 5, 40)
    eta = rng.uniform(0, 1, 40)
    eta[:5] = 0.0
    w = rng.uniform(0, 10, 40)
    dense = w @ peak_shapes(x, c, fw, eta)
    np.testing.assert_allclose(profile_sum_numpy(x, c, fw, eta, w), dense, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(profile_sum(x, c, fw, eta, w), dense, rtol=1e-12, atol=1e-14)  # numba path (> 2e5 points)


def test_bad_inputs():
    s = load_structure("au")
    with pytest.raises(InputError, match="two_theta_range_deg"):
        reflections(s, two_theta_range_deg=(50, 10))
    with pytest.raises(InputError, match="wavelength"):
        resolve_wavelength("Xx")
    with pytest.raises(InputError, match="wavelength_angstrom must be > 0"):
        reflections(s, wavelength_angstrom=-1)
    with pytest.raises(InputError, match="size_nm must be > 0"):
        powder_pattern(s, size_nm=0)
    with pytest.raises(InputError, match="profile must be one of"):
        powder_pattern(s, profile="voigt")
    with pytest.raises(InputError, match="kalpha2"):
        powder_pattern(s, wavelength_angstrom=1.0, kalpha2=True)


def test_electron_scattering_factors_vs_peng():
    """Mott-Bethe from the Waasmaier-Kirfel X-ray factors vs the independent Peng (1996)
    electron parametrisation in Dans_Diffraction: within 2 % for Q = 1-8 1/A."""
    fc = pytest.importorskip("Dans_Diffraction.functions_crystallography")
    from cationx.crystal.formfactors import electron_f

    q = np.array([1.0, 2.0, 3.0, 4.0, 6.0, 8.0])
    peer = np.asarray(fc.electron_scattering_factor(["Au", "Se", "Cu", "Cd", "S"], q))
    for j, el in enumerate(["Au", "Se", "Cu", "Cd", "S"]):
        np.testing.assert_allclose(electron_f(el, q), peer[:, j], rtol=0.02)


def test_electron_wavelength_and_rings():
    from cationx.crystal.formfactors import electron_wavelength_angstrom

    assert electron_wavelength_angstrom(200) == pytest.approx(0.02508, abs=2e-5)  # standard 200 kV value
    assert electron_wavelength_angstrom(300) == pytest.approx(0.01969, abs=2e-5)
    lam = electron_wavelength_angstrom(200)
    s = load_structure("cdse-wurtzite")
    r = reflections(s, wavelength_angstrom=lam, two_theta_range_deg=(0.2, 2.0), radiation="electron")
    assert not r.dispersion
    np.testing.assert_allclose(r.lp, r.d_angstrom**2)
    # relative ring intensities do not depend on the voltage (only through d^2 m |F|^2)
    r3 = reflections(s, wavelength_angstrom=electron_wavelength_angstrom(300), two_theta_range_deg=(0.15, 1.6), radiation="electron")
    common = min(len(r), len(r3)) - 2
    np.testing.assert_allclose(r.relative[:common], r3.relative[:common], rtol=1e-10)
    with pytest.raises(InputError, match="radiation must be one of"):
        reflections(s, radiation="neutron")


def test_sphere_scherrer_constant():
    """FWHM of the size profile of a sphere of diameter D: the Fourier transform of its
    common-volume function V(t) = 1 - 3t/2D + t^3/2D^3 (Patterson; Langford & Wilson 1978).
    Integral breadth 4/(3D) exactly; FWHM 1.1067/D, i.e. K = 0.892 for L = cube root of the
    volume, the value the conventional K ~ 0.9 stands for."""
    from scipy.integrate import quad
    from scipy.optimize import brentq

    from cationx.crystal.powder import SPHERE_SCHERRER_K

    def line(s):
        return 2 * quad(lambda t: (1 - 1.5 * t + 0.5 * t**3) * math.cos(2 * math.pi * s * t), 0, 1, limit=200)[0]

    peak = line(0.0)
    assert 1 / peak == pytest.approx(4 / 3, rel=1e-12)  # integral breadth: int I ds = V(0) = 1
    fwhm = 2 * brentq(lambda s: line(s) - peak / 2, 0.1, 1.0, xtol=1e-12)
    assert fwhm == pytest.approx(SPHERE_SCHERRER_K, abs=1e-4)
    assert fwhm * (math.pi / 6) ** (1 / 3) == pytest.approx(0.892, abs=1e-3)
    # the profile of powder_pattern with K = SPHERE_SCHERRER_K has that width for a 10 nm sphere
    p = powder_pattern(load_structure("au"), size_nm=10, instrument_fwhm_deg=0.0, profile="gaussian",
                       two_theta_range_deg=(36, 40), step_deg=0.002, scherrer_k=SPHERE_SCHERRER_K)
    above = p.two_theta_deg[p.intensity >= 50]
    tt = p.reflections.two_theta_deg[0]
    expected = math.degrees(fwhm * 1.54056 / (100 * math.cos(math.radians(tt / 2))))
    assert above[-1] - above[0] == pytest.approx(expected, abs=0.005)
