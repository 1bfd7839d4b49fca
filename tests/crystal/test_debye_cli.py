"""``xrd debye`` and ``xrd build`` (attached to the xrd group by the integrator; tested here
on a small typer app with the same top-level error handling), and the comparison helper."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from cationx.cli import xrd_debye
from cationx.cli._common import CationxGroup
from cationx.crystal import load_structure
from cationx.crystal.cluster import compare_kinematic

app = typer.Typer(cls=CationxGroup)
app.command("debye")(xrd_debye.debye)
app.command("build")(xrd_debye.build)
runner = CliRunner()


def _run(args):
    return runner.invoke(app, args)


def test_debye_json_and_files(tmp_path):
    out, plot = tmp_path / "d.csv", tmp_path / "d.png"
    r = _run(["debye", "cu2se-2nm", "--diameter-nm", "1.5", "--two-theta-range", "20", "60", "--step-deg", "0.1",
              "--json", "--out", str(out), "--plot", str(plot)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert {"two_theta_deg", "intensity", "n_atoms", "n_sites", "maxima", "laue", "coherent"} <= set(d)
    assert len(d["two_theta_deg"]) == len(d["intensity"]) == 401
    assert d["maxima"] and {"two_theta_deg", "intensity", "relative_intensity"} == set(d["maxima"][0])
    assert d["method"] == "fft"
    assert out.exists() and plot.exists()
    text = _run(["debye", "cu2se-4nm", "--diameter-nm", "1.5", "--step-deg", "0.2"])
    assert text.exit_code == 0 and "maximum at" in text.stdout


def test_debye_random_with_size_distribution():
    r = _run(["debye", "cu2se-2nm", "--diameter-nm", "1.5", "--size-sd-nm", "0.2", "--occupancy", "random",
              "--configurations", "2", "--seed", "4", "--step-deg", "0.2", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["configurations"] == 2 and np.all(np.array(d["laue"]) == 0)


def test_build_writes_extxyz(tmp_path):
    path = tmp_path / "c.extxyz"
    r = _run(["build", "cu2se-2nm", "--diameter-nm", "2", "--out", str(path), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["n_atoms"] > 100 and path.exists()
    cube = tmp_path / "cube.xyz"
    r = _run(["build", "cu2se-4nm", "--diameter-nm", "2", "--shape", "faceted", "--facet", "100:1", "--out", str(cube)])
    assert r.exit_code == 0, r.output
    assert "atoms" in r.stdout and cube.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["debye", "cu2se-2nm", "--diameter-nm", "0"], "--diameter-nm must be > 0"),
        (["debye", "cu2se-2nm", "--diameter-nm", "5000"], "max_sites"),
        (["debye", "no-such-phase", "--diameter-nm", "2"], "unknown structure"),
        (["debye", "cu2se-2nm", "--diameter-nm", "2", "--occupancy", "random", "--min-distance", "Cu-Se:2.0"], "cannot be satisfied"),
        (["debye", "cu2se-2nm", "--diameter-nm", "2", "--min-distance", "CuSe2"], "--min-distance must look like"),
        (["debye", "cu2se-2nm", "--diameter-nm", "2", "--two-theta-range", "50", "10"], "--two-theta-range"),
        (["debye", "cu2se-2nm", "--diameter-nm", "2", "--occupancy", "both"], "--occupancy must be one of"),
        (["build", "cu2se-2nm", "--diameter-nm", "2", "--out", "x.xyz"], "plain xyz cannot hold partial occupancies"),
        (["build", "cu2se-2nm", "--diameter-nm", "2", "--out", "x.extxyz", "--shape", "faceted", "--facet", "1x1"], "--facet must look like"),
        (["debye", "cu2se-2nm", "--diameter-nm", "1", "--occupancy", "random", "--seed", "-1"], "non-negative integer seed"),
        (["build", "cu2se-2nm", "--diameter-nm", "1", "--occupancy", "random", "--seed", "-1", "--out", "r.xyz"], "non-negative integer seed"),
    ],
)
def test_bad_input_one_line_exit_2(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = _run(args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_output_never_over_input(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text(
        'name = "x"\nspacegroup = "Fm-3m"\n[cell]\na = 5.85\n[[sites]]\nlabel = "Se"\nelement = "Se"\nxyz = [0, 0, 0]\n'
    )
    r = _run(["build", str(toml), "--diameter-nm", "1", "--out", str(toml)])
    assert r.exit_code == 2 and "refusing to write output over input" in r.stderr


def test_compare_kinematic_small_and_large():
    # 2 nm: Debye maxima move by tenths of a degree and 200 merges into 111 (issue 4 / seed 001)
    small = compare_kinematic(load_structure("cu2se-2nm"), 2.0)
    rows = {m["hkl"]: m for m in small.maxima}
    assert rows["200"]["debye_max_deg"] is None
    for hkl in ("220", "311", "400"):
        assert 0.2 < abs(rows[hkl]["shift_deg"]) < 0.7
    # 4 nm anti-fluorite: shifts below 0.1 deg on the strong reflections
    big = compare_kinematic(load_structure("cu2se-4nm"), 4.0)
    strong = [m for m in big.maxima if m["relative_intensity"] > 15]
    assert strong and all(abs(m["shift_deg"]) < 0.1 for m in strong)
    assert list(big.to_frame().columns) == ["two_theta_deg", "kinematic", "debye"]
    assert big.to_dict()["diameter_nm"] == 4.0


def test_debye_kinematic_comparison_and_faceted(tmp_path):
    r = _run(["debye", "cu2se-2nm", "--diameter-nm", "2", "--kinematic", "--json", "--plot", str(tmp_path / "k.png")])
    assert r.exit_code == 0, r.output
    rows = {m["hkl"]: m for m in json.loads(r.stdout)["comparison"]}
    assert rows["200"]["debye_max_deg"] is None and abs(rows["311"]["shift_deg"]) > 0.2
    text = _run(["debye", "cu2se-2nm", "--diameter-nm", "2", "--kinematic", "--step-deg", "0.05"])
    assert "merged" in text.stdout and "shift" in text.stdout
    r = _run(["debye", "cu2se-4nm", "--diameter-nm", "2", "--shape", "faceted", "--facet", "111:1", "--step-deg", "0.2", "--json"])
    assert r.exit_code == 0, r.output
    bad = _run(["debye", "cu2se-4nm", "--diameter-nm", "2", "--shape", "faceted", "--facet", "111:1", "--kinematic"])
    assert bad.exit_code == 2 and "spheres only" in bad.stderr


def test_no_thermal_diffuse_switch_removes_only_that_term():
    # Au has B = 0.6 A^2: the thermal diffuse term is sum p |f|^2 (1 - exp(-B Q^2 / 8 pi^2))
    args = ["debye", "au", "--diameter-nm", "1.5", "--step-deg", "0.5", "--json"]
    with_tds = json.loads(_run(args).stdout)
    without = json.loads(_run([*args, "--no-thermal-diffuse"]).stdout)
    tds = np.array(with_tds["thermal_diffuse"])
    assert tds.min() > 0 and np.all(np.array(without["thermal_diffuse"]) == 0)
    np.testing.assert_allclose(np.array(without["coherent"]), np.array(with_tds["coherent"]), rtol=1e-12)
    # the thermal term rises with Q, as 1 - exp(-B Q^2 / 8 pi^2)
    assert tds[-1] > tds[0]
