"""Equivalent hydrostatic pressure of a compressive lattice strain.

White, Banerjee, Jain, Nat. Commun. (2017) convert the 2.4 % compressive strain of 2 nm
Cu2Se clusters (relative to 6 nm NCs) into "a 2 GPa pressure" with the bulk modulus
B = 85 GPa of Cu1.5Se.  85 GPa x 0.024 = 2.04 GPa: the *linear* strain was multiplied by
a *bulk* (volume) modulus.  Pressure and bulk modulus are related through the
*volumetric* strain, ``P = -B dV/V``; a linear strain of 2.4 % is a volume change of
``1 - (1 - 0.024)^3 = 7.0 %`` (the paper's own "ca. 7 % smaller unit cell volume"), which
gives about 6 GPa, and more with a Birch-Murnaghan equation of state, whose incompressibility
grows under compression.  :func:`pressure_from_strain` reports all three, the shortcut
separately and labelled as such.

Third-order Birch-Murnaghan (Birch, Phys. Rev. 71, 809 (1947)), ``eta = V0/V``:

    P = 3 B0 / 2 (eta^(7/3) - eta^(5/3)) (1 + 3/4 (B0' - 4) (eta^(2/3) - 1))

The strain must satisfy ``-1/3 < strain < 1/3``: beyond that, the small-strain volume
``1 - 3 strain`` used by the Grueneisen relation is not positive and no elastic estimate
means anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scipy.optimize import brentq

from cationx._validation import check_finite, check_positive
from cationx.errors import InputError

__all__ = [
    "BULK_MODULUS_CU15SE_GPA",
    "PressureEstimate",
    "birch_murnaghan_pressure",
    "pressure_from_strain",
    "strain_from_pressure",
]

BULK_MODULUS_CU15SE_GPA = 85.0  # 001, ref. 43: Cu1.5Se, used there as an estimate for Cu2Se


def _check_linear_strain(strain: float) -> float:
    s = check_finite(strain, "linear_strain")
    if not -1.0 / 3.0 < s < 1.0 / 3.0:
        raise InputError(
            f"linear_strain must lie in (-1/3, 1/3) (compressive strain as a positive fraction, "
            f"0.024 for 2.4 %), got {strain!r}"
        )
    return s


def birch_murnaghan_pressure(volume_ratio: float, bulk_modulus_gpa: float, b_prime: float = 4.0) -> float:
    """Third-order Birch-Murnaghan pressure (GPa) at ``V/V0 = volume_ratio``."""
    x = check_positive(volume_ratio, "volume_ratio")
    b0 = check_positive(bulk_modulus_gpa, "bulk_modulus_gpa")
    bp = check_finite(b_prime, "b_prime")
    eta = 1.0 / x
    return 1.5 * b0 * (eta ** (7 / 3) - eta ** (5 / 3)) * (1 + 0.75 * (bp - 4) * (eta ** (2 / 3) - 1))


@dataclass(frozen=True, slots=True)
class PressureEstimate:
    """Pressures (GPa) equivalent to a compressive linear strain (positive = compression)."""

    linear_strain: float
    bulk_modulus_gpa: float
    b_prime: float
    volume_ratio: float
    volumetric_strain: float
    pressure_linear_shortcut_gpa: float
    pressure_volumetric_gpa: float
    pressure_birch_murnaghan_gpa: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "linear_strain": self.linear_strain,
            "bulk_modulus_gpa": self.bulk_modulus_gpa,
            "b_prime": self.b_prime,
            "volume_ratio": self.volume_ratio,
            "volumetric_strain": self.volumetric_strain,
            "volumetric_strain_linearised": 3 * self.linear_strain,
            "pressure_linear_shortcut_gpa": self.pressure_linear_shortcut_gpa,
            "pressure_volumetric_gpa": self.pressure_volumetric_gpa,
            "pressure_birch_murnaghan_gpa": self.pressure_birch_murnaghan_gpa,
            "note": (
                "pressure_linear_shortcut_gpa = B x linear strain (the route of White et al. 2017); "
                "a bulk modulus relates pressure to the volumetric strain, so the shortcut "
                "underestimates by about 3x; pressure_volumetric_gpa = B x (1 - V/V0), "
                "pressure_birch_murnaghan_gpa = 3rd-order Birch-Murnaghan EOS with B' = b_prime"
            ),
        }

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame([{k: v for k, v in self.to_dict().items() if k != "note"}])


def pressure_from_strain(
    linear_strain: float, bulk_modulus_gpa: float = BULK_MODULUS_CU15SE_GPA, b_prime: float = 4.0
) -> PressureEstimate:
    """Equivalent pressure of an isotropic compressive linear strain.

    Parameters
    ----------
    linear_strain
        Compressive linear strain ``(a0 - a)/a0`` as a fraction (0.024 for 2.4 %); negative
        values mean tension (negative pressure).  Must lie in (-1/3, 1/3).
    bulk_modulus_gpa
        Isothermal bulk modulus B0 in GPa (> 0); 001 uses 85 GPa (Cu1.5Se).
    b_prime
        Pressure derivative B0' of the bulk modulus (Birch-Murnaghan); 4 when unknown.
    """
    s = _check_linear_strain(linear_strain)
    b0 = check_finite(bulk_modulus_gpa, "bulk_modulus_gpa")
    if b0 <= 0:
        raise InputError(f"bulk_modulus_gpa must be > 0, got {bulk_modulus_gpa!r}")
    bp = check_finite(b_prime, "b_prime")
    if bp < 0:
        raise InputError(f"b_prime must be >= 0, got {b_prime!r}")
    vr = (1.0 - s) ** 3
    ev = 1.0 - vr
    return PressureEstimate(
        linear_strain=s,
        bulk_modulus_gpa=b0,
        b_prime=bp,
        volume_ratio=vr,
        volumetric_strain=ev,
        pressure_linear_shortcut_gpa=b0 * s,
        pressure_volumetric_gpa=b0 * ev,
        pressure_birch_murnaghan_gpa=birch_murnaghan_pressure(vr, b0, bp),
    )


def strain_from_pressure(pressure_gpa: float, bulk_modulus_gpa: float, b_prime: float = 4.0) -> float:
    """Compressive linear strain whose Birch-Murnaghan pressure is ``pressure_gpa`` (inverse)."""
    p = check_finite(pressure_gpa, "pressure_gpa")
    b0 = check_positive(bulk_modulus_gpa, "bulk_modulus_gpa")
    bp = check_finite(b_prime, "b_prime")

    def f(s: float) -> float:
        return birch_murnaghan_pressure((1 - s) ** 3, b0, bp) - p

    lo, hi = -1 / 3 + 1e-9, 1 / 3 - 1e-9
    if f(lo) * f(hi) > 0:
        raise InputError(f"pressure_gpa {p} is outside what strains in (-1/3, 1/3) give for B0 = {b0} GPa")
    return float(brentq(f, lo, hi, xtol=1e-14, rtol=1e-14))
