"""Crystal structures, X-ray form factors and powder/electron diffraction.

- :mod:`cationx.crystal.structure`: :class:`Site`, :class:`Structure`, :class:`AtomTable`
  (space-group symmetry from gemmi).
- :mod:`cationx.crystal.library`: :func:`load_structure` (bundled name, CIF or TOML),
  :func:`list_structures`.
- :mod:`cationx.crystal.formfactors`: :func:`f0`, :func:`anomalous` (xraydb tables).
"""

from __future__ import annotations

from cationx.crystal.formfactors import anomalous, f0
from cationx.crystal.library import list_structures, load_structure
from cationx.crystal.structure import AtomTable, Site, Structure

__all__ = [
    "AtomTable",
    "Site",
    "Structure",
    "anomalous",
    "f0",
    "list_structures",
    "load_structure",
]
