"""The ``cationx ms`` commands: JSON keys, files, and bad input (one line, exit code 2)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app

from .conftest import synth

runner = CliRunner()


def _run(args):
    return runner.invoke(app, args)


def _write(sp, path):
    path.write_text("mz,intensity\n" + "\n".join(f"{a:.4f},{b:.4f}" for a, b in zip(sp.mz, sp.intensity, strict=True)))
    return path


def test_pattern_json_keys_and_normalisation():
    r = _run(["ms", "pattern", "Cd34S33(L)", "--charge", "1", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert {"average_mass", "most_abundant_mz", "peaks"} <= set(d)
    assert d["most_abundant_mz"] == pytest.approx(5163.05, abs=0.01)
    assert sum(p["abundance"] for p in d["peaks"]) == pytest.approx(1.0, abs=1e-12)
    assert d["coverage"] >= 1 - 1e-12
    assert all({"mz", "abundance"} <= set(p) for p in d["peaks"])


def test_pattern_text_and_files(tmp_path):
    r = _run(["ms", "pattern", "[Ag29S13+H]+", "--out", str(tmp_path / "p.csv"), "--profile", str(tmp_path / "prof.csv"), "--plot", str(tmp_path / "p.png")])
    assert r.exit_code == 0, r.output
    assert "most abundant m/z" in r.stdout and "not a useful reference" in r.stdout
    for name in ("p.csv", "prof.csv", "p.png"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ms", "pattern", "CdSXx"], "unknown element 'Xx' at position 4"),
        (["ms", "pattern", "Cd(S33"], "unbalanced parenthesis"),
        (["ms", "pattern", "Cd100000"], "exceeds the limit"),
        (["ms", "pattern", "Cd-3"], "a count cannot be negative"),
        (["ms", "pattern", "CdS", "--coverage", "2"], "coverage must lie in"),
        (["ms", "search", "5163", "--elements", "Ag:0-4,Xx:1-2"], "unknown element 'Xx'"),
        (["ms", "search", "5163", "--elements", "Ag:4-1"], "0 <= LO <= HI"),
        (["ms", "search", "5163", "--elements", "Ag:0-5", "--groups", "Q:0-1"], "unknown group 'Q'"),
        (["ms", "search", "5163", "--elements", "Ag:0-5", "--charge", "0"], "charge must be non-zero"),
    ],
)
def test_bad_input_exit_2(args, message):
    r = _run(args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1


def test_bad_spectrum_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    bad = tmp_path / "bad.csv"
    bad.write_text("mz,intensity\n100,1\n101,x1\n102,2\n")
    for path, message in [(empty, "empty"), (bad, ":3: non-numeric value 'x1' in column 2")]:
        for cmd in (["ms", "assign", str(path), "--formula", "CdS"], ["ms", "periodicity", str(path)], ["ms", "series", str(path), "--family", "Ag{x}Cd{3-x}S3"]):
            r = _run(cmd)
            assert r.exit_code == 2, r.output
            assert message in r.stderr


def test_search_json():
    r = _run(["ms", "search", "5163", "--elements", "Ag:0-4,Cd:30-36,S:30-36", "--groups", "L:0-1", "--tolerance-da", "0.5", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert "Cd34S33(L)" in [c["formula"] for c in d["candidates"]]
    assert {"target_mz", "tolerance_da", "examined", "candidates"} <= set(d)


def test_assign_series_periodicity_on_files(tmp_path, exchange_spectrum):
    spec = _write(exchange_spectrum, tmp_path / "ex.csv")
    r = _run(["ms", "assign", str(spec), "--formula", "AgCd33S33(L)", "--no-baseline", "--json", "--plot", str(tmp_path / "a.png")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["fits"][0]["score"] > 0.9
    r = _run(["ms", "series", str(spec), "--family", "Ag{x}Cd{34-x}S33(L)", "--x-range", "0-11", "--shift-da", "0.3", "--no-baseline", "--ci", "stderr", "--json", "--out", str(tmp_path / "w.csv"), "--plot", str(tmp_path / "s.png")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["mean"] == pytest.approx(1.3, abs=0.05)
    assert (tmp_path / "w.csv").exists() and (tmp_path / "s.png").stat().st_size > 0
    r = _run(["ms", "series", str(spec), "--family", "Ag{x}Cd{34-x}S33(L)", "--x-range", "5-2"])
    assert r.exit_code == 2 and "--x-range" in r.stderr
    r = _run(["ms", "assign", str(spec), "--formula", "CdS", "--out", str(spec)])
    assert r.exit_code == 2 and "refusing to write output over input" in r.stderr

    formulas = [f"Ag{2 * n + 1}S{n + k}+" for n in range(12, 17) for k in (0, 1, 2)]
    series = _write(synth(formulas, np.linspace(1, 0.5, len(formulas)), fwhm=0.5, step=0.1), tmp_path / "ag2s.csv")
    r = _run(["ms", "periodicity", str(series), "--no-baseline", "--min-height", "0.3", "--label-elements", "Ag:20-40,S:8-20", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    labels = [s["label"] for s in d["spacings"]]
    assert "S" in labels and "Ag2S" in labels
    peak_labels = [lab for lab in d["peaks"]["label"] if lab]
    assert "Ag29S14" in peak_labels and "Ag27S13" in peak_labels


def test_peaks_and_calibrate(tmp_path):
    sp = synth(["Ag27S12+", "Ag29S13+", "Cd34S33(L)+", "Ag53S26+"], [1.0, 1.0, 1.0, 1.0], shift=0.0, fwhm=0.4, step=0.05)
    spec = _write(sp, tmp_path / "cal.csv")
    r = _run(["ms", "peaks", str(spec), "--no-baseline", "--min-height", "0.5", "--json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["mz"]) >= 4
    obs = {f: envelope_mz + 0.8 + 1e-4 * envelope_mz for f, envelope_mz in [("Ag27S12+", 3296.0956), ("Ag29S13+", 3543.8774), ("Cd34S33(L)+", 5163.0489), ("Ag53S26+", 6551.2297)]}
    args = ["ms", "calibrate", str(spec), "--json", "--out", str(tmp_path / "calibrated.csv")]
    for f, m in obs.items():
        args += ["--assign", f"{m:.4f}={f}"]
    r = _run(args)
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["rms_ppm"] < 0.1
    assert d["coefficients"][1] == pytest.approx(1 / 1.0001, rel=1e-6)
    assert (tmp_path / "calibrated.csv").exists()
    r = _run(["ms", "calibrate", str(spec), "--assign", "3296=Ag27S12", "--assign", "3543=Ag29S13+", "--assign", "5163=Cd34S33(L)+"])
    assert r.exit_code == 2 and "give the ion's charge" in r.stderr
    r = _run(["ms", "calibrate", str(spec), "--assign", "abc=Ag27S12+"])
    assert r.exit_code == 2 and "must be a number" in r.stderr


def test_search_with_spectrum(tmp_path):
    sp = synth(["Ag29S13+", "Ag29S14+", "Ag27S12+", "Ag27S13+"], [1.0, 0.8, 0.6, 0.5], fwhm=0.4)
    spec = _write(sp, tmp_path / "ag.csv")
    r = _run(["ms", "search", "3543.88", "--elements", "Ag:20-35,S:8-20", "--spectrum", str(spec), "--json", "--out", str(tmp_path / "c.csv")])
    assert r.exit_code == 0, r.output
    top = json.loads(r.stdout)["candidates"][0]
    assert top["formula"] == "Ag29S13"
    assert top["match"] > 0.95
    assert (tmp_path / "c.csv").exists()
