"""Inputs and small shared pieces of the Debye engine: the atom arrays and their checks,
sin(x)/x and its second derivative, and the per-thread working arrays."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from cationx._validation import as_1d_array
from cationx.errors import InputError

_CHUNK_ELEMENTS = 2_000_000  # q x pairs elements per block (16 MB of float64)


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


# ---------------------------------------------------------------- working arrays


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
