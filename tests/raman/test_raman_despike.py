"""Whitaker-Hayes despiking: known spikes found, bands left alone, inputs untouched."""

from __future__ import annotations

import numpy as np
import pytest

from cationx.errors import InputError
from cationx.raman import despike


def test_spikes_found_exactly_and_band_untouched(replicates):
    spectra, spike_idx = replicates
    for (x, y), idx in zip(spectra, spike_idx, strict=True):
        y0 = y.copy()
        res = despike(x, y)
        assert np.array_equal(y, y0)  # input not modified
        assert res.n_removed == idx.size
        assert np.array_equal(res.indices, idx)
        assert np.allclose(res.positions_cm1, x[idx])
        # replaced values are back at the noise level of the underlying curve (spike height 3000)
        assert np.all(np.abs(res.y[idx] - res.original + 3000) < 200)
        # no point of the band (peak 1000 counts above background) is touched away from spikes
        untouched = np.setdiff1d(np.arange(x.size), idx)
        assert np.array_equal(res.y[untouched], y[untouched])


def test_clean_spectrum_has_no_spikes():
    rng = np.random.default_rng(3)
    x = np.linspace(100, 600, 1001)
    y = 1000 / (1 + ((x - 260) / 3) ** 2) + rng.normal(0, 5, x.size)  # narrow, strong band (FWHM 6 cm-1)
    assert despike(x, y).n_removed == 0


def test_two_pixel_spike_removed():
    x = np.linspace(0, 100, 201)
    y = np.random.default_rng(1).normal(100, 2, x.size)
    y[50:52] += 500
    res = despike(x, y)
    assert list(res.indices) == [50, 51]
    assert res.to_dict()["n_removed"] == 2


@pytest.mark.parametrize(("kwargs", "message"), [({"threshold": -1}, "threshold must be > 0"),
                                                 ({"max_width": 0}, "max_width")])
def test_bad_arguments(kwargs, message):
    x = np.arange(10.0)
    with pytest.raises(InputError, match=message):
        despike(x, x, **kwargs)
