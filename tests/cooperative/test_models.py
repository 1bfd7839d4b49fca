"""Presets of the sequential exchange model (White et al. 2013, Methods)."""

import math

import numpy as np
import pytest
from scipy.special import comb

from cationx.cooperative import from_log_constants, independent, ladder, make_model, mwc, white2013
from cationx.errors import InputError


def test_white2013_constants_are_k1_then_alpha_k1():
    m = white2013(5, 1e-2, 55.0)
    np.testing.assert_allclose(np.exp(m.log_k), [1e-2, 0.55, 0.55, 0.55, 0.55], rtol=1e-14)
    # cumulative: ML_i / M x^-i = K1^i alpha^(i-1), the paper's (1/alpha)(kappa alpha)^i at x = 1
    g = m.cumulative_log_k()
    i = np.arange(1, 6)
    np.testing.assert_allclose(g[1:], i * math.log(1e-2) + (i - 1) * math.log(55.0), rtol=1e-14)


def test_ladder_constants_grow_geometrically():
    m = ladder(4, 2e-3, 10.0)
    np.testing.assert_allclose(np.exp(m.log_k), [2e-3, 2e-2, 2e-1, 2.0], rtol=1e-14)


def test_independent_constants_carry_statistical_factors():
    n, k1 = 6, 0.3
    m = independent(n, k1)
    k_site = k1 / n
    i = np.arange(1, n + 1)
    np.testing.assert_allclose(np.exp(m.log_k), k_site * (n - i + 1) / i, rtol=1e-14)
    # overall constants are binomial coefficients times k_site^i
    np.testing.assert_allclose(np.exp(m.cumulative_log_k()), comb(n, np.arange(n + 1)) * k_site ** np.arange(n + 1), rtol=1e-12)


def test_mwc_weights_are_two_state_binomial_mixture():
    n, kt, alpha, big_l = 5, 0.2, 30.0, 400.0
    m = mwc(n, kt, alpha, l_allosteric=big_l)
    i = np.arange(n + 1)
    weights = comb(n, i) * (big_l * kt**i + (alpha * kt) ** i)
    np.testing.assert_allclose(np.exp(m.cumulative_log_k()), weights / weights[0], rtol=1e-12)


def test_mwc_default_l_is_alpha_to_half_n():
    m = mwc(8, 0.1, 100.0)
    assert m.parameters["log10_l"] == pytest.approx(4 * 2.0)


def test_from_log_constants_keeps_values_and_is_read_only():
    m = from_log_constants([0.0, 1.0, -2.0], ions_per_site=1)
    assert m.sites == 3 and m.ions_per_site == 1
    with pytest.raises(ValueError):
        m.log_k[0] = 5.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sites": 0, "k1": 1e-2, "alpha": 55}, "sites must be a positive integer, got 0"),
        ({"sites": -3, "k1": 1e-2, "alpha": 55}, "sites must be a positive integer, got -3"),
        ({"sites": 2.5, "k1": 1e-2, "alpha": 55}, "sites must be an integer, got 2.5"),
        ({"sites": 20, "k1": 1e-2, "alpha": 0}, "alpha must be > 0"),
        ({"sites": 20, "k1": 1e-2, "alpha": -1}, "alpha must be > 0"),
        ({"sites": 20, "k1": float("nan"), "alpha": 5}, "k1 must be finite"),
        ({"sites": 20, "k1": 0.0, "alpha": 5}, "k1 must be > 0"),
    ],
)
def test_bad_parameters_name_the_argument(kwargs, message):
    with pytest.raises(InputError, match=message):
        make_model("white2013", **kwargs)


def test_alpha_is_rejected_for_independent_and_required_elsewhere():
    with pytest.raises(InputError, match="alpha is not a parameter of the independent model"):
        make_model("independent", sites=5, k1=1.0, alpha=3.0)
    with pytest.raises(InputError, match="needs alpha"):
        make_model("ladder", sites=5, k1=1.0)
    with pytest.raises(InputError, match="model must be one of"):
        make_model("hill", sites=5, k1=1.0, alpha=2.0)
