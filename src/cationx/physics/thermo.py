"""Size-dependent thermodynamics: Gibbs-Thomson and the ordered fraction of NCs.

Gibbs-Thomson (White, Banerjee, Jain, Nat. Commun. (2017), eq. 1):
``mu(D) - mu(inf) = 4 gamma v / D`` (J/mol) with gamma the surface tension (J/m^2), v the
molar volume (m^3/mol) and D the diameter.  The same surface term acts as the Laplace
pressure ``P = 4 gamma / D`` (= 2 gamma / r) on the particle, and ``mu - mu_inf = P v``;
it is this pressure that compresses small NCs.  With a latent heat ``dH`` the transition
temperature shifts by ``dT / T_bulk = -(mu - mu_inf) / dH`` (the usual melting-point
depression; 001 reports Tc ~ 10 C (heating) / -2 C (cooling) for 2 nm clusters vs 413 K bulk).

Ordered fraction (001, Table 1: 0 / 10 / 80 % of NCs ordered at 2 / 4 / 6 nm, from about
30 NCs per size): 001 expects the frozen-ordered sub-population to vary as
``exp(Ea(D)/RT)``, so two sizes differ in activation energy by
``dEa = RT ln(f1/f2)``.  Counts of ~30 NCs carry wide binomial uncertainty: the fractions
get Clopper-Pearson intervals, and an observed 0 % gives only a bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cationx._validation import as_1d_array, check_fraction, check_int, check_positive
from cationx.constants import AVOGADRO, ELEMENTARY_CHARGE, GAS_CONSTANT
from cationx.errors import InputError

__all__ = [
    "GibbsThomson",
    "OrderedFractions",
    "gibbs_thomson",
    "ordered_fraction_energies",
]


@dataclass(frozen=True, slots=True)
class GibbsThomson:
    """Surface excess of a sphere of diameter D."""

    diameter_nm: float
    surface_energy_j_m2: float
    molar_volume_cm3_mol: float
    delta_mu_j_mol: float
    laplace_pressure_gpa: float
    delta_t_k: float | None
    transition_temperature_k: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "diameter_nm": self.diameter_nm,
            "surface_energy_j_m2": self.surface_energy_j_m2,
            "molar_volume_cm3_mol": self.molar_volume_cm3_mol,
            "delta_mu_j_mol": self.delta_mu_j_mol,
            "delta_mu_kj_mol": self.delta_mu_j_mol / 1000,
            "delta_mu_ev_per_formula_unit": self.delta_mu_j_mol / (AVOGADRO * ELEMENTARY_CHARGE),
            "laplace_pressure_gpa": self.laplace_pressure_gpa,
            "delta_t_k": self.delta_t_k,
            "transition_temperature_k": self.transition_temperature_k,
        }

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.to_dict()])


def gibbs_thomson(
    diameter_nm: float,
    surface_energy_j_m2: float,
    molar_volume_cm3_mol: float,
    *,
    latent_heat_kj_mol: float | None = None,
    bulk_transition_k: float | None = None,
) -> GibbsThomson:
    """``mu(D) - mu(inf) = 4 gamma v / D``, the Laplace pressure ``4 gamma / D`` and, with a
    latent heat and a bulk transition temperature, the shifted transition temperature."""
    d = check_positive(diameter_nm, "diameter_nm") * 1e-9
    g = check_positive(surface_energy_j_m2, "surface_energy_j_m2")
    v = check_positive(molar_volume_cm3_mol, "molar_volume_cm3_mol") * 1e-6
    dmu = 4 * g * v / d
    p = 4 * g / d / 1e9
    dt = tt = None
    if (latent_heat_kj_mol is None) != (bulk_transition_k is None):
        raise InputError("give both latent_heat_kj_mol and bulk_transition_k, or neither")
    if latent_heat_kj_mol is not None:
        dh = check_positive(latent_heat_kj_mol, "latent_heat_kj_mol") * 1000
        tb = check_positive(bulk_transition_k, "bulk_transition_k")
        if dmu >= dh:
            raise InputError(
                f"the surface term 4 gamma v / D = {dmu / 1000:.4g} kJ/mol reaches the latent heat "
                f"{dh / 1000:.4g} kJ/mol: the linear Gibbs-Thomson depression does not apply"
            )
        dt = -tb * dmu / dh
        tt = tb + dt
    return GibbsThomson(d * 1e9, g, v * 1e6, dmu, p, dt, tt)


@dataclass(frozen=True, slots=True)
class OrderedFractions:
    """Ordered fractions with binomial intervals and activation-energy differences."""

    frame: pd.DataFrame
    temperature_k: float
    reference_index: int
    ci_level: float

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "temperature_k": self.temperature_k,
            "reference_index": self.reference_index,
            "ci_level": self.ci_level,
            "rows": self.frame.to_dict(orient="records"),
        }


def _clopper_pearson(k: int, n: int, level: float) -> tuple[float, float]:
    a = 1 - level
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def ordered_fraction_energies(
    diameters_nm: Sequence[float],
    fractions: Sequence[float],
    n_counted: int | Sequence[int],
    *,
    temperature_k: float = 298.15,
    reference_index: int = -1,
    ci_level: float = 0.95,
) -> OrderedFractions:
    """Activation-energy differences ``dEa = RT ln(f / f_ref)`` (kJ/mol) from ordered fractions.

    Parameters
    ----------
    diameters_nm, fractions
        Sizes and observed ordered fractions (0..1), e.g. 001 Table 1: 2/4/6 nm, 0/0.1/0.8.
    n_counted
        NCs examined per size (001: "ca. 30"); one number or one per size.
    temperature_k
        Observation temperature (ambient).
    reference_index
        Which size is the reference (default: the last).

    Returns
    -------
    OrderedFractions
        Per size: the fraction, its Clopper-Pearson interval, ``delta_ea_kj_mol`` and
        ``delta_ea_upper_kj_mol`` (from the upper end of that size's interval, the
        reference fraction taken as exact; the only bound an observed 0 % gives).
    """
    d = as_1d_array(diameters_nm, "diameters_nm")
    f = as_1d_array(fractions, "fractions")
    if d.size != f.size:
        raise InputError(f"diameters_nm has {d.size} values but fractions has {f.size}")
    for i, v in enumerate(f):
        check_fraction(v, f"fractions[{i}]")
    ns = [n_counted] * d.size if isinstance(n_counted, int | np.integer) else list(n_counted)
    if len(ns) != d.size:
        raise InputError(f"n_counted has {len(ns)} values for {d.size} sizes")
    ns = [check_int(int(n) if float(n).is_integer() else n, "n_counted", minimum=1) for n in ns]
    t = check_positive(temperature_k, "temperature_k")
    level = check_fraction(ci_level, "ci_level", open_low=True, open_high=True)
    ref = check_int(reference_index, "reference_index", minimum=-d.size, maximum=d.size - 1) % d.size
    if f[ref] <= 0:
        raise InputError("the reference size must have a non-zero ordered fraction")
    rt = GAS_CONSTANT * t / 1000  # kJ/mol
    rows = []
    for i in range(d.size):
        k = round(f[i] * ns[i])
        lo, hi = _clopper_pearson(k, ns[i], level)
        de = rt * math.log(f[i] / f[ref]) if f[i] > 0 else -math.inf
        rows.append(
            {
                "diameter_nm": d[i],
                "fraction": f[i],
                "n_counted": ns[i],
                "ordered_count": k,
                "fraction_ci_low": lo,
                "fraction_ci_high": hi,
                "delta_ea_kj_mol": de,
                "delta_ea_upper_kj_mol": rt * math.log(hi / f[ref]),
            }
        )
    return OrderedFractions(pd.DataFrame(rows), t, ref, level)
