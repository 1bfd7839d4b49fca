"""The overfill check's pair search: all-pairs comparison vs the periodic k-d tree."""

from __future__ import annotations

import numpy as np

from cationx.crystal.structure import POSITION_TOLERANCE, _close_pairs


def _as_set(pairs):
    return {tuple(sorted(map(int, p))) for p in pairs}


def test_brute_force_and_kdtree_find_the_same_pairs():
    rng = np.random.default_rng(3)
    base = rng.random((300, 3))
    # near-duplicates, some across the periodic boundary, some just outside the tolerance
    near = base[:60] + rng.uniform(-0.9, 0.9, (60, 3)) * POSITION_TOLERANCE
    edge = np.array([[1e-5, 0.5, 0.5], [1 - 1e-5, 0.5, 0.5], [0.3, 0.3, 0.3 + 1.5 * POSITION_TOLERANCE]])
    frac = np.mod(np.vstack([base, near, edge, [[0.3, 0.3, 0.3]]]), 1.0)
    a = _close_pairs(frac, POSITION_TOLERANCE, brute_force=True)
    b = _close_pairs(frac, POSITION_TOLERANCE, brute_force=False)
    assert _as_set(a) == _as_set(b)
    assert len(a) >= 61  # the 60 near-duplicates and the pair across the boundary
    assert (360, 361) in _as_set(a)  # across the cell boundary
    assert (362, 363) not in _as_set(a)  # 1.5 tolerances apart on one axis


def test_no_pairs():
    frac = np.array([[0.0, 0.0, 0.0], [0.5, 0.5, 0.5]])
    for bf in (True, False):
        assert _close_pairs(frac, POSITION_TOLERANCE, brute_force=bf).shape == (0, 2)
