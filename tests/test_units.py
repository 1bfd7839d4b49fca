"""cationx.units: one set of 2-theta / Q / d conversions."""

import numpy as np
import pytest

from cationx import units
from cationx.constants import CU_KALPHA1_ANGSTROM
from cationx.crystal import debye, powder
from cationx.physics.strain import bragg_two_theta_deg

# asin loses digits as theta -> 90 deg (d(2 theta)/ds = 2 / cos theta): 1e-12 holds to 170 deg
TT = np.linspace(0.5, 170.0, 2001)


@pytest.mark.parametrize("lam", [CU_KALPHA1_ANGSTROM, 0.70930, 0.0250793])
def test_round_trip_two_theta_q_d(lam):
    q = units.two_theta_to_q(TT, lam)
    d = units.q_to_d(q)
    tt = units.d_to_two_theta(d, lam)
    np.testing.assert_allclose(tt, TT, rtol=0, atol=1e-12)
    np.testing.assert_allclose(units.q_to_two_theta(q, lam), TT, rtol=0, atol=1e-12)
    np.testing.assert_allclose(units.two_theta_to_d(TT, lam), d, rtol=1e-12)
    np.testing.assert_allclose(units.d_to_q(d), q, rtol=1e-12)
    back = np.linspace(170.0, 179.9, 100)
    np.testing.assert_allclose(units.q_to_two_theta(units.two_theta_to_q(back, lam), lam), back, rtol=0, atol=1e-9)


def test_known_values():
    # CdSe zinc blende (111): d = 6.077 / sqrt(3) = 3.5086 A -> 25.36 deg with Cu K-alpha1
    d111 = 6.077 / np.sqrt(3)
    assert float(units.d_to_two_theta(d111, CU_KALPHA1_ANGSTROM)) == pytest.approx(25.364, abs=1e-3)
    assert float(units.d_to_q(d111)) == pytest.approx(2 * np.pi / d111, rel=1e-15)
    # 2-theta = 180 deg: back-scattering, d = lambda / 2, Q = 4 pi / lambda
    assert float(units.two_theta_to_d(180.0, 1.0)) == pytest.approx(0.5, rel=1e-15)
    assert float(units.two_theta_to_q(180.0, 1.0)) == pytest.approx(4 * np.pi, rel=1e-15)


def test_no_bragg_angle_is_nan():
    out = units.d_to_two_theta([0.5, 0.7, 1.0], 1.54056)
    assert np.isnan(out[:2]).all() and np.isfinite(out[2])
    assert np.isnan(units.q_to_two_theta([20.0], 1.0)).all()
    assert np.isnan(units.q_to_two_theta([-1.0], 1.0)).all()


def test_domain_functions_use_the_same_conversions():
    lam = CU_KALPHA1_ANGSTROM
    tt = np.array([20.0, 45.0, 90.0])
    assert powder.two_theta_to_d is units.two_theta_to_d
    assert powder.d_to_two_theta is units.d_to_two_theta
    assert powder.two_theta_to_q is units.two_theta_to_q
    np.testing.assert_array_equal(debye.q_from_two_theta(tt, lam), units.two_theta_to_q(tt, lam))
    q = units.two_theta_to_q(tt, lam)
    np.testing.assert_array_equal(debye.two_theta_from_q(q, lam), units.q_to_two_theta(q, lam))
    assert bragg_two_theta_deg(3.5) == float(units.d_to_two_theta(3.5, lam))
