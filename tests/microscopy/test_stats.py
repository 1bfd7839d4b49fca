"""Size statistics: t interval, lognormal maximum likelihood, KS p-value, small samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from cationx.errors import InputError, InterpretationWarning
from cationx.microscopy import size_statistics


def test_t_interval_reference_values():
    """d = 1..5 nm and the ten values below: mean, sd and the 95 % t interval computed by hand
    (t(0.975, 4) = 2.7764, t(0.975, 9) = 2.2622, standard tables)."""
    with pytest.warns(InterpretationWarning):
        st = size_statistics([1, 2, 3, 4, 5])
    assert st.mean_diameter_nm == 3.0 and st.sd_diameter_nm == pytest.approx(math.sqrt(2.5))
    half = 2.7764 * math.sqrt(2.5) / math.sqrt(5)
    assert (st.ci_low_nm, st.ci_high_nm) == pytest.approx((3 - half, 3 + half), abs=1e-4)
    d = [1.9, 2.0, 2.1, 2.2, 2.05, 1.95, 2.3, 1.8, 2.15, 2.0]
    st = size_statistics(d)
    sd = float(np.std(d, ddof=1))
    assert st.ci_high_nm - st.mean_diameter_nm == pytest.approx(2.2622 * sd / math.sqrt(10), abs=1e-4)
    assert st.median_diameter_nm == pytest.approx(2.025) and not st.warnings


def test_lognormal_is_the_closed_form_mle():
    """With the location fixed at 0 the lognormal MLE is mu = mean(ln d), sigma = rms deviation
    of ln d (ddof 0): the scipy fit must agree to 1e-6."""
    d = np.random.default_rng(4).lognormal(math.log(2.1), 0.14, 120)
    ln = size_statistics(d).lognormal
    logs = np.log(d)
    assert ln.mu == pytest.approx(logs.mean(), abs=1e-6)
    assert ln.sigma == pytest.approx(logs.std(ddof=0), rel=1e-5)
    assert ln.geometric_mean_nm == pytest.approx(math.exp(logs.mean()), rel=1e-6)
    assert ln.geometric_sd == pytest.approx(math.exp(ln.sigma))
    assert ln.mean_nm == pytest.approx(math.exp(ln.mu + ln.sigma**2 / 2))
    ks = stats.kstest(d, "lognorm", args=(ln.sigma, 0, ln.geometric_mean_nm))
    assert ln.ks_pvalue == pytest.approx(ks.pvalue)


def test_ks_rejects_a_bimodal_population():
    rng = np.random.default_rng(1)
    d = np.r_[rng.normal(2.0, 0.05, 150), rng.normal(4.0, 0.05, 150)]
    assert size_statistics(d).lognormal.ks_pvalue < 1e-3


def test_ci_covers_the_true_mean_at_the_stated_rate():
    """200 lognormal samples of 40: the 95 % interval covers the true mean 91-99 % of the time
    (binomial 3-sigma band around 95 %)."""
    rng = np.random.default_rng(2)
    mu, s = math.log(2.1), 0.14
    true_mean = math.exp(mu + s * s / 2)
    hits = 0
    for _ in range(200):
        st = size_statistics(rng.lognormal(mu, s, 40))
        hits += st.ci_low_nm <= true_mean <= st.ci_high_nm
    assert 0.91 <= hits / 200 <= 0.99


def test_small_and_empty_samples():
    with pytest.warns(InterpretationWarning, match="only 0 particle"):
        st = size_statistics([])
    assert st.n_particles == 0 and math.isnan(st.mean_diameter_nm) and st.lognormal is None
    with pytest.warns(InterpretationWarning, match="only 1 particle"):
        st = size_statistics([2.0])
    assert st.mean_diameter_nm == 2.0 and math.isnan(st.sd_diameter_nm)
    d = st.to_dict()
    assert d["lognormal"] is None and d["ci_mean_nm"][0] != d["ci_mean_nm"][0]  # NaN until JSON


def test_bad_values():
    with pytest.raises(InputError, match="finite and > 0"):
        size_statistics([1.0, -2.0, 3.0])
    with pytest.raises(InputError, match="confidence"):
        size_statistics([1.0, 2.0, 3.0], confidence=1.5)
