"""Ensemble construction: sizes, rate tables, leap segments, validation."""

import numpy as np
import pytest

from cationx.cooperative import make_model
from cationx.ensemble import make_ensemble
from cationx.errors import InputError


def test_monodisperse_tables_match_the_engine_constants():
    ens = make_ensemble("white2013", n_ncs=7, sites=20, k1=1e-2, alpha=55.0)
    mdl = make_model("white2013", sites=20, k1=1e-2, alpha=55.0)
    assert ens.n_ncs == 7 and ens.unique_sites.tolist() == [20]
    assert np.array_equal(ens.log_k_next[:20], mdl.log_k)
    assert ens.log_k_next[20] == -np.inf
    # white2013: every intermediate 1..n-1 has the same up-rate -> one leap segment
    assert ens.seg_lo[1:20].tolist() == [1] * 19 and ens.seg_hi[1:20].tolist() == [19] * 19
    assert (ens.seg_lo[0], ens.seg_hi[0], ens.seg_lo[20], ens.seg_hi[20]) == (0, 0, 20, 20)
    # volume from the NC concentration: C = N / (N_A V)
    assert ens.molar_per_count == pytest.approx(1.0 / 7)


def test_segments_respect_the_flatness_bound():
    ens = make_ensemble("independent", n_ncs=3, sites=200, k1=1.0, flatness=0.05)
    lk = ens.log_k_next
    for i in range(1, 200):
        lo, hi = ens.seg_lo[i], ens.seg_hi[i]
        assert lo <= i <= hi and 1 <= lo and hi <= 199
        seg = lk[lo : hi + 1]
        assert seg.max() - seg.min() <= 2 * 0.05 + 1e-12
    assert len(set(ens.seg_lo[1:200].tolist())) > 5


def test_polydisperse_groups_share_tables():
    ens = make_ensemble("white2013", n_ncs=500, diameter_nm=4.0, size_sd_nm=0.5, host_per_site=30, k1=1e-2, alpha=55.0, rng=3)
    assert ens.sites.std() > 2
    assert np.array_equal(ens.unique_sites[ens.group], ens.sites)
    for g, n in enumerate(ens.unique_sites):
        off = ens.offsets[g]
        assert ens.log_k_next[off + n] == -np.inf and np.isfinite(ens.log_k_next[off : off + n]).all()
    again = make_ensemble("white2013", n_ncs=500, diameter_nm=4.0, size_sd_nm=0.5, host_per_site=30, k1=1e-2, alpha=55.0, rng=3)
    assert np.array_equal(ens.sites, again.sites)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_ncs": 0, "sites": 5}, "ncs must be a positive integer, got 0"),
        ({"n_ncs": -3, "sites": 5}, "ncs must be a positive integer"),
        ({"n_ncs": 5, "diameter_nm": 4.0, "size_sd_nm": -0.1}, "size_sd_nm must be >= 0"),
        ({"n_ncs": 5}, "give exactly one of sites and diameter_nm"),
        ({"n_ncs": 5, "sites": 5, "size_sd_nm": 0.2}, "size_sd_nm needs diameter_nm"),
        ({"n_ncs": 5, "sites": 5, "nc_conc_molar": 0}, "nc_conc_molar must be > 0"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        make_ensemble("white2013", k1=1e-2, alpha=55.0, **kwargs)
