"""Pair lists: the exact O(N^2) double sum and the distance histogram (shells of
``bin_width`` with each bin's weighted mean distance and variance)."""

from __future__ import annotations

import numpy as np

from cationx.crystal.debye._common import _CHUNK_ELEMENTS, _Atoms, _pairs, _sinc
from cationx.crystal.debye.qsums import PairShells


def _pair_index(n_species: int) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The species pairs ``(s, t)``, s <= t, and an (n_species, n_species) table of each
    pair's row (symmetric)."""
    pairs = _pairs(n_species)
    pidx = np.full((n_species, n_species), -1, dtype=np.int64)
    for k, (s, t) in enumerate(pairs):
        pidx[s, t] = pidx[t, s] = k
    return pairs, pidx


def _histogram_shells(atoms: _Atoms, bin_width: float) -> PairShells:
    pos, sp, occ = atoms.positions, atoms.species, atoms.occupancy
    pairs, pidx = _pair_index(atoms.n_species)
    n = pos.shape[0]
    span = np.ptp(pos, axis=0)
    rmax = float(np.sqrt((span**2).sum()))
    nbins = int(rmax / bin_width) + 2
    np_ = len(pairs)
    w0 = np.zeros(np_ * nbins)
    w1 = np.zeros(np_ * nbins)
    w2 = np.zeros(np_ * nbins)
    rows = max(1, _CHUNK_ELEMENTS // max(1, n))
    for a in range(0, n, rows):
        b = min(n, a + rows)
        d = pos[a:b, None, :] - pos[None, a:, :]
        r = np.sqrt(np.einsum("ijk,ijk->ij", d, d))
        w = occ[a:b, None] * occ[None, a:]
        # i < j counted twice (ordered pairs), i = j once
        ii = np.arange(a, b)[:, None]
        jj = np.arange(a, n)[None, :]
        mult = np.where(jj > ii, 2.0, np.where(jj == ii, 1.0, 0.0))
        w = w * mult
        bins = np.floor(r / bin_width).astype(np.int64)
        dr = r - (bins + 0.5) * bin_width
        key = (pidx[sp[a:b, None], sp[None, a:]] * nbins + bins).ravel()
        wf = w.ravel()
        w0 += np.bincount(key, weights=wf, minlength=w0.size)
        w1 += np.bincount(key, weights=wf * dr.ravel(), minlength=w0.size)
        w2 += np.bincount(key, weights=wf * dr.ravel() ** 2, minlength=w0.size)
    w0 = w0.reshape(np_, nbins)
    w1 = w1.reshape(np_, nbins)
    w2 = w2.reshape(np_, nbins)
    # one entry per (pair, bin) with its own mean distance: flatten non-empty bins
    keep = w0 > 0
    kk, bb = np.nonzero(keep)
    mean_dr = w1[keep] / w0[keep]
    var = np.maximum(w2[keep] / w0[keep] - mean_dr**2, 0.0)
    r_mean = (bb + 0.5) * bin_width + mean_dr
    weights = np.zeros((np_, kk.size))
    weights[kk, np.arange(kk.size)] = w0[keep]
    variance = np.zeros((np_, kk.size))
    variance[kk, np.arange(kk.size)] = w0[keep] * var
    return PairShells(r_mean, weights, variance, tuple(pairs), "histogram")


def _upper_pairs(a: int, b: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with a <= i < b and i < j < n."""
    counts = n - 1 - np.arange(a, b)
    i = np.repeat(np.arange(a, b), counts)
    starts = np.cumsum(counts) - counts
    j = np.arange(counts.sum()) - np.repeat(starts, counts) + i + 1
    return i, j


def _exact_sums(atoms: _Atoms, q: np.ndarray) -> np.ndarray:
    pos, sp, occ = atoms.positions, atoms.species, atoms.occupancy
    pairs, pidx = _pair_index(atoms.n_species)
    n = pos.shape[0]
    out = np.zeros((len(pairs), q.size))
    # self terms (r = 0)
    for k, (s, t) in enumerate(pairs):
        if s == t:
            out[k] += np.sum(occ[sp == s] ** 2)
    per_block = max(1, _CHUNK_ELEMENTS // max(1, q.size))
    rows = max(1, per_block // max(1, n))
    for a in range(0, n - 1, rows):
        b = min(n - 1, a + rows)
        ii, jj = _upper_pairs(a, b, n)
        for c in range(0, ii.size, per_block):
            i = ii[c : c + per_block]
            j = jj[c : c + per_block]
            r = np.sqrt(((pos[i] - pos[j]) ** 2).sum(axis=1))
            w = 2.0 * occ[i] * occ[j]
            k = pidx[sp[i], sp[j]]
            onehot = np.zeros((r.size, len(pairs)))
            onehot[np.arange(r.size), k] = w
            out += (_sinc(np.multiply.outer(q, r)) @ onehot).T
    return out
