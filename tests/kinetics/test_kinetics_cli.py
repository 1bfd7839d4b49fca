"""CLI: cationx kinetics fit / compare and cationx piecewise fit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.kinetics import two_stage

runner = CliRunner()


@pytest.fixture
def trace(tmp_path):
    rng = np.random.default_rng(5)
    t = np.arange(0.0, 101.0, 2.0)
    a = two_stage(t, 0.9, 0.056, 0.019, 20.0) + rng.normal(0, 0.005, t.size)
    path = tmp_path / "trace.csv"
    pd.DataFrame({"t": t, "a": a}).to_csv(path, index=False)
    return path


@pytest.fixture
def ag(tmp_path):
    path = tmp_path / "ag.csv"
    path.write_text("addition,incorporation\n0,0\n75,8.0\n100,12.1\n135,40.4\n175,40\n")
    return path


def test_two_stage_json_has_t_break_and_criteria(trace):
    r = runner.invoke(app, ["kinetics", "fit", str(trace), "--model", "two-stage", "--ci", "stderr", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert set(d["params"]["t_break"]) >= {"value", "stderr", "ci_low", "ci_high"}
    assert d["params"]["t_break"]["ci_low"] <= 20.0 <= d["params"]["t_break"]["ci_high"]
    assert isinstance(d["aic"], float) and isinstance(d["bic"], float)


def test_log_linear_windows_json(trace, tmp_path):
    plot = tmp_path / "k.png"
    r = runner.invoke(
        app,
        ["kinetics", "fit", str(trace), "--model", "log-linear-windows", "--windows", "0:20,20:100", "--json", "--plot", str(plot)],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["params"]["k_1"]["value"] == pytest.approx(0.056, rel=0.1)
    assert d["params"]["k_2"]["value"] == pytest.approx(0.019, rel=0.1)
    assert len(d["r2"]) == 2 and plot.stat().st_size > 0


def test_compare_text(trace):
    r = runner.invoke(app, ["kinetics", "compare", str(trace)])
    assert r.exit_code == 0, r.output
    assert "breakpoint is supported" in r.stdout


def test_piecewise_windows_json(ag):
    r = runner.invoke(
        app, ["piecewise", "fit", str(ag), "--x-col", "addition", "--y-col", "incorporation", "--windows", "0:75,100:135", "--json"]
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert round(d["slopes"][0]["value"], 2) == 0.11
    assert d["slopes"][1]["value"] == pytest.approx(0.83, abs=0.03)
    assert d["breakpoints"] == []


def test_piecewise_breakpoints_json(tmp_path):
    x = np.linspace(0, 10, 30)
    y = np.where(x < 4, x, 4 + 3 * (x - 4))
    path = tmp_path / "pw.csv"
    pd.DataFrame({"x": x, "y": y + np.random.default_rng(1).normal(0, 0.05, x.size)}).to_csv(path, index=False)
    r = runner.invoke(app, ["piecewise", "fit", str(path), "--breakpoints", "1", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["breakpoints"][0]["ci_low"] <= 4.0 <= d["breakpoints"][0]["ci_high"]
    assert len(d["slopes"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["piecewise", "fit", "{ag}", "--x-col", "addition", "--y-col", "incorporation", "--breakpoints", "2"], "needs at least 7 points"),
        (["piecewise", "fit", "{ag}", "--x-col", "addition", "--y-col", "incorporation"], "exactly one of"),
        (["kinetics", "fit", "{trace}", "--model", "second-order"], "--model must be one of"),
        (["kinetics", "fit", "{trace}", "--model", "log-linear-windows"], "needs windows"),
        (["kinetics", "fit", "{trace}", "--model", "log-linear-windows", "--windows", "0-20"], "LO:HI"),
        (["kinetics", "fit", "{trace}", "--a-col", "absorbance"], "no column 'absorbance'"),
        (["kinetics", "fit", "{missing}"], "not found"),
    ],
)
def test_bad_input_one_line_exit_2(args, message, ag, trace, tmp_path):
    args = [a.format(ag=ag, trace=trace, missing=tmp_path / "nope.csv") for a in args]
    r = runner.invoke(app, args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output


def test_too_few_points_for_two_stage_cli(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("t,a\n0,1\n1,0.5\n2,0.3\n3,0.2\n4,0.15\n5,0.1\n")
    r = runner.invoke(app, ["kinetics", "fit", str(path), "--model", "two-stage"])
    assert r.exit_code == 2 and "needs at least 7 points" in r.stderr


def test_out_and_plot_files(trace, ag, tmp_path):
    out, plot = tmp_path / "fit.csv", tmp_path / "fit.png"
    r = runner.invoke(app, ["kinetics", "fit", str(trace), "--ci", "none", "--out", str(out), "--plot", str(plot)])
    assert r.exit_code == 0, r.output
    assert set(pd.read_csv(out).columns) >= {"x", "y", "y_fit", "residual"} and plot.stat().st_size > 0
    pw_plot = tmp_path / "pw.png"
    r = runner.invoke(app, ["piecewise", "fit", str(ag), "--x-col", "addition", "--y-col", "incorporation",
                            "--windows", "0:75,100:135", "--plot", str(pw_plot), "--out", str(tmp_path / "pw.csv")])
    assert r.exit_code == 0, r.output
    assert pw_plot.stat().st_size > 0
    r = runner.invoke(app, ["kinetics", "fit", str(trace), "--out", str(trace)])
    assert r.exit_code == 2 and "refusing to write output over input" in r.stderr
