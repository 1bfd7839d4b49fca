"""The ``cationx xrd`` commands and ``cationx reproduce white2017``: output and bad input (exit 2)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.crystal import load_structure
from cationx.crystal.powder import powder_pattern

runner = CliRunner()


def _run(args):
    return runner.invoke(app, args)


def test_simulate_json_and_files(tmp_path):
    out, plot, sticks = tmp_path / "p.csv", tmp_path / "p.png", tmp_path / "s.csv"
    r = _run(["xrd", "simulate", "cu2se-2nm", "--size-nm", "2", "--two-theta-range", "15", "65", "--json", "--out", str(out), "--plot", str(plot), "--sticks", str(sticks)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    refl = d["reflections"]
    assert set(refl[0]) == {"h", "k", "l", "multiplicity", "d_angstrom", "two_theta_deg", "intensity"}
    assert max(x["intensity"] for x in refl) == pytest.approx(100)
    assert len(d["two_theta_deg"]) == len(d["intensity"]) == len(d["q_inv_angstrom"]) == len(d["d_angstrom"])
    assert out.exists() and plot.exists() and sticks.exists()
    off = json.loads(_run(["xrd", "simulate", "cu2se-2nm", "--no-dispersion", "--json"]).stdout)
    assert off["dispersion"] is False


def test_simulate_text_and_library():
    r = _run(["xrd", "simulate", "au"])
    assert r.exit_code == 0 and "(1 1 1)" not in r.stdout and "2.354" in r.stdout
    lib = _run(["xrd", "library", "--json"])
    names = [p["name"] for p in json.loads(lib.stdout)["phases"]]
    assert "cdse-wurtzite" in names and "cu2se-bellidoite" in names


def test_simulate_electrons():
    r = _run(["xrd", "simulate", "cdse-wurtzite", "--electron-kv", "200", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["wavelength_angstrom"] == pytest.approx(0.02508, abs=2e-5)
    assert d["reflections"][0]["d_angstrom"] == pytest.approx(3.723, abs=1e-3)


def test_series_cli(tmp_path):
    """001 Table 3 from its end points: the middle step holds 8c 0.685 and 32f 0.07875."""
    r = _run(["xrd", "series", "cu2se-t3a", "cu2se-t3c", "--steps", "3", "--size-nm", "4", "--json", "--plot", str(tmp_path / "s.png")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    mid = d["steps"][1]["occupancies"]
    assert mid["Cu8c"] == pytest.approx(0.685) and mid["Cu32f"] == pytest.approx(0.07875)
    assert len(d["intensity"]) == 3 and (tmp_path / "s.png").exists()
    bad = _run(["xrd", "series", "cu2se-t3a", "cu2se-2nm"])
    assert bad.exit_code == 2 and "same space group and site labels" in bad.stderr


def test_index_cli():
    r = _run(["xrd", "index", "--d", "3.57", "2.55", "2.17", "2.02", "1.88", "--elements", "Cd,Se,Cu", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["best"] == "cdse-wurtzite"


def test_refine_and_identify_cli(tmp_path):
    s = load_structure("cu2se-4nm")
    p = powder_pattern(s, size_nm=4, two_theta_range_deg=(20, 60), step_deg=0.05)
    y = np.random.default_rng(0).poisson(2000 * p.intensity / 100 + 100)
    f = tmp_path / "m.xy"
    f.write_text("\n".join(f"{a:.3f} {b}" for a, b in zip(p.two_theta_deg, y, strict=True)))
    r = _run(["xrd", "refine", str(f), "cu2se-6nm", "--occupancy", "Cu8c", "--occupancy", "Cu32f", "--composition", "Cu=8", "--json", "--out", str(tmp_path / "fit.csv")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["occupancies"]["Cu8c"] == pytest.approx(1.0, abs=0.03)
    assert d["rwp_percent"] < 10
    r = _run(["xrd", "identify", str(f), "--candidate", "cu2se-4nm", "--candidate", "cdse-wurtzite", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["best"] == "cu2se-4nm"
    # never over an input
    r = _run(["xrd", "refine", str(f), "cu2se-4nm", "--out", str(f)])
    assert r.exit_code == 2


BAD_CIF = "data_x\n_cell_length_a 5\nloop_\n_atom_site_label\n'unterminated\n"


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        ({"bad.cif": BAD_CIF}, ["xrd", "simulate", "{bad.cif}"], "CIF"),
        ({"el.toml": 'spacegroup = "Fm-3m"\n[cell]\na = 5\n[[sites]]\nelement = "Qq"\nxyz = [0,0,0]\n'}, ["xrd", "simulate", "{el.toml}"], "unknown element"),
        ({"neg.toml": 'spacegroup = "Fm-3m"\n[cell]\na = 5\n[[sites]]\nelement = "Cu"\nxyz = [0,0,0]\noccupancy = -0.2\n'}, ["xrd", "simulate", "{neg.toml}"], "occupancy must lie in"),
        (
            {"over.toml": 'spacegroup = "Fm-3m"\n[cell]\na = 5\n[[sites]]\nelement = "Cu"\nxyz = [0,0,0]\noccupancy = 0.7\n[[sites]]\nelement = "Ag"\nxyz = [0.5,0.5,0]\noccupancy = 0.7\n'},
            ["xrd", "simulate", "{over.toml}"],
            "filled beyond 1",
        ),
        ({"sg.toml": 'spacegroup = "Z 9 9"\n[cell]\na = 5\n[[sites]]\nelement = "Cu"\nxyz = [0,0,0]\n'}, ["xrd", "simulate", "{sg.toml}"], "unknown space group"),
        ({"empty.xy": "# no data\n"}, ["xrd", "refine", "{empty.xy}", "au"], "empty pattern"),
        ({"empty.xy": "# no data\n"}, ["xrd", "identify", "{empty.xy}"], "empty pattern"),
        ({}, ["xrd", "simulate", "au", "--two-theta-range", "50", "10"], "two_theta_range_deg"),
        ({}, ["xrd", "index"], "at least one d-spacing"),
        ({}, ["xrd", "index", "--d", "3.5", "abc"], "must be numbers"),
        ({}, ["xrd", "simulate", "nosuchphase"], "unknown structure"),
        ({}, ["xrd", "simulate", "cu2se-bellidoite"], "no solved atomic structure"),
        ({}, ["xrd", "simulate", "au", "--step-deg", "0"], "step_deg must be > 0"),  # not replaced by the default
        ({}, ["xrd", "simulate", "au", "--two-theta-range", "0", "90"], "start above 0 deg"),  # d = inf at 0
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, files, args, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    args = [str(tmp_path / a[1:-1]) if a.startswith("{") else a for a in args]
    r = _run(args)
    assert r.exit_code == 2, r.output
    err = r.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and "Traceback" not in r.output
    assert message in err


def test_reproduce_white2017(tmp_path):
    r = _run(["reproduce", "white2017", "--out", str(tmp_path / "w"), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    t = d["numbers"]["trends"]
    assert t["fig4b_200_over_111_rises_6_to_2nm"] and t["fig4b_311_falls_6_to_2nm"]
    r6, r4, r2 = t["fig4b_ratio_200_111_sticks_6_4_2nm"]
    assert r6 < r4 < r2
    assert d["numbers"]["24e_x075_equals_x025"] is True
    assert (tmp_path / "w" / "white2017" / "SUMMARY.md").exists() and (tmp_path / "w" / "white2017" / "fig4b.png").exists()
