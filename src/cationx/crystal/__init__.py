"""Crystal structures, X-ray form factors and powder/electron diffraction.

- :mod:`cationx.crystal.structure`: :class:`Site`, :class:`Structure`, :class:`AtomTable`
  (space-group symmetry from gemmi).
- :mod:`cationx.crystal.library`: :func:`load_structure` (bundled name, CIF or TOML),
  :func:`list_structures`.
- :mod:`cationx.crystal.formfactors`: :func:`f0`, :func:`anomalous` (xraydb tables).
- :mod:`cationx.crystal.powder`: :func:`powder_pattern` (kinematic pattern of a crystal).
- :mod:`cationx.crystal.cluster` and :mod:`cationx.crystal.debye`:
  :func:`structure_debye_pattern` (Debye equation of a cluster cut from a structure),
  :func:`build_cluster`, :func:`debye_pattern` (Debye equation of given atoms).
- :mod:`cationx.crystal.identify`: :func:`identify_phases`; :mod:`cationx.crystal.refine`:
  :func:`refine_pattern`; :mod:`cationx.crystal.index`: :func:`index_d_spacings`;
  :mod:`cationx.crystal.pattern`: :class:`MeasuredPattern`; :func:`read_pattern` is the
  reader of :mod:`cationx.io.xrd`, re-exported here for convenience.

The names below are loaded on first use (module ``__getattr__``), so ``import cationx.crystal``
costs nothing beyond the package itself; each submodule pulls in its own dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cationx._lazy import lazy_exports

#: public name -> submodule that defines it (a dotted value is an absolute module)
_EXPORTS: dict[str, str] = {
    "AtomTable": "structure",
    "Site": "structure",
    "Structure": "structure",
    "anomalous": "formfactors",
    "f0": "formfactors",
    "list_structures": "library",
    "load_structure": "library",
    "powder_pattern": "powder",
    "PowderPattern": "powder",
    "structure_debye_pattern": "cluster",
    "build_cluster": "cluster",
    "Cluster": "cluster",
    "debye_pattern": "debye",
    "DebyePattern": "debye",
    "identify_phases": "identify",
    "IdentifyResult": "identify",
    "refine_pattern": "refine",
    "RefinementResult": "refine",
    "index_d_spacings": "index",
    "IndexResult": "index",
    "read_pattern": "cationx.io.xrd",
    "MeasuredPattern": "pattern",
}

__all__ = [
    "AtomTable",
    "Cluster",
    "DebyePattern",
    "IdentifyResult",
    "IndexResult",
    "MeasuredPattern",
    "PowderPattern",
    "RefinementResult",
    "Site",
    "Structure",
    "anomalous",
    "build_cluster",
    "debye_pattern",
    "f0",
    "identify_phases",
    "index_d_spacings",
    "list_structures",
    "load_structure",
    "powder_pattern",
    "read_pattern",
    "refine_pattern",
    "structure_debye_pattern",
]


__getattr__, __dir__ = lazy_exports("cationx.crystal", _EXPORTS)



if TYPE_CHECKING:  # for type checkers and IDEs; never executed
    from cationx.crystal.cluster import Cluster, build_cluster, structure_debye_pattern
    from cationx.crystal.debye import DebyePattern, debye_pattern
    from cationx.crystal.formfactors import anomalous, f0
    from cationx.crystal.identify import IdentifyResult, identify_phases
    from cationx.crystal.index import IndexResult, index_d_spacings
    from cationx.crystal.library import list_structures, load_structure
    from cationx.crystal.pattern import MeasuredPattern
    from cationx.crystal.powder import PowderPattern, powder_pattern
    from cationx.crystal.refine import RefinementResult, refine_pattern
    from cationx.crystal.structure import AtomTable, Site, Structure
    from cationx.io.xrd import read_pattern
