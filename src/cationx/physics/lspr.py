"""Localized surface plasmon resonance of degenerately doped Cu(2-x)Se: Drude model.

Free holes of density N (per cm^3) give a bulk plasma frequency
``omega_p^2 = N e^2 / (eps0 m*)``; a small sphere (quasi-static, dipole) in a medium of
dielectric constant ``eps_m`` resonates where ``Re eps(omega) = -2 eps_m``, i.e.

    omega_sp^2 = omega_p^2 / (eps_inf + 2 eps_m) - Gamma^2

(Drude dielectric function ``eps = eps_inf - omega_p^2 / (omega^2 + i Gamma omega)``; the
route of Luther, Jain, Ewers, Alivisatos, Nat. Mater. 10, 361 (2011) for doped quantum
dots).  ``omega_sp`` grows as sqrt(N), as White, Banerjee, Jain, Nat. Commun. (2017) use.

Every Drude parameter is an argument.  001 gives none of them: it quotes "ca. 4 x 10^21
cm^-3 ... for a 1 eV LSPR peak energy", "in the range of Cu1.8Se".  The defaults below
(m* = 0.4 m0, eps_inf = 10, eps_m = 2.0) are *assumptions* of the order used for copper
chalcogenides, chosen so that 1 eV corresponds to 4.1 x 10^21 cm^-3, the paper's pairing;
they are not measured values from a cited source.  Pass your own.

Stoichiometry: each Cu vacancy in Cu(2-x)Se leaves one hole, so ``x = N / n_fu`` with
``n_fu`` the density of Cu2Se formula units, 4 per cubic cell (antifluorite, a = 5.85 A in
001) = 2.0 x 10^22 cm^-3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from cationx._validation import check_nonnegative, check_positive
from cationx.constants import ELECTRON_MASS, ELEMENTARY_CHARGE, HBAR, HC_EV_NM, VACUUM_PERMITTIVITY
from cationx.errors import InputError
from cationx.materials import CU2SE_LATTICE_ANGSTROM

__all__ = [
    "CU2SE_LATTICE_ANGSTROM",
    "DrudeParameters",
    "LsprEstimate",
    "formula_unit_density_cm3",
    "hole_density_from_lspr",
    "lspr_energy_from_holes",
    "lspr_estimate",
]



@dataclass(frozen=True, slots=True)
class DrudeParameters:
    """Drude parameters with their provenance (see the module docstring)."""

    effective_mass: float = 0.4  # m*/m0
    eps_inf: float = 10.0
    eps_medium: float = 2.0
    damping_ev: float = 0.0
    source: str = (
        "assumed defaults (m* = 0.4 m0, eps_inf = 10, eps_m = 2.0, no damping), chosen to match "
        "White et al. 2017's pairing 1 eV <-> ca. 4e21 cm^-3; not measured values"
    )

    def __post_init__(self) -> None:
        check_positive(self.effective_mass, "effective_mass")
        check_positive(self.eps_inf, "eps_inf")
        check_positive(self.eps_medium, "eps_medium")
        check_nonnegative(self.damping_ev, "damping_ev")

    def to_dict(self) -> dict[str, Any]:
        return {
            "effective_mass": self.effective_mass,
            "eps_inf": self.eps_inf,
            "eps_medium": self.eps_medium,
            "damping_ev": self.damping_ev,
            "source": self.source,
        }


def _plasma_energy_ev(n_cm3: float, m_rel: float) -> float:
    n_m3 = n_cm3 * 1e6
    omega_p = math.sqrt(n_m3 * ELEMENTARY_CHARGE**2 / (VACUUM_PERMITTIVITY * m_rel * ELECTRON_MASS))
    return HBAR * omega_p / ELEMENTARY_CHARGE


def lspr_energy_from_holes(hole_density_cm3: float, params: DrudeParameters | None = None) -> float:
    """LSPR peak energy (eV) of a sphere with ``hole_density_cm3`` free holes per cm^3."""
    p = params or DrudeParameters()
    n = check_positive(hole_density_cm3, "hole_density_cm3")
    ep = _plasma_energy_ev(n, p.effective_mass)
    e2 = ep**2 / (p.eps_inf + 2 * p.eps_medium) - p.damping_ev**2
    if e2 <= 0:
        raise InputError(
            f"no resonance: damping {p.damping_ev} eV exceeds the undamped LSPR energy "
            f"{math.sqrt(ep**2 / (p.eps_inf + 2 * p.eps_medium)):.4g} eV"
        )
    return math.sqrt(e2)


def hole_density_from_lspr(energy_ev: float, params: DrudeParameters | None = None) -> float:
    """Free-hole density (cm^-3) that puts the LSPR of a sphere at ``energy_ev`` (inverse)."""
    p = params or DrudeParameters()
    e = check_positive(energy_ev, "energy_ev")
    ep2 = (e**2 + p.damping_ev**2) * (p.eps_inf + 2 * p.eps_medium)
    n1 = _plasma_energy_ev(1.0, p.effective_mass) ** 2  # E_p^2 per (cm^-3)
    return ep2 / n1


def formula_unit_density_cm3(lattice_angstrom: float = CU2SE_LATTICE_ANGSTROM, formula_units_per_cell: int = 4) -> float:
    """Formula units per cm^3 of a cubic cell of edge ``lattice_angstrom``."""
    a = check_positive(lattice_angstrom, "lattice_angstrom")
    return formula_units_per_cell / (a * 1e-8) ** 3


@dataclass(frozen=True, slots=True)
class LsprEstimate:
    """LSPR energy, hole density and the Cu(2-x)Se stoichiometry they imply."""

    energy_ev: float
    hole_density_cm3: float
    x_vacancy: float
    formula: str
    diameter_nm: float | None
    holes_per_nc: float | None
    params: DrudeParameters = field(default_factory=DrudeParameters)

    def to_dict(self) -> dict[str, Any]:
        return {
            "energy_ev": self.energy_ev,
            "wavelength_nm": HC_EV_NM / self.energy_ev,
            "hole_density_cm3": self.hole_density_cm3,
            "x_vacancy": self.x_vacancy,
            "formula": self.formula,
            "diameter_nm": self.diameter_nm,
            "holes_per_nc": self.holes_per_nc,
            "drude": self.params.to_dict(),
        }

    def to_frame(self) -> Any:
        import pandas as pd

        d = self.to_dict()
        d.pop("drude")
        return pd.DataFrame([d])


def lspr_estimate(
    *,
    energy_ev: float | None = None,
    hole_density_cm3: float | None = None,
    diameter_nm: float | None = None,
    params: DrudeParameters | None = None,
    lattice_angstrom: float = CU2SE_LATTICE_ANGSTROM,
) -> LsprEstimate:
    """From an LSPR energy or a hole density (exactly one), the other, ``x`` in Cu(2-x)Se,
    and (with ``diameter_nm``) the number of holes in one spherical NC."""
    if (energy_ev is None) == (hole_density_cm3 is None):
        raise InputError("give exactly one of energy_ev and hole_density_cm3")
    p = params or DrudeParameters()
    if energy_ev is not None:
        e = check_positive(energy_ev, "energy_ev")
        if e > 10:
            raise InputError(f"energy_ev must be <= 10 eV for a plasmon of a doped semiconductor NC, got {e!r}")
        n = hole_density_from_lspr(e, p)
    else:
        n = check_positive(hole_density_cm3, "hole_density_cm3")
        e = lspr_energy_from_holes(n, p)
    x = n / formula_unit_density_cm3(lattice_angstrom)
    if x >= 2:
        raise InputError(f"hole density {n:.3g} cm^-3 implies x = {x:.3g} >= 2 in Cu(2-x)Se")
    holes = None
    d = None
    if diameter_nm is not None:
        d = check_positive(diameter_nm, "diameter_nm")
        if d > 1e4:
            raise InputError(f"diameter_nm must be <= 1e4 nm (10 um) for a nanocrystal, got {d!r}")
        holes = n * math.pi / 6 * (d * 1e-7) ** 3
    return LsprEstimate(e, n, x, f"Cu{2 - x:.2f}Se", d, holes, p)
