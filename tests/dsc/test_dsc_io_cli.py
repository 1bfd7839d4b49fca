"""DSC readers (TA, Netzsch decimal comma, Mettler STARe, CSV in K/s/W/g), the CLI and the real TA file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.errors import DataFileError
from cationx.io.dsc import read_dsc

from .conftest import DATA, Truth, write_csv_kelvin, write_mettler, write_netzsch, write_ta

runner = CliRunner()


@pytest.fixture
def files(tmp_path, run):
    time, temp, hf = run
    return {
        "ta": write_ta(tmp_path / "run_ta.txt", time, temp, hf),
        "netzsch": write_netzsch(tmp_path / "run_netzsch.txt", time, temp, hf / 5.0),
        "mettler": write_mettler(tmp_path / "run_mettler.txt", time, temp, hf),
        "generic": write_csv_kelvin(tmp_path / "run.csv", time, temp, hf / 5.0),
    }


@pytest.mark.parametrize(
    ("kind", "unit", "mass"),
    [("ta", "mW", 5.0), ("netzsch", "mW/mg", 5.0), ("mettler", "mW", 5.0), ("generic", "W/g", None)],
)
def test_readers_recover_the_run(files, run, kind, unit, mass):
    time, temp, hf = run
    d = read_dsc(files[kind])
    assert d.format == kind and d.heat_flow_unit == unit and d.mass_mg == mass
    assert np.allclose(d.temperature_c, temp, atol=1e-3)
    assert np.allclose(d.time_s, time, atol=0.01)
    assert d.exo_up is (True if kind in ("ta", "netzsch") else None)
    scale = 1.0 if unit == "mW" else 5.0
    assert np.allclose(d.heat_flow * scale, hf, atol=1e-4)


@pytest.mark.parametrize("kind", ["ta", "netzsch", "mettler", "generic"])
def test_cli_analyze_every_format(files, kind):
    t = Truth()
    r = runner.invoke(app, ["dsc", "analyze", str(files[kind]), "--exo-up", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["enthalpy_unit"] == "J/g" and d["exo_up"] is True
    heat = next(x for x in d["transitions"] if x["direction"] == "heating")
    assert heat["onset_c"] == pytest.approx(t.onset_heat_c, abs=0.5)
    assert heat["enthalpy"] == pytest.approx(t.enthalpy_j_g, rel=0.02)
    assert d["hysteresis"][0]["peak_difference_k"] == pytest.approx(12.0, abs=0.2)


def test_cli_text_out_plot_and_mass_override(files, tmp_path):
    out, plot = tmp_path / "res", tmp_path / "dsc.png"
    r = runner.invoke(app, ["dsc", "analyze", str(files["ta"]), "--mass-mg", "10", "--out", str(out),
                            "--plot", str(plot)])
    assert r.exit_code == 0, r.output
    assert "sign convention: exo up" in r.stdout and "source: file header" in r.stdout
    assert "hysteresis" in r.stdout
    tr = pd.read_csv(out / "dsc_transitions.csv")
    assert tr.loc[tr.direction == "heating", "enthalpy"].iloc[0] == pytest.approx(10.0, rel=0.02)  # 100 mJ / 10 mg
    assert {p.name for p in out.iterdir()} == {"dsc_transitions.csv", "dsc_curves.csv", "dsc.json"}
    assert plot.stat().st_size > 0
    assert "--mass-mg 10 used instead of the file's 5 mg" in r.stdout


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "DSC file not found"),
        ("header only\nno numbers\n", [], "no block of numeric rows"),
        ("time (s),temperature (C),heat flow (mW)\n" + "\n".join(f"{100 - k},{k},{0.1}" for k in range(40)), [],
         "time must not decrease"),
        ("{ta}", ["--mass-mg", "-3"], "--mass-mg must be a positive mass"),
        ("{ta}", ["--range", "200:300"], "lies outside the data"),
        ("{ta}", ["--range", "30"], "--range must look like A:B"),
        ("a,b\n" + "\n".join(f"{k},{k}" for k in range(40)), [], "no temperature column"),
        ("time (s),temperature (C),heat flow (mW)\n" + "\n".join(f"{k},{(k * 7919) % 97},{0.1}" for k in range(200)),
         [], "does not follow a heating/cooling program"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, files, content, args, message):
    if content is None:
        path = tmp_path / "missing.txt"
    elif content == "{ta}":
        path = files["ta"]
    else:
        path = tmp_path / "bad.csv"
        path.write_text(content)
    r = runner.invoke(app, ["dsc", "analyze", str(path), *args])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]


def test_unknown_columns_named(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("foo,bar,baz\n" + "\n".join(f"{k},{k},{k}" for k in range(20)))
    with pytest.raises(DataFileError, match="no temperature column among 'foo', 'bar', 'baz'"):
        read_dsc(p)


# --------------------------------------------------------------------------- real TA export


def test_real_ta_eicosane():
    """n-eicosane (TA 2920, 9.00 mg, 1 K/min, exo up; pkynetics sample data, MIT).

    Checked: the reader takes mass, sign and units from the header; the program splits into
    one heating and one cooling ramp at 1.0 K/min despite recalescence on freezing; melting
    onset 34.5-37.5 °C (literature melting point 36.4-36.8 °C; the extrapolated onset of a
    pure compound sits at its melting point within the calibration); enthalpy of fusion
    230-300 J/g (literature 247 J/g, published DSC values up to ~270 J/g; the file's cell
    constant is not ours to check); the heat released on freezing equals the heat absorbed
    on melting within 2 % (the same baseline construction on both ramps).
    """
    r = runner.invoke(app, ["dsc", "analyze", str(DATA / "ta_eicosane_1Kmin.txt"), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["file"]["mass_mg"] == 9.0 and d["exo_up"] is True and "file header" in d["sign_convention"]
    ramps = [s for s in d["segments"] if s["kind"] != "isothermal"]
    assert [s["kind"] for s in ramps] == ["heating", "cooling"]
    assert [s["rate_k_min"] for s in ramps] == pytest.approx([1.0, -1.0], abs=0.05)
    heat = next(x for x in d["transitions"] if x["direction"] == "heating")
    cool = next(x for x in d["transitions"] if x["direction"] == "cooling")
    assert 34.5 < heat["onset_c"] < 37.5 and heat["peak_c"] > heat["onset_c"]
    assert 230 < heat["enthalpy"] < 300 and d["enthalpy_unit"] == "J/g"
    assert -cool["enthalpy"] == pytest.approx(heat["enthalpy"], rel=0.02)
    assert cool["kind"] == "exothermic" and cool["onset_c"] < heat["onset_c"] + 1.0


def test_netzsch_point_decimal_exo_down_header(tmp_path, run):
    """Layout of a NETZSCH DSC 204 F1 export: '#KEY:value' without ';', '#EXO:-1' (exotherms
    negative), decimal point, a fourth column; the sign is taken from the header."""
    time, temp, hf_exo_up = run
    head = ["#SEPARATOR:SEMICOLON", "#DECIMAL:POINT", "#EXO:-1", "#RANGE:-40°C/10,0(K/min)/60°C",
            "#SAMPLE MASS /mg:5.00", "##Temp./°C;Time/min;DSC/(mW/mg);Sensit./(uV/mW)"]
    rows = [f"{T:10.5f};{t / 60:10.5f};{-h / 5:.6e};3.42446" for t, T, h in zip(time, temp, hf_exo_up, strict=True)]
    p = tmp_path / "phoenix.txt"
    p.write_text("\n".join(head + rows) + "\n", encoding="latin-1")
    r = runner.invoke(app, ["dsc", "analyze", str(p), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["exo_up"] is False and "file header" in d["sign_convention"] and d["file"]["mass_mg"] == 5.0
    heat = next(x for x in d["transitions"] if x["direction"] == "heating")
    assert heat["kind"] == "endothermic" and heat["enthalpy"] == pytest.approx(20.0, rel=0.02)
