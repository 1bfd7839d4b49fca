"""Atomistic clusters cut from a crystal structure, and their Debye-equation patterns.

A cluster is every position of the expanded structure (all cells, symmetry applied) that
lies inside a shape centred on a chosen point of the lattice:

``sphere``
    positions with ``|r - centre| <= diameter / 2``;
``faceted``
    positions inside every plane of the given {hkl} families: for a family with distance
    ratio ``k`` the planes ``n . (r - centre) = k * diameter / 2`` for each
    symmetry-equivalent normal ``n`` (the structure's point group plus inversion), so
    ``{(1, 0, 0): 1}`` is a cube of edge ``diameter`` and ``{(1, 1, 1): 1}`` an
    octahedron whose opposite faces are ``diameter`` apart.

Surface handling: the cut is made on the positions themselves (tolerance 1e-6 A), so the
surface is the bare truncated lattice: no relaxation, no ligands, no charge balance and
no pruning of under-coordinated atoms; the composition of the cluster (reported by
:meth:`Cluster.composition`) therefore differs from the bulk formula, more so for small
clusters.  Partially occupied positions keep their occupancy (``occupancy="average"``)
or are drawn one by one (``occupancy="random"``): without exclusion rules each position
is filled independently with its occupancy probability (different elements sharing one
position exclude each other); with ``min_distances`` rules every site label first draws
its number of atoms (binomial) and the atoms are then placed in random order, skipping
positions closer than the rule to an atom already placed (random sequential addition).
The random route raises :class:`~cationx.errors.InputError` when fully occupied positions
already break a rule, or when a site label cannot receive its atoms.

Positions on a rational grid of the lattice (see :func:`cationx.crystal.debye.infer_grid`)
let :func:`cluster_pattern` use the exact FFT route of the Debye engine.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cationx._validation import check_choice, check_int, check_nonnegative, check_positive
from cationx.constants import CU_KALPHA1_ANGSTROM
from cationx.crystal.debye import (
    DebyePattern,
    average_patterns,
    debye_intensity,
    find_maxima,
    infer_grid,
    pair_sums,
    q_from_two_theta,
)
from cationx.crystal.structure import Structure
from cationx.errors import InputError

__all__ = [
    "Cluster",
    "Comparison",
    "build_cluster",
    "cluster_pattern",
    "compare_kinematic",
    "estimate_sites",
    "structure_debye_pattern",
    "write_xyz",
]

SHAPES = ("sphere", "faceted")
OCCUPANCY_MODES = ("average", "random")
#: Clusters with more positions than this are refused: the builder keeps ~120 bytes per
#: position, and the pattern's FFT grids grow with the volume; a 40 nm sphere of the
#: 40-sites-per-cell Cu2Se model (6.7e6 positions) peaked at 3.8 GiB, so 6e6 keeps the
#: whole calculation under 4 GiB.
MAX_SITES = 6_000_000
_TOL = 1e-6


@dataclass(frozen=True, slots=True)
class Cluster:
    """Atoms of a cluster (one row per atom; several atoms may share a position).

    ``positions_angstrom`` are Cartesian (A) relative to the cluster centre, ``frac`` the
    same positions in cell units (``positions = frac @ lattice_matrix``), ``site_label``
    the structure's site label, ``position_id`` equal for atoms sharing one position
    (they exclude each other).
    """

    name: str
    positions_angstrom: np.ndarray
    frac: np.ndarray
    element: np.ndarray
    occupancy: np.ndarray
    b_iso: np.ndarray
    site_label: np.ndarray
    position_id: np.ndarray
    lattice_matrix: np.ndarray
    shape: str
    diameter_nm: float
    occupancy_mode: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def grid(self) -> tuple[int, int, int]:
        """Grid points per cell (a, b, c) the positions sit on (:func:`infer_grid` with
        ``shift=True``; the Debye engine plans its FFT grid from it)."""
        return infer_grid(self.frac, shift=True)

    @property
    def n_atoms(self) -> int:
        """Rows (positions times elements sharing them)."""
        return int(self.occupancy.size)

    @property
    def n_positions(self) -> int:
        """Distinct positions (atoms of different elements may share one)."""
        pid = self.position_id
        if pid.size and pid.min() >= 0 and pid.max() < 4 * pid.size:  # dense labels: count, no sort
            return int(np.count_nonzero(np.bincount(pid)))
        return int(np.unique(pid).size)

    def composition(self) -> dict[str, float]:
        """Expected number of atoms per element (sum of occupancies)."""
        out: dict[str, float] = {}
        for el in sorted(set(self.element.tolist())):
            out[el] = float(self.occupancy[self.element == el].sum())
        return out

    def species(self) -> tuple[np.ndarray, list[tuple[str, float]]]:
        """Species index per atom and the species table [(element, b_iso)]."""
        el_u, el_i = np.unique(self.element, return_inverse=True)  # sorted elements; no pandas on this path
        b_u, b_i = np.unique(np.round(self.b_iso, 9), return_inverse=True)
        code_u, index = np.unique(el_i.ravel() * b_u.size + b_i.ravel(), return_inverse=True)
        table = [(str(el_u[c // b_u.size]), float(b_u[c % b_u.size])) for c in code_u]
        return index.ravel().astype(np.int64), table

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(
            {
                "element": self.element,
                "site": self.site_label,
                "x_angstrom": self.positions_angstrom[:, 0],
                "y_angstrom": self.positions_angstrom[:, 1],
                "z_angstrom": self.positions_angstrom[:, 2],
                "occupancy": self.occupancy,
                "b_iso": self.b_iso,
                "position_id": self.position_id,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "shape": self.shape,
            "diameter_nm": self.diameter_nm,
            "occupancy_mode": self.occupancy_mode,
            "n_atoms": self.n_atoms,
            "n_positions": self.n_positions,
            "composition": self.composition(),
            "grid": list(self.grid),
            **{k: v for k, v in self.meta.items() if isinstance(v, (int, float, str))},
        }

    def to_ase(self) -> Any:
        """An ``ase.Atoms`` with per-atom ``occupancy`` and ``b_iso`` arrays."""
        from ase import Atoms

        atoms = Atoms(symbols=self.element.tolist(), positions=self.positions_angstrom)
        atoms.new_array("occupancy", self.occupancy.astype(float))
        atoms.new_array("b_iso", self.b_iso.astype(float))
        atoms.info["name"] = self.name
        atoms.info["diameter_nm"] = self.diameter_nm
        return atoms


# ---------------------------------------------------------------- building


def _cell_positions(structure: Structure) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    table = structure.expand()
    return (
        np.asarray(table.frac, dtype=float),
        np.asarray(table.element).astype(str),
        np.asarray(table.occupancy, dtype=float),
        np.asarray(table.b_iso, dtype=float),
        np.asarray(table.site).astype(str),
    )


def estimate_sites(structure: Structure, diameter_nm: float, shape: str = "sphere") -> int:
    """Approximate number of positions in a cluster (sphere volume / cell volume)."""
    d = check_positive(diameter_nm, "diameter_nm") * 10.0
    n_cell = len(structure.expand())
    vol = math.pi / 6.0 * d**3 if shape == "sphere" else d**3
    return int(vol / structure.volume() * n_cell)


def _facet_normals(structure: Structure, facets: Mapping[Sequence[int], float]) -> tuple[np.ndarray, np.ndarray]:
    rots, _ = structure.symmetry_operations()
    recip = np.linalg.inv(structure.lattice_matrix()).T  # rows a*, b*, c* (no 2 pi)
    normals, dists = [], []
    for hkl, ratio in facets.items():
        h = np.asarray(hkl, dtype=float)
        if h.shape != (3,) or not np.any(h) or not np.allclose(h, np.round(h)):
            raise InputError(f"facets keys must be three integers (h, k, l), not all zero; got {hkl!r}")
        k = check_positive(ratio, f"facets[{tuple(int(x) for x in h)}]")
        seen = set()
        for r in np.asarray(rots, dtype=float):
            for sgn in (1.0, -1.0):
                hp = sgn * (h @ r)
                key = tuple(np.round(hp, 6))
                if key in seen:
                    continue
                seen.add(key)
                g = hp @ recip
                normals.append(g / np.linalg.norm(g))
                dists.append(k)
    return np.array(normals), np.array(dists)


def _cell_position_groups(frac0: np.ndarray) -> np.ndarray:
    """Group index per position of one cell; positions that coincide (mod 1) share it."""
    f = frac0 % 1.0
    dd = f[:, None, :] - f[None, :, :]
    dd -= np.round(dd)
    same = np.all(np.abs(dd) < 1e-5, axis=2)
    return np.argmax(same, axis=1).astype(np.int64)  # first coinciding position


def build_cluster(
    structure: Structure,
    diameter_nm: float,
    *,
    shape: str = "sphere",
    facets: Mapping[Sequence[int], float] | None = None,
    centre_frac: Sequence[float] = (0.0, 0.0, 0.0),
    occupancy: str = "average",
    rng: Any = None,
    min_distances: Mapping[tuple[str, str], float] | None = None,
    max_sites: int = MAX_SITES,
) -> Cluster:
    """Cut a cluster from ``structure``.

    Parameters
    ----------
    structure : Structure (e.g. from :func:`cationx.crystal.load_structure`).
    diameter_nm : sphere diameter, or twice the facet distance of ratio 1 (nm).
    shape : ``"sphere"`` or ``"faceted"`` (then ``facets`` {(h, k, l): distance ratio}).
    centre_frac : centre of the cut in fractional coordinates (default the origin).
    occupancy : ``"average"`` (keep fractional occupancies) or ``"random"`` (one
        configuration drawn with ``rng``).
    min_distances : {(element_a, element_b): minimum distance in A} exclusion rules for
        ``occupancy="random"``.
    max_sites : refuse clusters estimated to hold more positions than this.
    """
    if not isinstance(structure, Structure):
        raise InputError(f"structure must be a Structure, got {type(structure).__name__}")
    d_ang = check_positive(diameter_nm, "diameter_nm") * 10.0
    check_choice(shape, "shape", SHAPES)
    check_choice(occupancy, "occupancy", OCCUPANCY_MODES)
    centre = np.asarray(centre_frac, dtype=float)
    if centre.shape != (3,) or not np.isfinite(centre).all():
        raise InputError(f"centre_frac must be three finite numbers, got {centre_frac!r}")
    if shape == "faceted" and not facets:
        raise InputError("shape='faceted' needs facets, e.g. {(1, 1, 1): 1.0, (1, 0, 0): 1.1}")
    if min_distances and occupancy != "random":
        raise InputError("min_distances applies to occupancy='random' only")
    est = estimate_sites(structure, diameter_nm, shape)
    if est > max_sites:
        raise InputError(
            f"diameter_nm = {diameter_nm} gives about {est:,} positions, more than max_sites = {max_sites:,}"
        )
    lat = structure.lattice_matrix()
    frac0, el0, occ0, b0, lab0 = _cell_positions(structure)
    if shape == "faceted":
        normals, ratios = _facet_normals(structure, facets or {})
        reach = d_ang / 2.0 * float(ratios.max()) * math.sqrt(3.0)
    else:
        normals, ratios = np.zeros((0, 3)), np.zeros(0)
        reach = d_ang / 2.0
    # cells needed: reach along each axis in cell units (via reciprocal lengths)
    recip_len = np.linalg.norm(np.linalg.inv(lat), axis=0)
    span = np.ceil(reach * recip_len).astype(int) + 1
    ci = np.floor(centre).astype(int)
    ranges = [np.arange(ci[k] - span[k], ci[k] + span[k] + 1) for k in range(3)]
    cells = np.stack(np.meshgrid(*ranges, indexing="ij"), axis=-1).reshape(-1, 3)
    # only cells that can hold a position inside the shape's bounding sphere
    half_diag = 0.5 * float(np.linalg.norm(lat.sum(axis=0)))
    half_diag = max(half_diag, *(0.5 * float(np.linalg.norm(v)) for v in (lat[0] + lat[1] - lat[2], lat[0] - lat[1] + lat[2], -lat[0] + lat[1] + lat[2])))
    mid = (cells + 0.5) @ lat - centre @ lat
    cells = cells[np.einsum("ij,ij->i", mid, mid) <= (reach + half_diag + 1e-6) ** 2]
    keep_frac, keep_idx = [], []
    centre_cart = centre @ lat
    nb = len(frac0)
    block = max(1, 2_000_000 // max(1, nb))
    for a in range(0, len(cells), block):
        fr = (cells[a : a + block, None, :] + frac0[None, :, :]).reshape(-1, 3)
        rel = fr @ lat - centre_cart
        if shape == "sphere":
            inside = np.einsum("ij,ij->i", rel, rel) <= (d_ang / 2.0) ** 2 + _TOL
        else:
            inside = np.all(rel @ normals.T <= ratios[None, :] * d_ang / 2.0 + _TOL, axis=1)
        idx = np.flatnonzero(inside)
        keep_frac.append(fr[idx])
        keep_idx.append(idx + a * nb)
    frac = np.concatenate(keep_frac)
    flat = np.concatenate(keep_idx)
    if frac.shape[0] == 0:
        raise InputError(f"no position of {structure.name!r} lies inside a {shape} of {diameter_nm} nm")
    src = flat % nb
    el, occ, b, lab = el0[src], occ0[src], b0[src], lab0[src]
    # atoms of different sites at one position share an id (they exclude each other)
    pid = (flat // nb) * nb + _cell_position_groups(frac0)[src]
    meta: dict[str, Any] = {"structure": structure.name}
    if occupancy == "random":
        gen = _generator(rng)
        chosen = _draw_configuration(frac @ lat, el, occ, lab, pid, gen, min_distances or {})
        frac, el, b, lab, pid = frac[chosen], el[chosen], b[chosen], lab[chosen], pid[chosen]
        occ = np.ones(chosen.size)
        if frac.shape[0] == 0:
            raise InputError("the random configuration holds no atom")
    positions = frac @ lat - centre_cart
    return Cluster(
        name=structure.name, positions_angstrom=positions, frac=frac - centre, element=el,
        occupancy=occ, b_iso=b, site_label=lab, position_id=pid, lattice_matrix=lat,
        shape=shape, diameter_nm=float(diameter_nm), occupancy_mode=occupancy, meta=meta,
    )


def _draw_configuration(
    pos: np.ndarray,
    el: np.ndarray,
    occ: np.ndarray,
    lab: np.ndarray,
    pid: np.ndarray,
    gen: np.random.Generator,
    rules: Mapping[tuple[str, str], float],
) -> np.ndarray:
    """Indices of the atoms present in one random configuration."""
    if not rules:
        # one uniform number per position; atoms sharing it take consecutive slices of [0, 1)
        order = np.argsort(pid, kind="stable")
        pid_s, occ_s = pid[order], occ[order]
        first = np.r_[True, pid_s[1:] != pid_s[:-1]]
        group = np.cumsum(first) - 1  # compact position index
        before = np.cumsum(occ_s) - occ_s  # occupancy of the earlier atoms, all positions
        cum_s = before - before[np.flatnonzero(first)][group]  # ... of the same position
        x = gen.random(int(group[-1]) + 1)[group]
        return np.sort(order[(x >= cum_s) & (x < cum_s + occ_s)])
    table: dict[tuple[str, str], float] = {}
    for (a, b_), dmin in rules.items():
        dm = check_nonnegative(dmin, f"min_distances[{a}-{b_}]")
        table[(a, b_)] = table[(b_, a)] = dm
    elements = sorted(set(el.tolist()))
    for a, b_ in table:
        if a not in elements or b_ not in elements:
            missing = a if a not in elements else b_
            raise InputError(f"min_distances names {missing!r}, which is not in the structure ({', '.join(elements)})")
    from scipy.spatial import cKDTree

    # conflict graph, built once and rule by rule (only the elements a rule names, within its
    # own distance, so memory follows the rules that bite); the sequential placement then
    # only reads each atom's conflicts
    full_mask = occ >= 1.0
    by_element = {e: np.flatnonzero(el == e) for e in {x for pair in table for x in pair}}
    trees: dict[str, Any] = {}

    def tree(e: str) -> Any:
        if e not in trees:
            trees[e] = cKDTree(pos[by_element[e]])
        return trees[e]

    src_parts: list[np.ndarray] = []
    dst_parts: list[np.ndarray] = []
    for (a, b_), dm in sorted(table.items()):
        if a > b_:
            continue  # each unordered pair once
        if a == b_:
            pr = tree(a).query_pairs(dm, output_type="ndarray")
            i_p, j_p = by_element[a][pr[:, 0]], by_element[a][pr[:, 1]]
        else:
            sdm = tree(a).sparse_distance_matrix(tree(b_), dm, output_type="ndarray")
            i_p, j_p = by_element[a][sdm["i"]], by_element[b_][sdm["j"]]
        dist = np.linalg.norm(pos[i_p] - pos[j_p], axis=1)
        bad = (dist < dm - 1e-9) & (pid[i_p] != pid[j_p])
        i_p, j_p = i_p[bad], j_p[bad]
        clash = np.flatnonzero(full_mask[i_p] & full_mask[j_p])
        if clash.size:
            i, j = int(i_p[clash[0]]), int(j_p[clash[0]])
            raise InputError(
                "fully occupied positions already break the exclusion rules "
                f"(sites {lab[i]} {el[i]} and {lab[j]} {el[j]}, {dist[bad][clash[0]]:.3g} A < {a}-{b_} {dm:g} A)"
            )
        src_parts += [i_p, j_p]
        dst_parts += [j_p, i_p]
    src = np.concatenate(src_parts) if src_parts else np.zeros(0, dtype=np.int64)
    dst = np.concatenate(dst_parts) if dst_parts else np.zeros(0, dtype=np.int64)
    order_c = np.argsort(src, kind="stable")
    indptr = np.searchsorted(src[order_c], np.arange(el.size + 1))
    nbrs = dst[order_c]

    # the sequential loop runs on plain Python lists (NumPy scalar access costs more here)
    starts_l, nbrs_l = indptr.tolist(), nbrs.tolist()
    placed_l = bytearray(el.size)

    def conflicts(i: int) -> bool:
        return any(placed_l[j] for j in nbrs_l[starts_l[i] : starts_l[i + 1]])

    full = np.flatnonzero(full_mask)
    for i in full.tolist():
        placed_l[i] = 1
    partial = np.flatnonzero((occ > 0) & (occ < 1))
    targets: dict[str, int] = {}
    for label in sorted(set(lab[partial].tolist())):
        members = partial[lab[partial] == label]
        targets[label] = int(gen.binomial(members.size, float(occ[members].mean())))
    got = dict.fromkeys(targets, 0)
    taken_pos: set[int] = set(pid[full].tolist())
    lab_l, pid_l = lab.tolist(), pid.tolist()
    for i in gen.permutation(partial).tolist():
        label = str(lab_l[i])
        if got[label] >= targets[label] or pid_l[i] in taken_pos or conflicts(i):
            continue
        placed_l[i] = 1
        taken_pos.add(pid_l[i])
        got[label] += 1
    short = [f"{k}: {got[k]} of {targets[k]}" for k in targets if got[k] < targets[k]]
    if short:
        rules_txt = ", ".join(f"{a}-{b_} >= {d:g} A" for (a, b_), d in rules.items())
        raise InputError(
            f"exclusion rules ({rules_txt}) cannot be satisfied: atoms placed per site {'; '.join(short)}"
        )
    return np.flatnonzero(np.frombuffer(bytes(placed_l), dtype=np.uint8))


def write_xyz(cluster: Cluster, path: str | Path, *, extended: bool = True) -> Path:
    """Write the cluster as (ext)xyz through ASE (extxyz keeps occupancy and b_iso columns).

    Plain xyz has no occupancy column: a cluster with partial occupancies is refused
    there (write extxyz, or draw a random configuration first).
    """
    from ase.io import write as ase_write

    from cationx.io.write import atomic_write_with

    target = Path(path)
    if not extended and np.any(cluster.occupancy < 1):
        raise InputError("plain xyz cannot hold partial occupancies: use extxyz or occupancy='random'")
    atoms = cluster.to_ase()
    if not extended:
        del atoms.arrays["occupancy"]
        del atoms.arrays["b_iso"]
    fmt = "extxyz" if extended else "xyz"
    return atomic_write_with(target, lambda tmp: ase_write(str(tmp), atoms, format=fmt))


# ---------------------------------------------------------------- patterns


def _form_factors(table: list[tuple[str, float]], q: np.ndarray, wavelength: float, dispersion: bool) -> np.ndarray:
    from cationx.crystal.formfactors import anomalous, f0

    ff = np.zeros((len(table), q.size), dtype=complex)
    for k, (element, _) in enumerate(table):
        ff[k] = np.asarray(f0(element, q), dtype=float)
        if dispersion:
            fp, fpp = anomalous(element, wavelength)
            ff[k] += complex(fp, fpp)
    return ff


def cluster_pattern(
    cluster: Cluster,
    two_theta_deg: Any,
    *,
    wavelength_angstrom: float = CU_KALPHA1_ANGSTROM,
    dispersion: bool = True,
    method: str = "auto",
    thermal_diffuse: bool = True,
    polarisation: bool = True,
    monochromator_two_theta_deg: float | None = None,
    memory_limit_gib: float = 4.0,
) -> DebyePattern:
    """Debye pattern of one cluster on a 2-theta grid (xraydb form factors, f', f'')."""
    tt = np.asarray(two_theta_deg, dtype=float)
    q = q_from_two_theta(tt, wavelength_angstrom)
    sp, table = cluster.species()
    sums = pair_sums(
        cluster.positions_angstrom, sp, cluster.occupancy, q, method=method, n_species=len(table),
        site=cluster.position_id, lattice_matrix=cluster.lattice_matrix,
        memory_limit_gib=memory_limit_gib,
    )
    ff = _form_factors(table, q, wavelength_angstrom, dispersion)
    pattern = debye_intensity(
        sums, ff, b_iso=[b for _, b in table], thermal_diffuse=thermal_diffuse, two_theta_deg=tt,
        wavelength_angstrom=wavelength_angstrom, polarisation=polarisation,
        monochromator_two_theta_deg=monochromator_two_theta_deg,
    )
    return dataclasses.replace(pattern, n_sites=cluster.n_positions)


def _generator(rng: Any) -> np.random.Generator:
    """``np.random.default_rng(rng)`` with a bad seed reported as InputError."""
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise InputError(f"rng must be None, a non-negative integer seed or a numpy Generator, got {rng!r} ({exc})") from None


def size_nodes(diameter_nm: float, size_sd_nm: float, n_nodes: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes and weights of a normal size distribution.

    Nodes at or below 0.05 nm (a spread wider than about a quarter of the diameter) are
    dropped and the rest renormalised, which truncates the distribution; an
    :class:`~cationx.errors.InterpretationWarning` then says how much weight was dropped.
    """
    d = check_positive(diameter_nm, "diameter_nm")
    sd = check_nonnegative(size_sd_nm, "size_sd_nm")
    if sd == 0:
        return np.array([d]), np.array([1.0])
    x, w = np.polynomial.hermite_e.hermegauss(check_int(n_nodes, "n_nodes", minimum=1))
    nodes = d + sd * x
    keep = nodes > 0.05
    if not keep.any():
        raise InputError("size_sd_nm puts the whole distribution below 0.05 nm")
    if not keep.all():
        import warnings

        from cationx.errors import InterpretationWarning

        dropped = float(w[~keep].sum() / w.sum())
        warnings.warn(
            f"size_sd_nm = {sd:g} nm around {d:g} nm reaches sizes <= 0: {int((~keep).sum())} of {x.size} "
            f"size nodes ({100 * dropped:.2g} % of the weight) dropped, the distribution is truncated",
            InterpretationWarning,
            stacklevel=2,
        )
    return nodes[keep], w[keep] / w[keep].sum()


def structure_debye_pattern(
    structure: Structure,
    diameter_nm: float,
    two_theta_deg: Any,
    *,
    size_sd_nm: float = 0.0,
    size_nodes_count: int = 7,
    occupancy: str = "average",
    configurations: int = 1,
    rng: Any = None,
    min_distances: Mapping[tuple[str, str], float] | None = None,
    shape: str = "sphere",
    facets: Mapping[Sequence[int], float] | None = None,
    **kwargs: Any,
) -> DebyePattern:
    """Debye pattern of clusters cut from ``structure``, averaged over sizes and configurations.

    With ``size_sd_nm > 0`` the pattern is the number-weighted mean over a normal size
    distribution (Gauss-Hermite quadrature with ``size_nodes_count`` nodes), which washes
    out the fringes of a single sphere.  With ``occupancy="random"`` each node averages
    ``configurations`` independent random configurations drawn from ``rng``.
    Other keywords go to :func:`cluster_pattern`.
    """
    nodes, weights = size_nodes(diameter_nm, size_sd_nm, size_nodes_count)
    k = check_int(configurations, "configurations", minimum=1)
    if occupancy == "average" and k != 1:
        raise InputError("configurations > 1 needs occupancy='random'")
    gen = _generator(rng)
    patterns, w_all = [], []
    for d, w in zip(nodes, weights, strict=True):
        for _ in range(k):
            cl = build_cluster(
                structure, float(d), shape=shape, facets=facets, occupancy=occupancy, rng=gen,
                min_distances=min_distances,
            )
            patterns.append(cluster_pattern(cl, two_theta_deg, **kwargs))
            w_all.append(w / k)
    return average_patterns(patterns, w_all)


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True, slots=True)
class Comparison:
    """Kinematic (Bragg + Scherrer) and Debye patterns of one structure and size.

    Both patterns are scaled to a maximum of 100.  ``maxima`` pairs each kinematic
    reflection family (strong ones) with the nearest Debye maximum.
    """

    two_theta_deg: np.ndarray
    kinematic: np.ndarray
    debye: np.ndarray
    maxima: list[dict[str, Any]]
    diameter_nm: float

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame({"two_theta_deg": self.two_theta_deg, "kinematic": self.kinematic, "debye": self.debye})

    def maxima_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.maxima)

    def to_dict(self) -> dict[str, Any]:
        return {
            "diameter_nm": self.diameter_nm,
            "maxima": self.maxima,
            "two_theta_deg": self.two_theta_deg.tolist(),
            "kinematic": self.kinematic.tolist(),
            "debye": self.debye.tolist(),
        }


def compare_kinematic(
    structure: Structure,
    diameter_nm: float,
    *,
    two_theta_range_deg: Sequence[float] = (10.0, 90.0),
    step_deg: float = 0.02,
    wavelength_angstrom: float = CU_KALPHA1_ANGSTROM,
    size_sd_nm: float = 0.0,
    dispersion: bool = True,
    min_relative_intensity: float = 2.0,
    scherrer_k: float | None = None,
    debye: DebyePattern | None = None,
) -> Comparison:
    """Kinematic-plus-Scherrer pattern next to the Debye pattern, with their maxima.

    The kinematic profile is :func:`cationx.crystal.powder.powder_pattern` (Lorentzian
    Scherrer width, no instrument width) of the same structure with the Scherrer width of
    a sphere of diameter ``diameter_nm`` (``scherrer_k`` default
    :data:`~cationx.crystal.powder.SPHERE_SCHERRER_K` = 1.107, the FWHM constant when L is
    the diameter; K = 0.9 would make the kinematic peaks 19 % too narrow for that sphere
    and bias where overlapping maxima fall); the Debye pattern is :func:`structure_debye_pattern` of a sphere of
    that diameter.  For each reflection family above ``min_relative_intensity`` percent
    the table lists the Bragg angle, the maximum of the kinematic profile nearest to it,
    and the nearest Debye maximum (None when the Debye pattern shows no separate maximum
    within half the Scherrer width, e.g. merged peaks).  ``debye``: a Debye pattern already
    computed on the same 2-theta grid (e.g. with random configurations) to use instead.
    """
    from cationx.crystal.powder import SPHERE_SCHERRER_K, powder_pattern

    scherrer_k = SPHERE_SCHERRER_K if scherrer_k is None else check_positive(scherrer_k, "scherrer_k")
    lo, hi = float(two_theta_range_deg[0]), float(two_theta_range_deg[1])
    kin = powder_pattern(
        structure, wavelength_angstrom=wavelength_angstrom, two_theta_range_deg=(lo, hi), step_deg=step_deg,
        size_nm=diameter_nm, profile="lorentzian", instrument_fwhm_deg=0.0, scherrer_k=scherrer_k,
        dispersion=dispersion,
    )
    tt = kin.two_theta_deg
    if debye is None:
        deb = structure_debye_pattern(
            structure, diameter_nm, tt, size_sd_nm=size_sd_nm, wavelength_angstrom=wavelength_angstrom,
            dispersion=dispersion,
        )
    else:
        if debye.two_theta_deg is None or debye.two_theta_deg.shape != tt.shape or not np.allclose(debye.two_theta_deg, tt):
            raise InputError("debye must be a pattern on the same 2-theta grid as the comparison")
        deb = debye
    y_kin = kin.intensity / kin.intensity.max() * 100.0
    y_deb = deb.intensity / deb.intensity.max() * 100.0
    kin_max = find_maxima(tt, y_kin)
    deb_max = find_maxima(tt, y_deb)
    refl = kin.reflections
    rel = refl.relative
    rows = []
    for i in range(len(refl)):
        if rel[i] < min_relative_intensity or not lo <= refl.two_theta_deg[i] <= hi:
            continue
        t0 = float(refl.two_theta_deg[i])
        width = math.degrees(scherrer_k * wavelength_angstrom / (10 * diameter_nm * math.cos(math.radians(t0) / 2)))

        def nearest(maxima: list[dict[str, float]], t0: float = t0, width: float = width) -> float | None:
            if not maxima:
                return None
            m = min(maxima, key=lambda m: abs(m["two_theta_deg"] - t0))
            return m["two_theta_deg"] if abs(m["two_theta_deg"] - t0) <= 0.5 * width else None

        tk, td = nearest(kin_max), nearest(deb_max)
        h, k, l_ = (int(v) for v in refl.hkl[i])
        rows.append(
            {
                "hkl": f"{h}{k}{l_}",
                "bragg_two_theta_deg": t0,
                "relative_intensity": float(rel[i]),
                "kinematic_max_deg": tk,
                "debye_max_deg": td,
                "shift_deg": None if (tk is None or td is None) else td - tk,
            }
        )
    return Comparison(tt, y_kin, y_deb, rows, float(diameter_nm))
