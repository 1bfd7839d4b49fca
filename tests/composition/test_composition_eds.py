"""EDS spot tables: normalisation over chosen elements, at% <-> wt%, mean +/- SD."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cationx.composition import analyze_eds, atomic_mass, derive
from cationx.errors import InputError


def spots(n=12, rng=0, x=0.2, noise=1.0):
    """Cu(2-x)Se spots in at% with C and O contamination and 1 at% absolute noise."""
    gen = np.random.default_rng(rng)
    cu, se = 2 - x, 1.0
    rows = []
    for _ in range(n):
        c, o = gen.uniform(5, 30), gen.uniform(1, 10)
        rest = 100 - c - o
        a_cu = rest * cu / (cu + se) + gen.normal(0, noise)
        rows.append({"C": c, "O": o, "Cu": a_cu, "Se": rest - a_cu + gen.normal(0, noise), "Cd": abs(gen.normal(0, 0.1))})
    return pd.DataFrame(rows, index=[f"spot {i + 1}" for i in range(n)])


def test_synthetic_recovery_and_normalisation():
    t = spots(rng=1)
    res = analyze_eds(t, elements=["Cu", "Se", "Cd"], reference="Se")
    assert np.allclose(res.at_pct.sum(axis=1), 100) and np.allclose(res.wt_pct.sum(axis=1), 100)
    s = res.summary.set_index("element")
    true_cu = 100 * 1.8 / 2.8
    assert abs(s.loc["Cu", "at_pct_mean"] - true_cu) < 3 * s.loc["Cu", "at_pct_sem"]
    assert s.loc["Cu", "at_pct_sd"] == pytest.approx(s.loc["Cu", "at_pct_sem"] * np.sqrt(12))
    d = derive(res.amounts(), incoming="Cu", anion="Se")
    x = d.get("x in Cu(2-x)Se")
    assert abs(x.value - 0.2) < 3 * x.uncertainty
    assert res.relative is not None and np.allclose(res.relative["Se"], 1.0)


def test_wt_input_matches_at_input():
    t = spots(rng=2)[["Cu", "Se"]]
    res_at = analyze_eds(t, unit="at")
    masses = np.array([atomic_mass("Cu"), atomic_mass("Se")])
    wt = t * masses
    res_wt = analyze_eds(wt, unit="wt")
    assert np.allclose(res_wt.at_pct.to_numpy(), res_at.at_pct.to_numpy())
    assert np.allclose(res_wt.wt_pct.to_numpy(), res_at.wt_pct.to_numpy())


def test_input_not_modified():
    t = spots(rng=3)
    before = t.copy()
    analyze_eds(t, elements=["Cu", "Se"])
    pd.testing.assert_frame_equal(t, before)


@pytest.mark.parametrize(
    ("kw", "frame_edit", "match"),
    [
        ({}, lambda t: t.assign(Cu=-t["Cu"]), "negative amount"),
        ({"elements": ["Cu", "Te"]}, None, "not in the EDS table: Te"),
        ({"reference": "Zn"}, None, "reference Zn is not among"),
        ({"unit": "mol"}, None, "unit must be one of"),
        ({}, lambda t: t.rename(columns={"O": "Qq"}), "unknown element 'Qq'"),
    ],
)
def test_bad_input(kw, frame_edit, match):
    t = spots(rng=4)
    if frame_edit:
        t = frame_edit(t)
    with pytest.raises(InputError, match=match):
        analyze_eds(t, **kw)


def test_ratio_uncertainty_keeps_anticorrelation():
    """Renormalised at% are anti-correlated: u(Cu/Se) from the mean vector with the spot
    covariance / n equals, to first order, the SEM of the per-spot ratios (within 10 %),
    while treating Cu and Se as independent would be wrong by more than that here."""
    res = analyze_eds(spots(n=30, rng=7), elements=["Cu", "Se", "Cd"])
    r = derive(res.amounts(), ratios=["Cu/Se"]).get("Cu/Se")
    per = res.at_pct["Cu"] / res.at_pct["Se"]
    sem = per.std(ddof=1) / np.sqrt(len(per))
    assert r.value == pytest.approx(per.mean(), rel=0.01)
    assert r.uncertainty == pytest.approx(sem, rel=0.10)
    s = res.summary.set_index("element")
    indep = derive({"Cu": (s.loc["Cu", "at_pct_mean"], s.loc["Cu", "at_pct_sem"]),
                    "Se": (s.loc["Se", "at_pct_mean"], s.loc["Se", "at_pct_sem"])}, ratios=["Cu/Se"]).get("Cu/Se")
    assert abs(indep.uncertainty / sem - 1) > 0.2
