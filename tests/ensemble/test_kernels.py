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
    leap = _sample_endpoints(i0, n, lk, lo, hi, up_scale, down, tau, count, 1)
    ssa = _sample_endpoints(i0, n, lk, single, single, up_scale, down, tau, count, 2)
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
