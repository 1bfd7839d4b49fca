"""Long-time limits: exact canonical (finite N) and mean field (large N, polydisperse)."""

import numpy as np
import pytest

from cationx.cooperative import independent, solve_titration, white2013
from cationx.ensemble.canonical import canonical_titration, mean_field_titration
from cationx.errors import InputError

TOTALS = np.array([10.0, 30.0, 44.0, 50.0, 60.0])


def test_canonical_converges_to_the_engine_as_one_over_n():
    # The engine is the large-N limit at fixed C = N/(N_A V); the finite-N correction is O(1/N).
    model = white2013(20, 1e-2, 55.0)
    eng = solve_titration(model, TOTALS)
    d50 = canonical_titration(model, 50, TOTALS).fraction_exchanged - eng.fraction_exchanged
    d200 = canonical_titration(model, 200, TOTALS).fraction_exchanged - eng.fraction_exchanged
    assert np.abs(d50).max() < 0.005
    ratio = d200 / d50
    assert np.allclose(ratio, 0.25, atol=0.03)


def test_single_nc_by_hand():
    # One NC with one step, m = 2, per-NC units (C = 1 M, so mu = 1/(N_A V) = 1 M per ion):
    # P(S=1)/P(S=0) = K (F)_2 mu^(m-1) / (H0 + 1) with F = F_tot the free ions at S = 0.
    k = 0.3
    model = independent(1, k)  # n = 1: K_1 = k
    res = canonical_titration(model, 1, [4.0])
    ratio = k * 4 * 3 / 1
    p1 = ratio / (1 + ratio)
    assert res.fraction_exchanged[0] == pytest.approx(p1, rel=1e-12)
    assert res.free_ions_per_nc[0] == pytest.approx(4 - 2 * p1, rel=1e-12)


def test_mean_field_of_one_size_is_the_engine_and_mixtures_are_weighted():
    model = white2013(20, 1e-2, 55.0)
    eng = solve_titration(model, TOTALS)
    mf = mean_field_titration([model], [1.0], TOTALS)
    assert np.allclose(mf.fraction_exchanged, eng.fraction_exchanged, atol=1e-9)
    assert np.allclose(mf.free_ions_per_nc, eng.free_ions_per_nc, rtol=1e-8)
    same = mean_field_titration([model, model], [0.3, 0.7], TOTALS)
    assert np.allclose(same.fraction_exchanged, eng.fraction_exchanged, atol=1e-9)
    # a mixture of 10- and 30-step NCs is bracketed by its members' mean steps
    mix = mean_field_titration([white2013(10, 1e-2, 55.0), white2013(30, 1e-2, 55.0)], [1, 1], TOTALS)
    assert np.all(mix.mean_steps <= 20.0 + 1e-9)


def test_bad_input():
    with pytest.raises(InputError, match="ncs must be a positive integer"):
        canonical_titration(white2013(5, 1e-2, 55.0), 0, [1.0])
    with pytest.raises(InputError, match="weights"):
        mean_field_titration([white2013(5, 1e-2, 55.0)], [1.0, 2.0], [1.0])
