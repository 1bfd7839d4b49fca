"""CLI: cationx xps fit / auger / levels."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cationx.cli import app

runner = CliRunner()


@pytest.fixture
def ag_csv(tmp_path, make_ag3d):
    x, y, _ = make_ag3d()
    path = tmp_path / "ag3d.csv"
    pd.DataFrame({"binding_energy_ev": x[::-1], "intensity": y[::-1]}).to_csv(path, index=False)
    return path


def test_fit_json_doublets(ag_csv, tmp_path):
    out, plot = tmp_path / "curves.csv", tmp_path / "fit.png"
    r = runner.invoke(app, ["xps", "fit", str(ag_csv), "--components", "msc:ag3d@368.5; ag2s:ag3d@366.6", "--json",
                            "--out", str(out), "--plot", str(plot)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["params"]["msc_center"]["value"] == pytest.approx(368.9, abs=0.05)
    assert d["params"]["ag2s_center2"]["value"] - d["params"]["ag2s_center"]["value"] == pytest.approx(6.0)
    assert len(d["lines"]) == 4 and d["background"]["method"] == "shirley" and d["background"]["converged"]
    assert set(pd.read_csv(out).columns) >= {"binding_energy_ev", "background", "fit", "msc", "ag2s"}
    assert plot.stat().st_size > 0


def test_fit_repeated_component_options_and_range(ag_csv):
    r = runner.invoke(app, ["xps", "fit", str(ag_csv), "--components", "msc:ag3d@368.5", "--components", "ag2s:ag3d@366.6",
                            "--range", "362:380", "--background", "linear"])
    assert r.exit_code == 0, r.output
    assert "ag2s" in r.stdout and "background: linear" in r.stdout


def test_auger_json():
    r = runner.invoke(app, ["xps", "auger", "--be", "932.5", "--ke", "917.2", "--json"])
    d = json.loads(r.stdout)
    assert d["state"] == "Cu(I)" and d["alpha_prime_ev"] == pytest.approx(1849.7)


def test_levels():
    r = runner.invoke(app, ["xps", "levels", "--json"])
    assert json.loads(r.stdout)["ag3d"]["split_ev"] == 6.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--components", "x:ag4d@368"], "unknown component kind 'ag4d'"),
        (["--components", "x:d@368"], "needs split="),
        (["--components", "x:ag3d@368", "--background", "spline"], "background must be one of"),
        (["--components", "x:ag3d@368", "--range", "100:110"], "spectrum is empty in the range"),
    ],
)
def test_bad_input_one_line_exit_2(ag_csv, args, message):
    r = runner.invoke(app, ["xps", "fit", str(ag_csv), *args])
    assert r.exit_code == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_empty_spectrum_files(tmp_path):
    header_only = tmp_path / "empty.csv"
    header_only.write_text("binding_energy_ev,intensity\n")
    zero = tmp_path / "zero.csv"
    zero.write_text("")
    for path, message in ((header_only, "no data rows"), (zero, "is empty")):
        r = runner.invoke(app, ["xps", "fit", str(path), "--components", "x:ag3d@368"])
        assert r.exit_code == 2 and message in r.stderr


def test_auger_negative_tolerance_is_refused():
    r = runner.invoke(app, ["xps", "auger", "--be", "932.5", "--ke", "917.2", "--tolerance-ev", "-0.1"])
    assert r.exit_code == 2
    assert "tolerance_ev must be >= 0" in r.stderr and len(r.stderr.strip().splitlines()) == 1
