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
    The grid is planned from the positions and the lattice alone (:func:`choose_grid`;
    ``grid=`` overrides it).
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

Modules: :mod:`.pattern` (Q and 2-theta, polarisation, intensities, averages, maxima),
:mod:`.routes` (route choice, :func:`pair_sums`, :func:`pair_shells`), :mod:`.exact`
(pair lists: the exact sum and the histogram), :mod:`.grid` (planning the FFT grid),
:mod:`.fft` (FFT shells), :mod:`.qsums` (sums over shells), :mod:`._common` (inputs,
working arrays); the thread pool is :mod:`cationx._threads`.
"""

from cationx.crystal.debye.fft import estimate_fft_memory_gib
from cationx.crystal.debye.grid import choose_grid, infer_grid
from cationx.crystal.debye.pattern import (
    DebyePattern,
    average_patterns,
    debye_intensity,
    debye_pattern,
    find_maxima,
    polarisation_factor,
    q_from_two_theta,
    two_theta_from_q,
)
from cationx.crystal.debye.qsums import PairShells
from cationx.crystal.debye.routes import METHODS, PairSums, pair_shells, pair_sums

__all__ = [
    "METHODS",
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

# internals the tests and benchmarks reach by these names (redundant aliases: re-exports)
from cationx._threads import map_threads as _map_threads  # noqa: F401
from cationx.crystal.debye.fft import _fold_spectrum as _fold_spectrum
from cationx.crystal.debye.fft import _octant_inverse as _octant_inverse
from cationx.crystal.debye.qsums import _direct_sums as _direct_sums
from cationx.crystal.debye.qsums import _taylor_blocks as _taylor_blocks
from cationx.crystal.debye.qsums import _taylor_q_sums as _taylor_q_sums
from cationx.crystal.debye.qsums import _uniform_positive as _uniform_positive
