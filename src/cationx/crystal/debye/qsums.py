"""Shell sums ``sum_k w_k sinc(Q r_k)``: :class:`PairShells` and its three ways to sum.

Direct sines in blocks of shells (any grid, and the variance term of histogram bins);
block angle addition on uniform Q grids (shared cos/sin tables, two real matrix products);
Taylor blocks on other grids of positive Q where they pay.  All three spread their blocks
over the process's thread pool (:func:`cationx._threads.map_threads`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from cationx._threads import map_threads as _map_threads
from cationx.crystal.debye._common import _CHUNK_ELEMENTS, _scratch, _sinc, _sinc_d2

# ---------------------------------------------------------------- shells


@dataclass(frozen=True, slots=True)
class PairShells:
    """Pair weights grouped by distance (histogram and FFT routes).

    ``weights[k, m]`` is the symmetrised pair weight ``sum p_i p_j`` of species pair
    ``pairs[k]`` at distance ``r_angstrom[m]`` (ordered pairs: both ``(i, j)`` and
    ``(j, i)``, and ``i = j`` once, at r = 0).  ``variance`` holds each bin's weighted
    distance variance (histogram route) or zeros (exact shells).
    """

    r_angstrom: np.ndarray
    weights: np.ndarray
    variance: np.ndarray
    pairs: tuple[tuple[int, int], ...]
    method: str

    def sums(self, q_inv_angstrom: np.ndarray) -> np.ndarray:
        """``P_st(Q)`` of shape (n_pairs, n_q)."""
        q = np.asarray(q_inv_angstrom, dtype=float)
        zero = self.r_angstrom == 0
        out = np.zeros((len(self.pairs), q.size))
        out += self.weights[:, zero].sum(axis=1)[:, None]
        if np.any(self.variance[:, zero]):  # sinc''(0) = -1/3
            out -= (q**2 / 6.0)[None, :] * self.variance[:, zero].sum(axis=1)[:, None]
        r = self.r_angstrom[~zero]
        weights = self.weights[:, ~zero]
        variance = self.variance[:, ~zero]
        with_var = bool(np.any(variance))
        if not with_var and r.size and _uniform_positive(q):
            out += _uniform_q_sums(q, r, weights)
            return out
        rest = np.ones(q.size, dtype=bool)
        if not with_var and r.size and q.size >= 64:
            # Taylor blocks where they pay (cost ~ blocks x (3 + 0.7 pairs) against points,
            # measured) and away from Q = 0, where the series' terms would cancel
            far = q * r.max() >= _TAYLOR_MIN_QR
            n_far = int(far.sum())
            blocks = _taylor_blocks(q[far], r.max()) if n_far >= 64 else None
            if blocks is not None and blocks.count * (3.0 + 0.7 * weights.shape[0]) <= n_far:
                out[:, far] += _taylor_q_sums(q[far], r, weights, blocks)
                rest = ~far
        if rest.any():
            out[:, rest] += _direct_sums(q[rest], r, weights, variance if with_var else None)
        return out

    def to_frame(self) -> Any:
        import pandas as pd

        data: dict[str, Any] = {"r_angstrom": self.r_angstrom}
        for k, (s, t) in enumerate(self.pairs):
            data[f"w_{s}_{t}"] = self.weights[k]
        return pd.DataFrame(data)


def _uniform_positive(q: np.ndarray) -> bool:
    """A grid q0 + n dq with q0 > 0 and at least two blocks of points."""
    if q.size < 128 or q[0] <= 0:
        return False
    dq = (q[-1] - q[0]) / (q.size - 1)
    return bool(dq > 0 and np.all(np.abs(q - (q[0] + dq * np.arange(q.size))) <= 1e-12 * q[-1]))


def _direct_sums(q: np.ndarray, r: np.ndarray, weights: np.ndarray, variance: np.ndarray | None) -> np.ndarray:
    """``sum_k w_k sinc(q r_k)`` (plus the variance term) by direct sines, in blocks of shells."""
    out = np.zeros((weights.shape[0], q.size))
    block = max(1, _CHUNK_ELEMENTS // max(1, q.size))

    def part(a: int) -> np.ndarray:
        x = np.multiply.outer(q, r[a : a + block])
        res = (_sinc(x) @ weights[:, a : a + block].T).T
        if variance is not None:
            res += ((0.5 * (q**2)[:, None] * _sinc_d2(x)) @ variance[:, a : a + block].T).T
        return res

    for res in _map_threads(part, range(0, r.size, block)):
        out += res
    return out


def _rotations(
    step: np.ndarray, n: int, c0: Any = None, s0: Any = None, scratch: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of ``phase0 + j * step`` for j < n, shape (n, K), by exact rotations.

    Rows ``m .. 2m - 1`` are rows ``0 .. m - 1`` rotated by ``m * step``, whose cosine and
    sine are evaluated directly (m = 1, 2, 4, ...): log2(n) vectorised steps, and each row
    carries at most log2(n) roundings (relative error ~1e-15).  With ``scratch`` the tables
    are this thread's working arrays of that name (valid until the next such call).
    """
    if scratch is None:
        c, s = np.empty((n, step.size)), np.empty((n, step.size))
    else:
        c, s = _scratch(scratch + "_cos", (n, step.size), float), _scratch(scratch + "_sin", (n, step.size), float)
    c[0] = 1.0 if c0 is None else c0
    s[0] = 0.0 if s0 is None else s0
    m = 1
    while m < n:
        k = min(m, n - m)
        cm, sm = np.cos(m * step), np.sin(m * step)
        np.multiply(c[:k], cm, out=c[m : m + k])
        c[m : m + k] -= s[:k] * sm
        np.multiply(s[:k], cm, out=s[m : m + k])
        s[m : m + k] += c[:k] * sm
        m *= 2
    return c, s


def _uniform_q_sums(q: np.ndarray, r: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``sum_k w_k sin(q_n r_k) / (q_n r_k)`` on a uniform grid by block angle addition.

    With ``q_{bL + j} = q_{bL} + j dq`` (blocks of L points):
    ``sin(q r) = sin(q_{bL} r) cos(j dq r) + cos(q_{bL} r) sin(j dq r)``.  The (L, K) tables
    of ``cos(j dq r)``, ``sin(j dq r)`` are shared by all blocks, so the sum over shells
    becomes two real matrix products for all blocks at once.  The tables come from
    rotations by directly evaluated power-of-two steps (:func:`_rotations`), so only
    ~2 log2(N) K sines and cosines are evaluated instead of N K sines; each table entry
    carries at most log2(sqrt(N) + 1) roundings (tested against the direct sines to 1e-12).
    """
    nq = q.size
    dq = (q[-1] - q[0]) / (nq - 1)
    block = max(8, round(math.sqrt(nq)))
    nb = -(-nq // block)
    starts = q[0] + dq * block * np.arange(nb)
    a = weights / r[None, :]  # (P, K)
    npair = a.shape[0]
    chunk = max(1, _CHUNK_ELEMENTS // (2 * (block + npair * nb)))
    def part(c: int) -> np.ndarray:
        rc = r[c : c + chunk]
        ct, st = _rotations(dq * rc, block, scratch="inner")  # cos, sin (j dq r), (L, Kc)
        cb, sb = _rotations(dq * block * rc, nb, np.cos(starts[0] * rc), np.sin(starts[0] * rc), scratch="block")
        ac = a[:, c : c + chunk]
        shape3 = (npair, nb, rc.size)
        rhs_s = np.multiply(ac[:, None, :], sb[None, :, :], out=_scratch("rhs_sin", shape3, float))
        rhs_c = np.multiply(ac[:, None, :], cb[None, :, :], out=_scratch("rhs_cos", shape3, float))
        res = ct @ rhs_s.reshape(npair * nb, -1).T
        res += st @ rhs_c.reshape(npair * nb, -1).T
        return res

    acc = np.zeros((block, npair * nb))
    for res in _map_threads(part, range(0, r.size, chunk)):
        acc += res
    # acc[j, p * nb + b] is point b * L + j of pair p
    out = acc.reshape(block, npair, nb).transpose(1, 2, 0).reshape(npair, nb * block)[:, :nq]
    return out / q[None, :]


_TAYLOR_REACH = 2.0  # |dQ r| <= 2 inside a block
_TAYLOR_MIN_QR = 4.0  # below Q r_max = 4 the direct sines (near Q = 0 the series' terms cancel)
_TAYLOR_TERMS = 27  # 2^27 / 27! = 1e-20: truncation far below rounding


class _TaylorBlocks(NamedTuple):
    """Q sorted (``order``, ``qs``) and cut into blocks of half-width ``h`` around ``centres``;
    ``where`` is each sorted point's block."""

    order: np.ndarray
    qs: np.ndarray
    h: float
    centres: np.ndarray
    where: np.ndarray

    @property
    def count(self) -> int:
        return int(self.centres.size)


def _taylor_blocks(q: np.ndarray, r_max: float) -> _TaylorBlocks:
    """The blocks :func:`_taylor_q_sums` uses for ``q`` and shells up to ``r_max``."""
    order = np.argsort(q, kind="stable")
    qs = q[order]
    h = _TAYLOR_REACH / float(r_max)
    cells, where = np.unique(np.floor((qs - qs[0]) / (2.0 * h)).astype(np.int64), return_inverse=True)
    return _TaylorBlocks(order, qs, h, qs[0] + (cells + 0.5) * (2.0 * h), where)


def _taylor_q_sums(q: np.ndarray, r: np.ndarray, weights: np.ndarray, blocks: _TaylorBlocks | None = None) -> np.ndarray:
    """``sum_k w_k sin(q r_k) / (q r_k)`` on any grid of positive Q (e.g. uniform in 2-theta).

    Q is cut into blocks of half-width ``h = 2 / max(r)`` around centres ``c_b``; inside a
    block ``x = (q - c_b) r`` satisfies ``|x| <= 2``, and Taylor's series

        sin(c r + x) = sum_m (h r)^m / m! * ((q - c) / h)^m * sin(c r + m pi / 2)

    truncated after 27 terms is exact to 1e-20 relative (every term is bounded by
    2^m / m!, so no cancellation beyond that of the sum itself).  The sum over shells
    becomes two real matrix products, (pairs x blocks, K) @ (K, terms), and the Q points
    read their block's moments: about 2 K sines per block instead of K per point (a
    uniform 2-theta grid of 4,001 points at 6 nm: ~80 blocks).  Points with
    ``Q r_max < 4`` are left to the direct sines (there the series reconstructs a small sine
    from O(1) terms).  Tested against the direct sines to 1e-12.
    """
    order, qs, h, centres, where = _taylor_blocks(q, r.max()) if blocks is None else blocks
    nterm = _TAYLOR_TERMS
    a = weights / r[None, :]  # (P, K)
    npair, nblock = a.shape[0], centres.size
    chunk = max(1, _CHUNK_ELEMENTS // (2 * npair * nblock + nterm))

    def part(c: int) -> np.ndarray:
        rc = r[c : c + chunk]
        # (h r)^m / m!, column by column (h r <= 2: no overflow, no loss)
        powers = np.empty((rc.size, nterm))
        powers[:, 0] = 1.0
        hr = h * rc
        for m in range(1, nterm):
            np.multiply(powers[:, m - 1], hr / m, out=powers[:, m])
        x = np.multiply.outer(centres, rc)  # (B, Kc)
        ac = a[:, c : c + chunk]
        lhs_s = (ac[:, None, :] * np.sin(x)[None]).reshape(npair * nblock, -1)
        lhs_c = (ac[:, None, :] * np.cos(x)[None]).reshape(npair * nblock, -1)
        return np.stack([lhs_s @ powers, lhs_c @ powers])  # (2, P B, M)

    mom = np.zeros((2, npair * nblock, nterm))
    for res in _map_threads(part, range(0, r.size, chunk)):
        mom += res
    # derivative m of sin at c r: sin, cos, -sin, -cos
    m = np.arange(nterm)
    sign = np.where(m % 4 < 2, 1.0, -1.0)
    moments = np.where((m % 2 == 0)[None, :], mom[0], mom[1]) * sign  # (P B, M)
    moments = np.ascontiguousarray(moments.reshape(npair, nblock, nterm).transpose(0, 2, 1))  # (P, M, B)
    u = (qs - centres[where]) / h  # in [-1, 1]
    res_sorted = np.empty((npair, qs.size))
    step = max(1, _CHUNK_ELEMENTS // (npair * nterm))
    for j0 in range(0, qs.size, step):
        sl = slice(j0, j0 + step)
        upow = np.empty((nterm, u[sl].size))
        upow[0] = 1.0
        for k in range(1, nterm):
            np.multiply(upow[k - 1], u[sl], out=upow[k])
        terms = moments[:, :, where[sl]]  # (P, M, n): each point reads its block's moments
        terms *= upow[None]
        res_sorted[:, sl] = terms.sum(axis=1) / qs[None, sl]
    out = np.empty_like(res_sorted)
    out[:, order] = res_sorted
    return out
