"""Route choice: :func:`pair_shells` and :func:`pair_sums` check the atoms, pick the
``exact``, ``histogram`` or ``fft`` route (planning the FFT grid from the positions and
the lattice unless a grid is given) and add the per-site occupancy statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cationx._validation import as_1d_array, check_choice, check_positive
from cationx.crystal.debye._common import _Atoms, _check_atoms, _pairs
from cationx.crystal.debye.exact import _exact_sums, _histogram_shells
from cationx.crystal.debye.fft import _fft_shells
from cationx.crystal.debye.grid import _OffGridError, choose_grid
from cationx.crystal.debye.qsums import PairShells
from cationx.errors import InputError

SHELL_METHODS = ("histogram", "fft")  # routes that return distance shells (pair_shells)
METHODS = ("auto", "exact", *SHELL_METHODS)


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
    grid : grid points per cell along a, b, c (``fft``; default: planned from the positions
        and the lattice, the cheapest divisor of :func:`infer_grid`'s grid, see
        :func:`choose_grid`; give it only to test a particular grid).
    bin_width_angstrom : histogram bin width in A.
    memory_limit_gib : the FFT route refuses grids whose estimated peak memory is larger.
    workers : threads for the FFTs of large grids (scipy.fft ``workers``, from 2^18 grid
        points; smaller grids run on one thread, which is faster there; default all cores).
    """
    check_choice(method, "method", SHELL_METHODS)
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
