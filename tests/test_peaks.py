"""cationx._peaks against scipy.signal.find_peaks (the definitions it reproduces)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks, peak_prominences

from cationx._peaks import local_maxima, prominences, prominent_maxima


def _signals():
    rng = np.random.default_rng(7)
    yield rng.normal(size=500)
    yield np.round(rng.normal(size=800) * 3)  # quantised: many flat runs and plateaus
    x = np.linspace(0, 20, 2001)
    yield np.exp(-((x - 5) ** 2)) + 0.5 * np.exp(-((x - 12) ** 2) / 0.1) + 0.01 * rng.normal(size=x.size)
    yield np.array([0, 1, 1, 1, 0, 2, 2, 0, 3, 3, 3, 3, 1, 1, 4], dtype=float)
    yield np.array([1.0, 1.0, 1.0])
    yield np.array([3.0, 1.0, 2.0, 0.5, 2.0, 1.0, 3.0])


@pytest.mark.parametrize("y", list(_signals()))
def test_maxima_and_prominences_match_scipy(y):
    ref, _ = find_peaks(y)
    idx = local_maxima(y)
    np.testing.assert_array_equal(idx, ref)
    if ref.size:
        np.testing.assert_allclose(prominences(y, idx), peak_prominences(y, ref)[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("y", list(_signals()))
@pytest.mark.parametrize("frac", [0.0, 0.05, 0.3])
def test_prominence_threshold_matches_scipy(y, frac):
    thr = frac * float(np.ptp(y))
    ref, _ = find_peaks(y, prominence=thr)
    np.testing.assert_array_equal(prominent_maxima(y, thr), ref)


def test_short_and_empty():
    assert local_maxima(np.array([1.0, 2.0])).size == 0
    assert prominent_maxima(np.array([]), 0.1).size == 0
