"""Host materials: lattice constants, formula masses, densities, band gaps, and host cations per NC.

One table for every part of the toolkit that needs to know what a CdSe, CdS or CdTe nanocrystal
holds (sizing from the exciton, the cooperative fits, the stochastic ensemble, composition).

Provenance:

- Lattice constants at room temperature: O. Madelung, *Semiconductors: Data Handbook*, 3rd ed.
  (Springer 2004), II-VI sections. Zinc blende ``a``; wurtzite ``(a, c)``.
- Standard atomic weights: IUPAC 2021 (Cd 112.414, Se 78.971, Te 127.60, S 32.06 g/mol).
- Cu2Se (the exchange product, antifluorite): a_c = 5.85 A, White, Banerjee, Jain, Nat. Commun.
  8, 14514 (2017).
- Bulk band gaps at room temperature (wurtzite values, same source): CdSe 1.74, CdTe 1.50,
  CdS 2.42 eV.

Densities follow from the lattice (``Z M / (N_A V_cell)``: 4 formula units per ``a^3`` in zinc
blende, 2 per ``sqrt(3)/2 a^2 c`` in wurtzite), so density and formula mass are consistent; the
two phases differ only through their lattice constants (< 0.1 % for CdSe). A sphere of diameter
``D`` holds ``N = (pi/6) D^3 rho N_A / M`` host cations (one cation per formula unit): a 4.0 nm
zinc-blende CdSe NC holds 597 Cd (White et al. 2013 say "~1,300 atoms", i.e. ~600 Cd + ~600 Se).

NumPy only: importing this module does not pull in SciPy or pandas.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cationx._validation import as_1d_array, check_choice, check_positive
from cationx.constants import AVOGADRO
from cationx.errors import InputError

__all__ = [
    "ATOMIC_MASS",
    "BULK_GAP_EV",
    "CU2SE_LATTICE_ANGSTROM",
    "LATTICE_ANGSTROM",
    "MATERIALS",
    "PHASES",
    "cations_per_nm3",
    "density_g_cm3",
    "formula_mass",
    "host_cations_per_nc",
]

MATERIALS = ("CdSe", "CdTe", "CdS")
PHASES = ("zincblende", "wurtzite")

# standard atomic weights (IUPAC 2021), g/mol
ATOMIC_MASS = {"Cd": 112.414, "Se": 78.971, "Te": 127.60, "S": 32.06}
_ANION = {"CdSe": "Se", "CdTe": "Te", "CdS": "S"}

# room-temperature lattice constants, angstrom (Madelung 2004): zinc blende (a,); wurtzite (a, c)
LATTICE_ANGSTROM: dict[tuple[str, str], tuple[float, ...]] = {
    ("CdSe", "zincblende"): (6.077,),
    ("CdSe", "wurtzite"): (4.2999, 7.0109),
    ("CdS", "zincblende"): (5.818,),
    ("CdS", "wurtzite"): (4.1367, 6.7161),
    ("CdTe", "zincblende"): (6.481,),
    ("CdTe", "wurtzite"): (4.57, 7.47),
}

# room-temperature bulk band gaps, eV (wurtzite; Madelung 2004): a first exciton at or beyond
# hc/E_g is not a confined NC exciton
BULK_GAP_EV = {"CdSe": 1.74, "CdTe": 1.50, "CdS": 2.42}

# the exchange product: cubic (antifluorite, Fm-3m) Cu2Se, a_c = 5.85 A as White, Banerjee, Jain,
# Nat. Commun. 8, 14514 (2017) give it (Fig. 4, Tables 2-4); 4 formula units per cell
CU2SE_LATTICE_ANGSTROM = 5.85


def _material(material: str) -> str:
    return check_choice(material, "material", MATERIALS)


def formula_mass(material: str) -> float:
    """Formula mass of the host (one Cd per formula unit), g/mol."""
    m = _material(material)
    return ATOMIC_MASS["Cd"] + ATOMIC_MASS[_ANION[m]]


def density_g_cm3(material: str, phase: str = "zincblende") -> float:
    """Bulk density from the lattice constants and formula mass: ``Z M / (N_A V_cell)``, g/cm^3."""
    m = _material(material)
    check_choice(phase, "phase", PHASES)
    lat = LATTICE_ANGSTROM[(m, phase)]
    if phase == "zincblende":
        v_cell, z = lat[0] ** 3, 4
    else:
        v_cell, z = math.sqrt(3) / 2 * lat[0] ** 2 * lat[1], 2
    return z * formula_mass(m) / (AVOGADRO * v_cell * 1e-24)


def cations_per_nm3(material: str, phase: str = "zincblende", *, density: float | None = None) -> float:
    """Host cations per nm^3: ``rho N_A / M`` (one cation per formula unit)."""
    rho = density_g_cm3(material, phase) if density is None else check_positive(density, "density_g_cm3")
    return rho * AVOGADRO / formula_mass(material) * 1e-21


def host_cations_per_nc(
    material: str, diameter: Any, *, phase: str = "zincblende", density: float | None = None
) -> Any:
    """Host cations (Cd) in a spherical NC of ``diameter`` nm: ``(pi/6) D^3 rho N_A / M``.

    ``diameter`` may be a number (returns a float) or an array of diameters (returns a float
    array of the same length); the count is not rounded. ``density`` (g/cm^3) replaces the
    lattice density when given.
    """
    per_nm3 = cations_per_nm3(material, phase, density=density)
    if np.ndim(diameter) == 0:
        d = check_positive(diameter, "diameter_nm")
        return math.pi / 6 * d**3 * per_nm3
    arr = as_1d_array(diameter, "diameter_nm")
    bad = ~(arr > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"diameter_nm must be > 0; value {arr[i]!r} at index {i}")
    return math.pi / 6.0 * arr**3 * per_nm3
