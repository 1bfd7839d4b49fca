"""The page handlers (no browser, no Streamlit): they take bytes and call the public API."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cationx.app import _common
from cationx.app.cooperative import explore
from cationx.app.fit import analyze_spectra, demo_files, fit_table
from cationx.app.massspec import analyze_spectrum, isotope_envelope
from cationx.app.powder import debye, kinematic, load_phase, read_measured, refine
from cationx.errors import InputError

REAL = Path(__file__).resolve().parents[1] / "data" / "real"


def hill_csv(n_hill: float = 6.0, k_half: float = 30.0, noise: float = 0.01, seed: int = 0) -> bytes:
    x = np.linspace(0.0, 60.0, 31)
    y = x**n_hill / (k_half**n_hill + x**n_hill) + np.random.default_rng(seed).normal(0.0, noise, x.size)
    return ("ions_per_nc,fraction\n" + "\n".join(f"{a:.6g},{b:.6g}" for a, b in zip(x, y, strict=True))).encode()


# ----------------------------------------------------------------------------- common


def test_safe_name_drops_folders_and_odd_characters() -> None:
    assert _common.safe_name("../../etc/passwd") == "passwd"
    assert _common.safe_name("C:\\data\\run 1.csv") == "run_1.csv"
    with pytest.raises(InputError, match="not a usable file name"):
        _common.safe_name("..")


def test_upload_over_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(InputError, match="over the 20 MB upload limit"):
        _common.check_upload("big.csv", b"x" * 11)
    with pytest.raises(InputError, match="empty"):
        _common.check_upload("e.csv", b"")


# ----------------------------------------------------------------------------- explorer


def test_explore_is_the_public_api_on_the_nc_size() -> None:
    from cationx.cooperative import default_totals, make_model, solve_titration
    from cationx.spectra.sizing import host_cations_per_nc

    res = explore("white2013", diameter_nm=4.0, host_per_site=3, constants={"k1": 1e9, "alpha": 55.0}, nc_conc_molar=2.4e-6, points=100)
    n = round(host_cations_per_nc("CdSe", 4.0, phase="zincblende") / 3)
    assert (res.model.sites, res.model.host_per_site) == (n, 3)
    ref_model = make_model("white2013", sites=n, host_per_site=3, k1=1e9, alpha=55.0)
    ref = solve_titration(ref_model, default_totals(ref_model, 100, nc_conc_molar=2.4e-6), nc_conc_molar=2.4e-6)
    np.testing.assert_array_equal(res.state.fraction_exchanged, ref.fraction_exchanged)
    # mass balance holds on every point the page draws
    assert np.all(res.state.product_fraction <= res.state.feasibility_bound + 1e-9)
    assert res.hill_total is not None and res.hill_free is not None
    s = res.summary()
    assert s["full_exchange_ions_per_nc"] == 2 * n * 3
    assert s["n_hill_total"] == pytest.approx(res.hill_total.value("n_hill"))


def test_explore_refuses_too_many_steps_and_points() -> None:
    with pytest.raises(InputError, match=r"over the explorer's 5000; take a larger step size h"):
        explore("independent", diameter_nm=15.0, constants={"k1": 1e6})
    with pytest.raises(InputError, match="points"):
        explore("independent", diameter_nm=3.0, constants={"k1": 1e6}, points=5000)
    with pytest.raises(InputError, match="alpha is not a parameter of the nucleation model"):
        explore("nucleation", diameter_nm=3.0, constants={"k": 1e4, "alpha": 2.0})


# ----------------------------------------------------------------------------- fit


def test_fit_table_recovers_a_known_hill_coefficient() -> None:
    # synthetic truth: n_H = 6, K = 30 ions per NC, Gaussian noise 0.01
    out = fit_table("t.csv", hill_csv(), x_col="ions_per_nc", y_col="fraction", model="hill", ci="stderr")
    p = out.result["n_hill"]
    assert abs(p.value - 6.0) < 3 * p.stderr
    assert out.result["k_half"].value == pytest.approx(30.0, rel=0.02)
    assert out.result.converged


def test_fit_table_sequential_in_real_units_takes_n_from_the_diameter() -> None:
    from cationx.cooperative import default_totals, make_model, solve_titration
    from cationx.spectra.sizing import host_cations_per_nc

    h = 5
    n = round(host_cations_per_nc("CdSe", 2.5) / h)  # 145.8 host cations -> 29 steps of 5
    truth = make_model("white2013", sites=n, host_per_site=h, k1=1e12, alpha=30.0)
    totals = default_totals(truth, 30, nc_conc_molar=2.4e-6)
    y = solve_titration(truth, totals, nc_conc_molar=2.4e-6).product_fraction
    y = y + np.random.default_rng(3).normal(0.0, 0.01, y.size)
    csv = ("x,y\n" + "\n".join(f"{a:.6g},{b:.6g}" for a, b in zip(totals, y, strict=True))).encode()
    out = fit_table("s.csv", csv, x_col="x", y_col="y", model="white2013", diameter_nm=2.5, host_per_site=h,
                    nc_conc_molar=2.4e-6, observable="product", ci="stderr")
    assert out.host_cations == n * h == 145
    res = out.result
    assert res.r2 > 0.99
    # k1 and alpha trade off on one curve: the truth lies inside the (wide) intervals and the
    # result says it is not trustworthy instead of printing two confident numbers
    for name, value in (("log10_k1", 12.0), ("log10_alpha", np.log10(30.0))):
        assert res[name].ci_low <= value <= res[name].ci_high
    assert not res.converged and any("uncertain by more than" in w for w in res.warnings)


def test_fit_table_bad_inputs_name_the_rule() -> None:
    with pytest.raises(InputError, match="'nope'"):
        fit_table("t.csv", hill_csv(), x_col="nope", y_col="fraction")
    pct = b"x,y\n0,0\n10,50\n20,90\n30,99\n"
    with pytest.raises(InputError, match=r"fractions must be 0\.\.1"):
        fit_table("p.csv", pct, x_col="x", y_col="y")
    with pytest.raises(InputError, match="NC concentration"):
        fit_table("t.csv", hill_csv(), x_col="ions_per_nc", y_col="fraction", model="white2013", diameter_nm=4.0)
    with pytest.raises(InputError, match="model"):
        fit_table("t.csv", hill_csv(), x_col="ions_per_nc", y_col="fraction", model="sigmoid")
    with pytest.raises(InputError, match="n = 31497 steps is over the 5000 this page fits"):
        fit_table("t.csv", hill_csv(), x_col="ions_per_nc", y_col="fraction", model="white2013",
                  diameter_nm=15.0, nc_conc_molar=2.4e-6)


def test_analyze_spectra_runs_the_titration_analysis_and_zips_the_report() -> None:
    files = demo_files()
    out = analyze_spectra(files)
    # demo.toml states the truth of its synthetic data ("Truth: half exchange at X ions per NC");
    # the noisy spectra give it back within 3 %
    toml = next(v for k, v in files.items() if k.endswith(".toml")).decode()
    truth = float(re.search(r"half exchange at ([0-9.]+) ions per NC", toml).group(1))
    assert out.analysis.half_exchange_ions_per_nc == pytest.approx(truth, rel=0.03)
    names = zipfile.ZipFile(io.BytesIO(out.report_zip)).namelist()
    assert "report/report.html" in names and "report/summary.json" in names
    assert "fractions.png" in out.figures


def test_analyze_spectra_needs_the_named_files_inside_the_upload() -> None:
    files = demo_files()
    toml = {k: v for k, v in files.items() if k.endswith(".toml")}
    with pytest.raises(InputError, match=r"names files that were not uploaded: demo_absorbance\.csv"):
        analyze_spectra(toml)
    text = next(iter(toml.values())).decode().replace('file = "demo_absorbance.csv"', 'file = "../../demo_absorbance.csv"')
    with pytest.raises(InputError, match="outside its folder"):
        analyze_spectra({"d.toml": text.encode(), **{k: v for k, v in files.items() if k.endswith(".csv")}})
    with pytest.raises(InputError, match=r"exactly one titration description \(.toml\)"):
        analyze_spectra({k: v for k, v in files.items() if k.endswith(".csv")})


# ----------------------------------------------------------------------------- powder


def test_powder_handlers_refine_a_known_size() -> None:
    st = load_phase("cdse-zincblende")
    pat = kinematic(st, size_nm=5.0, wavelength_angstrom=1.54056, two_theta_range=(20.0, 80.0), step_deg=0.05)
    # synthetic truth: the 5 nm pattern with Poisson counts on a flat background of 20
    counts = np.random.default_rng(1).poisson(pat.intensity * 10 + 20).astype(float)
    xy = "\n".join(f"{a:.4f} {b:.1f}" for a, b in zip(pat.two_theta_deg, counts, strict=True)).encode()
    measured = read_measured("m.xy", xy)
    res = refine(measured, st, occupancies=[], size_nm=3.0, wavelength_angstrom=1.54056)
    p = res.fit["size_nm"]
    assert p.ci_low <= 5.0 <= p.ci_high
    assert res.gof == pytest.approx(1.0, abs=0.2)


def test_powder_loads_an_uploaded_cif_and_caps_the_work() -> None:
    st = load_phase(cif=("si.cif", (REAL / "srfit_si.cif").read_bytes()))
    assert st.cell[0] == pytest.approx(5.43, abs=0.01)
    with pytest.raises(InputError, match=r"a structure upload must be a \.cif or \.toml file"):
        load_phase(cif=("si.txt", b"data_x"))
    with pytest.raises(InputError, match="take a larger step"):
        kinematic(st, size_nm=5.0, wavelength_angstrom=1.54056, two_theta_range=(10.0, 90.0), step_deg=0.01)
    with pytest.raises(InputError, match="over the 10000 this page computes"):
        debye(load_phase("cdse-zincblende"), diameter_nm=12.0, wavelength_angstrom=1.54056)
    pat = debye(load_phase("cdse-zincblende"), diameter_nm=2.0, wavelength_angstrom=1.54056, step_deg=0.2)
    assert pat.intensity.size == 401


# ----------------------------------------------------------------------------- mass spectra


def test_isotope_envelope_and_assignment_of_a_synthetic_spectrum() -> None:
    from cationx.massspec import envelope, profile

    env, mz, inten = isotope_envelope("Cd10S10", charge=1)
    assert mz.size == inten.size > 10
    ref = envelope("Cd10S10+")
    assert env.most_abundant_mz == pytest.approx(ref.most_abundant_mz, abs=1e-9)
    # synthetic truth: the profile of Cd10S10+ shifted by +0.5 Da is assigned with that shift
    x, y = profile(ref, resolving_power=5000.0)
    csv = ("mz,intensity\n" + "\n".join(f"{a + 0.5:.5f},{b:.6g}" for a, b in zip(x, y, strict=True))).encode()
    out = analyze_spectrum("s.csv", csv, formulas=["Cd10S10"], charge=1, baseline=False)
    assert len(out.peaks) >= 3
    assert out.fits[0].shift_da == pytest.approx(0.5, abs=0.02)
    assert out.fits[0].score > 0.95


def test_mass_spectrum_caps() -> None:
    with pytest.raises(InputError, match="atoms: over the 5000"):
        isotope_envelope("Cd3000S3000")
    with pytest.raises(InputError, match="at most 5 formulas"):
        analyze_spectrum("s.csv", b"mz,i\n1,1\n2,2\n3,1\n", formulas=["Cd"] * 6)
