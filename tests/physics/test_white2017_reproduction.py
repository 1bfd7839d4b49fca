"""`cationx reproduce white2017-physics` writes its files and the paper's numbers."""

from __future__ import annotations

import json

import pytest

from cationx.reproduce import available, run


def test_reproduction_numbers(tmp_path):
    assert "white2017-physics" in available()
    (rep,) = run("white2017-physics", tmp_path)
    n = rep.numbers
    assert n["raman_pressure_linear_shortcut_gpa"] == pytest.approx(2.04)
    assert n["raman_pressure_volumetric_gpa"] == pytest.approx(6.0, abs=0.1)
    assert n["raman_volumetric_strain"] == pytest.approx(0.07, abs=0.001)
    assert n["raman_strain_recovered"] == pytest.approx(0.024)
    assert n["pxrd_strain_recovered"] == pytest.approx(0.045)
    assert n["pxrd_111_two_theta_deg_6nm"] == pytest.approx(26.4, abs=0.05)
    assert n["lspr_formula_at_1ev"] == "Cu1.80Se"
    assert n["lspr_density_ratio_2nm_6nm"] == pytest.approx(1.146, abs=0.001)
    assert all(f.exists() and f.stat().st_size > 0 for f in rep.files)
    assert json.loads((tmp_path / "white2017-physics" / "numbers.json").read_text())["lspr_formula_at_1ev"] == "Cu1.80Se"
    # numbers recomputed from the paper (tests/physics/test_white2017_paper_numbers.py checks the values)
    assert n["paper_numbers"]["fringe_strain_2nm"]["source"].startswith("001")
    assert (tmp_path / "white2017-physics" / "paper_numbers.csv").exists()
    summary = (tmp_path / "white2017-physics" / "SUMMARY.md").read_text()
    assert "n is not given" in summary and "fringe" in summary
