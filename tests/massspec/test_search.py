"""Composition search with the charge-balance filter, and periodicity detection."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cationx.errors import InputError
from cationx.massspec import envelope
from cationx.massspec.periodicity import find_periodicity
from cationx.massspec.search import parse_ranges, search_compositions
from cationx.massspec.spectrum import pick_peaks

from .conftest import synth


def test_search_finds_seed_cluster():
    # Yao et al. 2023: the most intense peak of Cd34S33(L) at m/z 5163
    res = search_compositions(5163.0, {"Ag": (0, 4), "Cd": (28, 40), "S": (25, 40)}, group_ranges={"L": (0, 1)}, tolerance_da=1.0)
    labels = [c.formula for c in res.candidates]
    assert "Cd34S33(L)" in labels and "[Cd34S33(L)-H]" in labels
    c = res.candidates[labels.index("Cd34S33(L)")]
    assert c.mode == "M"
    assert c.most_abundant_mz == pytest.approx(envelope("Cd34S33(L)+").most_abundant_mz)
    # Cd2+ x 34 + S2- x 33 = +2 with the neutral acid: [M]+ is off by one charge ...
    assert c.imbalance == 1
    # ... one oleate (the acid minus H, the -H mode) gives the closed-shell +1 ion
    d = res.candidates[labels.index("[Cd34S33(L)-H]")]
    assert d.imbalance == 0
    assert d.most_abundant_mz == pytest.approx(envelope("[Cd34S33(L)-H]+").most_abundant_mz)
    # ranked by imbalance first when there is no spectrum
    assert [k.imbalance for k in res.candidates] == sorted(k.imbalance for k in res.candidates)
    assert all(abs(k.error_da) <= 1.0 for k in res.candidates)


def test_charge_balance_filter_rule():
    # Cd36S31(L) has formal charge +10: excluded unless the filter is off
    target = envelope("Cd36S31(L)+").most_abundant_mz
    ranges = {"Cd": (36, 36), "S": (31, 31)}
    on = search_compositions(target, ranges, group_ranges={"L": (1, 1)}, modes=["M"], tolerance_da=0.1)
    off = search_compositions(target, ranges, group_ranges={"L": (1, 1)}, modes=["M"], tolerance_da=0.1, charge_balance=False)
    assert len(on.candidates) == 0
    assert [c.formula for c in off.candidates] == ["Cd36S31(L)"]
    assert off.candidates[0].imbalance == 9  # Q = +10, neutral acid, z = +1


def test_search_with_spectrum_ranks_by_match():
    sp = synth(["Ag29S13+", "Ag29S14+", "Ag27S12+", "Ag27S13+", "Ag31S14+"], [1.0, 0.8, 0.6, 0.5, 0.4], fwhm=0.4)
    pk = pick_peaks(sp, min_relative_height=0.3, min_distance_da=5.0)
    target = envelope("Ag29S13+").most_abundant_mz
    res = search_compositions(target, {"Ag": (20, 35), "S": (8, 20), "Cd": (0, 3)}, spectrum=sp, peaks_mz=pk.mz, tolerance_da=1.0, fwhm_da=0.4)
    assert res.candidates[0].formula == "Ag29S13"
    assert res.candidates[0].match > 0.95
    assert res.candidates[0].members >= 2


def test_parse_ranges_errors():
    assert parse_ranges("Ag:0-40,Cd:3,S:1-2", "--elements") == {"Ag": (0, 40), "Cd": (3, 3), "S": (1, 2)}
    with pytest.raises(InputError, match="expected SYMBOL:LO-HI at position 8"):
        parse_ranges("Ag:0-4,Cd", "--elements")
    with pytest.raises(InputError, match="0 <= LO <= HI"):
        parse_ranges("Ag:5-4", "--elements")
    with pytest.raises(InputError, match="must be LO-HI"):
        parse_ranges("Ag:a-4", "--elements")
    with pytest.raises(InputError, match="unknown element 'Xx'"):
        search_compositions(100.0, {"Xx": (0, 2)})
    with pytest.raises(InputError, match="combinations"):
        search_compositions(100.0, {"Ag": (0, 400), "Cd": (0, 400), "S": (0, 400)})


def test_periodicity_finds_s_and_ag2s():
    """Synthetic Ag2S series (Yao et al. 2023 Fig. 3c): spacings 32 (S) and 248 (Ag2S)."""
    formulas = [f"Ag{2 * n + 1}S{n + k}+" for n in range(12, 17) for k in (0, 1, 2)]
    weights = np.linspace(1.0, 0.5, len(formulas))
    sp = synth(formulas, weights, fwhm=0.5, step=0.1)
    pk = pick_peaks(sp, min_relative_height=0.3, min_distance_da=8.0)
    res = find_periodicity(pk.mz, pk.intensity, tolerance_da=1.5)
    labels = {s.label: s.spacing for s in res.spacings}
    assert "S" in labels and labels["S"] == pytest.approx(32.07, abs=0.6)
    assert "Ag2S" in labels and labels["Ag2S"] == pytest.approx(247.8, abs=0.8)
    top2 = {s.label for s in sorted(res.spacings, key=lambda s: -s.pairs)[:3]}
    assert "S" in top2


def test_periodicity_bad_input():
    with pytest.raises(InputError, match="max_spacing must exceed"):
        find_periodicity([1.0, 2.0, 3.0], min_spacing=50, max_spacing=40)
    with pytest.raises(InputError, match="at least 2"):
        find_periodicity([1.0])


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 12), st.integers(0, 12), st.integers(1, 12), st.sampled_from(["M", "+H", "+Na"]))
def test_search_finds_the_composition_it_was_given(a, b, c, mode):
    """Cross-route: the most-abundant m/z of a known ion, searched back, lists that ion."""
    adduct = {"M": "", "+H": "+H", "+Na": "+Na"}[mode]
    target = envelope(f"[Ag{a}Cd{b}S{c}{adduct}]+").most_abundant_mz
    res = search_compositions(target, {"Ag": (0, 12), "Cd": (0, 12), "S": (1, 12)}, charge_balance=False, tolerance_da=1e-6, max_results=500)
    assert any(k.mode == mode and k.counts.get("Ag", 0) == a and k.counts.get("Cd", 0) == b and k.counts["S"] == c for k in res.candidates)


def test_search_needs_a_range():
    with pytest.raises(InputError, match="at least one"):
        search_compositions(100.0, {})
