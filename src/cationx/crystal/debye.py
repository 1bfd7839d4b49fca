"""Debye scattering equation for atomistic clusters with partially occupied sites.

The powder intensity of a cluster of atoms ``i`` at positions ``r_i`` with occupancy
probability ``p_i``, complex form factor ``f_i(Q) = f0_i(Q) + f'_i + i f''_i`` and isotropic
Debye-Waller factor ``T_i(Q) = exp(-B_i Q^2 / (16 pi^2))`` is (Debye 1915; occupancies as
independent Bernoulli variables, displacements uncorrelated)::

    I(Q) = sum_i sum_j p_i p_j T_i T_j Re(f_i f_j*) sin(Q r_ij) / (Q r_ij)     coherent
         + sum_sites [ sum_a p_a T_a^2 |f_a|^2 - |sum_a p_a T_a f_a|^2 ]        Laue diffuse
         + sum_i p_i |f_i|^2 (1 - T_i^2)                                        thermal diffuse

The coherent double sum includes ``i = j``.  A *site* is a set of atoms of different
species that share one position and exclude each other (their occupancies add up to at
most 1); for a site holding one atom the Laue term is ``p (1 - p) T^2 |f|^2``.  The thermal
diffuse term restores the self-scattering the Debye-Waller factor removes from ``i = j``
(switch it off to compare with codes that damp the self term).

Atoms are grouped into *species* (one form factor and one B each).  The double sum splits
into per-species-pair sums that do not depend on the form factors,
``P_st(Q) = sum_{i in s, j in t (or i in t, j in s)} p_i p_j sinc(Q r_ij)``, so
``I_coh = sum_{s<=t} Re(f_s f_t*) T_s T_t P_st``.  Three routes compute ``P_st``:

``exact``
    the O(N^2) double sum, in chunks of pairs so the memory stays bounded (the reference);
``histogram``
    all pair distances binned per species pair (bins of ``bin_width_angstrom``), each bin
    evaluated at its weighted mean distance with the second-order correction from its
    weighted variance; on lattice clusters every bin holds a single distance and the
    result equals the exact sum to rounding;
``fft``
    for atoms on a rational grid of the lattice (anti-fluorite 4a/8c/4b/24e(x=1/4) sit
    on an a/4 grid): occupancies are placed on one grid per species and per *offset
    class* (atoms off the common grid, e.g. 32f with x = 0.34, sit at a fixed offset from
    a grid point; each offset gets its own grid), the pair-weight of every grid
    displacement is the cross-correlation of two grids, computed exactly with zero-padded
    FFTs (O(M log M)), and displacements are grouped into shells of equal distance.
    On orthogonal grid axes (cubic, tetragonal, orthorhombic cells) distances do not
    change when a displacement component changes sign, so each correlation is only needed
    averaged over the eight sign flips: its spectrum is folded onto one octant of
    frequencies and inverted with DCT-I / DCT-III (offset differences 0 or 1/2 of a grid
    step), transforms of an eighth of the points (at 6 nm a third of the time of the full
    inverse FFT, folding included); other offset differences use the full
    inverse FFT.

The shell sums ``sum_k w_k sinc(Q r_k)`` use block angle addition on uniform Q grids
(shared cos/sin tables, two real matrix products), Taylor blocks on other grids of
positive Q where they pay (:func:`_taylor_q_sums`), and direct sines otherwise.

Why hand-written: no maintained library computes the Debye sum with occupancy statistics
(coherent plus Laue term) and anomalous form factors; DebyeCalculator drops the Laue term
and debyer has no occupancies.  The FFT route is exact (not a binning approximation)
because grid displacements map to exact distances.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import scipy.fft

from cationx._validation import as_1d_array, check_choice, check_positive
from cationx.errors import InputError

__all__ = [
    "DebyePattern",
    "PairShells",
    "PairSums",
    "average_patterns",
    "choose_grid",
    "debye_intensity",
    "debye_pattern",
    "estimate_fft_memory_gib",
    "find_maxima",
    "infer_grid",
    "pair_shells",
    "pair_sums",
    "polarisation_factor",
    "q_from_two_theta",
    "two_theta_from_q",
]

METHODS = ("auto", "exact", "histogram", "fft")
_CHUNK_ELEMENTS = 2_000_000  # q x pairs elements per block (16 MB of float64)


# ---------------------------------------------------------------- small helpers


def q_from_two_theta(two_theta_deg: Any, wavelength_angstrom: float) -> np.ndarray:
    """Scattering vector Q = 4 pi sin(theta) / lambda in 1/A for 2-theta in degrees."""
    lam = check_positive(wavelength_angstrom, "wavelength_angstrom")
    tt = as_1d_array(two_theta_deg, "two_theta_deg")
    if (tt <= 0).any() or (tt >= 180).any():
        raise InputError("two_theta_deg must lie in (0, 180) degrees")
    return 4.0 * np.pi * np.sin(np.radians(tt) / 2.0) / lam


def two_theta_from_q(q_inv_angstrom: Any, wavelength_angstrom: float) -> np.ndarray:
    """2-theta in degrees for Q in 1/A; Q must not exceed 4 pi / lambda."""
    lam = check_positive(wavelength_angstrom, "wavelength_angstrom")
    q = as_1d_array(q_inv_angstrom, "q_inv_angstrom")
    s = q * lam / (4.0 * np.pi)
    if (s > 1).any() or (q < 0).any():
        raise InputError(f"q_inv_angstrom must lie in [0, {4 * np.pi / lam:.6g}] for wavelength {lam} A")
    return np.degrees(2.0 * np.arcsin(s))


def polarisation_factor(two_theta_deg: Any, monochromator_two_theta_deg: float | None = None) -> np.ndarray:
    """Polarisation factor of an unpolarised beam, optionally after a monochromator.

    ``(1 + cos^2 2theta_m cos^2 2theta) / (1 + cos^2 2theta_m)``; without a monochromator
    ``(1 + cos^2 2theta) / 2``.  The Debye equation is already orientationally averaged, so
    no Lorentz factor applies to I(2theta).
    """
    tt = np.radians(as_1d_array(two_theta_deg, "two_theta_deg"))
    c2m = 1.0 if monochromator_two_theta_deg is None else math.cos(math.radians(float(monochromator_two_theta_deg))) ** 2
    return (1.0 + c2m * np.cos(tt) ** 2) / (1.0 + c2m)


def _sinc(x: np.ndarray) -> np.ndarray:
    """sin(x)/x with the limit 1 at x = 0 (x >= 0)."""
    if np.all(x):
        out = np.sin(x)
        out /= x
        return out
    out = np.ones_like(x)
    nz = x != 0
    out[nz] = np.sin(x[nz]) / x[nz]
    return out


def _sinc_d2(x: np.ndarray) -> np.ndarray:
    """Second derivative of sin(x)/x; series below x = 1e-2."""
    out = np.empty_like(x)
    small = np.abs(x) < 1e-2
    xs = x[small]
    out[small] = -1.0 / 3.0 + xs**2 / 10.0 - xs**4 / 168.0
    xl = x[~small]
    out[~small] = ((2.0 - xl**2) * np.sin(xl) - 2.0 * xl * np.cos(xl)) / xl**3
    return out


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class _Atoms:
    positions: np.ndarray  # (N, 3) A
    species: np.ndarray  # (N,) int
    occupancy: np.ndarray  # (N,)
    site: np.ndarray  # (N,) int
    n_species: int


def _check_atoms(positions_angstrom: Any, species: Any, occupancy: Any, site: Any, n_species: int | None) -> _Atoms:
    try:
        pos = np.array(positions_angstrom, dtype=float, copy=True)
    except (TypeError, ValueError):
        raise InputError("positions_angstrom must be a numeric (N, 3) array") from None
    if pos.ndim != 2 or pos.shape[1] != 3 or pos.shape[0] < 1:
        raise InputError(f"positions_angstrom must have shape (N, 3) with N >= 1, got {pos.shape}")
    if not np.isfinite(pos).all():
        raise InputError("positions_angstrom must be finite")
    n = pos.shape[0]
    sp = np.array(species, copy=True)
    if sp.shape != (n,) or not np.issubdtype(sp.dtype, np.integer):
        raise InputError(f"species must be N = {n} integer indices, got shape {sp.shape} dtype {sp.dtype}")
    if (sp < 0).any():
        raise InputError("species indices must be >= 0")
    ns = int(sp.max()) + 1 if n_species is None else int(n_species)
    if sp.max() >= ns:
        raise InputError(f"species index {int(sp.max())} out of range for {ns} species")
    occ = as_1d_array(occupancy, "occupancy")
    if occ.size != n:
        raise InputError(f"occupancy must have N = {n} values, got {occ.size}")
    if (occ < 0).any() or (occ > 1).any():
        i = int(np.flatnonzero((occ < 0) | (occ > 1))[0])
        raise InputError(f"occupancy must lie in [0, 1]; value {occ[i]!r} at index {i}")
    if site is None:
        st = np.arange(n)
    else:
        st = np.array(site, copy=True)
        if st.shape != (n,) or not np.issubdtype(st.dtype, np.integer):
            raise InputError(f"site must be N = {n} integer labels, got shape {st.shape}")
        _check_sites(pos, occ, st)
    return _Atoms(pos, sp.astype(np.int64), occ, st.astype(np.int64), ns)


def _check_sites(pos: np.ndarray, occ: np.ndarray, site: np.ndarray) -> None:
    if site.min() >= 0 and site.max() < 4 * site.size and np.bincount(site).max() <= 1:
        return  # every atom on its own site
    order = np.argsort(site, kind="stable")
    s_sorted = site[order]
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    sums = np.add.reduceat(occ[order], starts)
    if (sums > 1 + 1e-9).any():
        k = int(np.flatnonzero(sums > 1 + 1e-9)[0])
        raise InputError(f"site {int(s_sorted[starts[k]])} is filled beyond 1 (occupancies add up to {sums[k]:.6g})")
    first = np.repeat(pos[order][starts], np.diff(np.r_[starts, len(order)]), axis=0)
    if (np.abs(pos[order] - first) > 1e-6).any():
        raise InputError("atoms sharing a site label must sit at the same position (within 1e-6 A)")


def _pairs(n_species: int) -> list[tuple[int, int]]:
    return [(s, t) for s in range(n_species) for t in range(s, n_species)]


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


_CONTROLLER: Any = None
_POOL: Any = None
_BLAS_LOCK = threading.Lock()
_BLAS_USERS = 0
_BLAS_LIMITER: Any = None


def _setup_threads() -> None:
    global _CONTROLLER, _POOL
    with _BLAS_LOCK:
        if _CONTROLLER is None:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER = ThreadpoolController()  # library discovery once per process
        if _POOL is None:
            from concurrent.futures import ThreadPoolExecutor

            _POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="cationx-debye")


class _SingleThreadedBlas:
    """BLAS limited to one thread while any caller needs it; the original limits come back
    when the last one leaves (a reference count, so overlapping calls from several threads
    cannot leave the process limited)."""

    def __enter__(self) -> None:
        global _BLAS_USERS, _BLAS_LIMITER
        with _BLAS_LOCK:
            if _BLAS_USERS == 0:
                _BLAS_LIMITER = _CONTROLLER.limit(limits=1, user_api="blas")
            _BLAS_USERS += 1

    def __exit__(self, *exc: object) -> None:
        global _BLAS_USERS, _BLAS_LIMITER
        with _BLAS_LOCK:
            _BLAS_USERS -= 1
            if _BLAS_USERS == 0:
                _BLAS_LIMITER.restore_original_limits()
                _BLAS_LIMITER = None


def _map_threads(fn: Any, items: Any, threads: int | None = None) -> list[Any]:
    """``[fn(i) for i in items]`` on up to ``threads`` threads (default one per core), each
    with single-threaded BLAS, in a pool kept for the process; results in item order.

    NumPy, SciPy's FFTs and matrix products release the GIL, so items run side by side;
    BLAS's own threads are limited to one (they spin-wait and collapse on a busy machine).
    """
    items = list(items)
    n = min(len(items), os.cpu_count() or 1, threads or os.cpu_count() or 1)
    if n <= 1:
        return [fn(i) for i in items]
    _setup_threads()
    with _SingleThreadedBlas():
        if n >= len(items):
            return list(_POOL.map(fn, items))
        # n threads over more items: each thread takes every n-th item
        parts = list(_POOL.map(lambda j: [fn(i) for i in items[j::n]], range(n)))
        out: list[Any] = [None] * len(items)
        for j, part in enumerate(parts):
            out[j::n] = part
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


def _histogram_shells(atoms: _Atoms, bin_width: float) -> PairShells:
    pos, sp, occ, ns = atoms.positions, atoms.species, atoms.occupancy, atoms.n_species
    pairs = _pairs(ns)
    pidx = np.full((ns, ns), -1, dtype=np.int64)
    for k, (s, t) in enumerate(pairs):
        pidx[s, t] = pidx[t, s] = k
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


def infer_grid(frac_coords: Any, *, max_denominator: int = 24, tol: float = 1e-6) -> tuple[int, int, int]:
    """Smallest grid (n_a, n_b, n_c) per cell holding every rational coordinate.

    Coordinates that are fractions with denominator <= ``max_denominator`` (within
    ``tol``) set the grid (the least common multiple of the denominators per axis);
    others (e.g. 32f x = 0.34) stay off the grid and get their own offset class in the
    FFT route.
    """
    from fractions import Fraction

    f = np.asarray(frac_coords, dtype=float).reshape(-1, 3) % 1.0
    grid = []
    for ax in range(3):
        n = 1
        for v in pd.unique(np.round(f[:, ax], 9)):
            fr = Fraction(float(v)).limit_denominator(max_denominator)
            if abs(float(fr) - v) < tol:
                n = math.lcm(n, fr.denominator)
        grid.append(n)
    return (grid[0], grid[1], grid[2])


def _smooth_len(n: int) -> int:
    """Smallest even m >= n whose prime factors are 2, 3 and 5 (fast for pocketfft; even
    lengths let the folded inverse transform use DCTs of length m/2 + 1 or m/2)."""
    m = max(2, n + (n % 2))
    while True:
        k = m
        for p in (2, 3, 5):
            while k % p == 0:
                k //= p
        if k == 1:
            return m
        m += 2


def _padded(n: np.ndarray) -> tuple[int, ...]:
    return tuple(_smooth_len(int(2 * k - 1)) for k in n)


_SCRATCH = threading.local()
_SCRATCH_LIMIT_BYTES = 64 * 2**20


def _scratch(name: str, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """A reusable, uninitialised working array of this thread (never returned to callers).

    Fresh memory costs one page fault per 4 KiB on first touch, and glibc hands freed
    blocks back to the system, so every call would pay the faults again: about 1,500 faults
    (~5 ms on a virtual machine) for a 6 nm cluster, more than its FFTs.  The FFT route
    keeps its spectra and products here between calls, at most 64 MiB per thread in all
    (grids of large clusters, where the faults are a small share of the work, are not
    kept).
    """
    pool = getattr(_SCRATCH, "pool", None)
    if pool is None:
        pool = _SCRATCH.pool = {}
    dt = np.dtype(dtype)
    arr = pool.get(name)
    if arr is not None and arr.shape == shape and arr.dtype == dt:
        return arr
    pool.pop(name, None)
    arr = np.empty(shape, dt)
    if arr.nbytes + sum(a.nbytes for a in pool.values()) > _SCRATCH_LIMIT_BYTES:
        pool.clear()  # a new size: drop the old working set rather than grow past the limit
    if arr.nbytes <= _SCRATCH_LIMIT_BYTES:
        pool[name] = arr
    return arr


def _padded_rfftn(dens: np.ndarray, shape: tuple[int, ...], out: np.ndarray, workers: int | None) -> None:
    """``out[...] = rfftn(dens, s=shape)``, transforming only the non-zero part along each
    axis first (the zero padding need not be transformed along the axes done earlier);
    the last two transforms run in place in ``out`` (shape (p0, p1, p2/2 + 1), complex)."""
    e0, e1 = dens.shape[0], dens.shape[1]
    out[:e0, :e1] = scipy.fft.rfft(dens, n=shape[2], axis=2, workers=workers)
    out[:e0, e1:] = 0
    part = scipy.fft.fft(out[:e0], axis=1, overwrite_x=True, workers=workers)
    if part.ctypes.data != out.ctypes.data:  # pocketfft gave a copy after all
        out[:e0] = part
    out[e0:] = 0
    full = scipy.fft.fft(out, axis=0, overwrite_x=True, workers=workers)
    if full.ctypes.data != out.ctypes.data:
        out[...] = full


def _fold_spectrum(spec: np.ndarray, shape: tuple[int, ...], offsets: np.ndarray) -> np.ndarray:
    """Fold the half spectrum of a real correlation onto one octant of frequencies.

    ``spec`` is the ``rfftn`` layout (p0, p1, p2/2 + 1) of a real circular correlation
    ``c(d)`` over grid displacements ``d`` (complex, or real for an autocorrelation); the true
    displacement is ``u = d + o`` with ``o_j`` in {-1/2, 0, 1/2} per axis.  The mean of ``c``
    over the eight per-axis sign flips of ``u``, ``g(u)``, has the spectrum
    ``T(k) = mean over the sign flips of Re(phi(k) S(k))`` with
    ``phi(k) = exp(-2 pi i sum_j k_j o_j / p_j)``: real and even in every axis, so only
    ``0 <= k_j <= p_j/2`` is needed.  ``c`` real gives ``S(-k) = conj S(k)``, so folding axes
    0 and 1 and taking the real part covers all eight flips.  Returns ``T / prod(p)`` of
    shape (p0/2 + 1, p1/2 + 1, p2/2 + 1), ready for :func:`_octant_inverse`.
    """
    h0, h1, h2 = (q // 2 for q in shape)

    def phase(ax: int, sign: int) -> np.ndarray:
        return np.exp(-2j * np.pi * sign * offsets[ax] * np.arange(shape[ax] // 2 + 1) / shape[ax])

    def fold(a: np.ndarray, ax: int, h: int) -> np.ndarray:
        """Entries k = 0 .. h along ``ax`` plus their mirrors -k (index p - k; -h is h
        itself since p = 2h), each with its phase; the mirrors are a reversed view."""
        a = np.moveaxis(a, ax, 0)
        dt = np.dtype(complex) if offsets[ax] else a.dtype
        out = _scratch(f"fold{ax}_{dt.kind}", (h + 1, *a.shape[1:]), dt)
        np.multiply(a[0], 2.0, out=out[0])
        lo, hi = a[1 : h + 1], a[-1 : -h - 1 : -1]
        if offsets[ax]:
            ph = phase(ax, 1)[1:].reshape((h,) + (1,) * (a.ndim - 1))
            np.multiply(lo, ph, out=out[1:])
            tmp = _scratch(f"fold{ax}_tmp", out[1:].shape, complex)
            np.multiply(hi, np.conj(ph), out=tmp)
            out[1:] += tmp
        else:
            np.add(lo, hi, out=out[1:])
        return np.moveaxis(out, 0, ax)

    f1 = fold(fold(spec[:, :, : h2 + 1], 0, h0), 1, h1)
    scale = 0.25 / float(np.prod(shape))
    if offsets[2]:
        ph = phase(2, 1) * scale
        return f1.real * ph.real[None, None, :] - f1.imag * ph.imag[None, None, :]
    out = f1.real * scale if np.iscomplexobj(f1) else f1 * scale
    return out


def _octant_inverse(folded: np.ndarray, shape: tuple[int, ...], offsets: np.ndarray, extent: np.ndarray) -> np.ndarray:
    """``g(u)`` for ``u_j = |o_j| + 0 .. extent_j - 1`` from folded spectra (leading axes
    batch): per axis a DCT-I of length p_j/2 + 1 (o_j = 0) or a DCT-III of length p_j/2
    (o_j = +-1/2), which is the inverse DFT of a real even sequence (scipy's unnormalised
    DCTs carry the factor 2 of the paired terms), on an eighth of the points of a full
    inverse FFT."""
    out = folded
    lead = folded.ndim - 3
    for j in range(3):
        ax = lead + j
        if offsets[j]:
            out = scipy.fft.dct(out[(slice(None),) * ax + (slice(0, shape[j] // 2),)], type=3, axis=ax)
        else:
            out = scipy.fft.dct(out, type=1, axis=ax)
        out = out[(slice(None),) * ax + (slice(0, int(extent[j])),)]
    return out


def estimate_fft_memory_gib(grid_extent: Any, n_grids: int) -> float:
    """Peak memory (GiB) of the FFT route for a grid of ``grid_extent`` points per axis."""
    p = _padded(np.asarray(grid_extent, dtype=int))
    m_real = p[0] * p[1] * p[2]
    m_cplx = p[0] * p[1] * (p[2] // 2 + 1)
    crop = int(np.prod(2 * np.asarray(grid_extent) - 1))
    total = 16 * m_cplx * (n_grids + 2) + 8 * m_real * 2 + crop * 8 * 3
    return total / 2**30


def _integer_metric(gg: np.ndarray) -> tuple[np.ndarray, float] | None:
    """(R, unit) with gg = unit * R, R integer, when the grid metric allows it."""
    g0 = float(np.min(np.diag(gg)))
    for m in (1, 2, 3, 4, 6, 12):
        r = gg / g0 * m
        if np.allclose(r, np.round(r), rtol=0, atol=1e-9):
            return np.round(r).astype(np.int64), g0 / m
    return None


def _rational_denominator(x: np.ndarray, max_den: int = 24) -> int | None:
    for m in range(1, max_den + 1):
        if np.allclose(x * m, np.round(x * m), rtol=0, atol=1e-6):
            return m
    return None


_OFFSET_SCALE = 1_000_000  # offsets are stored in 1e-6 grid units


class _OffGridError(InputError):
    """Positions not on a rational grid of the lattice (too many offset classes)."""


def _grid_classes(frac: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid index (floor), offset classes (integer codes, 1e-6 grid units) and class per atom."""
    # column by column: (N,)-sized temporaries stay small (large fresh arrays cost page faults)
    n = frac.shape[0]
    g = np.empty((n, 3), dtype=np.int64)
    off = np.empty((n, 3), dtype=np.int64)
    code = np.zeros(n, dtype=np.int64)
    base = 2 * _OFFSET_SCALE + 3
    for ax in range(3):
        u = frac[:, ax] * grid[ax]
        gi = np.floor(u + 1e-7)
        g[:, ax] = gi
        u -= gi
        u *= _OFFSET_SCALE
        oi = np.rint(u).astype(np.int64)
        off[:, ax] = oi
        code *= base
        code += oi
    uniq, cls = np.unique(code, return_inverse=True)  # classes ordered by code
    first = np.zeros(len(uniq), dtype=np.int64)
    first[cls[::-1]] = np.arange(cls.size)[::-1]
    return g, off[first], cls.astype(np.int64)


def _plan(frac: np.ndarray, sp: np.ndarray, grid: np.ndarray, ns: int) -> tuple[float, int, int]:
    """(cost estimate, forward FFTs, inverse FFTs) of the FFT route on ``grid``."""
    g, classes, cls = _grid_classes(frac, grid)
    extent = g.max(axis=0) - g.min(axis=0) + 1
    m = float(np.prod(_padded(extent)))
    groups = np.unique(cls * ns + sp)
    gc, gs = groups // ns, groups % ns
    diffs = set()
    for i in range(groups.size):
        for j in range(groups.size):
            if gs[i] <= gs[j]:
                do = tuple((classes[gc[j]] - classes[gc[i]]).tolist())
                if gs[i] == gs[j] and do < (0, 0, 0):
                    continue
                diffs.add((int(gs[i]), int(gs[j]), *do))
    n_fwd, n_inv = int(groups.size), len(diffs)
    crop = float(np.prod(2 * extent - 1))
    # per FFT ~ M log2 M element operations, per inverse a crop + bincount pass, plus a fixed overhead
    cost = (n_fwd + n_inv) * (m * math.log2(max(m, 2.0)) + 2e5) + n_inv * 8.0 * crop
    return cost, n_fwd, n_inv


_GRID_MEMO: dict[tuple[Any, ...], tuple[int, int, int]] = {}


def choose_grid(
    frac: Any, species: Any, base_grid: tuple[int, int, int] | None = None, n_species: int | None = None
) -> tuple[int, int, int]:
    """Cheapest FFT grid among the divisors of ``base_grid`` (default :func:`infer_grid` of
    ``frac``); coarser grids trade FFT size for more offset classes, and the cost model
    counts FFTs and their sizes.  Plans are memoised per input."""
    fr = np.ascontiguousarray(frac, dtype=float)
    sp = np.ascontiguousarray(species, dtype=np.int64)
    ns = int(sp.max()) + 1 if n_species is None else int(n_species)
    given = None if base_grid is None else tuple(int(n) for n in base_grid)
    fast_key = (given, ns, fr.shape, hash(fr.tobytes()), hash(sp.tobytes()))
    if fast_key in _GRID_MEMO:
        return _GRID_MEMO[fast_key]
    if base_grid is None:
        base_grid = infer_grid(fr)
    # classes depend only on positions modulo the cell: plan on the distinct basis positions
    cells = np.floor(fr + 1e-7)
    code = sp.astype(np.int64)
    for ax in range(3):
        c_ax, u_ax = pd.factorize(np.rint((fr[:, ax] - cells[:, ax]) * 1e6).astype(np.int64))
        code = code * (len(u_ax) + 1) + c_ax
    _, first = np.unique(pd.factorize(code)[0], return_index=True)
    lo, hi = cells.min(axis=0), cells.max(axis=0)
    # the basis at the two extreme cells keeps the extent right
    probe_f = np.vstack([fr[first] - cells[first] + lo, fr[first] - cells[first] + hi])
    probe_s = np.concatenate([sp[first], sp[first]])
    memo_key = (tuple(int(n) for n in base_grid), ns, np.round(probe_f, 6).tobytes(), probe_s.tobytes())
    if memo_key in _GRID_MEMO:
        _GRID_MEMO[fast_key] = _GRID_MEMO[memo_key]
        return _GRID_MEMO[memo_key]
    common = math.gcd(*base_grid)
    candidates = {tuple(int(n // k) for n in base_grid) for k in range(1, common + 1) if common % k == 0}
    candidates.add((1, 1, 1))
    best: tuple[float, tuple[int, int, int]] | None = None
    for cand in sorted(candidates):
        grid = np.array(cand)
        _, classes, _ = _grid_classes(probe_f, grid)
        if len(classes) > 64:
            continue
        cost = _plan(probe_f, probe_s, grid, ns)[0]
        if best is None or cost < best[0]:
            best = (cost, (int(cand[0]), int(cand[1]), int(cand[2])))
    chosen = base_grid if best is None else best[1]
    if len(_GRID_MEMO) > 256:
        _GRID_MEMO.clear()
    _GRID_MEMO[memo_key] = _GRID_MEMO[fast_key] = chosen
    return chosen


def _fft_shells(atoms: _Atoms, lattice: np.ndarray, grid: tuple[int, int, int], memory_limit_gib: float, workers: int | None) -> PairShells:
    pos, sp, occ, ns = atoms.positions, atoms.species, atoms.occupancy, atoms.n_species
    lat = np.asarray(lattice, dtype=float)
    ng = np.asarray(grid, dtype=int)
    frac = pos @ np.linalg.inv(lat)
    g, classes, cls = _grid_classes(frac, ng)
    g_cols = np.ascontiguousarray(g.T)  # column reductions of an (N, 3) array are slow
    g -= g_cols.min(axis=1)
    extent = g_cols.max(axis=1) - g_cols.min(axis=1) + 1
    if len(classes) > 64:
        raise _OffGridError(
            f"{len(classes)} distinct offsets from the {tuple(grid)} grid: the positions are not on a rational "
            "grid of the lattice; use method='histogram' or 'exact'"
        )
    gcode = np.flatnonzero(np.bincount(cls * ns + sp))
    groups = [(int(k // ns), int(k % ns)) for k in gcode]
    need = estimate_fft_memory_gib(extent, len(groups))
    if need > memory_limit_gib:
        raise InputError(
            f"the FFT route needs about {need:.1f} GiB for a {tuple(int(e) for e in extent)} grid, "
            f"over memory_limit_gib = {memory_limit_gib}"
        )
    shape = _padded(extent)
    # pocketfft's own threads only pay off on large grids
    fft_workers = workers if np.prod(shape) >= 2**18 else 1
    flat = np.ravel_multi_index(g.T, tuple(extent))
    spec_shape = (shape[0], shape[1], shape[2] // 2 + 1)
    bank = _scratch("spectra", (len(groups), *spec_shape), complex)
    spectra = {grp: bank[k] for k, grp in enumerate(groups)}
    for k, (c, s) in enumerate(groups):
        m = (cls == c) & (sp == s)
        dens = np.bincount(flat[m], weights=occ[m], minlength=int(np.prod(extent))).reshape(tuple(extent))
        _padded_rfftn(dens, shape, bank[k], fft_workers)
    # displacement per index of the (circular) correlation: 0..p/2 then negative; indices
    # between e-1 and p-e+1 are displacements no pair has (their values are rounding noise,
    # and their distances exceed the cluster diameter along that axis)
    axes_d = [np.where(np.arange(p) < (p + 1) // 2, np.arange(p), np.arange(p) - p) for p in shape]
    a_mat = lat / ng[:, None]  # rows: grid step vectors (A)
    gg = a_mat @ a_mat.T
    intm = _integer_metric(gg)
    # largest pair distance (twice the largest distance from the box centre); beyond it only noise
    cols = np.ascontiguousarray(pos.T)
    centre = 0.5 * (cols.min(axis=1) + cols.max(axis=1))
    cols -= centre[:, None]
    rmax = 2.0 * float(np.sqrt(np.einsum("ij,ij->j", cols, cols).max())) + 1e-6
    pairs = _pairs(ns)
    # (species pair, offset difference) -> list of (class1, class2)
    plan: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for c1, s1 in groups:
        for c2, s2 in groups:
            if s1 <= s2:
                do = tuple((classes[c2] - classes[c1]).tolist())
                # within one species the offset differences -do and do give mirrored
                # correlations (C(d) = C'(-d)) with the same distances: keep do >= 0 only
                if s1 == s2 and do < (0, 0, 0):
                    continue
                plan.setdefault((s1, s2, *do), []).append((c1, c2))
    by_do: dict[tuple[int, ...], list[tuple[int, int, list[tuple[int, int]]]]] = {}
    for key, members in plan.items():
        by_do.setdefault(tuple(key[2:]), []).append((key[0], key[1], members))
    # one integer key per distance when the metric and all offset differences are rational:
    # r^2 = unit / den^2 * key, so equal distances from different offset classes merge exactly
    dens = [_rational_denominator(np.asarray(k, dtype=float) / _OFFSET_SCALE) for k in by_do]
    den = math.lcm(*[int(d) for d in dens]) if intm is not None and all(d is not None for d in dens) else None
    def spec_of(s: int, t: int, members: list[tuple[int, int]]) -> np.ndarray:
        """Spectrum of the summed correlations (a scratch array, valid until the next call)."""
        auto = all((c1, s) == (c2, t) for c1, c2 in members)  # |F|^2: real
        acc = _scratch("product_real" if auto else "product", spec_shape, float if auto else complex)
        tmp = _scratch("term_real" if auto else "term", spec_shape, float if auto else complex)
        for k, (c1, c2) in enumerate(members):
            a = spectra[(c1, s)]
            dst = acc if k == 0 else tmp
            if auto:
                np.multiply(a.real, a.real, out=dst)
                dst += np.square(a.imag, out=_scratch("square", spec_shape, float))
            else:
                np.conjugate(a, out=dst)
                dst *= spectra[(c2, t)]
            if k:
                acc += tmp
        c1, c2 = members[0]
        if s != t or np.any(classes[c2] != classes[c1]):
            acc *= 2.0  # s -> t and t -> s, or do and its mirror -do
        return acc

    def corr_of(s: int, t: int, members: list[tuple[int, int]]) -> np.ndarray:
        return scipy.fft.irfftn(spec_of(s, t, members), s=shape, workers=fft_workers).ravel()

    if den is not None and intm is not None:
        im, unit = intm
        # the largest key: |den * d| <= den * (e - 1) + den per axis
        span = den * (np.asarray(shape) // 2 + 1)
        kmax = int(np.abs(im).sum() * int(span.max()) ** 2) + 1
    if den is not None and intm is not None and kmax <= 50_000_000:
        w_key = np.zeros((len(pairs), kmax))
        present = np.zeros(kmax, dtype=bool)
        diagonal = not (im[0, 1] or im[0, 2] or im[1, 2])
        half_offsets = (-_OFFSET_SCALE // 2, 0, _OFFSET_SCALE // 2)
        folded_groups = [dc for dc in sorted(by_do) if diagonal and all(v in half_offsets for v in dc)]

        def folded_group(do_code: tuple[int, ...]) -> tuple[np.ndarray, list[np.ndarray]]:
            """Distances keep under per-axis sign flips: fold the correlations onto one octant."""
            items = by_do[do_code]
            do_arr = np.asarray(do_code, dtype=float) / _OFFSET_SCALE
            uu = [np.rint(den * (np.arange(int(extent[k])) + abs(do_arr[k]))).astype(np.int64) for k in range(3)]
            key = ((im[0, 0] * uu[0] ** 2)[:, None, None] + (im[1, 1] * uu[1] ** 2)[None, :, None]
                   + (im[2, 2] * uu[2] ** 2)[None, None, :]).ravel()
            orbit = ((2 - (uu[0] == 0))[:, None, None] * (2 - (uu[1] == 0))[None, :, None]
                     * (2 - (uu[2] == 0))[None, None, :]).ravel().astype(float)
            folded = np.stack([_fold_spectrum(spec_of(s, t, members), shape, do_arr) for s, t, members in items])
            gk = _octant_inverse(folded, shape, do_arr, extent).reshape(len(items), -1)
            gk *= orbit
            return key, [np.bincount(key, weights=row, minlength=kmax) for row in gk]

        for do_code in folded_groups:
            key, contrib = folded_group(do_code)
            present[key] = True
            for (s, t, _), w in zip(by_do[do_code], contrib, strict=True):
                w_key[pairs.index((s, t))] += w
        for do_code, items in sorted(by_do.items()):
            if do_code in folded_groups:
                continue
            do_arr = np.asarray(do_code, dtype=float) / _OFFSET_SCALE
            xs = [den * axes_d[k] + np.rint(den * do_arr[k]).astype(np.int64) for k in range(3)]
            x0, x1, x2 = xs[0][:, None, None], xs[1][None, :, None], xs[2][None, None, :]
            key = (im[0, 0] * xs[0] ** 2)[:, None, None] + (im[1, 1] * xs[1] ** 2)[None, :, None] + (im[2, 2] * xs[2] ** 2)[None, None, :]
            if im[0, 1]:
                key = key + 2 * im[0, 1] * x0 * x1
            if im[0, 2]:
                key = key + 2 * im[0, 2] * x0 * x2
            if im[1, 2]:
                key = key + 2 * im[1, 2] * x1 * x2
            key = key.ravel()
            present[key] = True
            for s, t, members in items:
                w_key[pairs.index((s, t))] += np.bincount(key, weights=corr_of(s, t, members), minlength=kmax)
        keys = np.flatnonzero(present)
        r_all = np.sqrt(keys * unit) / den
        keep = r_all <= rmax
        r_all, w_all = r_all[keep], w_key[:, keys[keep]]
    else:
        shell_key: list[np.ndarray] = []
        shell_w: list[np.ndarray] = []
        for do_code, items in sorted(by_do.items()):
            do_arr = np.asarray(do_code, dtype=float) / _OFFSET_SCALE
            uu = [axes_d[k] + do_arr[k] for k in range(3)]
            x0, x1, x2 = uu[0][:, None, None], uu[1][None, :, None], uu[2][None, None, :]
            r2 = (gg[0, 0] * x0**2 + gg[1, 1] * x1**2 + gg[2, 2] * x2**2
                  + 2 * gg[0, 1] * x0 * x1 + 2 * gg[0, 2] * x0 * x2 + 2 * gg[1, 2] * x1 * x2).ravel()
            ukey, inv = np.unique(np.round(r2, 8), return_inverse=True)
            inv = inv.ravel()
            w_do = np.zeros((len(pairs), ukey.size))
            for s, t, members in items:
                w_do[pairs.index((s, t))] += np.bincount(inv, weights=corr_of(s, t, members), minlength=ukey.size)
            keep = np.sqrt(ukey) <= rmax
            shell_key.append(ukey[keep])
            shell_w.append(w_do[:, keep])
        merged, where = np.unique(np.concatenate(shell_key), return_inverse=True)
        where = where.ravel()
        w_cat = np.concatenate(shell_w, axis=1)
        w_all = np.zeros((len(pairs), merged.size))
        for k in range(len(pairs)):
            w_all[k] = np.bincount(where, weights=w_cat[k], minlength=merged.size)
        r_all = np.sqrt(merged)
    return PairShells(r_all, w_all, np.zeros_like(w_all), tuple(pairs), "fft")


def pair_shells(
    positions_angstrom: Any,
    species: Any,
    occupancy: Any,
    *,
    method: str = "histogram",
    n_species: int | None = None,
    lattice_matrix: Any = None,
    grid: tuple[int, int, int] | None = None,
    bin_width_angstrom: float = 1e-4,
    memory_limit_gib: float = 4.0,
    workers: int | None = None,
) -> PairShells:
    """Pair weights grouped by distance, by the ``histogram`` or ``fft`` route.

    Parameters
    ----------
    positions_angstrom : (N, 3) Cartesian positions in A.
    species : (N,) species index per atom (0..n_species-1).
    occupancy : (N,) occupancy probability per atom in [0, 1].
    method : ``"histogram"`` or ``"fft"``.
    lattice_matrix : (3, 3), rows the cell vectors a, b, c in A (``fft`` only).
    grid : grid points per cell along a, b, c (``fft``; default: the cheapest divisor of
        :func:`infer_grid`'s grid, see :func:`choose_grid`).
    bin_width_angstrom : histogram bin width in A.
    memory_limit_gib : the FFT route refuses grids whose estimated peak memory is larger.
    workers : threads for the FFTs of large grids (scipy.fft ``workers``, from 2^18 grid
        points; smaller grids run on one thread, which is faster there; default all cores).
    """
    check_choice(method, "method", ("histogram", "fft"))
    atoms = _check_atoms(positions_angstrom, species, occupancy, None, n_species)
    return _shells(atoms, method, lattice_matrix, grid, bin_width_angstrom, memory_limit_gib, workers)


def _shells(
    atoms: _Atoms, method: str, lattice_matrix: Any, grid: Any, bin_width_angstrom: float,
    memory_limit_gib: float, workers: int | None,
) -> PairShells:
    if method == "histogram":
        return _histogram_shells(atoms, check_positive(bin_width_angstrom, "bin_width_angstrom"))
    if lattice_matrix is None:
        raise InputError("method='fft' needs lattice_matrix (rows a, b, c in A)")
    lat = np.asarray(lattice_matrix, dtype=float)
    if lat.shape != (3, 3) or abs(np.linalg.det(lat)) < 1e-6:
        raise InputError("lattice_matrix must be a non-singular (3, 3) array")
    if grid is None:
        frac = atoms.positions @ np.linalg.inv(lat)
        grid = choose_grid(frac, atoms.species, None, atoms.n_species)
    if len(grid) != 3 or any(int(k) < 1 for k in grid):
        raise InputError(f"grid must be three positive integers, got {grid!r}")
    return _fft_shells(atoms, lat, tuple(int(k) for k in grid), float(memory_limit_gib), workers if workers else -1)


# ---------------------------------------------------------------- exact route


def _upper_pairs(a: int, b: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with a <= i < b and i < j < n."""
    counts = n - 1 - np.arange(a, b)
    i = np.repeat(np.arange(a, b), counts)
    starts = np.cumsum(counts) - counts
    j = np.arange(counts.sum()) - np.repeat(starts, counts) + i + 1
    return i, j


def _exact_sums(atoms: _Atoms, q: np.ndarray) -> np.ndarray:
    pos, sp, occ, ns = atoms.positions, atoms.species, atoms.occupancy, atoms.n_species
    pairs = _pairs(ns)
    pidx = np.full((ns, ns), -1, dtype=np.int64)
    for k, (s, t) in enumerate(pairs):
        pidx[s, t] = pidx[t, s] = k
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


# ---------------------------------------------------------------- pair sums


@dataclass(frozen=True, slots=True)
class PairSums:
    """Form-factor-free part of the Debye sum for one cluster.

    ``sums[k]`` is ``P_st(Q)`` for species pair ``pairs[k]`` (see the module docstring);
    ``occupancy_sum[s] = sum p``, ``occupancy_variance[s] = sum p (1 - p)`` over the atoms
    of species ``s``; ``shared_site[s, t] = sum p_a p_b`` over pairs of distinct atoms
    sharing a site (Laue cross terms).
    """

    q_inv_angstrom: np.ndarray
    sums: np.ndarray
    pairs: tuple[tuple[int, int], ...]
    occupancy_sum: np.ndarray
    occupancy_variance: np.ndarray
    shared_site: np.ndarray
    n_atoms: int
    method: str


def _site_stats(atoms: _Atoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ns = atoms.n_species
    osum = np.bincount(atoms.species, weights=atoms.occupancy, minlength=ns)
    ovar = np.bincount(atoms.species, weights=atoms.occupancy * (1 - atoms.occupancy), minlength=ns)
    shared = np.zeros((ns, ns))
    smin = int(atoms.site.min())
    counts = np.bincount(atoms.site - smin)
    multi = counts[atoms.site - smin] > 1
    if multi.any():
        idx = np.flatnonzero(multi)
        order = idx[np.argsort(atoms.site[idx], kind="stable")]
        s_sorted = atoms.site[order]
        starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
        ends = np.r_[starts[1:], order.size]
        for a, b in zip(starts, ends, strict=True):
            members = order[a:b]
            for x in members:
                for y in members:
                    if x != y:
                        shared[atoms.species[x], atoms.species[y]] += atoms.occupancy[x] * atoms.occupancy[y]
    return osum, ovar, shared


def _auto_method(n: int, lattice_matrix: Any) -> str:
    if lattice_matrix is not None:
        return "fft"
    return "histogram" if n > 400 else "exact"


def pair_sums(
    positions_angstrom: Any,
    species: Any,
    occupancy: Any,
    q_inv_angstrom: Any,
    *,
    method: str = "auto",
    n_species: int | None = None,
    site: Any = None,
    lattice_matrix: Any = None,
    grid: tuple[int, int, int] | None = None,
    bin_width_angstrom: float = 1e-4,
    memory_limit_gib: float = 4.0,
    workers: int | None = None,
) -> PairSums:
    """Occupancy-weighted pair sums ``P_st(Q)`` of a cluster.

    ``method="auto"`` takes ``fft`` when a lattice is given (falling back to ``histogram``
    when the positions are not on a rational grid of it), else ``histogram`` above 400
    atoms and ``exact`` below.  ``site`` labels atoms
    that share one position and exclude each other (default: every atom its own site).
    Other parameters as in :func:`pair_shells`.
    """
    check_choice(method, "method", METHODS)
    atoms = _check_atoms(positions_angstrom, species, occupancy, site, n_species)
    q = as_1d_array(q_inv_angstrom, "q_inv_angstrom")
    if (q < 0).any():
        raise InputError("q_inv_angstrom must be >= 0")
    auto = method == "auto"
    if auto:
        method = _auto_method(atoms.positions.shape[0], lattice_matrix)
    if method == "exact":
        sums = _exact_sums(atoms, q)
    else:
        args = (lattice_matrix, grid, bin_width_angstrom, memory_limit_gib, workers)
        try:
            shells = _shells(atoms, method, *args)
        except _OffGridError:
            if not auto:
                raise
            method = "histogram"
            shells = _shells(atoms, method, *args)
        sums = shells.sums(q)
    osum, ovar, shared = _site_stats(atoms)
    return PairSums(q, sums, tuple(_pairs(atoms.n_species)), osum, ovar, shared, atoms.positions.shape[0], method)


# ---------------------------------------------------------------- intensity


@dataclass(frozen=True, slots=True)
class DebyePattern:
    """Debye-equation powder intensity of a cluster (electron units squared per cluster).

    ``intensity = (coherent + laue + thermal_diffuse) * polarisation``; the components are
    given before polarisation.  ``n_atoms`` counts atoms (rows), ``n_sites`` positions
    (when known; atoms of different elements may share a position); averages over sizes
    or configurations give weighted means.  ``self_scattering = sum p |f|^2`` and ``mean_f = sum p f /
    sum p`` serve the reduced PDF.  ``two_theta_deg`` is None for a pattern in Q only.
    """

    q_inv_angstrom: np.ndarray
    intensity: np.ndarray
    coherent: np.ndarray
    laue: np.ndarray
    thermal_diffuse: np.ndarray
    polarisation: np.ndarray
    self_scattering: np.ndarray
    mean_f: np.ndarray
    n_atoms: int
    n_occupied: float
    method: str
    two_theta_deg: np.ndarray | None = None
    wavelength_angstrom: float | None = None
    n_sites: int | None = None

    @property
    def x(self) -> np.ndarray:
        """2-theta in degrees when known, else Q."""
        return self.q_inv_angstrom if self.two_theta_deg is None else self.two_theta_deg

    def maxima(self, *, min_prominence: float = 0.005) -> list[dict[str, float]]:
        """Local maxima of the intensity (see :func:`find_maxima`)."""
        return find_maxima(self.x, self.intensity, min_prominence=min_prominence, x_name="two_theta_deg" if self.two_theta_deg is not None else "q_inv_angstrom")

    def reduced_pdf(self, r_angstrom: Any) -> np.ndarray:
        """Reduced pair distribution function G(r) in 1/A^2.

        ``F(Q) = Q [I(Q) - sum p |f|^2] / (N |<f>|^2)`` with ``N = sum p`` (Faber-Ziman
        weighting) and ``G(r) = (2 / pi) int F(Q) sin(Q r) dQ`` over the pattern's Q range
        (trapezoid rule; no termination damping).  For a finite cluster G(r) falls to
        zero beyond the particle diameter.
        """
        r = as_1d_array(r_angstrom, "r_angstrom")
        q = self.q_inv_angstrom
        i_pol = self.intensity / self.polarisation
        denom = self.n_occupied * np.abs(self.mean_f) ** 2
        fq = q * (i_pol - self.self_scattering) / denom
        order = np.argsort(q)
        q, fq = q[order], fq[order]
        return (2.0 / np.pi) * np.trapezoid(fq[None, :] * np.sin(np.multiply.outer(r, q)), q, axis=1)

    def to_frame(self) -> Any:
        import pandas as pd

        data: dict[str, Any] = {}
        if self.two_theta_deg is not None:
            data["two_theta_deg"] = self.two_theta_deg
        data.update(
            q_inv_angstrom=self.q_inv_angstrom, intensity=self.intensity, coherent=self.coherent,
            laue=self.laue, thermal_diffuse=self.thermal_diffuse, polarisation=self.polarisation,
        )
        return pd.DataFrame(data)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "n_atoms": self.n_atoms,
            "n_sites": self.n_sites,
            "n_occupied": float(self.n_occupied),
            "wavelength_angstrom": self.wavelength_angstrom,
            "q_inv_angstrom": self.q_inv_angstrom.tolist(),
            "intensity": self.intensity.tolist(),
            "coherent": self.coherent.tolist(),
            "laue": self.laue.tolist(),
            "thermal_diffuse": self.thermal_diffuse.tolist(),
            "maxima": self.maxima(),
        }
        if self.two_theta_deg is not None:
            out["two_theta_deg"] = self.two_theta_deg.tolist()
        return out


def _check_form_factors(form_factors: Any, n_species: int, n_q: int) -> np.ndarray:
    ff = np.array(form_factors, dtype=complex, copy=True)
    if ff.ndim == 1 and ff.size == n_species:
        ff = np.repeat(ff[:, None], n_q, axis=1)
    if ff.shape != (n_species, n_q):
        raise InputError(f"form_factors must have shape (n_species, n_q) = ({n_species}, {n_q}), got {ff.shape}")
    if not np.isfinite(ff).all():
        raise InputError("form_factors must be finite")
    return ff


def debye_intensity(
    sums: PairSums,
    form_factors: Any,
    *,
    b_iso: Any = None,
    thermal_diffuse: bool = True,
    two_theta_deg: Any = None,
    wavelength_angstrom: float | None = None,
    polarisation: bool = True,
    monochromator_two_theta_deg: float | None = None,
) -> DebyePattern:
    """Combine pair sums with complex form factors into I(Q) (and I(2theta)).

    Parameters
    ----------
    sums : from :func:`pair_sums`.
    form_factors : complex (n_species, n_q) ``f0 + f' + i f''`` in electrons (or one
        constant per species).
    b_iso : per-species isotropic displacement B in A^2 (default 0).
    thermal_diffuse : add the self-scattering the Debye-Waller factor removes from i = j.
    two_theta_deg, wavelength_angstrom : the 2-theta grid belonging to ``sums.q_inv_angstrom``
        (then the polarisation factor is applied unless ``polarisation=False``).
    """
    q = sums.q_inv_angstrom
    ns = sums.occupancy_sum.size
    ff = _check_form_factors(form_factors, ns, q.size)
    b = np.zeros(ns) if b_iso is None else as_1d_array(b_iso, "b_iso")
    if b.size != ns:
        raise InputError(f"b_iso must have one value per species ({ns}), got {b.size}")
    tw = np.exp(-np.multiply.outer(b, q**2) / (16.0 * np.pi**2))  # (S, nq)
    ft = ff * tw
    coherent = np.zeros(q.size)
    for k, (s, t) in enumerate(sums.pairs):
        coherent += np.real(ft[s] * np.conj(ft[t])) * sums.sums[k]
    abs2 = np.abs(ft) ** 2
    laue = sums.occupancy_variance @ abs2
    for s in range(ns):
        for t in range(ns):
            if sums.shared_site[s, t]:
                laue -= sums.shared_site[s, t] * np.real(ft[s] * np.conj(ft[t]))
    self_sc = sums.occupancy_sum @ (np.abs(ff) ** 2)
    tds = sums.occupancy_sum @ (np.abs(ff) ** 2 - abs2) if thermal_diffuse else np.zeros(q.size)
    n_occ = float(sums.occupancy_sum.sum())
    mean_f = (sums.occupancy_sum @ ff) / n_occ if n_occ > 0 else np.zeros(q.size, dtype=complex)
    tt = None
    if two_theta_deg is not None:
        tt = as_1d_array(two_theta_deg, "two_theta_deg")
        if tt.size != q.size:
            raise InputError("two_theta_deg must match the Q grid of the pair sums")
        pol = polarisation_factor(tt, monochromator_two_theta_deg) if polarisation else np.ones(q.size)
    else:
        pol = np.ones(q.size)
    total = (coherent + laue + tds) * pol
    return DebyePattern(
        q, total, coherent, laue, tds, pol, self_sc, mean_f, sums.n_atoms, n_occ, sums.method, tt,
        None if wavelength_angstrom is None else float(wavelength_angstrom),
    )


def debye_pattern(
    positions_angstrom: Any,
    species: Any,
    occupancy: Any,
    form_factors: Any,
    *,
    q_inv_angstrom: Any = None,
    two_theta_deg: Any = None,
    wavelength_angstrom: float = 1.5406,
    b_iso: Any = None,
    site: Any = None,
    method: str = "auto",
    lattice_matrix: Any = None,
    grid: tuple[int, int, int] | None = None,
    thermal_diffuse: bool = True,
    polarisation: bool = True,
    monochromator_two_theta_deg: float | None = None,
    bin_width_angstrom: float = 1e-4,
    memory_limit_gib: float = 4.0,
    workers: int | None = None,
) -> DebyePattern:
    """Debye-equation pattern of a cluster given as plain arrays.

    Give either ``q_inv_angstrom`` or ``two_theta_deg`` (with ``wavelength_angstrom``,
    default Cu K-alpha1 1.5406 A).  ``form_factors`` is complex (n_species, n_q) on that
    grid, or a callable ``f(q) -> (n_species, n_q)``.  See :func:`pair_sums` and
    :func:`debye_intensity` for the rest.
    """
    if (q_inv_angstrom is None) == (two_theta_deg is None):
        raise InputError("give exactly one of q_inv_angstrom and two_theta_deg")
    if two_theta_deg is not None:
        tt = as_1d_array(two_theta_deg, "two_theta_deg")
        q = q_from_two_theta(tt, wavelength_angstrom)
    else:
        tt = None
        q = as_1d_array(q_inv_angstrom, "q_inv_angstrom")
    sums = pair_sums(
        positions_angstrom, species, occupancy, q, method=method, site=site,
        n_species=None if callable(form_factors) else np.asarray(form_factors).shape[0],
        lattice_matrix=lattice_matrix, grid=grid, bin_width_angstrom=bin_width_angstrom,
        memory_limit_gib=memory_limit_gib, workers=workers,
    )
    ff = form_factors(q) if callable(form_factors) else form_factors
    return debye_intensity(
        sums, ff, b_iso=b_iso, thermal_diffuse=thermal_diffuse, two_theta_deg=tt,
        wavelength_angstrom=wavelength_angstrom if tt is not None else None,
        polarisation=polarisation, monochromator_two_theta_deg=monochromator_two_theta_deg,
    )


def average_patterns(patterns: list[DebyePattern], weights: Any) -> DebyePattern:
    """Weighted mean of patterns on one grid (size distributions, configurations)."""
    if not patterns:
        raise InputError("patterns must not be empty")
    w = as_1d_array(weights, "weights")
    if w.size != len(patterns) or (w < 0).any() or w.sum() <= 0:
        raise InputError("weights must be non-negative, one per pattern, with a positive sum")
    w = w / w.sum()
    p0 = patterns[0]
    for p in patterns[1:]:
        if p.q_inv_angstrom.shape != p0.q_inv_angstrom.shape or not np.allclose(p.q_inv_angstrom, p0.q_inv_angstrom):
            raise InputError("patterns must share one Q grid")

    def mean(attr: str) -> np.ndarray:
        return sum(wi * getattr(p, attr) for wi, p in zip(w, patterns, strict=True))

    n_occ = float(sum(wi * p.n_occupied for wi, p in zip(w, patterns, strict=True)))
    mean_f = sum(wi * p.mean_f * p.n_occupied for wi, p in zip(w, patterns, strict=True)) / n_occ
    return DebyePattern(
        p0.q_inv_angstrom, mean("intensity"), mean("coherent"), mean("laue"), mean("thermal_diffuse"),
        p0.polarisation, mean("self_scattering"), mean_f,
        round(float(sum(wi * p.n_atoms for wi, p in zip(w, patterns, strict=True)))), n_occ, p0.method,
        p0.two_theta_deg, p0.wavelength_angstrom,
        None if any(p.n_sites is None for p in patterns)
        else round(float(sum(wi * (p.n_sites or 0) for wi, p in zip(w, patterns, strict=True)))),
    )


def find_maxima(x: Any, y: Any, *, min_prominence: float = 0.005, x_name: str = "two_theta_deg") -> list[dict[str, float]]:
    """Local maxima of ``y(x)`` with prominence above ``min_prominence * max(y)``.

    Each maximum's position is refined by a parabola through the top three points.
    Returns ``[{x_name: ..., "intensity": ..., "relative_intensity": ...}]`` sorted by x,
    ``relative_intensity`` scaled so the strongest maximum is 100.
    """
    from scipy.signal import find_peaks

    xa = as_1d_array(x, "x")
    ya = as_1d_array(y, "y")
    if xa.size != ya.size:
        raise InputError("x and y must have equal lengths")
    top = float(np.max(ya)) if ya.size else 0.0
    idx, _ = find_peaks(ya, prominence=min_prominence * top if top > 0 else None)
    out = []
    for i in idx:
        xi, yi = float(xa[i]), float(ya[i])
        if 0 < i < ya.size - 1:
            y0, y1, y2 = ya[i - 1], ya[i], ya[i + 1]
            den = y0 - 2 * y1 + y2
            if den < 0:
                delta = 0.5 * (y0 - y2) / den
                step = 0.5 * (xa[i + 1] - xa[i - 1])
                xi = float(xa[i] + delta * step)
                yi = float(y1 - 0.25 * (y0 - y2) * delta)
        out.append({x_name: xi, "intensity": yi})
    ymax = max((m["intensity"] for m in out), default=1.0)
    for m in out:
        m["relative_intensity"] = 100.0 * m["intensity"] / ymax
    return out
