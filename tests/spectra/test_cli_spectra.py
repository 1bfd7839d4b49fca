"""Command line: titration analyze, demo, size, spectra inspect; bad input gives one line, exit 2."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cationx
from cationx.cli import app

DEMO = Path(cationx.__file__).resolve().parent / "data" / "demo"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def _error_line(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture()
def demo_copy(tmp_path):
    for f in DEMO.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / "demo.toml"


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def test_demo_writes_self_contained_report(tmp_path):
    before = _hashes(DEMO)
    out = tmp_path / "report"
    r = run("demo", "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    assert payload["svd_rank"] == 2
    assert payload["half_exchange_ions_per_nc"] > 0
    assert set(payload["fits"]) == {"nucleation", "hill_total", "hill_free"}
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 5
    assert "<script" not in html and "http" not in html.split("</style>")[1][:2000]
    for name in ("fractions.csv", "fits.csv", "sizing.csv", "additions.csv", "isosbestic.csv", "svd.csv", "model_curve.csv", "summary.json"):
        assert (out / name).stat().st_size > 0
    for name in ("spectra", "corrected", "fractions", "pl", "svd"):
        assert (out / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert _hashes(DEMO) == before


def test_demo_without_out_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("demo")
    assert r.exit_code == 0, r.output
    assert "half exchange" in r.output and "--out DIR" in r.output
    assert list(tmp_path.iterdir()) == []


def test_analyze_does_not_touch_inputs(demo_copy, tmp_path):
    before = _hashes(demo_copy.parent)
    r = run("titration", "analyze", str(demo_copy), "--out", str(tmp_path / "rep"))
    assert r.exit_code == 0, r.output
    assert "isosbestic points" in r.output
    assert _hashes(demo_copy.parent) == before


def test_size_json_keys():
    r = run("size", "--material", "CdSe", "--wavelength-nm", "590", "--json")
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert {"diameter_nm", "extinction_per_molar_cm", "host_cations_per_nc"} <= set(d)
    assert d["diameter_nm"] == pytest.approx(4.172, abs=0.001)


def test_size_warns_outside_calibration():
    r = run("size", "--material", "CdS", "--wavelength-nm", "324")
    assert r.exit_code == 0
    assert "warning:" in r.output and "outside the calibrated range" in r.output


def test_inspect_real_files(real_dir):
    r = run("spectra", "inspect", str(real_dir / "jasco_v670_cdse8.csv"), "--material", "CdSe", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["format"] == "jasco"
    (row,) = d["spectra"]
    assert row["exciton_kind"] == "shoulder"
    assert row["saturated_ranges_nm"][0][0] == 300.0
    assert row["size"]["diameter_nm"] > 2.5
    r = run("spectra", "inspect", str(real_dir / "imperial_run6_uvvis.csv"), "--json")
    d = json.loads(r.stdout)
    assert d["format"] == "generic" and len(d["spectra"]) == 18
    keys = {"label", "x_range", "exciton_nm", "exciton_kind", "exciton_height", "saturated_ranges_nm", "exciton_reason"}
    assert keys <= set(d["spectra"][0])


def test_inspect_sizes_absorbance_only(real_dir):
    # a PL maximum is Stokes-shifted from the absorption exciton the Yu curves are made for
    r = run("spectra", "inspect", str(real_dir / "jasco_fl_cdse5.txt"), "--material", "CdSe", "--json")
    assert r.exit_code == 0, r.output
    (row,) = json.loads(r.stdout)["spectra"]
    assert row["exciton_nm"] is not None and row["size"] is None
    assert "emission spectrum" in row["size_reason"]


def test_size_refuses_beyond_the_bulk_gap():
    r = run("size", "--material", "CdSe", "--wavelength-nm", "800")
    assert r.exit_code == 2
    assert "bulk band gap" in _error_line(r)


def test_inspect_plot_never_over_input(real_dir, tmp_path):
    src = tmp_path / "s.csv"
    shutil.copy(real_dir / "jasco_v670_cdse5.csv", src)
    r = run("spectra", "inspect", str(src), "--plot", str(src))
    assert r.exit_code == 2
    assert "refusing to write output over input" in _error_line(r)
    assert src.read_bytes() == (real_dir / "jasco_v670_cdse5.csv").read_bytes()


def _edit(toml: Path, old: str, new: str) -> None:
    text = toml.read_text()
    assert old in text
    toml.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('file = "demo_absorbance.csv"', 'file = "missing.csv"'), "names a file that does not exist"),
        (("volumes_ul = [10, ", "volumes_ul = [-10, "), "negative volume"),
        (("volumes_ul = [10, ", "volumes_ul = [10, 10, "), "21 absorbance spectra but 21 additions"),
        (('file = "demo_absorbance.csv"', 'file = "demo_absorbance.csv"\nspectra = ["add00", "add01", "nope"]'), "no spectrum 'nope'"),
        (('file = "demo_absorbance.csv"', 'file = "demo_absorbance.csv"\nformat = "opus"'), "absorbance.format"),
        (("[fit]", "[fit]\nbogus = 1"), "fit.bogus"),
        (("concentration_molar = 0.032277264", "concentration_molar = 0"), "titrant concentration is 0"),
        (("concentration_molar = 0.032277264", "concentration_molar = 1e300"), "less than or equal to 20"),
        (("volumes_ul = [10, ", "volumes_ul = [1e300, "), "check the unit (uL)"),
        (("volumes_ul = [10, ", "volumes_ul = [nan, "), "finite number"),
        (("start_volume_ml = 3", "start_volume_ml = 1e-300"), "greater than or equal to 0.001"),
        (("start_volume_ml = 3", "start_volume_ml = 0.001"), "dilute the start volume"),
    ],
)
def test_bad_descriptions(demo_copy, tmp_path, edit, message):
    _edit(demo_copy, *edit)
    r = run("titration", "analyze", str(demo_copy), "--out", str(tmp_path / "rep"))
    assert r.exit_code == 2
    assert message in _error_line(r)
    assert not (tmp_path / "rep").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("just some words\nand more words\n", "cannot recognise the layout"),
        ("wl,a\n400,0.1\n401,0.2\n402,0.25\n403,x\n404,0.3\n", ":5: non-numeric value 'x' in column 2"),
        (
            "A,,B,,C,\nWavelength (nm),Abs,Wavelength (nm),Abs,Wavelength (nm),Abs\n"
            "600,1,601,1,600,1\n599,1,600,1,599,1\n598,1,599,1,598,1\n",
            "different x axes",
        ),
    ],
)
def test_bad_spectrum_files(demo_copy, tmp_path, content, message):
    (demo_copy.parent / "demo_absorbance.csv").write_text(content)
    r = run("titration", "analyze", str(demo_copy))
    assert r.exit_code == 2
    assert message in _error_line(r)


def test_missing_columns_in_pl(demo_copy):
    (demo_copy.parent / "demo_pl.csv").write_text("wavelength_nm,a\n600,1\n601,2\n602,3\n")
    r = run("titration", "analyze", str(demo_copy))
    assert r.exit_code == 2
    assert "at least 3 spectra" in _error_line(r)


def test_inspect_bad_inputs(tmp_path):
    r = run("spectra", "inspect", str(tmp_path / "nope.csv"))
    assert r.exit_code == 2 and "not found" in _error_line(r)
    p = tmp_path / "x.csv"
    p.write_text("1,2\n2,3\n3,4\n")
    r = run("spectra", "inspect", str(p), "--format", "opus")
    assert r.exit_code == 2 and "format must be one of" in _error_line(r)
    r = run("spectra", "inspect", str(p), "--material", "ZnO")
    assert r.exit_code == 2 and "--material must be one of" in _error_line(r)


def test_out_over_input_refused(demo_copy):
    r = run("titration", "analyze", str(demo_copy), "--out", str(demo_copy))
    assert r.exit_code == 2
    assert "refusing to write output over input" in _error_line(r)


def test_schema_command():
    r = run("titration", "schema")
    assert r.exit_code == 0
    schema = json.loads(r.stdout)
    assert {"sample", "additions", "absorbance"} <= set(schema["required"])


def test_inspect_pl_counts_are_not_saturated(real_dir):
    # emission counts (up to ~300) are not absorbance: the A > 3 reliability limit must not apply
    r = run("spectra", "inspect", str(real_dir / "imperial_run6_fl_emission.csv"), "--json")
    d = json.loads(r.stdout)
    assert all(s["y_unit"] == "intensity" for s in d["spectra"])
    assert all(s["saturated_ranges_nm"] == [] for s in d["spectra"])
    # the band-edge emission moves red as the QDs grow (30 s at ~506 nm)
    first, last = d["spectra"][0]["exciton_nm"], d["spectra"][-1]["exciton_nm"]
    assert first == pytest.approx(505.6, abs=2.0) and last > first + 20


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('title = "x"\n[sample\n', "invalid TOML"),
        ('title = "x"\n', "sample: Field required"),
    ],
)
def test_broken_description_files(tmp_path, text, message):
    p = tmp_path / "t.toml"
    p.write_text(text)
    r = run("titration", "analyze", str(p), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2
    assert message in _error_line(r)
    assert not (tmp_path / "out").exists()
