"""Load structures: bundled phases by name, CIF files (gemmi) and small TOML descriptions.

TOML layout (one structure per file; ``b``/``c``/angles default from the crystal system)::

    name = "cu2se-4nm"
    spacegroup = "Fm-3m"            # Hermann-Mauguin symbol or number
    source = "White et al., Nat. Commun. 8, 14514 (2017), Table 2"
    description = "Cu2Se 4 nm, anti-fluorite"   # optional

    [cell]
    a = 5.85                        # A; b, c, alpha, beta, gamma as needed

    [[sites]]
    label = "Se4a"
    element = "Se"
    wyckoff = "4a"                  # optional; the number is checked against the expansion
    xyz = [0.0, 0.0, 0.0]
    occupancy = 1.0                 # default 1
    b_iso = 0.0                     # A^2 (or u_iso in A^2); default 0

The bundled files live in ``cationx/data/structures/``; each states its source.  Some
phases have a published cell but no solved atomic structure (tetragonal Cu2Se,
bellidoite): their files hold ``cell_only = true`` and no sites, and serve ring/peak
indexing only (:func:`load_cell`); :func:`load_structure` refuses them with a message.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cationx._validation import check_existing_file
from cationx.crystal.structure import (
    Site,
    Structure,
    check_wyckoff_multiplicities,
    normalize_element,
    resolve_spacegroup,
    sites_from_records,
)
from cationx.errors import DataFileError, InputError, ParseError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CellOnly",
    "library_table",
    "list_phases",
    "list_structures",
    "load_cell",
    "load_structure",
    "read_cif",
    "read_toml",
    "structure_from_dict",
]

_PACKAGE = "cationx"


@dataclass(frozen=True, slots=True)
class CellOnly:
    """A phase known only by its cell and space group (no atomic positions)."""

    name: str
    cell: tuple[float, float, float, float, float, float]
    spacegroup: str
    source: str
    description: str = ""
    elements: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "elements": list(self.elements),
            "cell": list(self.cell),
            "spacegroup": self.spacegroup,
            "source": self.source,
            "description": self.description,
        }


def _bundled_files() -> dict[str, Any]:
    root = resources.files(_PACKAGE) / "data" / "structures"
    return {p.name[:-5]: p for p in root.iterdir() if p.name.endswith(".toml")}


def _bundled_records() -> dict[str, dict[str, Any]]:
    out = {}
    for name, p in sorted(_bundled_files().items()):
        out[name] = tomllib.loads(p.read_text(encoding="utf-8"))
    return out


def list_structures() -> list[str]:
    """Names of the bundled phases that have atomic positions (sorted)."""
    return [n for n, r in _bundled_records().items() if not r.get("cell_only", False)]


def list_phases() -> list[str]:
    """Names of every bundled phase, including cell-only ones (sorted)."""
    return list(_bundled_records())


def library_table() -> pd.DataFrame:
    """One row per bundled phase: name, formula-ish composition, space group, cell, source."""
    rows = []
    for name, rec in _bundled_records().items():
        cell = _cell_from_record(rec, name)
        row = {
            "name": name,
            "description": rec.get("description", ""),
            "spacegroup": resolve_spacegroup(rec.get("spacegroup"), f"{name} spacegroup").hm,
            "a": cell[0],
            "b": cell[1],
            "c": cell[2],
            "alpha": cell[3],
            "beta": cell[4],
            "gamma": cell[5],
            "cell_only": bool(rec.get("cell_only", False)),
            "source": rec.get("source", ""),
        }
        rows.append(row)
    import pandas as pd

    return pd.DataFrame(rows)


def _cell_from_record(rec: dict[str, Any], where: str) -> tuple[float, ...]:
    cell = rec.get("cell")
    if not isinstance(cell, dict):
        raise ParseError(f"{where}: needs a [cell] table with at least 'a'")
    unknown = sorted(set(cell) - {"a", "b", "c", "alpha", "beta", "gamma"})
    if unknown:
        raise ParseError(f"{where}: unknown [cell] field(s) {unknown}")
    if "a" not in cell:
        raise ParseError(f"{where}: [cell] needs 'a' (A)")
    sg = resolve_spacegroup(rec.get("spacegroup"), f"{where} spacegroup")
    system = sg.crystal_system_str()
    hexagonal_axes = system == "hexagonal" or (system == "trigonal" and sg.ext != "R")
    a = cell["a"]
    defaults: dict[str, Any] = {"alpha": 90.0, "beta": 90.0, "gamma": 120.0 if hexagonal_axes else 90.0}
    if system == "cubic":
        defaults.update(b=a, c=a)
    elif system in ("tetragonal", "hexagonal") or hexagonal_axes:
        defaults.update(b=a)
    elif system == "trigonal":  # rhombohedral axes
        defaults.update(b=a, c=a)
    vals = []
    for k in ("a", "b", "c", "alpha", "beta", "gamma"):
        if k in cell:
            vals.append(cell[k])
        elif k in defaults:
            vals.append(defaults[k])
        else:
            raise ParseError(f"{where}: [cell] needs {k!r} for a {system} space group")
    try:
        return tuple(float(v) for v in vals)
    except (TypeError, ValueError):
        raise ParseError(f"{where}: [cell] values must be numbers") from None


def structure_from_dict(rec: dict[str, Any], *, where: str = "structure") -> Structure:
    """Build a :class:`Structure` from the TOML layout given as a dictionary."""
    known = {"name", "spacegroup", "source", "description", "note", "cell", "sites", "cell_only", "elements"}
    unknown = sorted(set(rec) - known)
    if unknown:
        raise ParseError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(known)}")
    if rec.get("cell_only"):
        raise InputError(
            f"{where} has no solved atomic structure (cell only: {rec.get('source', '')}); "
            "it can be used for indexing (cationx xrd index) but not simulated"
        )
    if "spacegroup" not in rec:
        raise ParseError(f"{where}: needs 'spacegroup'")
    cell = _cell_from_record(rec, where)
    sites_raw = rec.get("sites")
    if not isinstance(sites_raw, list) or not sites_raw:
        raise ParseError(f"{where}: needs at least one [[sites]] entry")
    sites = sites_from_records(sites_raw, where=f"{where} sites")
    declared = {}
    for s, raw in zip(sites, sites_raw, strict=True):
        wy = str(raw.get("wyckoff", "")).strip()
        digits = "".join(ch for ch in wy if ch.isdigit())
        if digits:
            declared[s.label] = int(digits)
    st = Structure(
        name=str(rec.get("name", where)),
        cell=cell,
        spacegroup=rec["spacegroup"],
        sites=sites,
        source=str(rec.get("source", "")),
    )
    check_wyckoff_multiplicities(st, declared)
    return st


def read_toml(path: str | Path) -> Structure:
    """Read a structure from a TOML file (layout in the module docstring)."""
    p = check_existing_file(path, "structure file")
    try:
        rec = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(f"{p}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ParseError(f"{p}: not a UTF-8 text file") from None
    rec.setdefault("name", p.stem)
    rec.setdefault("source", str(p))
    return structure_from_dict(rec, where=str(p))


def _cif_cell(block: Any, path: Path) -> tuple[float, ...]:
    """The six cell values as written in the block.

    gemmi replaces a cell it cannot use ('?', '.', a zero angle) by 1 A cubes, so the values
    are read here: lengths are required; an absent angle is 90 deg (the CIF dictionary
    default), one present but unreadable is an error.
    """
    import gemmi

    out = []
    for tag in ("length_a", "length_b", "length_c", "angle_alpha", "angle_beta", "angle_gamma"):
        raw = block.find_value(f"_cell_{tag}")
        if raw is None and tag.startswith("angle"):
            out.append(90.0)
            continue
        value = gemmi.cif.as_number(raw) if raw is not None else math.nan
        if not math.isfinite(value):
            shown = "missing" if raw is None else repr(raw)
            raise ParseError(f"{path}: _cell_{tag} must be a number, got {shown}")
        out.append(value)
    return tuple(out)


def read_cif(path: str | Path, *, block: str | None = None) -> Structure:
    """Read a small-molecule/inorganic CIF with gemmi (first block with a cell, or ``block``).

    Space group from the Hermann-Mauguin or Hall symbol or the symmetry operations in the
    file; occupancies from ``_atom_site_occupancy`` (default 1); B = 8 pi^2 U_iso (or U_eq
    = (1/3) sum_ij U^ij a*_i a*_j a_i.a_j when only U_ij are given (gemmi); 0 when none).
    """
    import gemmi

    p = check_existing_file(path, "CIF file")
    try:
        doc = gemmi.cif.read_file(str(p))
    except (RuntimeError, ValueError) as exc:
        raise ParseError(f"{p}: malformed CIF: {' '.join(str(exc).split())}") from None
    blocks = [b for b in doc if b.find_value("_cell_length_a") is not None]
    if block is not None:
        blocks = [b for b in blocks if b.name == block]
    if not blocks:
        what = f"block {block!r} with a cell" if block else "data block with _cell_length_a"
        raise ParseError(f"{p}: no {what}")
    b = blocks[0]
    try:
        ss = gemmi.make_small_structure_from_block(b)
    except (RuntimeError, ValueError) as exc:
        raise ParseError(f"{p}: could not read the structure: {' '.join(str(exc).split())}") from None
    sg = ss.find_spacegroup() if hasattr(ss, "find_spacegroup") else None
    hm = None
    if sg is not None:
        hm = sg.hm
    elif ss.spacegroup_hm:
        hm = ss.spacegroup_hm
    elif ss.symops:
        ops = []
        for text in ss.symops:
            try:
                ops.append(gemmi.Op(text))
            except (RuntimeError, ValueError) as exc:
                raise ParseError(f"{p}: malformed symmetry operation {text!r}: {' '.join(str(exc).split())}") from None
        found = gemmi.find_spacegroup_by_ops(gemmi.GroupOps(ops))
        hm = found.hm if found is not None else None
    if not hm:
        raise ParseError(f"{p}: no space group (give _space_group_name_H-M_alt or symmetry operations)")
    if not ss.sites:
        raise ParseError(f"{p}: no _atom_site_ loop")
    sites = []
    seen: dict[str, int] = {}
    for s in ss.sites:
        u = s.u_iso
        if (not u or math.isnan(u)) and s.aniso.nonzero():
            a = s.aniso  # U_eq of Fischer & Tillmanns (1988), right for oblique cells too
            u = ss.cell.calculate_u_eq(gemmi.SMat33d(a.u11, a.u22, a.u33, a.u12, a.u13, a.u23))
        if not u or math.isnan(u):
            u = 0.0
        elem = s.element.name if s.element.name != "X" else s.type_symbol
        label = s.label or elem
        if label in seen:
            seen[label] += 1
            label = f"{label}_{seen[label]}"
        else:
            seen[label] = 0
        occ = 1.0 if math.isnan(s.occ) else s.occ
        sites.append(Site(label, elem, (s.fract.x, s.fract.y, s.fract.z), occ, 8 * math.pi**2 * u))
    name = b.name or p.stem
    return Structure(
        name=name,
        cell=_cif_cell(b, p),
        spacegroup=hm,
        sites=tuple(sites),
        source=str(p),
    )


def load_structure(spec: str | Path | Structure) -> Structure:
    """Return a structure from a bundled name, a CIF path or a TOML path.

    A :class:`Structure` passes through.  Names are those of :func:`list_structures`
    (case-insensitive).  A path must end in ``.cif`` or ``.toml``.
    """
    if isinstance(spec, Structure):
        return spec
    if not isinstance(spec, str | Path):
        raise InputError(f"structure must be a bundled name, a .cif or a .toml path, got {type(spec).__name__}")
    text = str(spec)
    files = _bundled_files()
    key = text.lower()
    if key in files:
        rec = tomllib.loads(files[key].read_text(encoding="utf-8"))
        rec.setdefault("name", key)
        return structure_from_dict(rec, where=f"library phase {key!r}")
    p = Path(text)
    suffix = p.suffix.lower()
    if suffix == ".cif":
        return read_cif(p)
    if suffix == ".toml":
        return read_toml(p)
    if p.exists():
        raise DataFileError(f"structure file must end in .cif or .toml: {p}")
    raise InputError(
        f"unknown structure {text!r}: not a bundled phase and not a .cif/.toml path; "
        f"bundled: {', '.join(list_structures())}"
    )


def load_cell(spec: str | Path | Structure) -> Structure | CellOnly:
    """Like :func:`load_structure`, but cell-only library phases come back as :class:`CellOnly`."""
    if isinstance(spec, str):
        files = _bundled_files()
        key = spec.lower()
        if key in files:
            rec = tomllib.loads(files[key].read_text(encoding="utf-8"))
            if rec.get("cell_only"):
                return CellOnly(
                    name=key,
                    cell=_cell_from_record(rec, key),  # type: ignore[arg-type]
                    spacegroup=resolve_spacegroup(rec["spacegroup"]).hm,
                    source=str(rec.get("source", "")),
                    description=str(rec.get("description", "")),
                    elements=tuple(normalize_element(e) for e in rec.get("elements", [])),
                )
    return load_structure(spec)

