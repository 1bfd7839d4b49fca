"""Planning the FFT route's grid: the rational grid of the lattice that holds the
positions (:func:`infer_grid`), offset classes of atoms off that grid, and the cheapest
grid among its divisors (:func:`choose_grid`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cationx.errors import InputError


def infer_grid(
    frac_coords: Any, *, max_denominator: int = 24, tol: float = 1e-6, shift: bool = False
) -> tuple[int, int, int]:
    """Smallest grid (n_a, n_b, n_c) per cell holding every rational coordinate.

    Coordinates that are fractions with denominator <= ``max_denominator`` (within
    ``tol``) set the grid (the least common multiple of the denominators per axis);
    others (e.g. 32f x = 0.34) stay off the grid and get their own offset class in the
    FFT route.  With ``shift`` the coordinates of each axis are first shifted by the one
    among them that puts the most of them on rational values (no shift unless another
    puts strictly more): the grid of positions cut around an irrational centre, since
    pair distances do not change when every position moves by the same vector.
    """
    f = np.asarray(frac_coords, dtype=float).reshape(-1, 3) % 1.0
    grid = []
    for ax in range(3):
        r = np.round(f[:, ax], 9)
        v = r[np.sort(np.unique(r, return_index=True)[1])]  # distinct values in order of appearance
        den = _denominators(v, max_denominator, tol)
        if shift:
            for s in v:
                d_s = _denominators((v - s) % 1.0, max_denominator, tol)
                if np.count_nonzero(d_s) > np.count_nonzero(den):
                    den = d_s
        grid.append(math.lcm(1, *den[den > 0].tolist()))
    return (grid[0], grid[1], grid[2])


def _denominators(v: np.ndarray, max_denominator: int, tol: float) -> np.ndarray:
    """Per value the smallest m <= ``max_denominator`` with ``|v - k/m| < tol`` (0: none).

    Fractions with denominators up to 24 lie at least 1/552 apart, so for ``tol`` far
    below that the smallest such m is the reduced denominator of the nearest fraction."""
    m = np.arange(1, int(max_denominator) + 1)
    x = np.multiply.outer(np.asarray(v, dtype=float), m)
    ok = np.abs(x - np.rint(x)) < tol * m
    return np.where(ok.any(axis=1), m[np.argmax(ok, axis=1)], 0)


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
    ``frac`` with ``shift=True``, so clusters cut around any centre find their lattice's
    grid); coarser grids trade FFT size for more offset classes, and the cost model counts
    FFTs and their sizes.  Plans are memoised per input."""
    fr = np.ascontiguousarray(frac, dtype=float)
    sp = np.ascontiguousarray(species, dtype=np.int64)
    ns = int(sp.max()) + 1 if n_species is None else int(n_species)
    given = None if base_grid is None else tuple(int(n) for n in base_grid)
    fast_key = (given, ns, fr.shape, hash(fr.tobytes()), hash(sp.tobytes()))
    if fast_key in _GRID_MEMO:
        return _GRID_MEMO[fast_key]
    # classes depend only on positions modulo the cell: plan on the distinct basis positions
    cells = np.floor(fr + 1e-7)
    code = sp.astype(np.int64)
    for ax in range(3):
        u_ax, c_ax = np.unique(np.rint((fr[:, ax] - cells[:, ax]) * 1e6).astype(np.int64), return_inverse=True)
        code = code * (len(u_ax) + 1) + c_ax
    first = np.sort(np.unique(code, return_index=True)[1])  # first position of each class, in order
    lo, hi = cells.min(axis=0), cells.max(axis=0)
    # the basis at the two extreme cells keeps the extent right
    probe_f = np.vstack([fr[first] - cells[first] + lo, fr[first] - cells[first] + hi])
    probe_s = np.concatenate([sp[first], sp[first]])
    if base_grid is None:  # the distinct positions modulo the cell set the grid
        base_grid = infer_grid(probe_f, shift=True)
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
