"""The 000 absorbance and PL corrections on constructed spectra whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cationx.errors import InputError
from cationx.spectra.axes import HC_EV_NM, ev_to_nm, nm_to_ev, to_energy_axis
from cationx.spectra.correction import correct_absorbance, correct_pl

W = np.arange(400.0, 900.5, 1.0)
REF_NM = HC_EV_NM / 1.82  # 681.2 nm


def _host():
    # exciton at 560 nm on a continuum; exactly zero at and beyond 650 nm (so at 1.82 eV)
    h = np.exp(-0.5 * ((W - 560) / 12) ** 2) + 0.5 / (1 + np.exp((W - 530) / 10))
    return np.where(W < 650, h - h[W == 649][0] * (W >= 640) * (W - 640) / 9, 0.0).clip(0)


def _product():
    e = HC_EV_NM / W
    return 0.4 * np.clip(e - 1.1, 0, None) ** 1.5


def test_absorbance_correction_exact():
    h, p = _host(), _product()
    f = np.array([0.0, 0.1, 0.35, 0.6, 0.9, 1.0])
    y = (1 - f)[:, None] * h + f[:, None] * p
    res = correct_absorbance(W, y, p, exciton_nm=560.0)
    assert res.reference_nm == pytest.approx(REF_NM)
    # corrected spectrum = (1 - f) host, exactly
    np.testing.assert_allclose(res.corrected, (1 - f)[:, None] * h, atol=1e-12)
    np.testing.assert_allclose(res.fraction_unexchanged, 1 - f, atol=1e-12)
    np.testing.assert_allclose(res.fraction_exchanged, f, atol=1e-12)
    np.testing.assert_allclose(res.scale, f, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), min_size=2, max_size=8), st.floats(min_value=0.2, max_value=3.0))
def test_absorbance_fractions_property(fs, amount):
    # any mixture and any overall scale of the product: fractions come back exactly
    h, p = _host(), _product() * amount
    f = np.array([0.0, *fs])
    y = (1 - f)[:, None] * h + f[:, None] * p
    res = correct_absorbance(W, y, p, exciton_nm=560.0)
    np.testing.assert_allclose(res.fraction_exchanged, f, atol=1e-10)
    np.testing.assert_allclose(res.fraction_unexchanged, 1 - f, atol=1e-10)


def test_full_exchange_spectrum_sets_the_100_percent():
    h, p = _host(), _product()
    y = np.vstack([h, 0.5 * h + 0.5 * p])
    res = correct_absorbance(W, y, p, exciton_nm=560.0, full_exchange=2 * p)
    assert res.fraction_exchanged[1] == pytest.approx(0.25)


def test_pl_correction_exact():
    host = np.exp(-0.5 * ((W - 600) / 20) ** 2)
    # defect band zero within the +-3 nm window where the 650 nm reference is read
    defect = np.where(W > 655, np.exp(-0.5 * ((W - 780) / 50) ** 2) - np.exp(-0.5 * (125 / 50) ** 2), 0.0)
    a = np.array([1.0, 0.7, 0.3, 0.0])
    b = np.array([0.0, 2.0, 5.0, 1.0])
    y = a[:, None] * host + b[:, None] * defect
    res = correct_pl(W, y, host)
    np.testing.assert_allclose(res.scale, a, atol=1e-12)
    band = (W >= 650) & (W <= 900)
    expected = b * np.trapezoid(defect[band], W[band])
    np.testing.assert_allclose(res.defect_integral, expected, rtol=1e-12, atol=1e-12)


def test_pl_integral_same_on_energy_axis():
    w = np.linspace(650, 900, 2001)
    y = np.exp(-0.5 * ((w - 780) / 40) ** 2)
    e, ye = to_energy_axis(w, y)
    assert np.trapezoid(ye, e) == pytest.approx(np.trapezoid(y, w), rel=1e-5)
    # absorbance converts without the Jacobian
    _, a2 = to_energy_axis(w, y, jacobian=False)
    assert a2[0] == y[-1]


def test_energy_conversion_round_trip():
    assert nm_to_ev(ev_to_nm(1.82)) == pytest.approx(1.82)
    assert ev_to_nm(1.82) == pytest.approx(681.23, abs=0.01)
    with pytest.raises(InputError):
        nm_to_ev(0.0)


def test_reference_outside_data():
    w = np.arange(400.0, 600.0)
    y = np.ones((2, w.size))
    with pytest.raises(InputError, match="outside the data"):
        correct_absorbance(w, y, y[0], exciton_nm=500.0)


def test_product_zero_at_reference():
    y = np.vstack([_host(), _host()])
    with pytest.raises(InputError, match="product spectrum is zero"):
        correct_absorbance(W, y, _host(), exciton_nm=560.0)


def test_saturated_reference_is_refused():
    h, p = _host(), _product()
    y = np.vstack([h, p])
    valid = np.ones_like(y, dtype=bool)
    valid[1, np.abs(W - REF_NM) < 2] = False
    with pytest.raises(InputError, match="saturated at the reference"):
        correct_absorbance(W, y, p, exciton_nm=560.0, valid=valid)


def test_shape_mismatch():
    with pytest.raises(InputError, match="must have shape"):
        correct_absorbance(W, np.ones((2, 10)), _product(), exciton_nm=560.0)


def test_saturated_exciton_is_refused():
    h, p = _host(), _product()
    y = np.vstack([h, p])
    valid = np.ones_like(y, dtype=bool)
    valid[0, np.abs(W - 560) < 2] = False
    with pytest.raises(InputError, match="saturated at the exciton"):
        correct_absorbance(W, y, p, exciton_nm=560.0, valid=valid)
