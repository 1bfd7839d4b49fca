"""Reproduction of Yao et al. 2023 (seed 004): reported vs computed most-abundant m/z."""

from __future__ import annotations

import pytest

from cationx.reproduce import available
from cationx.reproduce.yao2023 import _mode_table, run


def test_registered():
    assert "yao2023" in available()


def test_reported_values_against_computed():
    """Paper values (text, Fig. 3): integers read off spectra (see the module for the rule)."""
    t = _mode_table().set_index("label")
    # Cd34S33(L) at 5163 (Fig. 3b): closest tallest peak [M]+ 5163.05
    assert t.loc["Cd34S33(L)", "best_mode"] == "[M]+"
    assert t.loc["Cd34S33(L)", "error_da"] == pytest.approx(0.05, abs=0.02)
    # AgCd33S33(L) 5159 and Ag2Cd32S33(L) 5155: closest as [M+H]+; as [M]+ the tallest peak
    # is ~1 Da lower, but the flat top keeps [M]+ consistent too
    for lab in ("AgCd33S33(L)", "Ag2Cd32S33(L)"):
        assert t.loc[lab, "best_mode"] == "[M+H]+"
        assert abs(t.loc[lab, "error_da"]) < 0.1
        assert abs(t.loc[lab, "mz_[M]+"] - t.loc[lab, "reported_mz"]) > 0.9
        assert "[M]+" in t.loc[lab, "consistent_modes"].split(";")
    # the flat top: at least 3 peaks (>= 2 Da) within 2 % of the tallest
    assert t.loc["Cd34S33(L)", "flat_top_high"] - t.loc["Cd34S33(L)", "flat_top_low"] >= 2.0
    for lab in ("Ag2S cluster at 3297", "Ag2S cluster at 3329", "Ag2S cluster at 3545"):
        assert t.loc[lab, "agrees"]
    for lab in ("Cd36S31(L)", "Cd37S32(L)", "Cd38S33(L)"):
        assert not t.loc[lab, "agrees"]
        assert abs(t.loc[lab, "mz_[M]+"] - t.loc[lab, "reported_mz"]) > 70
    assert not t.loc["Ag2Cd32S33", "agrees"]  # 4871.8 vs 'around 4860'


def test_run_writes_files(tmp_path):
    rep = run(tmp_path)
    assert (tmp_path / "SUMMARY.md").exists()
    assert all(f.exists() for f in rep.files)
    assert rep.numbers["spacing_S"] == pytest.approx(32.07, abs=0.01)
    assert rep.numbers["spacing_Ag2S"] == pytest.approx(247.80, abs=0.01)
    assert "S" in rep.numbers["periodicity_found"] and "Ag2S" in rep.numbers["periodicity_found"]
    # numbers recomputed from the paper (values checked in test_yao2023_paper_numbers.py)
    assert rep.numbers["paper_numbers"]["ag3d52_shift_ev"]["verdict"] == "agrees within the rounding of the paper's inputs"
    assert (tmp_path / "paper_numbers.csv").exists()
    assert "printed 2.7" in (tmp_path / "SUMMARY.md").read_text()
