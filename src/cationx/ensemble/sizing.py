"""Nanocrystal size -> host cations -> exchange steps ("sites"), and size distributions.

A spherical NC of diameter ``D`` holds ``N = (pi/6) D^3 rho N_A / M`` host cations, with
``rho`` the bulk density and ``M`` the formula mass of the host (one cation per formula
unit for CdSe and CdS).  Here ``rho`` is computed from the lattice constants (formula units
per cell over the cell volume), so density and formula mass are consistent:

============  =====================================  ==  ==========  ============
material      lattice (Angstrom)                     Z   rho g/cm^3  cations/nm^3
============  =====================================  ==  ==========  ============
CdSe-zb       a = 6.077 (zinc blende, F-43m)         4   5.664       17.82
CdSe-wz       a = 4.2999, c = 7.0109 (wurtzite)      2   5.662       17.82
CdS-zb        a = 5.818                              4   4.87        20.31
CdS-wz        a = 4.1367, c = 6.7161                 2   4.82        20.09
============  =====================================  ==  ==========  ============

Lattice constants: O. Madelung, *Semiconductors: Data Handbook*, 3rd ed. (Springer 2004),
CdSe and CdS sections.  Atomic masses: IUPAC 2021 standard atomic weights (Cd 112.414,
Se 78.971, S 32.06 g/mol).  A 4.0 nm CdSe NC holds 597 Cd (White et al. 2013 say "~1,300
atoms", i.e. ~600 Cd + ~600 Se; SCIENCE.md section 2 "~600 Cd").

The ensemble maps cations to exchange steps with ``cations_per_site`` (1 = one step per
host cation, the physical stoichiometry; White et al.'s model NC has n = 20 coarse steps,
i.e. ~30 Cd per step for a 4 nm NC).

The same formula as :func:`cationx.spectra.sizing.host_cations_per_nc` (the sizing
module), vectorised over diameters and kept here so that importing the ensemble does not
pull in the spectra package (~1.5 s of SciPy imports); the zinc-blende constants are the
same, the wurtzite ones differ in the fourth digit (< 0.1 % in the count).  A test holds
the two to each other.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cationx._validation import as_1d_array, check_choice, check_nonnegative, check_positive
from cationx.errors import InputError

__all__ = [
    "AVOGADRO",
    "MATERIALS",
    "cations_per_nm3",
    "density_g_cm3",
    "host_cations_per_nc",
    "sample_diameters",
    "sites_from_diameter",
]

AVOGADRO = 6.02214076e23  # mol^-1 (SI 2019, exact)
_MASS = {"Cd": 112.414, "Se": 78.971, "S": 32.06}  # g/mol, IUPAC 2021

# name: (formula mass g/mol, formula units per cell, cell volume in A^3)
MATERIALS: dict[str, tuple[float, int, float]] = {
    "CdSe-zb": (_MASS["Cd"] + _MASS["Se"], 4, 6.077**3),
    "CdSe-wz": (_MASS["Cd"] + _MASS["Se"], 2, math.sqrt(3) / 2 * 4.2999**2 * 7.0109),
    "CdS-zb": (_MASS["Cd"] + _MASS["S"], 4, 5.818**3),
    "CdS-wz": (_MASS["Cd"] + _MASS["S"], 2, math.sqrt(3) / 2 * 4.1367**2 * 6.7161),
}


def density_g_cm3(material: str = "CdSe-zb") -> float:
    """Bulk density from the lattice: ``Z M / (N_A V_cell)`` in g/cm^3."""
    check_choice(material, "material", MATERIALS)
    mass, z, cell_a3 = MATERIALS[material]
    return z * mass / (AVOGADRO * cell_a3 * 1e-24)


def cations_per_nm3(material: str = "CdSe-zb") -> float:
    """Host cations per nm^3: ``rho N_A / M`` (one cation per formula unit)."""
    mass = MATERIALS[check_choice(material, "material", MATERIALS)][0]
    return density_g_cm3(material) * AVOGADRO / mass * 1e-21


def host_cations_per_nc(diameter_nm: Any, material: str = "CdSe-zb") -> np.ndarray:
    """Host cations in a spherical NC: ``(pi/6) D^3 rho N_A / M`` (float, not rounded).

    Parameters
    ----------
    diameter_nm
        Diameter(s) in nm, > 0.
    material
        One of :data:`MATERIALS` (``CdSe-zb`` default; wurtzite differs by < 0.1 %).
    """
    d = as_1d_array(diameter_nm, "diameter_nm")
    if (d <= 0).any():
        i = int(np.flatnonzero(d <= 0)[0])
        raise InputError(f"diameter_nm must be > 0; value {d[i]!r} at index {i}")
    return math.pi / 6.0 * d**3 * cations_per_nm3(material)


def sites_from_diameter(
    diameter_nm: Any, *, cations_per_site: float = 1.0, material: str = "CdSe-zb"
) -> np.ndarray:
    """Exchange steps per NC: host cations / ``cations_per_site``, rounded, at least 1."""
    cps = check_positive(cations_per_site, "cations_per_site")
    n = np.rint(host_cations_per_nc(diameter_nm, material) / cps).astype(np.int64)
    return np.maximum(n, 1)


def sample_diameters(
    n_ncs: int, diameter_nm: float, size_sd_nm: float = 0.0, *, rng: Any = None
) -> np.ndarray:
    """Draw NC diameters from a lognormal with the given mean and standard deviation (nm).

    ``size_sd_nm = 0`` gives a monodisperse sample (no random numbers drawn).  The
    lognormal parameters are ``sigma^2 = ln(1 + (sd/mean)^2)``, ``mu = ln(mean) - sigma^2/2``.
    """
    mean = check_positive(diameter_nm, "diameter_nm")
    sd = check_nonnegative(size_sd_nm, "size_sd_nm")
    if sd == 0.0:
        return np.full(n_ncs, mean)
    sigma2 = math.log1p((sd / mean) ** 2)
    gen = np.random.default_rng(rng)
    return gen.lognormal(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2), size=n_ncs)
