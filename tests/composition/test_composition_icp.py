"""ICP-OES: synthetic truth (known moles -> readings -> recovered), blanks, LOD/LOQ, lines."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from cationx.composition import SampleInfo, analyze_icp, atomic_mass, derive
from cationx.errors import InputError, InterpretationWarning

LINES = {"Cd": (228.802, 214.439), "Cu": (324.754,), "Se": (196.026,)}
BLANK_MEAN, BLANK_SD, READ_RSD = 0.002, 0.0008, 0.01


def synthetic_table(mol, *, digest_ml=10.0, dilution=5.0, n_blank=6, n_read=3, rng=0, line_bias=None):
    """Readings (mg/L in the measured solution) for known moles in the digest."""
    gen = np.random.default_rng(rng)
    rows = []
    for el, lines in LINES.items():
        for ln in lines:
            for _ in range(n_blank):
                rows.append({"sample": "blank", "element": el, "line_nm": ln, "conc_mg_l": BLANK_MEAN + gen.normal(0, BLANK_SD)})
            true = mol[el] * atomic_mass(el) * 1e3 / (digest_ml * 1e-3) / dilution  # mg/L measured
            bias = (line_bias or {}).get((el, ln), 1.0)
            for _ in range(n_read):
                val = true * bias * (1 + gen.normal(0, READ_RSD)) + BLANK_MEAN + gen.normal(0, BLANK_SD)
                rows.append({"sample": "S1", "element": el, "line_nm": ln, "conc_mg_l": val})
    return pd.DataFrame(rows)


TRUTH = {"Cd": 2.0e-7, "Cu": 5.0e-7, "Se": 4.5e-7}


def _quiet(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InterpretationWarning)
        return analyze_icp(*args, **kw)


def test_synthetic_moles_recovered_within_uncertainty():
    """Known moles -> readings with 1 % reading noise and a noisy blank -> moles within 3 u."""
    t = synthetic_table(TRUTH, rng=1)
    res = _quiet(t, default=SampleInfo(digest_ml=10.0, dilution=5.0))
    e = res.elements.set_index("element")
    for el, n in TRUTH.items():
        assert abs(e.loc[el, "mol"] - n) < 3 * e.loc[el, "u_mol"], el
        assert e.loc[el, "u_mol"] / n < 0.03  # 1 % readings, 3 of them: about 0.6 % each
        assert e.loc[el, "flag"] == "ok"
    assert e.loc["Cd", "lines_used"] == "214.439;228.802"


def test_coverage_of_ratio_over_seeds():
    """Over 40 synthetic runs Cu/Cd lies within 2 u of the truth in >= 80 % (nominal 95 %;
    the standard error of 3 readings is itself uncertain, so the tails are t-like)."""
    inside = 0
    for seed in range(40):
        res = _quiet(synthetic_table(TRUTH, rng=seed), default=SampleInfo(digest_ml=10.0, dilution=5.0))
        r = derive(res.amounts("S1"), ratios=["Cu/Cd"]).get("Cu/Cd")
        inside += abs(r.value - 2.5) < 2 * r.uncertainty
    assert inside >= 32


def test_mg_per_l_to_mol_by_hand():
    """One reading, no blank: n = c x D x V / M (Cu: 63.546 g/mol, periodictable)."""
    t = pd.DataFrame({"sample": ["A"], "element": ["Cu"], "line_nm": [324.754], "conc_mg_l": [0.6355]})
    res = _quiet(t, default=SampleInfo(digest_ml=25.0, dilution=4.0, mass_mg=2.0))
    e = res.elements.iloc[0]
    assert e["mol"] == pytest.approx(0.6355 * 4 * 25e-3 / 1000 / 63.546, rel=1e-4)
    assert e["wt_pct"] == pytest.approx(0.6355 * 4 * 25e-3 / 2.0 * 100, rel=1e-9)
    assert e["flag"] == "no_lod"
    assert any("no blank" in w for w in res.warnings)


def test_lod_loq_flags_and_values_not_zeroed():
    blanks = [0.010, 0.012, 0.008, 0.011, 0.009]  # mean 0.010, sd 0.00158
    sd = float(np.std(blanks, ddof=1))
    rows = [{"sample": "blank", "element": "Ag", "line_nm": 328.068, "conc_mg_l": v} for v in blanks]
    rows += [{"sample": "low", "element": "Ag", "line_nm": 328.068, "conc_mg_l": 0.0095},
             {"sample": "mid", "element": "Ag", "line_nm": 328.068, "conc_mg_l": 0.010 + 5 * sd},
             {"sample": "high", "element": "Ag", "line_nm": 328.068, "conc_mg_l": 1.0}]
    res = _quiet(pd.DataFrame(rows))
    b = res.blanks.iloc[0]
    assert b["lod_mg_l"] == pytest.approx(3 * sd) and b["loq_mg_l"] == pytest.approx(10 * sd)
    flags = res.elements.set_index("sample")["flag"].to_dict()
    assert flags == {"low": "<LOD", "mid": "<LOQ", "high": "ok"}
    low = res.elements.set_index("sample").loc["low", "net_mg_l"]
    assert low == pytest.approx(-0.0005)  # kept as measured, negative, never clamped to 0
    assert res.below_lod("low") == ["Ag"]


def test_line_disagreement_warns_and_weighted_mean():
    t = synthetic_table(TRUTH, rng=3, line_bias={("Cd", 214.439): 1.15})
    with pytest.warns(InterpretationWarning, match=r"Cd lines disagree by 1[4-6]\.\d %"):
        res = analyze_icp(t, default=SampleInfo(digest_ml=10.0, dilution=5.0))
    e = res.elements.set_index("element")
    assert e.loc["Cd", "line_spread"] == pytest.approx(0.15, abs=0.02)
    # choosing the unbiased line recovers the truth
    res2 = _quiet(t, default=SampleInfo(digest_ml=10.0, dilution=5.0), lines={"Cd": 228.802})
    e2 = res2.elements.set_index("element")
    assert e2.loc["Cd", "lines_used"] == "228.802"
    assert abs(e2.loc["Cd", "mol"] - TRUTH["Cd"]) < 3 * e2.loc["Cd", "u_mol"]


def test_dilution_uncertainty_cancels_in_ratios():
    t = synthetic_table(TRUTH, rng=4)
    a = _quiet(t, default=SampleInfo(digest_ml=10.0, dilution=5.0))
    b = _quiet(t, default=SampleInfo(digest_ml=10.0, digest_ml_u=0.5, dilution=5.0, dilution_u=0.5))
    ea, eb = a.elements.set_index("element"), b.elements.set_index("element")
    assert eb.loc["Cu", "u_mol"] > 5 * ea.loc["Cu", "u_mol"]  # 10 % + 5 % on the amount
    ra = derive(a.amounts("S1"), ratios=["Cu/(Cu+Cd)"]).get("Cu/(Cu+Cd)")
    rb = derive(b.amounts("S1"), ratios=["Cu/(Cu+Cd)"]).get("Cu/(Cu+Cd)")
    assert rb.value == pytest.approx(ra.value)
    assert rb.uncertainty == pytest.approx(ra.uncertainty, rel=1e-9)  # correlations kept: they cancel


def test_input_not_modified_and_bad_inputs():
    t = synthetic_table(TRUTH, rng=5)
    before = t.copy()
    _quiet(t, default=SampleInfo(digest_ml=10.0))
    pd.testing.assert_frame_equal(t, before)
    bad = t.copy()
    bad.loc[bad.index[bad["sample"] == "S1"][0], "conc_mg_l"] = -0.5
    with pytest.raises(InputError, match="negative concentration"):
        analyze_icp(bad)
    res = _quiet(bad, allow_negative=True)  # accepted, kept
    assert math.isfinite(res.blanks["blank_mean_mg_l"].iloc[0])
    with pytest.raises(InputError, match="missing column"):
        analyze_icp(t.drop(columns=["conc_mg_l"]))
    bad = t.copy()
    bad.loc[0, "element"] = "Xx"
    with pytest.raises(InputError, match="unknown element 'Xx'"):
        analyze_icp(bad)
    with pytest.raises(InputError, match="digest_ml must be > 0"):
        analyze_icp(t, default=SampleInfo(digest_ml=0.0))
    with pytest.raises(InputError, match="dilution must be >= 1"):
        analyze_icp(t, default=SampleInfo(dilution=0.5))
    with pytest.raises(InputError, match="only blanks"):
        analyze_icp(t[t["sample"] == "blank"])
