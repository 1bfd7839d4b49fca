"""Baselines (pybaselines) and the processing options of the titration analysis."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import cationx
from cationx.errors import InputError
from cationx.spectra.baseline import baseline
from cationx.titration import json_schema, load_description
from cationx.titration.analysis import analyze_titration

DEMO = Path(cationx.__file__).resolve().parent / "data" / "demo"


def test_asls_removes_a_sloping_background():
    x = np.arange(400.0, 800.0)
    peak = np.exp(-0.5 * ((x - 600) / 10) ** 2)
    slope = 0.2 + 0.001 * (x - 400)
    base = baseline(x, peak + slope, "asls", lam=1e6, p=0.01)
    # asls with p = 0.01 sits about 1 % of the peak height below the true background
    assert np.max(np.abs(base - slope)[np.abs(x - 600) > 60]) < 0.02


def test_offset_baseline_and_errors():
    x = np.arange(10.0)
    assert baseline(x, x + 3, "offset", window=(0, 2)).tolist() == [4.0] * 10
    with pytest.raises(InputError, match="needs window"):
        baseline(x, x, "offset")
    with pytest.raises(InputError, match="baseline method must be one of"):
        baseline(x, x, "magic")


@pytest.fixture()
def demo_copy(tmp_path):
    for f in DEMO.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / "demo.toml"


def _with(toml: Path, extra: str) -> Path:
    text = toml.read_text().replace("[processing]\n", "[processing]\n" + extra + "\n")
    toml.write_text(text)
    return toml


def test_tracked_exciton_and_offset_baseline_agree_with_default(demo_copy):
    ref = analyze_titration(load_description(demo_copy))
    alt = analyze_titration(
        load_description(_with(demo_copy, 'exciton = "tracked"\nbaseline = "offset"\nbaseline_window_nm = [880.0, 900.0]'))
    )
    np.testing.assert_allclose(alt.table["fraction_unexchanged"], ref.table["fraction_unexchanged"], atol=0.05)
    assert alt.half_exchange_ions_per_nc == pytest.approx(ref.half_exchange_ions_per_nc, rel=0.05)


def test_dilution_correction_matters(demo_copy):
    ref = analyze_titration(load_description(demo_copy))
    text = demo_copy.read_text().replace("dilution_correction = true", "dilution_correction = false")
    demo_copy.write_text(text)
    raw = analyze_titration(load_description(demo_copy))
    # without the correction the last spectrum is diluted by 200 uL / 3.0 mL: 6.7 % lower
    ratio = raw.table["absorbance_ref"].iloc[-1] / ref.table["absorbance_ref"].iloc[-1]
    assert ratio == pytest.approx(3.0 / 3.2, rel=1e-9)


def test_given_exciton_and_diameter(demo_copy):
    text = demo_copy.read_text().replace('phase = "zincblende"', 'phase = "zincblende"\ndiameter_nm = 4.17')
    demo_copy.write_text(text)
    res = analyze_titration(load_description(demo_copy))
    assert res.sizing.wavelength_nm == pytest.approx(590.0, abs=0.1)
    assert res.sizing.diameter_nm == pytest.approx(4.17, rel=1e-6)


def test_schema_lists_processing_options():
    props = json_schema()["$defs"]["Processing"]["properties"]
    assert {"reference_ev", "pl_reference_nm", "pl_band_nm", "dilution_correction", "baseline"} <= set(props)


def _jasco_text(x, y) -> str:
    head = "TITLE,CdSe-\nDATA TYPE,ULTRAVIOLET SPECTRUM\nORIGIN,JASCO\nXUNITS,NANOMETERS\nYUNITS,ABSORBANCE\nXYDATA\n"
    body = "".join(f"{a:.4f},{b:.6g}\n" for a, b in zip(x[::-1], y[::-1], strict=True))
    return head + body + "\n##### Extended Information\n\n[Comments]\nSample name,x\n"


def test_one_jasco_file_per_spectrum(demo_copy):
    # the demo absorbance written as one JASCO export per spectrum gives the same analysis
    from cationx.io.spectra import read_spectra

    folder = demo_copy.parent
    data = read_spectra(folder / "demo_absorbance.csv")
    names = []
    for s in data:
        (folder / f"{s.label}.csv").write_text(_jasco_text(s.x, s.y))
        names.append(f"{s.label}.csv")
    ref = analyze_titration(load_description(demo_copy))
    listing = ", ".join(f'"{n}"' for n in names)
    demo_copy.write_text(demo_copy.read_text().replace('file = "demo_absorbance.csv"', f"files = [{listing}]"))
    res = analyze_titration(load_description(demo_copy))
    assert res.labels[0] == "add00"
    np.testing.assert_allclose(res.table["fraction_exchanged"], ref.table["fraction_exchanged"], atol=1e-6)
    # a missing one is named
    (folder / names[3]).unlink()
    with pytest.raises(InputError, match="does not exist"):
        load_description(demo_copy)


def test_file_and_files_are_exclusive(demo_copy):
    demo_copy.write_text(demo_copy.read_text().replace('file = "demo_absorbance.csv"', 'file = "demo_absorbance.csv"\nfiles = ["a.csv"]'))
    with pytest.raises(InputError, match="not both"):
        load_description(demo_copy)


def test_mass_balance_is_checked_in_real_units(demo_copy):
    # 000: two Cu+ per Cd2+, so half the material of NCs of N Cd needs at least N Cu+ per NC.
    # Stating a 5x too high NC concentration makes the ions per NC 5x too small: the fractions
    # then break mass balance, and the analysis says so instead of reporting constants.
    text = demo_copy.read_text().replace("start_volume_ml = 3", "start_volume_ml = 3\nnc_conc_molar = 6e-6")
    demo_copy.write_text(text)
    res = analyze_titration(load_description(demo_copy))
    fit = res.fits["nucleation"]
    assert not fit.converged
    assert any("mass balance broken" in w for w in fit.warnings)
    assert any("not trustworthy" in n for n in res.notes)
