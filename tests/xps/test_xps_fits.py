"""XPS: line shapes, backgrounds, doublet constraints, fits, Auger parameter, readers.

Reference numbers: Yao, Lynch, Robinson, J. Chem. Phys. 159, 014704 (2023) (seed 004) Ag 3d
374.9 / 368.9 eV (MSC) and 372.3 / 366.3 eV (Ag2S), S 2p 162.8 / 161.6 eV, Cd 3d 412.4 /
405.6 eV; White et al. 2013 (seed 000): Cu 2p3/2 932.5 eV fitted with 30 % G / 70 % L,
Cu LMM 917.2 eV (kinetic), read as Cu(I).  The papers' spectra are figures, so the fits
are tested on synthetic spectra built at those positions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from cationx.errors import InputError, ParseError
from cationx.io.xps import read_spectrum
from cationx.xps import (
    AREA_RATIOS,
    CORE_LEVELS,
    assign_copper_state,
    fit_spectrum,
    linear_background,
    modified_auger_parameter,
    parse_components,
    peak,
    shirley_background,
    tougaard_background,
    unit_area,
)

# --- line shapes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["gl", "sgl", "voigt", "gauss", "lorentz"])
@pytest.mark.parametrize("mix", [0.0, 0.3, 0.7, 1.0])
def test_shapes_have_height_and_fwhm(shape, mix):
    fwhm = 1.3
    assert peak(np.array([5.0]), 5.0, 2.0, fwhm, shape, mix)[0] == pytest.approx(2.0)
    half = peak(np.array([5.0 + fwhm / 2]), 5.0, 1.0, fwhm, shape, mix)[0]
    if shape == "gl":
        # product form: F is the nominal width (CasaXPS GL(m)); at x = c + F/2 the value is
        # 2^-(1-m) / (1 + m), exactly 0.5 only for pure Gaussian or pure Lorentzian
        assert half == pytest.approx(2 ** -(1 - mix) / (1 + mix), rel=1e-12)
    else:
        # Olivero-Longbothum width formula is good to a few 1e-4 of the FWHM
        assert half == pytest.approx(0.5, abs=3e-3 if shape == "voigt" else 1e-12)


@pytest.mark.parametrize(("shape", "mix"), [("gl", 0.3), ("gl", 0.7), ("sgl", 0.5), ("voigt", 0.4), ("gauss", 0), ("lorentz", 1)])
def test_unit_area_matches_quadrature(shape, mix):
    fwhm = 0.9
    num, _ = integrate.quad(lambda v: float(peak(np.array([v]), 0.0, 1.0, fwhm, shape, mix)[0]), -np.inf, np.inf, limit=400)
    assert unit_area(shape, fwhm, mix) == pytest.approx(num, rel=1e-6)


def test_area_ratios_follow_degeneracy():
    # (2j+1) ratios: p1/2 : p3/2 = 2:4, d3/2 : d5/2 = 4:6, f5/2 : f7/2 = 6:8
    assert AREA_RATIOS == pytest.approx({"p": 2 / 4, "d": 4 / 6, "f": 6 / 8})


def test_presets_agree_with_004_peak_pairs():
    assert CORE_LEVELS["ag3d"][1] == pytest.approx(374.9 - 368.9, abs=0.05)
    assert CORE_LEVELS["ag3d"][1] == pytest.approx(372.3 - 366.3, abs=0.05)
    assert CORE_LEVELS["s2p"][1] == pytest.approx(162.8 - 161.6, abs=0.05)
    assert CORE_LEVELS["cd3d"][1] == pytest.approx(412.4 - 405.6, abs=0.1)


# --- backgrounds ----------------------------------------------------------------------------------


def test_shirley_is_proportional_to_area_and_order_free():
    x = np.linspace(360, 380, 401)
    pk = peak(x, 370.0, 100.0, 1.5, "gauss")
    step = 20.0 * np.cumsum(pk) / pk.sum()
    y = 10.0 + pk + step
    bg = shirley_background(x, y, n_avg=1)
    # the iteration converges to a background whose rise follows the peak area
    a = np.concatenate([[0], np.cumsum(0.5 * ((y - bg)[1:] + (y - bg)[:-1]) * np.diff(x))])
    assert np.allclose(bg, y[0] + (y[-1] - y[0]) * a / a[-1], atol=1e-5)
    assert bg[0] == pytest.approx(y[0]) and bg[-1] == pytest.approx(y[-1])
    # descending input gives the same background, reversed; input untouched
    xr, yr = x[::-1].copy(), y[::-1].copy()
    assert np.allclose(shirley_background(xr, yr, n_avg=1), bg[::-1])
    assert np.array_equal(xr, x[::-1])


def test_linear_and_tougaard_meet_the_end_levels():
    x = np.linspace(360, 380, 201)
    y = 5 + peak(x, 370, 50, 1.2, "gl", 0.3) + np.where(x > 370, 8.0, 0.0)
    lin = linear_background(x, y, n_avg=1)
    assert lin[0] == pytest.approx(y[0]) and lin[-1] == pytest.approx(y[-1])
    assert np.allclose(np.diff(lin), np.diff(lin)[0])
    tg = tougaard_background(x, y, n_avg=1)
    assert tg[0] == pytest.approx(y[0]) and tg[-1] == pytest.approx(y[-1])
    assert np.all(np.diff(tg) >= -1e-12)  # energy losses only add background at higher BE


# --- fits --------------------------------------------------------------------------------------


def test_doublet_constraints_hold_in_fitted_result(ag3d):
    x, y, _truth = ag3d
    res = fit_spectrum(x, y, "msc:ag3d@368.5; ag2s:ag3d@366.6", background="shirley")
    p = res.fit.params
    for name in ("msc", "ag2s"):
        assert p[f"{name}_center2"].value - p[f"{name}_center"].value == pytest.approx(6.0, abs=1e-9)
        assert p[f"{name}_height2"].value / p[f"{name}_height"].value == pytest.approx(2 / 3, rel=1e-9)
    lines = res.line_table()
    for name in ("msc", "ag2s"):
        rows = lines[lines["component"] == name]
        assert rows["fwhm_ev"].nunique() == 1  # shared width
        assert rows["area"].iloc[1] / rows["area"].iloc[0] == pytest.approx(2 / 3, rel=1e-9)


def test_fit_recovers_004_positions_inside_intervals(ag3d):
    x, y, truth = ag3d
    res = fit_spectrum(x, y, "msc:ag3d@368.5; ag2s:ag3d@366.6")
    for name, (center, height, fwhm) in truth.items():
        for par, value in (("center", center), ("fwhm", fwhm)):
            est = res.fit[f"{name}_{par}"]
            assert est.ci_low <= value <= est.ci_high, (name, par, est)
        assert res.fit.value(f"{name}_height") == pytest.approx(height, rel=0.02)
    d = res.to_dict()
    assert {"params", "lines", "r2", "aic", "bic", "component_areas"} <= set(d)


def test_gl70_singlet_cu2p_and_voigt():
    x = np.arange(925.0, 940.0, 0.05)
    y = 50 + peak(x, 932.5, 400, 1.4, "gl", 0.7) + np.random.default_rng(3).normal(0, 2, x.size)
    res = fit_spectrum(x, y, "cu:s@932.0,shape=gl,lor=0.7", background="linear")
    assert res.fit.value("cu_center") == pytest.approx(932.5, abs=0.01)
    yv = peak(x, 932.5, 400, 1.4, "voigt", 0.5)
    rv = fit_spectrum(x, yv, "cu:s@932.3,shape=voigt,lor=0.5", background="none", ci="none")
    assert rv.fit.value("cu_fwhm") == pytest.approx(1.4, rel=1e-6)
    assert rv.fit.value("cu_center") == pytest.approx(932.5, abs=1e-6)


def test_cu2p_doublet_preset_split():
    x = np.arange(925.0, 960.0, 0.1)
    y = 20 + peak(x, 932.5, 300, 1.5, "gl", 0.7) + peak(x, 952.3, 150, 1.5, "gl", 0.7)
    res = fit_spectrum(x, y, "cu:cu2p@932.3,lor=0.7", background="none")
    assert res.fit.value("cu_center2") == pytest.approx(res.fit.value("cu_center") + 19.8)
    assert res.fit.value("cu_height2") == pytest.approx(0.5 * res.fit.value("cu_height"))


@pytest.mark.filterwarnings("ignore::cationx.errors.ConvergenceWarning")  # exact data: zero residuals
@settings(max_examples=25, deadline=None)
@given(center=st.floats(366.0, 370.0), height=st.floats(50, 5000), fwhm=st.floats(0.6, 2.0))
def test_noise_free_doublet_is_recovered(center, height, fwhm):
    x = np.arange(358.0, 384.0, 0.1)
    y = peak(x, center, height, fwhm, "gl", 0.3) + peak(x, center + 6.0, height * 2 / 3, fwhm, "gl", 0.3)
    res = fit_spectrum(x, y, f"a:ag3d@{center + 0.4}", background="none", ci="none")
    assert res.fit.value("a_center") == pytest.approx(center, abs=1e-4)
    assert res.fit.value("a_height") == pytest.approx(height, rel=1e-4)


# --- components syntax and bad input ---------------------------------------------------------------


def test_parse_components_syntax():
    comps = parse_components("a:d@368.9,split=6.0,fwhm=1.0,shape=sgl,lor=0.5; b:s@284.8,fix=center")
    assert comps[0].split_ev == 6.0 and comps[0].area_ratio == pytest.approx(2 / 3)
    assert comps[0].shape == "sgl" and comps[0].lor == 0.5
    assert comps[1].fix_center and not comps[1].is_doublet
    assert len(parse_components(["a:s@1", "b:s@2; c:s@3"])) == 3


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("a:ag4d@368", InputError, "unknown component kind 'ag4d'"),
        ("a:d@368", InputError, "needs split="),
        ("a ag3d 368", ParseError, "NAME:KIND@CENTER"),
        ("a:ag3d@x", ParseError, "CENTER must be a number"),
        ("a:ag3d@368,width=2", ParseError, "unknown option 'width'"),
        ("a:ag3d@368,lor=2", InputError, "lor"),
        ("a:ag3d@368; a:ag3d@366", InputError, "unique"),
        ("a:s@368,split=1", InputError, "only to doublets"),
        ("", InputError, "no components"),
    ],
)
def test_bad_components(text, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        parse_components(text)


def test_bad_spectra(make_ag3d):
    ag3d_spectrum = make_ag3d
    with pytest.raises(InputError, match="spectrum is empty"):
        fit_spectrum([], [], "a:s@1")
    x, y, _ = ag3d_spectrum()
    with pytest.raises(InputError, match="spectrum is empty in the range"):
        fit_spectrum(x, y, "a:s@370", be_range=(100, 110))
    with pytest.raises(InputError, match="outside the data"):
        fit_spectrum(x, y, "a:s@400")
    with pytest.raises(InputError, match="background must be one of"):
        fit_spectrum(x, y, "a:s@370", background="spline")


# --- Auger parameter -------------------------------------------------------------------------------


def test_auger_parameter_of_white2013_is_cu_i():
    # 000: Cu 2p3/2 932.5 eV and Cu LMM 917.2 eV (kinetic): "characteristic of Cu(1+)"
    assert modified_auger_parameter(932.5, 917.2) == pytest.approx(1849.7)
    res = assign_copper_state(932.5, 917.2)
    assert res.state == "Cu(I)" and res.nearest.compound == "Cu2O"
    assert assign_copper_state(932.6, 918.6).state == "Cu(0)"
    assert assign_copper_state(933.7, 917.8).state == "Cu(II)"
    assert assign_copper_state(940.0, 910.0).state is None


# --- readers --------------------------------------------------------------------------------------


def test_vamas_kinetic_energy_block_reads_as_binding_energy(tmp_path, make_ag3d, vamas_writer):
    ag3d_spectrum, write_vamas = make_ag3d, vamas_writer
    x, y, _ = ag3d_spectrum(noise=0.0)
    hv, phi = 1486.6, 4.5
    be_desc = x[::-1]  # kinetic energy ascends while binding energy descends
    ke = hv - phi - be_desc
    path = write_vamas(tmp_path / "ag.vms", float(ke[0]), 0.1, y[::-1], kinetic=True, source_ev=hv, work_function=phi)
    # the file stores a vacuum-referenced kinetic energy here: apply its work function
    spec = read_spectrum(path, work_function="file")
    assert spec.binding_energy_ev[0] == pytest.approx(be_desc[0])
    assert np.allclose(np.sort(spec.binding_energy_ev), x, atol=1e-6)
    assert spec.label == "Ag 3d"
    res = fit_spectrum(spec.binding_energy_ev, spec.intensity, "msc:ag3d@368.5; ag2s:ag3d@366.6", ci="none")
    assert res.fit.value("msc_center") == pytest.approx(368.9, abs=1e-3)


def test_vamas_errors(tmp_path, make_ag3d, vamas_writer):
    ag3d_spectrum, write_vamas = make_ag3d, vamas_writer
    bad = tmp_path / "bad.vms"
    bad.write_text("not a vamas file\n")
    from cationx.errors import DataFileError

    with pytest.raises(DataFileError, match="cannot read VAMAS"):
        read_spectrum(bad)
    _x, y, _ = ag3d_spectrum()
    path = write_vamas(tmp_path / "ok.vms", 360.0, 0.1, y, kinetic=False)
    with pytest.raises(InputError, match="block 3 does not exist"):
        read_spectrum(path, block=3)
    assert math.isclose(read_spectrum(path).binding_energy_ev[0], 360.0)
