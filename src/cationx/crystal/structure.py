"""Crystal structures with partially occupied sites, and their expansion to a full unit cell.

A :class:`Structure` is the crystallographer's description: a space group (Hermann-Mauguin
symbol), a cell, and the symmetry-independent :class:`Site` s, each with an element,
fractional coordinates, an occupancy and an isotropic displacement parameter B.
:meth:`Structure.expand` applies every operation of the space group (taken from gemmi,
never from hand-written tables) and returns an :class:`AtomTable` with every position of
one unit cell, equivalent positions merged.

Occupancies are kept as they are (an occupancy of 0.37 on 8c gives 8 positions with
occupancy 0.37 each): that is the input both of the kinematic structure factor and of the
Debye equation (coherent plus Laue diffuse term).

Checks at construction (each raises :class:`~cationx.errors.InputError`): an unknown
element, an occupancy outside [0, 1], a negative B, a cell that does not close, a space
group gemmi does not know, a Wyckoff multiplicity that disagrees with the expansion, and a
position filled beyond 1 by several sites that coincide.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from cationx._validation import check_finite, check_nonnegative, check_positive
from cationx.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AtomTable",
    "Site",
    "Structure",
    "normalize_element",
    "resolve_spacegroup",
]

#: Two fractional positions closer than this (per coordinate, modulo 1) are the same position.
POSITION_TOLERANCE = 1e-4

_ELEMENT_RE = re.compile(r"^\s*([A-Za-z]{1,2})")


def normalize_element(symbol: Any, name: str = "element") -> str:
    """Return the element symbol of ``symbol`` (``"cu"``, ``"Cu1+"``, ``"CU"`` -> ``"Cu"``).

    Raises :class:`InputError` if it is not an element from H to Cf (the range the
    Waasmaier-Kirfel form factors in xraydb cover).
    """
    if isinstance(symbol, str):
        found = _element_lookup(symbol)
        if found is not None:
            return found
    return _normalize_element_slow(symbol, name)


@lru_cache(maxsize=1024)
def _element_lookup(symbol: str) -> str | None:
    try:
        return _normalize_element_slow(symbol, "element")
    except InputError:
        return None


def _normalize_element_slow(symbol: Any, name: str = "element") -> str:
    """Return the element symbol of ``symbol`` (``"cu"``, ``"Cu1+"``, ``"CU"`` -> ``"Cu"``).

    Raises :class:`InputError` if it is not an element from H to Cf (the range the
    Waasmaier-Kirfel form factors in xraydb cover).
    """
    from cationx.crystal._xray_table import atomic_number

    if not isinstance(symbol, str):
        raise InputError(f"{name} must be an element symbol such as 'Cu', got {symbol!r}")
    m = _ELEMENT_RE.match(symbol)
    if not m:
        raise InputError(f"{name} must be an element symbol such as 'Cu', got {symbol!r}")
    letters = m.group(1)
    # 'CU1+' -> 'Cu'; but 'Co' vs 'C' + 'o' is decided by trying two letters first.
    for cand in (letters[:2], letters[:1]):
        sym = cand[0].upper() + cand[1:].lower()
        z = atomic_number(sym)  # xraydb's atomic numbers, H-Cf (tools/make_xray_table.py)
        if z is not None and 1 <= z <= 98:
            return sym
    raise InputError(f"{name}: unknown element {symbol!r}")


def resolve_spacegroup(symbol: Any, name: str = "spacegroup") -> Any:
    """Return the :class:`gemmi.SpaceGroup` for a Hermann-Mauguin symbol or a number 1-230.

    ``"Fm-3m"``, ``"F m -3 m"``, ``"P6_3mc"``, ``"P 63 m c"`` and ``225`` all work.
    """
    import gemmi

    if isinstance(symbol, bool):
        raise InputError(f"{name} must be a Hermann-Mauguin symbol or a number 1-230, got {symbol!r}")
    if isinstance(symbol, int):
        if not 1 <= symbol <= 230:
            raise InputError(f"{name} number must lie in 1-230, got {symbol}")
        return gemmi.SpaceGroup(symbol)
    if not isinstance(symbol, str) or not symbol.strip():
        raise InputError(f"{name} must be a Hermann-Mauguin symbol such as 'Fm-3m', got {symbol!r}")
    text = symbol.strip()
    sg = gemmi.find_spacegroup_by_name(text)
    if sg is None:
        sg = gemmi.find_spacegroup_by_name(text.replace("_", ""))
    if sg is None:
        raise InputError(f"{name}: unknown space group {symbol!r} (use a Hermann-Mauguin symbol such as 'Fm-3m')")
    return sg


@dataclass(frozen=True, slots=True)
class Site:
    """One symmetry-independent site.

    Attributes
    ----------
    label : str
        Site label, unique within a structure (e.g. ``"Cu8c"``).
    element : str
        Element symbol (``"Cu"``).
    frac : tuple of 3 floats
        Fractional coordinates x, y, z.
    occupancy : float
        Fraction of the positions of this site that hold an atom, in [0, 1].
    b_iso : float
        Isotropic displacement parameter B in A^2 (B = 8 pi^2 <u^2>), >= 0.
    wyckoff : str or None
        Wyckoff letter (``"c"``) if known; informative, the positions come from the
        space-group operations.
    """

    label: str
    element: str
    frac: tuple[float, float, float]
    occupancy: float = 1.0
    b_iso: float = 0.0
    wyckoff: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label.strip():
            raise InputError(f"site label must be a non-empty string, got {self.label!r}")
        where = f"site {self.label!r}"
        object.__setattr__(self, "element", normalize_element(self.element, f"{where} element"))
        try:
            xyz = tuple(float(v) for v in self.frac)
        except (TypeError, ValueError):
            raise InputError(f"{where} frac must be three numbers, got {self.frac!r}") from None
        if len(xyz) != 3 or not all(math.isfinite(v) for v in xyz):
            raise InputError(f"{where} frac must be three finite numbers, got {self.frac!r}")
        object.__setattr__(self, "frac", xyz)
        occ = check_finite(self.occupancy, f"{where} occupancy")
        if not 0.0 <= occ <= 1.0:
            raise InputError(f"{where} occupancy must lie in [0, 1], got {occ!r}")
        object.__setattr__(self, "occupancy", occ)
        object.__setattr__(self, "b_iso", check_nonnegative(self.b_iso, f"{where} b_iso"))
        if self.wyckoff is not None:
            w = str(self.wyckoff).strip()
            if not re.fullmatch(r"[a-zA-Z]", w):
                raise InputError(f"{where} wyckoff must be one letter (e.g. 'c'), got {self.wyckoff!r}")
            object.__setattr__(self, "wyckoff", w)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {
            "label": self.label,
            "element": self.element,
            "frac": list(self.frac),
            "occupancy": self.occupancy,
            "b_iso": self.b_iso,
            "wyckoff": self.wyckoff,
        }


@dataclass(frozen=True, slots=True)
class AtomTable:
    """Every position of one unit cell (symmetry applied, duplicates merged).

    Arrays (read-only), one row per position:

    - ``frac`` (N, 3): fractional coordinates in [0, 1)
    - ``element`` (N,): element symbols
    - ``occupancy`` (N,): occupancy of the position
    - ``b_iso`` (N,): B in A^2
    - ``site`` (N,): label of the independent site the position belongs to
    """

    frac: np.ndarray
    element: np.ndarray
    occupancy: np.ndarray
    b_iso: np.ndarray
    site: np.ndarray

    def __len__(self) -> int:
        return int(self.frac.shape[0])

    def multiplicities(self) -> dict[str, int]:
        """Number of positions per site label in one cell."""
        labels, counts = np.unique(self.site, return_counts=True)
        return {str(k): int(v) for k, v in zip(labels, counts, strict=True)}

    def to_frame(self) -> pd.DataFrame:
        """One row per position: site, element, x, y, z, occupancy, b_iso."""
        import pandas as pd

        return pd.DataFrame(
            {
                "site": self.site,
                "element": self.element,
                "x": self.frac[:, 0],
                "y": self.frac[:, 1],
                "z": self.frac[:, 2],
                "occupancy": self.occupancy,
                "b_iso": self.b_iso,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of lists."""
        return {
            "site": [str(s) for s in self.site],
            "element": [str(e) for e in self.element],
            "frac": self.frac.tolist(),
            "occupancy": self.occupancy.tolist(),
            "b_iso": self.b_iso.tolist(),
        }


MIN_CELL_VOLUME = 1.0  # A^3; a smaller (or degenerate) cell cannot hold an atom


def _check_cell(cell: Any) -> tuple[float, float, float, float, float, float]:
    try:
        vals = tuple(float(v) for v in cell)
    except (TypeError, ValueError):
        raise InputError(f"cell must be six numbers (a, b, c in A; alpha, beta, gamma in deg), got {cell!r}") from None
    if len(vals) != 6:
        raise InputError(f"cell must be six numbers (a, b, c in A; alpha, beta, gamma in deg), got {len(vals)}")
    for n, v in zip(("a", "b", "c"), vals[:3], strict=True):
        check_positive(v, f"cell {n}")
    for n, v in zip(("alpha", "beta", "gamma"), vals[3:], strict=True):
        v = check_finite(v, f"cell {n}")
        if not 0.0 < v < 180.0:
            raise InputError(f"cell {n} must lie in (0, 180) deg, got {v!r}")
    ca, cb, cg = (math.cos(math.radians(v)) for v in vals[3:])
    g = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg
    if g <= 0:
        raise InputError(f"cell angles {vals[3:]} do not close a cell (volume would be <= 0)")
    volume = vals[0] * vals[1] * vals[2] * math.sqrt(g)
    if not volume >= MIN_CELL_VOLUME:
        raise InputError(f"cell volume {volume:.3g} A^3 is below {MIN_CELL_VOLUME} A^3: no atom fits (check the cell lengths and angles)")
    return vals  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Structure:
    """A crystal structure: space group, cell and independent sites.

    Attributes
    ----------
    name : str
        Short name (library key for bundled phases).
    cell : tuple of 6 floats
        a, b, c in A; alpha, beta, gamma in degrees.
    spacegroup : str
        Hermann-Mauguin symbol as gemmi spells it (``"F m -3 m"``); input may be any form
        gemmi recognises (``"Fm-3m"``, ``"P6_3mc"``).
    sites : tuple of Site
        Independent sites; labels must be unique.
    source : str
        Where the structure comes from (paper and table, database entry, file).
    """

    name: str
    cell: tuple[float, float, float, float, float, float]
    spacegroup: str
    sites: tuple[Site, ...]
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"structure name must be a non-empty string, got {self.name!r}")
        object.__setattr__(self, "cell", _check_cell(self.cell))
        sg = resolve_spacegroup(self.spacegroup)
        object.__setattr__(self, "spacegroup", sg.hm)
        sites = tuple(self.sites)
        if not sites:
            raise InputError(f"structure {self.name!r} has no sites")
        for s in sites:
            if not isinstance(s, Site):
                raise InputError(f"structure sites must be Site objects, got {type(s).__name__}")
        labels = [s.label for s in sites]
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise InputError(f"structure {self.name!r}: site labels must be unique, repeated: {', '.join(dup)}")
        object.__setattr__(self, "sites", sites)
        object.__setattr__(self, "source", str(self.source))
        self._check_metric_symmetry(sg)
        self._check_overfill(self._expand())

    # ------------------------------------------------------------------ geometry
    def _check_metric_symmetry(self, sg: Any) -> None:
        """The cell must be compatible with the space group (gemmi's check on the metric)."""
        import gemmi

        cell = gemmi.UnitCell(*self.cell)
        if not cell.is_compatible_with_spacegroup(sg, 1e-3):
            raise InputError(
                f"structure {self.name!r}: cell {self.cell} is not compatible with space group "
                f"{sg.hm} ({sg.crystal_system_str()})"
            )

    def lattice_matrix(self) -> np.ndarray:
        """(3, 3) array whose rows are the a, b, c vectors in Cartesian A.

        Convention: a along x, b in the xy plane, c completing a right-handed set
        (the usual one; ``frac @ lattice_matrix()`` gives Cartesian coordinates).
        """
        a, b, c, al, be, ga = self.cell
        ca, cb, cg = (math.cos(math.radians(v)) for v in (al, be, ga))
        sg = math.sin(math.radians(ga))
        cx = c * cb
        cy = c * (ca - cb * cg) / sg
        cz = math.sqrt(max(c * c - cx * cx - cy * cy, 0.0))
        m = np.array([[a, 0.0, 0.0], [b * cg, b * sg, 0.0], [cx, cy, cz]])
        m[np.abs(m) < 1e-12] = 0.0
        return m

    def volume(self) -> float:
        """Cell volume in A^3."""
        return float(abs(np.linalg.det(self.lattice_matrix())))

    def reciprocal_matrix(self) -> np.ndarray:
        """(3, 3) array whose rows are a*, b*, c* in 1/A (no 2 pi): ``hkl @ R`` = 1/d vector."""
        return np.linalg.inv(self.lattice_matrix()).T

    # ------------------------------------------------------------------ symmetry
    def symmetry_operations(self) -> tuple[np.ndarray, np.ndarray]:
        """Rotations (K, 3, 3) and translations (K, 3) of all operations incl. centring (gemmi)."""
        return _operations(self.spacegroup)

    def site_positions(self, site: Site | str) -> np.ndarray:
        """All distinct positions (M, 3) of one site in the unit cell, in [0, 1)."""
        s = self.site(site) if isinstance(site, str) else site
        rots, trans = self.symmetry_operations()
        return _orbit(np.asarray(s.frac), rots, trans)

    def expand(self) -> AtomTable:
        """Every position of one unit cell, duplicates merged (see :class:`AtomTable`).

        The result is cached per structure (structures are immutable; arrays read-only).
        """
        return _expand_cached(self)

    def _expand(self) -> AtomTable:
        rots, trans = self.symmetry_operations()
        fr, el, oc, bi, lab = [], [], [], [], []
        for s in self.sites:
            pos = _orbit(np.asarray(s.frac), rots, trans)
            n = len(pos)
            fr.append(pos)
            el.extend([s.element] * n)
            oc.append(np.full(n, s.occupancy))
            bi.append(np.full(n, s.b_iso))
            lab.extend([s.label] * n)
        table = AtomTable(
            frac=np.vstack(fr),
            element=np.array(el, dtype=object),
            occupancy=np.concatenate(oc),
            b_iso=np.concatenate(bi),
            site=np.array(lab, dtype=object),
        )
        for arr in (table.frac, table.element, table.occupancy, table.b_iso, table.site):
            arr.setflags(write=False)
        return table

    def _check_overfill(self, table: AtomTable) -> None:
        """Coinciding positions of different sites may not hold more than one atom.

        Pairs closer than the position tolerance are found with a periodic k-d tree
        (scipy) in large cells, so they stay cheap in time and memory, and by comparing every
        pair in cells of up to :data:`_BRUTE_FORCE_ATOMS` positions (no scipy import at start-up).
        """
        f = np.mod(table.frac, 1.0)
        f[f >= 1.0] = 0.0  # np.mod(-1e-17, 1.0) == 1.0
        pairs = _close_pairs(f, POSITION_TOLERANCE)
        total = table.occupancy.copy()
        np.add.at(total, pairs[:, 0], table.occupancy[pairs[:, 1]])
        np.add.at(total, pairs[:, 1], table.occupancy[pairs[:, 0]])
        bad = np.flatnonzero(total > 1.0 + 1e-6)
        if bad.size:
            i = int(bad[0])
            partners = pairs[(pairs[:, 0] == i) | (pairs[:, 1] == i)].ravel()
            others = sorted({str(table.site[j]) for j in np.r_[i, partners]})
            raise InputError(
                f"structure {self.name!r}: position {np.round(f[i], 4).tolist()} is filled beyond 1 "
                f"(total occupancy {total[i]:.4g} from sites {', '.join(others)})"
            )

    # ------------------------------------------------------------------ queries
    def site(self, label: str) -> Site:
        """The site with this label."""
        for s in self.sites:
            if s.label == label:
                return s
        raise InputError(f"structure {self.name!r} has no site {label!r}; sites: {', '.join(self.labels)}")

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.sites)

    def multiplicities(self) -> dict[str, int]:
        """Positions per unit cell of each site (from the expansion)."""
        return self.expand().multiplicities()

    def composition(self) -> dict[str, float]:
        """Atoms of each element per unit cell (occupancy x multiplicity, summed)."""
        t = self.expand()
        out: dict[str, float] = {}
        for e, o in zip(t.element, t.occupancy, strict=True):
            out[str(e)] = out.get(str(e), 0.0) + float(o)
        return out

    # ------------------------------------------------------------------ variants
    def with_occupancies(self, occupancies: Mapping[str, float], *, name: str | None = None) -> Structure:
        """A copy with some site occupancies replaced (``{"Cu8c": 0.5}``)."""
        occ = dict(occupancies)
        unknown = [k for k in occ if k not in self.labels]
        if unknown:
            raise InputError(f"occupancies name unknown sites {unknown}; sites: {', '.join(self.labels)}")
        sites = tuple(replace(s, occupancy=occ[s.label]) if s.label in occ else s for s in self.sites)
        return replace(self, sites=sites, name=name or self.name)

    def with_b_iso(self, b_iso: Mapping[str, float] | float) -> Structure:
        """A copy with B replaced, per site label (mapping) or for every site (number)."""
        if isinstance(b_iso, Mapping):
            unknown = [k for k in b_iso if k not in self.labels]
            if unknown:
                raise InputError(f"b_iso names unknown sites {unknown}; sites: {', '.join(self.labels)}")
            sites = tuple(replace(s, b_iso=b_iso[s.label]) if s.label in b_iso else s for s in self.sites)
        else:
            sites = tuple(replace(s, b_iso=b_iso) for s in self.sites)
        return replace(self, sites=sites)

    def scaled(self, factor: float) -> Structure:
        """A copy with a, b, c multiplied by ``factor`` (isotropic strain; angles kept)."""
        f = check_positive(factor, "factor")
        a, b, c, al, be, ga = self.cell
        return replace(self, cell=(a * f, b * f, c * f, al, be, ga))

    def with_cell(self, cell: Sequence[float]) -> Structure:
        """A copy with another cell."""
        return replace(self, cell=tuple(cell))

    # ------------------------------------------------------------------ output
    def to_frame(self) -> pd.DataFrame:
        """One row per independent site, with its multiplicity."""
        mult = self.multiplicities()
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "label": s.label,
                    "element": s.element,
                    "wyckoff": (f"{mult[s.label]}{s.wyckoff}" if s.wyckoff else None),
                    "multiplicity": mult[s.label],
                    "x": s.frac[0],
                    "y": s.frac[1],
                    "z": s.frac[2],
                    "occupancy": s.occupancy,
                    "b_iso": s.b_iso,
                }
                for s in self.sites
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (the TOML layout)."""
        a, b, c, al, be, ga = self.cell
        return {
            "name": self.name,
            "spacegroup": self.spacegroup,
            "cell": {"a": a, "b": b, "c": c, "alpha": al, "beta": be, "gamma": ga},
            "sites": [s.to_dict() for s in self.sites],
            "source": self.source,
            "composition": self.composition(),
        }


@lru_cache(maxsize=64)
def _operations(hm: str) -> tuple[np.ndarray, np.ndarray]:
    """All operations of the space group (symmetry operations x centring vectors), from gemmi."""
    import gemmi

    ops = gemmi.SpaceGroup(hm).operations()
    den = float(gemmi.Op.DEN)
    rot = np.array([op.rot for op in ops.sym_ops], dtype=float) / den
    tran = np.array([op.tran for op in ops.sym_ops], dtype=float) / den
    cen = np.array([list(c) for c in ops.cen_ops], dtype=float) / den
    r = np.repeat(rot[None], len(cen), axis=0).reshape(-1, 3, 3)
    tr = (cen[:, None, :] + tran[None, :, :]).reshape(-1, 3)
    r.setflags(write=False)
    tr.setflags(write=False)
    return r, tr


@lru_cache(maxsize=256)
def _expand_cached(structure: Structure) -> AtomTable:
    return structure._expand()


def _orbit(xyz: np.ndarray, rots: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """Distinct images of ``xyz`` under the operations, wrapped into [0, 1), in first-seen order."""
    pos = np.einsum("kij,j->ki", rots, xyz) + trans
    pos = np.mod(pos, 1.0)
    pos[np.abs(pos - 1.0) < POSITION_TOLERANCE] = 0.0
    pos[np.abs(pos) < 1e-12] = 0.0
    # exact (to 1e-9) duplicates first, cheaply; then merge within the tolerance pairwise
    _, first_exact = np.unique(np.round(pos, 9), axis=0, return_index=True)
    pos = pos[np.sort(first_exact)]
    d = pos[:, None, :] - pos[None, :, :]
    d -= np.round(d)
    same = np.all(np.abs(d) < POSITION_TOLERANCE, axis=2)
    first = np.argmax(same, axis=1)  # index of the first image equal to each image
    return pos[first == np.arange(len(pos))]


def sites_from_records(records: Iterable[Mapping[str, Any]], where: str = "sites") -> tuple[Site, ...]:
    """Build sites from dictionaries (the TOML layout); accepts ``u_iso`` (A^2) instead of ``b_iso``.

    Keys: ``label``, ``element``, ``xyz`` (or ``frac``), ``occupancy`` (default 1), ``b_iso``
    or ``u_iso`` (default B = 0), ``wyckoff`` (``"c"`` or ``"8c"``; the number, if given,
    is checked against the expansion by :func:`check_wyckoff_multiplicities`).
    """
    out = []
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise InputError(f"{where}[{i}] must be a table of site fields")
        known = {"label", "element", "xyz", "frac", "occupancy", "b_iso", "u_iso", "wyckoff"}
        extra = sorted(set(r) - known)
        if extra:
            raise InputError(f"{where}[{i}] has unknown field(s) {extra}; allowed: {sorted(known)}")
        for req in ("element",):
            if req not in r:
                raise InputError(f"{where}[{i}] needs {req!r}")
        xyz = r.get("xyz", r.get("frac"))
        if xyz is None:
            raise InputError(f"{where}[{i}] needs 'xyz' (three fractional coordinates)")
        if "b_iso" in r and "u_iso" in r:
            raise InputError(f"{where}[{i}] gives both b_iso and u_iso; give one")
        b = r.get("b_iso", 0.0)
        if "u_iso" in r:
            b = 8 * math.pi**2 * check_nonnegative(r["u_iso"], f"{where}[{i}] u_iso")
        wy = r.get("wyckoff")
        letter = None
        if wy is not None:
            m = re.fullmatch(r"\s*(\d*)\s*([a-zA-Z])\s*", str(wy))
            if not m:
                raise InputError(f"{where}[{i}] wyckoff must look like 'c' or '8c', got {wy!r}")
            letter = m.group(2)
        label = r.get("label") or f"{normalize_element(r['element'])}{i + 1}"
        out.append(Site(str(label), r["element"], tuple(xyz), r.get("occupancy", 1.0), b, letter))
    return tuple(out)


def check_wyckoff_multiplicities(structure: Structure, declared: Mapping[str, int]) -> None:
    """Check declared multiplicities (from ``"8c"``-style Wyckoff labels) against the expansion."""
    mult = structure.multiplicities()
    for label, n in declared.items():
        if mult.get(label) != n:
            raise InputError(
                f"structure {structure.name!r}: site {label!r} is declared with multiplicity {n} "
                f"but its coordinates give {mult.get(label)} positions in space group {structure.spacegroup}"
            )


_BRUTE_FORCE_ATOMS = 1024  # all-pairs comparison below this (at most ~25 MB of differences)


def _close_pairs(frac: np.ndarray, tol: float, *, brute_force: bool | None = None) -> np.ndarray:
    """Index pairs ``(i < j)`` of fractional positions within ``tol`` on every axis (periodic).

    All pairs are compared directly for small tables; larger ones use a periodic k-d tree
    query within ``tol * sqrt(3)`` followed by the same per-axis test, so both give the same
    set of pairs (tested).
    """
    n = frac.shape[0]
    if brute_force is None:
        brute_force = n <= _BRUTE_FORCE_ATOMS
    if brute_force:
        d = frac[:, None, :] - frac[None, :, :]
        d -= np.round(d)
        close = np.all(np.abs(d) < tol, axis=2)
        return np.argwhere(np.triu(close, 1)).astype(np.intp).reshape(-1, 2)
    from scipy.spatial import cKDTree

    tree = cKDTree(frac, boxsize=1.0)
    pairs = tree.query_pairs(tol * math.sqrt(3), output_type="ndarray")
    if pairs.size == 0:
        return pairs.reshape(-1, 2)
    d = frac[pairs[:, 0]] - frac[pairs[:, 1]]
    d -= np.round(d)
    return pairs[np.all(np.abs(d) < tol, axis=1)]
