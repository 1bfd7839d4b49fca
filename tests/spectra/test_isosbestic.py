"""Isosbestic points and the SVD rank on synthetic series."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from cationx.errors import InputError
from cationx.spectra.isosbestic import find_isosbestic, noise_level, svd_rank

W = np.arange(450.0, 750.5, 1.0)


def _a(w):
    return 0.8 * np.exp(-0.5 * ((w - 540) / 25) ** 2)


def _b(w):
    return 0.6 * np.exp(-0.5 * ((w - 620) / 40) ** 2)


def _c(w):
    return 0.5 * np.exp(-0.5 * ((w - 690) / 15) ** 2)


def _series(third: float = 0.0, noise: float = 0.002, k: int = 15, seed: int = 0):
    rng = np.random.default_rng(seed)
    f = np.linspace(0, 1, k)
    y = (1 - f)[:, None] * _a(W) + f[:, None] * _b(W)
    if third:
        y = y + third * (4 * f * (1 - f))[:, None] * _c(W)
    return y + rng.normal(0, noise, y.shape)


def test_isosbestic_within_1_nm():
    true = brentq(lambda w: _a(w) - _b(w), 560, 620)
    pts = find_isosbestic(W, _series())
    assert len(pts) == 1
    p = pts[0]
    assert abs(p.wavelength_nm - true) < 1.0
    # the reported uncertainty is an honest scale of the error (not zero, not huge)
    assert 0 < p.uncertainty_nm < 1.0
    assert p.absorbance == pytest.approx(_a(true), abs=0.01)


def test_no_isosbestic_when_the_total_changes():
    # a third species breaks the common crossing
    y = _series(third=0.0) * np.linspace(1, 1.6, 15)[:, None]
    assert find_isosbestic(W, y) == []


def test_svd_rank_two_and_three():
    two = svd_rank(_series())
    assert two.rank == 2
    three = svd_rank(_series(third=0.3))
    assert three.rank == 3
    assert three.singular_values[2] > three.threshold > three.singular_values[3]


def test_noise_level_estimate():
    rng = np.random.default_rng(1)
    y = np.tile(_a(W), (20, 1)) + rng.normal(0, 0.003, (20, W.size))
    assert noise_level(y) == pytest.approx(0.003, rel=0.1)


def test_svd_bad_shape():
    with pytest.raises(InputError):
        svd_rank(np.ones(5))
