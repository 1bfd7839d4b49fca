"""The per-NC Poisson leap against the per-NC exact SSA (same rates, frozen pool)."""

import numpy as np
import pytest

from cationx.ensemble import make_ensemble
from cationx.ensemble.kernels import _sample_endpoints, falling


def _tables(n):
    ens = make_ensemble("white2013", n_ncs=1, sites=n, k1=1e-2, alpha=55.0)
    lk = np.array(ens.log_k_next)
    no_leap = np.arange(n + 1, dtype=np.int64)  # every state its own segment: pure SSA
    return lk, np.array(ens.seg_lo), np.array(ens.seg_hi), no_leap


@pytest.mark.parametrize(("i0", "up", "down", "tau"), [(500, 1.0, 1.2, 100.0), (40, 1.0, 1.3, 100.0), (985, 1.2, 1.0, 60.0)])
def test_leap_matches_exact_ssa_in_distribution(i0, up, down, tau):
    # 1000-step white2013 NC; rates: up = up_scale K_{i+1}, so choose up_scale for the interior
    n = 1000
    lk, lo, hi, single = _tables(n)
    up_scale = up / np.exp(lk[1])
    count = 4000
    leap = _sample_endpoints(i0, n, lk, lo, hi, np.log(up_scale), down, tau, count, 1)
    ssa = _sample_endpoints(i0, n, lk, single, single, np.log(up_scale), down, tau, count, 2)
    # means agree within 4 combined standard errors; variances within 15 %
    se = np.sqrt(leap.var() / count + ssa.var() / count)
    assert abs(leap.mean() - ssa.mean()) < 4 * se
    assert leap.var() == pytest.approx(ssa.var(), rel=0.15)
    # far from the ends the leap is Skellam: mean i0 + (up - down) tau
    if 100 < i0 < 900:
        assert leap.mean() == pytest.approx(i0 + (up - down) * tau, abs=4 * np.sqrt((up + down) * tau / count))
    assert ((leap >= 0) & (leap <= n)).all()


def test_falling_factorial():
    assert falling(5, 2) == 20.0
    assert falling(1, 2) == 0.0
    assert falling(7, 1) == 7.0


@pytest.mark.parametrize(("i0", "up", "down"), [(1000, 1.0, 1.5), (1000, 1.5, 1.0), (990, 1.0, 1.0), (960, 1.0, 1.1)])
def test_reflected_leap_at_the_exchanged_end_matches_exact_ssa(i0, up, down):
    # fully exchanged (or nearly) NCs: the leap reflects the walk at n = 1000
    n, tau, count = 1000, 30.0, 4000
    lk, lo, hi, single = _tables(n)
    up_scale = up / np.exp(lk[1])
    leap = _sample_endpoints(i0, n, lk, lo, hi, np.log(up_scale), down, tau, count, 3)
    ssa = _sample_endpoints(i0, n, lk, single, single, np.log(up_scale), down, tau, count, 4)
    se = np.sqrt(leap.var() / count + ssa.var() / count)
    assert abs(leap.mean() - ssa.mean()) < 4 * se
    assert leap.var() == pytest.approx(ssa.var(), rel=0.15)
    p_top_leap, p_top_ssa = (leap == n).mean(), (ssa == n).mean()
    assert abs(p_top_leap - p_top_ssa) < 4 * np.sqrt(p_top_ssa * (1 - p_top_ssa) / count * 2) + 1e-3
    assert (leap <= n).all()


def test_walk_minimum_against_brute_force():
    import numba

    from cationx.ensemble.kernels import _walk_minimum

    @numba.njit
    def draws(steps, end, count, seed):
        np.random.seed(seed)  # noqa: NPY002 (numba generator)
        out = np.empty(count, dtype=np.int64)
        for k in range(count):
            out[k] = _walk_minimum(steps, end)
        return out

    rng = np.random.default_rng(0)
    steps, end = 12, -2
    # brute force: all paths with 5 up and 7 down steps, equally likely given the end
    walks = []
    while len(walks) < 20000:
        s = rng.permutation(np.r_[np.ones(5), -np.ones(7)])
        walks.append(min(0, np.cumsum(s).min()))
    brute = np.bincount(-np.array(walks, dtype=int), minlength=8) / len(walks)
    got = np.bincount(-draws(steps, end, 20000, 1), minlength=8) / 20000
    assert np.allclose(got[:8], brute[:8], atol=0.015)
