"""Lattice strain from a phonon (Raman) shift or from a diffraction peak shift.

Grueneisen relation for a phonon under hydrostatic strain, as used by White, Banerjee,
Jain, Nat. Commun. (2017), eq. (2) (after Scamarcio et al., Phys. Rev. B 53, R10489 (1996)):

    d_omega / omega = (1 + 3 da/a)^(-gamma) - 1

``da/a`` is the linear lattice strain (negative = compression), ``gamma`` the mode
Grueneisen parameter (001 assumes 1.1 for the LO phonon of Cu2Se).  The inverse is
``da/a = ((1 + d_omega/omega)^(-1/gamma) - 1) / 3``.  ``1 + 3 da/a`` is the linearised
volume ratio, so the relation needs ``da/a > -1/3``.

001 reports a compressive strain of 2.4 % (2 nm clusters relative to 6 nm NCs) from the LO
phonon, and 4.5 % from the {111} PXRD peak.  Strain from a peak shift follows from Bragg's
law at fixed wavelength: ``d/d0 - 1 = sin(theta0)/sin(theta) - 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cationx._validation import check_finite, check_positive, check_range
from cationx.constants import CU_KALPHA1_ANGSTROM
from cationx.errors import InputError
from cationx.units import d_to_two_theta

__all__ = [
    "GRUNEISEN_LO_CU2SE",
    "StrainEstimate",
    "raman_shift_from_strain",
    "strain_from_peak_shift",
    "strain_from_raman",
    "strain_from_raman_shift",
]

GRUNEISEN_LO_CU2SE = 1.1  # 001: "Grueneisen parameter for LO phonons assumed to have the common value of 1.1"


def _check_strain(strain: float, name: str) -> float:
    s = check_finite(strain, name)
    if s <= -1.0 / 3.0:
        raise InputError(f"{name} must be > -1/3 (1 + 3*{name} is a volume ratio), got {strain!r}")
    return s


def raman_shift_from_strain(linear_strain: float, gruneisen: float = GRUNEISEN_LO_CU2SE) -> float:
    """Relative phonon shift ``d_omega/omega`` for a linear strain ``da/a`` (signed)."""
    s = _check_strain(linear_strain, "linear_strain")
    g = check_range(gruneisen, "gruneisen", 0.01, 100.0)  # Grueneisen parameters of solids are ~0.5-3
    return (1.0 + 3.0 * s) ** (-g) - 1.0


def strain_from_raman_shift(relative_shift: float, gruneisen: float = GRUNEISEN_LO_CU2SE) -> float:
    """Linear strain ``da/a`` from a relative phonon shift ``d_omega/omega`` (> -1)."""
    r = check_finite(relative_shift, "relative_shift")
    if r <= -1:
        raise InputError(f"relative_shift must be > -1, got {relative_shift!r}")
    g = check_range(gruneisen, "gruneisen", 0.01, 100.0)  # Grueneisen parameters of solids are ~0.5-3
    return ((1.0 + r) ** (-1.0 / g) - 1.0) / 3.0


@dataclass(frozen=True, slots=True)
class StrainEstimate:
    """Strain from a phonon or peak shift (``linear_strain`` signed; negative = compression)."""

    method: str
    linear_strain: float
    compressive_strain: float
    volume_ratio: float
    inputs: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "linear_strain": self.linear_strain,
            "compressive_strain": self.compressive_strain,
            "compressive_strain_percent": 100 * self.compressive_strain,
            "volume_ratio": self.volume_ratio,
            "volumetric_strain_percent": 100 * (1 - self.volume_ratio),
            "inputs": dict(self.inputs),
        }

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame([{k: v for k, v in self.to_dict().items() if k != "inputs"}])


def strain_from_raman(
    omega_cm1: float, omega_ref_cm1: float, gruneisen: float = GRUNEISEN_LO_CU2SE
) -> StrainEstimate:
    """Strain of a sample whose phonon is at ``omega_cm1`` against a reference at ``omega_ref_cm1``."""
    w = check_positive(omega_cm1, "omega_cm1")
    w0 = check_positive(omega_ref_cm1, "omega_ref_cm1")
    s = strain_from_raman_shift(w / w0 - 1.0, gruneisen)
    return StrainEstimate(
        "raman-grueneisen", s, -s, (1 + s) ** 3, {"omega_cm1": w, "omega_ref_cm1": w0, "gruneisen": gruneisen}
    )


def strain_from_peak_shift(two_theta_deg: float, two_theta_ref_deg: float) -> StrainEstimate:
    """Strain ``d/d0 - 1`` from a diffraction peak at ``two_theta_deg`` vs a reference at ``two_theta_ref_deg``.

    Same wavelength for both (Bragg: ``d = lambda / (2 sin theta)``); a peak at higher
    angle means a smaller spacing, i.e. compression.
    """
    tt = check_range(two_theta_deg, "two_theta_deg", 0.0, 180.0)
    tt0 = check_range(two_theta_ref_deg, "two_theta_ref_deg", 0.0, 180.0)
    if tt in (0.0, 180.0) or tt0 in (0.0, 180.0):
        raise InputError("two_theta_deg and two_theta_ref_deg must lie strictly between 0 and 180")
    s = math.sin(math.radians(tt0 / 2)) / math.sin(math.radians(tt / 2)) - 1.0
    if abs(s) > 0.5:
        raise InputError(
            f"peaks at {tt!r} and {tt0!r} deg 2-theta differ by a factor {1 + s:.3g} in d: not a strain "
            "of one reflection (|d/d0 - 1| must stay below 0.5)"
        )
    return StrainEstimate(
        "bragg-peak-shift", s, -s, (1 + s) ** 3, {"two_theta_deg": tt, "two_theta_ref_deg": tt0}
    )


def bragg_two_theta_deg(d_angstrom: float, wavelength_angstrom: float = CU_KALPHA1_ANGSTROM) -> float:
    """Bragg angle 2-theta (degrees) of a spacing ``d_angstrom`` (Cu K-alpha1 by default)."""
    d = check_positive(d_angstrom, "d_angstrom")
    lam = check_positive(wavelength_angstrom, "wavelength_angstrom")
    x = lam / (2 * d)
    if x > 1:
        raise InputError(f"no Bragg reflection: wavelength {lam} A > 2 d = {2 * d} A")
    return float(d_to_two_theta(d, lam))


__all__.append("bragg_two_theta_deg")
