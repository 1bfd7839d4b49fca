"""Aggregated envelopes: exactness against slow enumeration, IsoSpecPy and molmass."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cationx.errors import InputError
from cationx.massspec import (
    ELECTRON_MASS_DA,
    average_mass,
    element_isotopes,
    envelope,
    envelopes,
    fine_structure,
    profile,
)
from cationx.massspec.envelope import _from_parts

IsoSpecPy = pytest.importorskip("IsoSpecPy")
molmass = pytest.importorskip("molmass")


def _enumerate(counts: dict[str, int]) -> dict[int, tuple[float, float]]:
    """Slow obvious route: every isotope assignment of every atom, summed per nucleon number."""
    atoms = [element_isotopes(s) for s, n in counts.items() for _ in range(n)]
    bins: dict[int, list[float]] = {}
    for choice in itertools.product(*[range(a.mass_numbers.size) for a in atoms]):
        p = math.prod(float(a.abundances[i]) for a, i in zip(atoms, choice, strict=True))
        m = sum(float(a.masses_da[i]) for a, i in zip(atoms, choice, strict=True))
        nominal = sum(int(a.mass_numbers[i]) for a, i in zip(atoms, choice, strict=True))
        acc = bins.setdefault(nominal, [0.0, 0.0])
        acc[0] += p
        acc[1] += p * m
    return {k: (v[0], v[1] / v[0]) for k, v in bins.items()}


@pytest.mark.parametrize("counts", [{"Cd": 3, "S": 2}, {"Ag": 2, "Cd": 1, "S": 2, "O": 1}, {"Se": 2, "Cu": 2}])
def test_matches_brute_force_enumeration(counts):
    text = "".join(f"{s}{n}" for s, n in counts.items())
    env = envelope(text, coverage=1.0)
    ref = _enumerate(counts)
    assert set(env.nominal.tolist()) == {k for k, v in ref.items() if v[0] > 0}
    for nom, p, m in zip(env.nominal, env.abundance, env.mass_da, strict=True):
        assert p == pytest.approx(ref[int(nom)][0], abs=1e-15)
        assert m == pytest.approx(ref[int(nom)][1], abs=1e-9)


def _isospec_binned(counts: dict[str, int], coverage: float) -> dict[int, tuple[float, float]]:
    """IsoSpecPy fine structure with cationx's isotope table, binned by nucleon number."""
    syms = list(counts)
    iso = IsoSpecPy.IsoTotalProb(
        coverage,
        atomCounts=[counts[s] for s in syms],
        isotopeMasses=[list(element_isotopes(s).masses_da) for s in syms],
        isotopeProbabilities=[list(element_isotopes(s).abundances) for s in syms],
        get_confs=True,
    )
    bins: dict[int, list[float]] = {}
    a_numbers = [element_isotopes(s).mass_numbers for s in syms]
    for mass, prob, conf in zip(iso.masses, iso.probs, iso.confs, strict=True):
        nominal = sum(int(np.dot(a, c)) for a, c in zip(a_numbers, conf, strict=True))
        acc = bins.setdefault(nominal, [0.0, 0.0])
        acc[0] += prob
        acc[1] += prob * mass
    return {k: (v[0], v[1] / v[0]) for k, v in bins.items()}


def _isospec_element(symbol: str, n: int, coverage: float) -> tuple[int, np.ndarray, np.ndarray]:
    """IsoSpecPy for one element (no confs: bins by rounding mass - n * mean defect, which is
    safe because the defects of one element's isotopes differ by < 0.004 u)."""
    iso_t = element_isotopes(symbol)
    iso = IsoSpecPy.IsoTotalProb(
        coverage, atomCounts=[n], isotopeMasses=[list(iso_t.masses_da)], isotopeProbabilities=[list(iso_t.abundances)]
    )
    masses = np.fromiter(iso.masses, float)
    probs = np.fromiter(iso.probs, float)
    defects = iso_t.masses_da - iso_t.mass_numbers
    shift = n * float(defects.mean())
    raw = masses - shift
    nominal = np.round(raw).astype(int)
    assert np.abs(raw - nominal).max() < 0.3 * max(1.0, n * float(np.ptp(defects)) / 0.1)
    a0 = int(nominal.min())
    size = int(nominal.max()) - a0 + 1
    p = np.bincount(nominal - a0, weights=probs, minlength=size)
    pm = np.bincount(nominal - a0, weights=probs * masses, minlength=size)
    return a0, p, pm


# Seed 004 (Yao et al. 2023) formulas; full fine structure is cheap for the Ag2S clusters.
AG2S_SEED = ["Ag29S13", "Ag29S14", "Ag27S12", "Ag27S13", "Ag53S26"]


@pytest.mark.parametrize("text", AG2S_SEED)
def test_agrees_with_isospec_full_formula(text):
    env = envelope(text)
    ref = _isospec_binned(dict(env.formula.counts), 1 - 1e-11)
    for nom, p, m in zip(env.nominal, env.abundance, env.mass_da, strict=True):
        rp, rm = ref.get(int(nom), (0.0, m))
        assert p == pytest.approx(rp, abs=1e-6)
        if p > 1e-8:
            assert m == pytest.approx(rm, abs=0.01)
    assert sum(v[0] for k, v in ref.items() if k not in set(env.nominal.tolist())) < 1e-10


@pytest.mark.parametrize("text", ["Cd34S33(L)", "Ag2Cd32S33(L)"])
def test_agrees_with_isospec_element_factored(text):
    """Cd34S33(L) has ~1e8 isotopologues: IsoSpec on each element (Cd at 1 - 1e-7
    coverage), binned, then convolved with numpy; the binning and enumeration are IsoSpec's."""
    env = envelope(text)
    p_tot = np.ones(1)
    pm_tot = np.zeros(1)
    a_tot = 0
    for s, n in env.formula.counts:
        cov = 1 - 1e-7 if s == "Cd" else 1 - 1e-12
        a0, p, pm = _isospec_element(s, n, cov)
        a_tot += a0
        pm_tot = np.convolve(pm_tot, p) + np.convolve(p_tot, pm)
        p_tot = np.convolve(p_tot, p)
    idx = env.nominal - a_tot
    inside = (idx >= 0) & (idx < p_tot.size)
    ref_p = np.where(inside, p_tot[np.clip(idx, 0, p_tot.size - 1)], 0.0)
    ref_pm = np.where(inside, pm_tot[np.clip(idx, 0, p_tot.size - 1)], 0.0)
    assert np.abs(env.abundance - ref_p).max() < 1e-6
    assert ref_p.sum() > 1 - 2e-7  # IsoSpec's bins all fall inside the envelope's range
    big = env.abundance > 1e-6
    ref_m = ref_pm[big] / ref_p[big]
    assert np.abs(env.mass_da[big] - ref_m).max() < 0.01


def test_fine_structure_bins_to_the_envelope():
    fs = fine_structure("Cd4S4", coverage=1 - 1e-12)
    env = envelope("Cd4S4")
    # nucleon number from mass: defects of Cd/S isotopes keep each bin within 0.1 u of A - 0.45
    nominal = np.round(fs["mass_da"].to_numpy() + 4 * 0.0955 + 4 * 0.028).astype(int)
    for nom, p in zip(env.nominal, env.abundance, strict=True):
        assert fs["probability"][nominal == nom].sum() == pytest.approx(p, abs=1e-9)


def _table_tv(symbol: str) -> float:
    """Total-variation distance between periodictable's and molmass's abundances of one element."""
    mine = element_isotopes(symbol)
    theirs = {i.massnumber: i.abundance for i in molmass.ELEMENTS[symbol].isotopes.values()}
    tot = sum(theirs.values())
    keys = set(theirs) | set(mine.mass_numbers.tolist())
    own = dict(zip(mine.mass_numbers.tolist(), mine.abundances.tolist(), strict=True))
    return 0.5 * sum(abs(own.get(k, 0.0) - theirs.get(k, 0.0) / tot) for k in keys)


@pytest.mark.parametrize("text", ["Cd34S33(L)", "AgCd33S33(L)", "Ag2Cd32S33(L)", "Cd38S33(L)", "Ag29S13", "Ag53S26"])
def test_agrees_with_molmass_within_table_difference(text):
    """molmass uses older NIST abundances and masses.  Documented differences:
    - mean mass: differs by exactly sum_e n_e (avg_e - avg'_e) (linearity), checked to 1e-4 u;
    - per-bin abundance: |P - P'| <= TV(product) <= sum_e n_e TV_e (coupling bound)."""
    env = envelope(text)
    f = molmass.Formula(env.formula.hill())
    spec = f.spectrum(min_fraction=1e-300)
    their = {k: (v.fraction, v.mass) for k, v in spec.items()}
    tot = sum(v[0] for v in their.values())
    their_mean = sum(v[0] * v[1] for v in their.values()) / tot
    expected = 0.0
    for s, n in env.formula.counts:
        el = molmass.ELEMENTS[s]
        theirs_avg = sum(i.mass * i.abundance for i in el.isotopes.values()) / sum(i.abundance for i in el.isotopes.values())
        expected += n * (element_isotopes(s).average_mass_da - theirs_avg)
    assert env.average_mass_da - their_mean == pytest.approx(expected, abs=1e-4)
    bound = sum(n * _table_tv(s) for s, n in env.formula.counts)
    diffs = [abs(p - their.get(int(k), (0.0, 0.0))[0] / tot) for k, p in zip(env.nominal, env.abundance, strict=True)]
    assert max(diffs) <= bound
    # the tables differ by only a little: the most abundant nominal bin is the same
    assert int(env.nominal[env.most_abundant_index]) == max(their, key=lambda k: their[k][0])


def test_pruning_rule_and_exact_route_agree():
    from cationx.massspec import parse_formula

    f = parse_formula("Cd38S33(L)")
    a = _from_parts(f, 1 - 1e-12, prune=True)
    b = _from_parts(f, 1 - 1e-12, prune=False)
    assert np.array_equal(a.nominal, b.nominal)
    assert np.abs(a.abundance - b.abundance).max() < 1e-15
    assert np.abs(a.mass_da - b.mass_da).max() < 1e-6
    assert 1 - 1e-12 <= a.coverage <= 1.0


def test_batch_equals_single():
    """Block route (Toeplitz products, vectorised trimming) vs one envelope at a time;
    includes pure-Ag formulas (zero bins), several charges and a lone formula."""
    texts = [f"Ag{a}Cd{b}S33" for a in range(0, 6) for b in range(28, 35)]
    texts += [f"Ag{a}Cu2" for a in range(1, 9)] + [f"[Ag{a}S13]{z}+" for a in range(25, 31) for z in (1, 2)] + ["CdSe"]
    batch = envelopes(texts)
    assert len(batch) == len(texts)
    for t, e in zip(texts, batch, strict=True):
        s = envelope(t)
        assert e.formula == s.formula
        assert np.array_equal(s.nominal, e.nominal)
        assert np.abs(s.abundance - e.abundance).max() < 1e-14
        assert np.abs(s.mz - e.mz).max() < 1e-8
        assert e.average_mass_da == pytest.approx(s.average_mass_da, abs=1e-9)
        assert e.monoisotopic_probability == pytest.approx(s.monoisotopic_probability, rel=1e-9)
        assert e.coverage == pytest.approx(s.coverage, abs=1e-15)


def test_seed_most_abundant_mz_values():
    """Computed values (periodictable table) that the reproduction compares with the paper."""
    assert envelope("Cd34S33(L)+").most_abundant_mz == pytest.approx(5163.05, abs=0.01)
    assert envelope("[AgCd33S33(L)+H]+").most_abundant_mz == pytest.approx(5159.06, abs=0.01)
    assert envelope("[Ag2Cd32S33(L)+H]+").most_abundant_mz == pytest.approx(5155.06, abs=0.01)


def test_monoisotopic_is_meaningless_for_cd_clusters():
    env = envelope("Cd34S33(L)")
    assert env.monoisotopic_probability < 1e-60
    assert env.most_abundant_mass_da - env.monoisotopic_mass_da > 200


def test_charge_and_electron_mass():
    neutral = envelope("Ag29S13")
    plus = envelope("Ag29S13+")
    two_minus = envelope("Ag29S13", charge=-2)
    assert plus.most_abundant_mz == pytest.approx(neutral.most_abundant_mass_da - ELECTRON_MASS_DA, abs=1e-9)
    assert two_minus.most_abundant_mz == pytest.approx((neutral.most_abundant_mass_da + 2 * ELECTRON_MASS_DA) / 2, abs=1e-9)
    h = envelope("[Ag29S13+H]+")
    assert h.average_mass_da - neutral.average_mass_da == pytest.approx(element_isotopes("H").average_mass_da)


def test_profile_area_and_width():
    env = envelope("Ag29S13+")
    mz, y = profile(env, fwhm_da=0.4)
    assert np.trapezoid(y, mz) == pytest.approx(1.0, rel=1e-3)
    mz2, y2 = profile(env, resolving_power=10000)
    top = mz2[np.argmax(y2)]
    nearest = int(np.argmin(np.abs(env.mz - top)))
    assert abs(env.mz[nearest] - top) < 0.05
    assert env.abundance[nearest] > 0.98 * env.abundance.max()
    with pytest.raises(InputError, match="exactly one"):
        profile(env)


def test_bad_coverage():
    with pytest.raises(InputError, match="coverage"):
        envelope("CdS", coverage=0.0)


symbols = st.sampled_from(["Cd", "S", "Ag", "Cu", "Se", "C", "H", "O", "Na", "Zn", "Te"])


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(symbols, st.integers(1, 40), min_size=1, max_size=5))
def test_invariants(counts):
    text = "".join(f"{s}{n}" for s, n in counts.items())
    env = envelope(text, coverage=1.0)
    assert env.abundance.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(env.abundance > 0)
    assert np.all(np.diff(env.nominal) > 0)
    # the mean of the exact distribution is the table average mass
    assert float(np.dot(env.abundance, env.mass_da)) == pytest.approx(average_mass(text), abs=1e-6)
    # each centroid's defect lies between the smallest and largest possible defect sums
    lo = sum(n * float((element_isotopes(s).masses_da - element_isotopes(s).mass_numbers).min()) for s, n in counts.items())
    hi = sum(n * float((element_isotopes(s).masses_da - element_isotopes(s).mass_numbers).max()) for s, n in counts.items())
    defect = env.mass_da - env.nominal
    assert np.all(defect >= lo - 1e-9)
    assert np.all(defect <= hi + 1e-9)
