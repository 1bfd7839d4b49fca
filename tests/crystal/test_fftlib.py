"""The FFT shells' NumPy backend against SciPy: DCTs, and whole pair shells."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.fft

from cationx.crystal.debye import fftlib
from cationx.crystal.debye.fftlib import Transforms, dct1, dct3


@pytest.mark.parametrize("n", [2, 3, 8, 17, 64])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_dcts_match_scipy(n, axis):
    rng = np.random.default_rng(n)
    shape = [4, 5, 6]
    shape[axis] = n
    x = rng.normal(size=shape)
    np.testing.assert_allclose(dct1(x, axis), scipy.fft.dct(x, type=1, axis=axis), rtol=0, atol=1e-12 * n)
    np.testing.assert_allclose(dct3(x, axis), scipy.fft.dct(x, type=3, axis=axis), rtol=0, atol=1e-12 * n)


def test_backends_give_the_same_transforms():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 7, 8))
    a, b = Transforms("numpy"), Transforms("scipy", 2)
    np.testing.assert_allclose(a.rfft(x, 12, 2), b.rfft(x, 12, 2), atol=1e-12)
    c = np.fft.rfftn(x, s=(6, 7, 8), axes=(0, 1, 2))
    np.testing.assert_allclose(a.irfftn(c, (6, 7, 8)), b.irfftn(c, (6, 7, 8)), atol=1e-12)
    np.testing.assert_allclose(a.fft_inplace(c.copy(), 0), b.fft_inplace(c.copy(), 0), atol=1e-12)


def test_pair_shells_agree_between_backends(monkeypatch):
    from cationx.crystal.cluster import structure_debye_pattern
    from cationx.crystal.library import load_structure

    st = load_structure("cdse-zincblende")
    tt = np.arange(20.0, 60.0, 0.05)
    small = structure_debye_pattern(st, 3.0, tt, method="fft")
    monkeypatch.setattr(fftlib, "SCIPY_FROM_POINTS", 1)  # force scipy.fft on the same grid
    big = structure_debye_pattern(st, 3.0, tt, method="fft")
    np.testing.assert_allclose(small.intensity, big.intensity, rtol=1e-10, atol=1e-9 * small.intensity.max())


def test_unknown_backend():
    with pytest.raises(ValueError):
        Transforms("fftw")
