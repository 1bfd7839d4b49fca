"""CLI: cationx calc ..."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app

runner = CliRunner()


def test_pressure_json_keys_and_values():
    r = runner.invoke(app, ["calc", "pressure", "--linear-strain", "0.024", "--bulk-modulus-gpa", "85", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["pressure_linear_shortcut_gpa"] == pytest.approx(2.04)
    assert d["pressure_volumetric_gpa"] == pytest.approx(6.0, abs=0.1)
    assert d["pressure_birch_murnaghan_gpa"] > d["pressure_volumetric_gpa"]


def test_pressure_b_prime_changes_only_birch_murnaghan():
    out = []
    for bp in ("4", "6"):
        r = runner.invoke(app, ["calc", "pressure", "--linear-strain", "0.024", "--bulk-modulus-gpa", "85", "--b-prime", bp, "--json"])
        out.append(json.loads(r.stdout))
    assert out[0]["pressure_volumetric_gpa"] == out[1]["pressure_volumetric_gpa"]
    assert out[1]["pressure_birch_murnaghan_gpa"] > out[0]["pressure_birch_murnaghan_gpa"]


def test_raman_strain_cli_round_trip():
    r = runner.invoke(app, ["calc", "raman-strain", "--strain", "-0.024", "--json"])
    rel = json.loads(r.stdout)["relative_shift"]
    r2 = runner.invoke(app, ["calc", "raman-strain", "--relative-shift", repr(rel), "--json"])
    assert json.loads(r2.stdout)["linear_strain"] == pytest.approx(-0.024)
    r3 = runner.invoke(app, ["calc", "raman-strain", "--omega", str(260 * (1 + rel)), "--omega-ref", "260", "--json"])
    assert json.loads(r3.stdout)["compressive_strain"] == pytest.approx(0.024)


def test_lspr_and_gibbs_thomson_cli():
    r = runner.invoke(app, ["calc", "lspr", "--energy-ev", "1.0", "--diameter-nm", "2.1", "--json"])
    d = json.loads(r.stdout)
    assert d["formula"] == "Cu1.80Se" and d["drude"]["effective_mass"] == 0.4
    r = runner.invoke(app, ["calc", "gibbs-thomson", "--diameter-nm", "2", "--surface-energy-j-m2", "1",
                            "--molar-volume-cm3-mol", "30.1", "--json"])
    assert json.loads(r.stdout)["laplace_pressure_gpa"] == pytest.approx(2.0)


def test_lspr_source_names_the_assumed_defaults_that_remain():
    r = runner.invoke(app, ["calc", "lspr", "--energy-ev", "1.0", "--json"])
    assert "assumed defaults" in json.loads(r.stdout)["drude"]["source"]
    r = runner.invoke(app, ["calc", "lspr", "--energy-ev", "1.0", "--effective-mass", "0.3", "--json"])
    src = json.loads(r.stdout)["drude"]["source"]
    assert src.startswith("user-supplied m*;") and "eps_inf, eps_m" in src and "not measured" in src
    r = runner.invoke(app, ["calc", "lspr", "--energy-ev", "1.0", "--effective-mass", "0.3", "--eps-inf", "7",
                            "--eps-medium", "2.2", "--damping-ev", "0.1", "--json"])
    assert json.loads(r.stdout)["drude"]["source"] == "user-supplied"


def test_sizes_cli(tmp_path):
    path = tmp_path / "sizes.csv"
    d = np.random.default_rng(0).lognormal(0.73, 0.14, 50)
    path.write_text("diameter_nm\n" + "\n".join(f"{v:.4f}" for v in d) + "\n")
    r = runner.invoke(app, ["calc", "sizes", str(path), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["n"] == 50


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calc", "pressure", "--linear-strain", "0.02", "--bulk-modulus-gpa", "-85"], "bulk_modulus_gpa must be > 0"),
        (["calc", "pressure", "--linear-strain", "0.34", "--bulk-modulus-gpa", "85"], "must lie in (-1/3, 1/3)"),
        (["calc", "pressure", "--linear-strain", "0.3333333333333333", "--bulk-modulus-gpa", "85"], "must lie in (-1/3, 1/3)"),
        (["calc", "raman-strain", "--strain", "-0.4"], "must be > -1/3"),
        (["calc", "raman-strain"], "exactly one of"),
        (["calc", "lspr"], "exactly one of"),
        (["calc", "gibbs-thomson", "--diameter-nm", "0", "--surface-energy-j-m2", "1", "--molar-volume-cm3-mol", "30"], "diameter_nm must be > 0"),
        (["calc", "peak-strain", "--two-theta", "190", "--two-theta-ref", "26.4"], "two_theta_deg must lie in"),
    ],
)
def test_bad_input_one_line_exit_2(args, message):
    r = runner.invoke(app, args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_ordered_fraction_cli():
    r = runner.invoke(app, ["calc", "ordered-fraction", "--diameters-nm", "2,4,6", "--fractions", "0,0.1,0.8",
                            "--n-counted", "30", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["rows"]
    assert rows[1]["delta_ea_kj_mol"] == pytest.approx(-5.15, abs=0.01)
    assert rows[0]["delta_ea_kj_mol"] is None  # -inf: 0 % ordered gives only a bound
    bad = runner.invoke(app, ["calc", "ordered-fraction", "--diameters-nm", "2,4", "--fractions", "0.1,x", "--n-counted", "30"])
    assert bad.exit_code == 2 and "comma-separated numbers" in bad.stderr
