"""Synthetic replicate Raman spectra with known bands, a sloping/curved background and spikes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cationx.xps.lineshapes import peak

DATA = Path(__file__).resolve().parents[1] / "data" / "raman"

TRUE_CENTRES = (258.0, 259.5, 257.2, 260.1, 258.8)  # cm-1, one per replicate
TRUE_FWHM = 12.0
TRUE_HEIGHT = 1000.0
NOISE = 10.0


def make_replicates(rng, *, centres=TRUE_CENTRES, fwhm=TRUE_FWHM, n_spikes=3, spike_height=3000.0):
    """Five spectra 100-600 cm-1 (0.5 cm-1 step): one Lorentzian each, a linear background with a
    broad hump at 500 cm-1 (outside the 150-350 cm-1 fit window), noise, spikes.

    Returns the spectra and, per spectrum, the indices where spikes were added.
    """
    x = np.linspace(100.0, 600.0, 1001)
    spectra, spike_idx = [], []
    for c in centres:
        y = peak(x, c, TRUE_HEIGHT, fwhm, "lorentz") + 200 + 0.3 * (x - 100) + 50 * np.exp(-(((x - 500) / 40) ** 2))
        y = y + rng.normal(0, NOISE, x.size)
        idx = np.sort(rng.choice(np.arange(5, x.size - 5), n_spikes, replace=False))
        y[idx] += spike_height
        spectra.append((x, y))
        spike_idx.append(idx)
    return spectra, spike_idx


@pytest.fixture
def replicates():
    return make_replicates(np.random.default_rng(20170101))


@pytest.fixture
def replicate_files(tmp_path, replicates):
    """The replicates as one Renishaw-style .txt each (descending shift, '#Wave #Intensity')."""
    spectra, _ = replicates
    paths = []
    for k, (x, y) in enumerate(spectra):
        p = tmp_path / f"rep{k}.txt"
        rows = "\n".join(f"{a:.6f}\t{b:.6f}" for a, b in zip(x[::-1], y[::-1], strict=True))
        p.write_text("#Wave\t\t#Intensity\n" + rows + "\n")
        paths.append(p)
    return paths
