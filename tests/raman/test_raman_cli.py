"""CLI: cationx raman fit (JSON, files, failure reporting, bad input) and fits of the real exports."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cationx.cli import app

from .conftest import DATA, TRUE_CENTRES

runner = CliRunner()


def test_fit_json_out_plot(replicate_files, tmp_path):
    out = tmp_path / "res"
    r = runner.invoke(app, ["raman", "fit", *map(str, replicate_files), "--peaks", "260", "--window", "150:350",
                            "--despike", "--share", "width", "--reference-cm1", "252", "--gruneisen", "1.1",
                            "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["converged"] is True
    s = d["samples"][0]
    assert s["converged"] is True and s["warnings"] == []
    centres = [p["center_cm1"] for p in s["peaks"]]
    assert centres == pytest.approx(TRUE_CENTRES, abs=0.2)
    assert [sp["n_removed"] for sp in s["spikes"]] == [3] * 5
    assert s["strain"]["gruneisen"] == 1.1 and s["strain"]["linear_strain_mean"] < 0
    assert {p.name for p in out.iterdir()} == {"raman_peaks.csv", "raman_summary.csv", "raman_curves.csv",
                                                "raman_fit.json"}
    assert len(pd.read_csv(out / "raman_peaks.csv")) == 5


def test_text_report_samples_per_file_and_plot(replicate_files, tmp_path):
    plot = tmp_path / "fit.png"
    r = runner.invoke(app, ["raman", "fit", *map(str, replicate_files[:2]), "--peaks", "260", "--samples", "file",
                            "--window", "150:350", "--despike", "--plot", str(plot)])
    assert r.exit_code == 0, r.output
    assert plot.stat().st_size > 0
    assert r.stdout.count("fit: converged") == 2 and "sample 'rep1'" in r.stdout


def test_failed_fit_is_not_printed_as_success(tmp_path):
    p = tmp_path / "flat.csv"
    p.write_text("shift,counts\n" + "\n".join(f"{100 + k},{200 + (k * 37) % 11}" for k in range(200)) + "\n")
    r = runner.invoke(app, ["raman", "fit", str(p), "--peaks", "200", "--window", "150:250", "--json"])
    assert r.exit_code == 3  # computed but not trustworthy
    d = json.loads(r.stdout)
    assert d["converged"] is False and d["samples"][0]["warnings"]
    assert "warning:" in r.stderr
    r2 = runner.invoke(app, ["raman", "fit", str(p), "--peaks", "200", "--window", "150:250"])
    assert "FAILED" in r2.stdout and "fit: converged" not in r2.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.txt", "--peaks", "260"], "Raman file not found"),
        (["{words}", "--peaks", "260"], "no block of numeric"),
        (["{rep}", "--peaks", "260", "--window", "700:800"], "outside the window"),
        (["{rep}", "--peaks", "750", "--window", "700:800"], "lies outside the data"),
        (["{rep}", "--peaks", "abc"], "--peaks must be numbers"),
        (["{rep}", "--peaks", "260", "--window", "350:150"], "--window must have A < B"),
        (["{rep}", "--peaks", "260", "--shape", "gauss"], "shape must be one of"),
        (["{rep}", "--peaks", "260", "--gruneisen", "1.1"], "--gruneisen needs --reference-cm1"),
        (["{dup}", "--peaks", "3"], "x value 3.0 appears twice"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, replicate_files, args, message):
    words = tmp_path / "words.txt"
    words.write_text("this is\nnot a spectrum\n")
    dup = tmp_path / "dup.txt"
    dup.write_text("1 1\n2 2\n3 3\n3 4\n4 5\n5 6\n6 7\n")
    args = [a.format(words=words, rep=replicate_files[0], dup=dup) for a in args]
    r = runner.invoke(app, ["raman", "fit", *args])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]


# --------------------------------------------------------------------------- real exports


def test_real_polystyrene_ring_breathing_band():
    """Polystyrene 1001.4 / 1031.8 cm-1 (ASTM E1840 Raman shift standard).

    The file says "AC=Not calibrated", so the absolute position is checked to +/- 3 cm-1
    and the band spacing (30.4 cm-1, insensitive to an offset) to +/- 1 cm-1.
    """
    r = runner.invoke(app, ["raman", "fit", str(DATA / "horiba_macroram_polystyrene.txt"), "--peaks", "1001,1031",
                            "--fwhm", "5", "--window", "950:1060", "--shape", "pvoigt", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)["samples"][0]
    c = [p["center_cm1"] for p in s["peaks"]]
    assert c[0] == pytest.approx(1001.4, abs=3)
    assert c[1] - c[0] == pytest.approx(30.4, abs=1.0)
    assert s["converged"] and s["r2"] > 0.99


def test_real_acetonitrile_band_spacings():
    """Acetonitrile 918.0 / 2249.4 / 2942.5 cm-1 (ASTM E1840).  The LabRAM file is uncalibrated
    ("AC=Not calibrated", resolution 31 cm-1): every band sits ~11 cm-1 high, so the spacings
    (1331.4 and 693.1 cm-1) are checked, to 3 cm-1 (a tenth of the resolution)."""
    r = runner.invoke(app, ["raman", "fit", str(DATA / "horiba_labram_acetonitrile_473nm.txt"), "--peaks",
                            "918,2250,2942", "--window", "800:3100", "--fwhm", "25", "--max-shift", "20",
                            "--baseline", "asls", "--json"])
    assert r.exit_code == 0, r.output
    c = [p["center_cm1"] for p in json.loads(r.stdout)["samples"][0]["peaks"]]
    assert c[1] - c[0] == pytest.approx(2249.4 - 918.0, abs=3)
    assert c[2] - c[1] == pytest.approx(2942.5 - 2249.4, abs=3)


def test_real_renishaw_map_as_replicates():
    """Four map positions of one algal culture: the carotenoid C=C band (nu1, ~1525 cm-1)
    fitted with a shared width; positions agree to within a few cm-1 between spots."""
    r = runner.invoke(app, ["raman", "fit", str(DATA / "renishaw_CC-125_TAP_multipoint.txt"), "--peaks", "1525",
                            "--window", "1470:1580", "--share", "width", "--despike", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)["samples"][0]
    summ = s["summary"][0]
    assert s["converged"] and summ["n_spectra"] == 4
    assert 1515 < summ["center_cm1_mean"] < 1535
    assert summ["center_cm1_sd"] < 2.0
