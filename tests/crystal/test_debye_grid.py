"""The Debye engine plans its FFT grid from positions and lattice alone."""

from __future__ import annotations

import numpy as np
import pytest

from cationx.crystal import debye as d
from cationx.crystal import load_structure
from cationx.crystal.cluster import build_cluster, cluster_pattern

A = 5.85  # anti-fluorite Cu2Se lattice parameter of seed 001 (Tables 2-4), A
FCC = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
C8 = np.array([[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)])
SHIFT = np.array([0.1234, 0.3141, 0.2718])  # irrational-looking: no denominator <= 24 within 1e-6


def test_infer_grid_finds_the_lattice_grid_of_shifted_positions():
    # truth: Se 4a + Cu 8c sit on the a/4 grid; a common shift keeps their differences there
    frac = np.vstack([FCC, C8])
    assert d.infer_grid(frac) == (4, 4, 4)
    assert d.infer_grid(frac + SHIFT) == (1, 1, 1)  # no coordinate is rational any more
    assert d.infer_grid(frac + SHIFT, shift=True) == (4, 4, 4)
    # unshifted positions keep the unshifted grid (no shift unless strictly better)
    assert d.infer_grid(frac, shift=True) == (4, 4, 4)


def test_engine_plans_the_same_grid_for_a_shifted_cluster():
    frac = np.vstack([FCC, C8])
    cells = np.array([[i, j, k] for i in range(-2, 2) for j in range(-2, 2) for k in range(-2, 2)])
    fr = (cells[:, None, :] + frac[None]).reshape(-1, 3)
    sp = np.tile(np.r_[np.zeros(4, int), np.ones(8, int)], len(cells))
    assert d.choose_grid(fr - SHIFT, sp) == d.choose_grid(fr, sp) != (1, 1, 1)


@pytest.mark.parametrize("centre", [(0.0, 0.0, 0.0), tuple(SHIFT)])
def test_cluster_pattern_plans_its_grid(centre):
    # gold (fcc, a/2 grid) cut around the origin and around an off-lattice point: the
    # engine's own plan is the lattice's grid, and its FFT route equals the exact sum
    cl = build_cluster(load_structure("au"), 1.6, centre_frac=centre)
    assert cl.grid == (2, 2, 2)
    tt = np.linspace(20.0, 100.0, 200)
    fft = cluster_pattern(cl, tt, method="fft")
    exact = cluster_pattern(cl, tt, method="exact")
    assert fft.method == "fft"
    np.testing.assert_allclose(fft.intensity, exact.intensity, rtol=1e-9, atol=0)
