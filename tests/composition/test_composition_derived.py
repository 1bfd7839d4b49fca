"""Derived quantities: ratios, x in Cu(2-x)Se, exchanged fraction, ions per particle, mass balance.

Reference values are the seed papers' own numbers (SCIENCE.md; seeds 000, 001, 004).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cationx.composition import (
    at_to_wt,
    derive,
    evaluate_ratio,
    parse_amount,
    particle_from_diameter,
    particle_from_formula,
    wt_to_at,
)
from cationx.errors import InputError
from cationx.spectra.sizing import host_cations_per_nc


def test_004_ag_per_cluster_from_icp_percentages():
    """004 (Fig. 1a, Fig. 3b text): ICP 3.2 % and 4.0 % Ag (mol Ag / mol Cd) in Cd34S33 clusters,
    "one to two" Ag per cluster.  (Ag/Cd) x 34 = 1.088 and 1.36, exact arithmetic (1e-12).
    The printed percentages carry one decimal: +-0.05 % read as a uniform interval, u = 0.029 %,
    so u(Ag per cluster) = 34 x 0.00029 = 0.0098."""
    p = particle_from_formula("Cd34S33", "Cd")
    assert p.host_cations == 34
    u = 0.0005 / math.sqrt(3)
    for pct, expect in ((3.2, 1.088), (4.0, 1.36)):
        d = derive({"Ag": (pct / 100, u), "Cd": 1.0}, incoming="Ag", host="Cd", particle=p)
        q = d.get("Ag_per_cluster")
        assert q.value == pytest.approx(expect, abs=1e-12)
        assert q.uncertainty == pytest.approx(34 * u, rel=1e-9)
        assert 1 <= q.value <= 2
        # read as what remains after 1:1 substitution (m = 1) the number is a little lower
        d1 = derive({"Ag": (pct / 100, u), "Cd": 1.0}, incoming="Ag", host="Cd", particle=p, charge_ratio=1)
        assert d1.get("Ag_per_cluster_substitution").value == pytest.approx(34 * pct / 100 / (1 + pct / 100), abs=1e-12)
        assert d.balance_ok


def test_000_totals_give_full_exchange():
    """000 Methods: 4.8e-6 mol Cd2+ exchanged with 9.6e-6 mol Cu+: f = 9.6 / (2 x 4.8) = 1 exactly."""
    d = derive({"Cu": 9.6e-6, "Cd": 0.0}, incoming="Cu", host="Cd", host_original=4.8e-6)
    assert d.get("exchanged_fraction").value == pytest.approx(1.0, abs=1e-12)
    assert d.balance_ok


def test_000_sample_d_breaks_mass_balance():
    """000 Table 1: sample D (659 Cu+ per NC) shows only Cu2Se rings, i.e. f ~ 1, but a 4 nm
    CdSe NC holds ~600 Cd, so full exchange needs ~1200 Cu+: the check must say so."""
    n = host_cations_per_nc("CdSe", 4.0)
    p = particle_from_diameter("CdSe", 4.0, 0.0)
    assert p.host_cations == pytest.approx(n)
    d = derive({"Cu": 2.0, "Cd": 0.0}, incoming="Cu", host="Cd", host_original=1.0, particle=p, added_per_particle=659)
    assert not d.balance_ok
    assert any("exceeds Cu added per NC" in c for c in d.checks)


def test_exchanged_fraction_over_one_is_reported():
    # u(f) = u(Cu) / (2 x 1) = 0.025; the excess 0.3 is 12 u
    d = derive({"Cu": (2.6, 0.05), "Cd": 0.1}, incoming="Cu", host="Cd", host_original=1.0)
    assert d.get("exchanged_fraction").value == pytest.approx(1.3)
    assert any("exceeds 1" in c and "12.0 standard uncertainties" in c for c in d.checks)


def test_incorporation_above_addition_is_reported():
    """004: 75 % Ag added -> 8.0 % incorporated is fine; 8 % found with 5 % added is not."""
    ok = derive({"Ag": 0.080, "Cd": 1.0}, incoming="Ag", host="Cd", host_original=1.0, added_per_host=0.75)
    assert ok.balance_ok
    assert ok.get("Ag found / added").value == pytest.approx(0.080 / 0.75)
    bad = derive({"Ag": 0.080, "Cd": 1.0}, incoming="Ag", host="Cd", host_original=1.0, added_per_host=0.05)
    assert any("exceeds Ag added" in c for c in bad.checks)


def test_001_cu2se_stoichiometry_from_eds_ratio():
    """001 Results: Cu:Se "ca. 2:1" by STEM/EDS -> x ~ 0; Cu1.8Se (the LSPR estimate) -> x = 0.2."""
    d = derive({"Cu": 1.8, "Se": 1.0}, incoming="Cu", anion="Se")
    assert d.get("x in Cu(2-x)Se").value == pytest.approx(0.2, abs=1e-12)
    d = derive({"Cu": (2.1, 0.02), "Se": 1.0}, incoming="Cu", anion="Se")
    assert any("exceeds the 2:1" in c for c in d.checks)


def test_exchanged_fraction_from_remaining_host():
    """Without the original host: f = I / (I + m H).  Cu = 1, Cd = 0.25 -> 1 / 1.5."""
    d = derive({"Cu": 1.0, "Cd": 0.25}, incoming="Cu", host="Cd")
    assert d.get("exchanged_fraction").value == pytest.approx(1 / 1.5)
    assert evaluate_ratio("Cu/(Cu+2Cd)", {"Cu": 1.0, "Cd": 0.25}) == pytest.approx(1 / 1.5)


def test_uncertainty_first_order_matches_hand_formula():
    """Cu/(Cu+Cd) with independent u: d r/d Cu = Cd/(Cu+Cd)^2, d r/d Cd = -Cu/(Cu+Cd)^2."""
    cu, ucu, cd, ucd = 3.0, 0.1, 1.0, 0.05
    r = derive({"Cu": (cu, ucu), "Cd": (cd, ucd)}, ratios=["Cu/(Cu+Cd)"]).get("Cu/(Cu+Cd)")
    s = cu + cd
    assert r.value == pytest.approx(0.75)
    assert r.uncertainty == pytest.approx(math.hypot(cd / s**2 * ucu, cu / s**2 * ucd), rel=1e-12)


def test_nc_particle_uncertainty_from_diameter():
    p = particle_from_diameter("CdSe", 4.0, 0.2)
    assert p.host_cations_uncertainty == pytest.approx(3 * p.host_cations * 0.05)


def test_cu2se_wt_at_conversion():
    """Cu2Se: wt% Cu = 2 x 63.546 / (2 x 63.546 + 78.971) = 61.676 % (periodictable weights)."""
    wt = at_to_wt({"Cu": 2, "Se": 1})
    assert wt["Cu"] == pytest.approx(100 * 2 * 63.546 / (2 * 63.546 + 78.971), rel=1e-4)
    assert wt_to_at(wt)["Cu"] == pytest.approx(200 / 3)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["Cu", "Cd", "Se", "Ag", "S"]), st.floats(0.01, 100), min_size=1))
def test_wt_at_round_trip(comp):
    back = at_to_wt(wt_to_at(comp))
    tot = sum(comp.values())
    for el, v in comp.items():
        assert back[el] == pytest.approx(100 * v / tot, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: derive({"Xx": 1.0}), "unknown element 'Xx'"),
        (lambda: derive({"Cu": 1.0}, ratios=["Cu/Cd"]), "needs Cd, which was not measured"),
        (lambda: derive({"Cu": 1.0, "Cd": 1.0}, ratios=["Cu(Cd"]), "exactly one '/'"),
        (lambda: derive({"Cu": 1.0, "Cd": 1.0}, incoming="Cu", host="Cd", charge_ratio=0), "charge_ratio must be > 0"),
        (lambda: derive({"Cu": 1.0, "Cd": 1.0}, particle=particle_from_formula("Cd34S33", "Cd")), "need both incoming and host"),
        (lambda: particle_from_formula("Ag2S", "Cd"), "holds no host element"),
        (lambda: parse_amount("Cu=-1"), "must be >= 0"),
        (lambda: parse_amount("Cu=1+-x"), "must be numbers"),
        (lambda: parse_amount("Cu"), "EL=VALUE"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(InputError, match=match):
        call()
