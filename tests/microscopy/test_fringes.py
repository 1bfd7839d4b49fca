"""Lattice fringes: d-spacings with uncertainties, harmonics, the ratio-2 flag, cubic indexing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cationx.errors import InputError, InterpretationWarning
from cationx.microscopy import analyse_fringes, cubic_reflections, index_cubic, parse_region
from cationx.microscopy.synthetic import fringe_image

# antifluorite Cu2Se, a = 5.85 A (seed 001): d111 = a / sqrt(3) = 3.3775 A, 2 d111 = 6.755 A
A_CU2SE = 5.85
D111 = A_CU2SE / math.sqrt(3)


def _analyse(img, px=0.02, **kw):
    with pytest.warns(InterpretationWarning):
        return analyse_fringes(img, px, **kw)


def test_superstructure_pair_recovered_and_flagged():
    """{111} fringes (d111) with a weak modulation at 2 d111 along the same direction: both
    d-spacings within 2 of their stated sd, both are fundamentals (fundamentals are chosen by
    power: the strong d111 spot is never a harmonic of a weaker one), and the ratio-2 flag is
    raised with the evidence lists filled."""
    img = fringe_image((D111, 2 * D111), (30.0, 30.0), (1.0, 0.25), pixel_nm=0.02, rng=3)
    res = _analyse(img)
    assert len(res.spots) == 2
    strong, weak = res.spots  # sorted by power
    assert abs(strong.d_angstrom - D111) <= 2 * strong.d_uncertainty_angstrom
    assert abs(weak.d_angstrom - 2 * D111) <= 2 * weak.d_uncertainty_angstrom
    assert strong.d_uncertainty_angstrom < 0.02 and weak.relative_power < 0.2
    assert (weak.order, strong.order, strong.fundamental_id) == (1, 1, None)
    (flag,) = res.ratio_flags
    assert flag["kind"] == "half-order" and flag["check"]
    assert flag["collinear"] and abs(flag["ratio"] - 2) <= 2 * flag["ratio_uncertainty"]
    assert flag["quadrants_with_half_spot"] == 4 and not flag["axis_aligned"]
    assert "superstructure" in flag["interpretation"] and "artifact" in flag["interpretation"]
    assert any("commensurate" in e for e in flag["evidence_for_superstructure"])
    assert res.to_dict()["harmonics"] == []


def test_two_directions_form_two_families_without_flags():
    """{111} and {200}-type fringes 54.7 deg apart (d 3.3775 and 2.925 A): two fundamentals,
    no harmonic, no ratio flag; the angles come back within 0.5 deg."""
    d200 = A_CU2SE / 2
    img = fringe_image((D111, d200), (20.0, 74.7), (1.0, 0.7), pixel_nm=0.02, rng=5)
    res = analyse_fringes(img, 0.02)
    assert len(res.spots) == 2
    for s, d in zip(sorted(res.spots, key=lambda s: s.d_angstrom), (d200, D111), strict=True):
        assert abs(s.d_angstrom - d) <= 2 * s.d_uncertainty_angstrom
    assert all(s.order == 1 for s in res.spots) and not res.ratio_flags
    assert sorted(s.angle_deg for s in res.spots) == pytest.approx([20.0, 74.7], abs=0.5)
    assert len(res.families) == 2


def test_interpolation_error_within_stated_uncertainty_over_sub_bin_positions():
    """Spacings from 2.6 to 9 A (every sub-bin phase of a 256-bin spectrum) and random
    directions: each d within 2 stated sd of the truth."""
    rng = np.random.default_rng(0)
    for d in np.linspace(2.6, 9.0, 17):
        img = fringe_image((d,), (rng.uniform(0, 180),), (1.0,), noise=0.3, rng=int(d * 100))
        (s,) = analyse_fringes(img, 0.02).spots
        assert abs(s.d_angstrom - d) <= 2 * s.d_uncertainty_angstrom, (d, s)


def test_white_noise_gives_no_spots():
    n = 0
    for seed in range(5):
        with pytest.warns(InterpretationWarning, match="no spots"):
            n += len(analyse_fringes(np.random.default_rng(seed).standard_normal((256, 256)), 0.02).spots)
    assert n == 0


def test_calibration_uncertainty_adds_in_quadrature():
    img = fringe_image((D111,), (10.0,), (1.0,), rng=1)
    a = analyse_fringes(img, 0.02).spots[0]
    b = analyse_fringes(img, 0.02, calibration_rel=0.02).spots[0]
    assert b.d_uncertainty_angstrom == pytest.approx(math.hypot(a.d_uncertainty_angstrom, 0.02 * a.d_angstrom), rel=1e-6)


def test_region_and_rectangular_spectrum():
    img = fringe_image((D111,), (60.0,), (1.0,), shape=(300, 400), rng=2)
    res = analyse_fringes(img, 0.02, region="50,20,300,160")
    assert res.region == (50, 20, 300, 160)
    (s,) = res.spots
    assert abs(s.d_angstrom - D111) <= 2 * s.d_uncertainty_angstrom
    assert s.angle_deg == pytest.approx(60.0, abs=0.7)


def test_fourier_filter_recovers_the_clean_fringes():
    clean = fringe_image((D111,), (30.0,), (1.0,), noise=0.0, rng=9)
    noisy = clean + np.random.default_rng(1).normal(0, 1.0, clean.shape)
    res = analyse_fringes(noisy, 0.02)
    c = np.corrcoef(res.filtered[64:192, 64:192].ravel(), clean[64:192, 64:192].ravel())[0, 1]
    assert c > 0.95 > np.corrcoef(noisy.ravel(), clean.ravel())[0, 1]
    with pytest.raises(InputError, match=r"filter spot id\(s\) \[5\] not found"):
        analyse_fringes(noisy, 0.02, filter_spot_ids=[5])


def test_cubic_reflections_reference():
    """F-centred a = 5.85 A: 111 3.3775, 200 2.925, 220 2.0683, 311 1.7638 A (d = a/sqrt(N))."""
    refl = cubic_reflections(A_CU2SE, 1.65, "F")
    assert [hkl for hkl, _ in refl] == [(1, 1, 1), (2, 0, 0), (2, 2, 0), (3, 1, 1), (2, 2, 2)]
    assert [d for _, d in refl][:4] == pytest.approx([3.3775, 2.925, 2.0683, 1.7638], abs=1e-4)
    assert (1, 0, 0) in [h for h, _ in cubic_reflections(A_CU2SE, 1.7, "P")]


def test_index_cubic_marks_the_doubled_period():
    rows = index_cubic([3.38, 6.76, 2.93], A_CU2SE)
    assert rows[0]["hkl"] == [1, 1, 1] and abs(rows[0]["mismatch_pct"]) < 0.1 and rows[0]["matched"]
    assert not rows[1]["matched"] and rows[1]["doubled_hkl"] == [1, 1, 1]
    assert rows[2]["hkl"] == [2, 0, 0]


def test_match_cell_in_analysis():
    img = fringe_image((D111, 2 * D111), (30.0, 30.0), (1.0, 0.25), rng=3)
    res = _analyse(img, match_cell_angstrom=A_CU2SE)
    by_id = {m["spot_id"]: m for m in res.cell_matches}
    assert by_id[1]["hkl"] == [1, 1, 1] and by_id[2]["doubled_hkl"] == [1, 1, 1]
    assert any("twice d(111)" in e for e in res.ratio_flags[0]["evidence_for_superstructure"])


def test_ordinary_second_order_is_not_a_superstructure_question():
    """200 fringes (2.925 A) with a weaker 400 (1.4625 A) along the same direction: flagged as
    kind second-order, no half-order warning; with the cell, 200 is an allowed reflection."""
    d200 = A_CU2SE / 2
    img = fringe_image((d200, d200 / 2), (40.0, 40.0), (1.0, 0.3), pixel_nm=0.02, rng=4)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = analyse_fringes(img, 0.02, match_cell_angstrom=A_CU2SE)
    (flag,) = res.ratio_flags
    assert flag["kind"] == "second-order" and not flag["check"] and not flag["evidence_for_superstructure"]
    assert {m["spot_id"]: m["hkl"] for m in res.cell_matches} == {1: [2, 0, 0], 2: [4, 0, 0]}


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ("0,0,300,10", "w, h >= 16"),
        ("200,200,100,100", "lies outside the 256 x 256"),
        ("-1,0,32,32", "x0, y0 >= 0"),
        ("1,2,3", "four integers"),
        ("a,b,c,d", "four integers"),
    ],
)
def test_bad_regions(region, message):
    with pytest.raises(InputError, match=message):
        parse_region(region, (256, 256))


def test_default_region_is_the_centred_square():
    assert parse_region(None, (200, 300)) == (50, 0, 200, 200)


def test_calibration_cancels_in_the_ratio_flag():
    img = fringe_image((D111, 2 * D111), (30.0, 30.0), (1.0, 0.25), pixel_nm=0.02, rng=3)
    a = _analyse(img).ratio_flags[0]
    b = _analyse(img, calibration_rel=0.03).ratio_flags[0]
    assert b["ratio_uncertainty"] == pytest.approx(a["ratio_uncertainty"], rel=1e-6)
