"""Nanocrystal size, extinction, concentration and stoichiometry from the first exciton.

Yu, Qu, Guo, Peng, *Experimental determination of the extinction coefficient of CdTe,
CdSe, and CdS nanocrystals*, Chem. Mater. 15, 2854-2860 (2003), equations 1-3 (diameter
``D`` in nm from the first-exciton wavelength ``lambda`` in nm) and the power laws for the
molar extinction coefficient at the first exciton (per M per cm)::

    CdTe  D = 9.8127e-7 l^3 - 1.7147e-3 l^2 + 1.0064 l - 194.84        eps = 10043 D^2.12
    CdSe  D = 1.6122e-9 l^4 - 2.6575e-6 l^3 + 1.6242e-3 l^2 - 0.4277 l + 41.57
                                                                         eps = 5857 D^2.65
    CdS   D = -6.6521e-8 l^3 + 1.9557e-4 l^2 - 9.2352e-2 l + 13.29      eps = 21536 D^2.3

The CdSe pair is the one White et al. 2013 (000) use (its eqs. 1-2).  The curves are fits
to calibration data over a limited size range; outside the ranges in :data:`VALID_NM`
(the wavelengths where the fitted curves run between the smallest and largest calibration
sizes, approximately; check the original before relying on an edge) a
:class:`~cationx.errors.InterpretationWarning` is issued and the number is still returned.
Uncertainties propagate from the wavelength uncertainty to first order:
``sigma_D = |dD/dlambda| sigma_lambda``, ``sigma_eps = eps b sigma_D / D``.

Cations per NC, densities, lattice constants and band gaps come from :mod:`cationx.materials`
(one table with provenance; re-exported here): a sphere of diameter D holds
``(pi/6) D^3 rho N_A / M`` host cations, a measured density can be given instead.  A 4 nm
zinc-blende CdSe NC holds ~600 Cd (000 says "~1,300 atoms").
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from cationx._validation import (
    as_1d_array,
    check_nonnegative,
    check_positive,
)
from cationx.constants import AVOGADRO, HC_EV_NM
from cationx.errors import InputError, InterpretationWarning
from cationx.materials import (
    BULK_GAP_EV,
    LATTICE_ANGSTROM,
    MATERIALS,
    PHASES,
    _material,
    density_g_cm3,
    host_cations_per_nc,
)

__all__ = [
    "AVOGADRO",
    "BULK_GAP_EV",
    "LATTICE_ANGSTROM",
    "MATERIALS",
    "PHASES",
    "VALID_NM",
    "Sizing",
    "cumulative_ions_per_nc",
    "density_g_cm3",
    "diameter_nm",
    "extinction_per_molar_cm",
    "host_cations_per_nc",
    "nc_concentration_molar",
    "size_from_exciton",
]

# Yu et al. 2003: diameter polynomial coefficients (highest power first) and eps = a D^b
_POLY = {
    "CdTe": (9.8127e-7, -1.7147e-3, 1.0064, -194.84),
    "CdSe": (1.6122e-9, -2.6575e-6, 1.6242e-3, -0.4277, 41.57),
    "CdS": (-6.6521e-8, 1.9557e-4, -9.2352e-2, 13.29),
}
_EPS = {"CdTe": (10043.0, 2.12), "CdSe": (5857.0, 2.65), "CdS": (21536.0, 2.3)}

# approximate first-exciton ranges of the calibration sizes of Yu et al. 2003 (Fig. 2)
VALID_NM = {"CdSe": (450.0, 660.0), "CdTe": (510.0, 720.0), "CdS": (330.0, 460.0)}


def _warn_range(material: str, wavelength_nm: float) -> str | None:
    lo, hi = VALID_NM[material]
    if not lo <= wavelength_nm <= hi:
        msg = (
            f"first exciton at {wavelength_nm:.1f} nm lies outside the calibrated range of the "
            f"Yu et al. 2003 {material} curve (~{lo:g}-{hi:g} nm): the size is an extrapolation"
        )
        warnings.warn(msg, InterpretationWarning, stacklevel=3)
        return msg
    return None


def diameter_nm(material: str, wavelength_nm: float) -> float:
    """Diameter in nm from the first-exciton wavelength (Yu et al. 2003, eqs. 1-3)."""
    m = _material(material)
    lam = check_positive(wavelength_nm, "wavelength_nm")
    edge_nm = HC_EV_NM / BULK_GAP_EV[m]
    if lam >= edge_nm:
        raise InputError(
            f"a {m} first exciton at {lam:g} nm lies at or beyond the bulk band gap "
            f"({BULK_GAP_EV[m]:g} eV = {edge_nm:.0f} nm): it is not a confined NC exciton"
        )
    _warn_range(m, lam)
    d = float(np.polyval(_POLY[m], lam))
    if not d > 0:
        raise InputError(f"the {m} sizing curve gives a non-positive diameter at {lam:g} nm")
    return d


def extinction_per_molar_cm(material: str, diameter: float) -> float:
    """Molar extinction coefficient at the first exciton, per M per cm (Yu et al. 2003)."""
    m = _material(material)
    a, b = _EPS[m]
    return a * check_positive(diameter, "diameter_nm") ** b


def nc_concentration_molar(absorbance: float, extinction: float, path_length_cm: float = 1.0) -> float:
    """NC concentration by Beer-Lambert: ``c = A / (eps l)`` (M)."""
    a = check_positive(absorbance, "absorbance")
    return a / (check_positive(extinction, "extinction_per_molar_cm") * check_positive(path_length_cm, "path_length_cm"))


@dataclass(frozen=True, slots=True)
class Sizing:
    """Size and stoichiometry of one NC sample (uncertainties None when not propagated)."""

    material: str
    phase: str
    wavelength_nm: float
    wavelength_uncertainty_nm: float
    diameter_nm: float
    diameter_uncertainty_nm: float
    extinction_per_molar_cm: float
    extinction_uncertainty: float
    host_cations_per_nc: float
    host_cations_uncertainty: float
    nc_conc_molar: float | None = None
    nc_conc_uncertainty: float | None = None
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "material": self.material,
            "phase": self.phase,
            "wavelength_nm": self.wavelength_nm,
            "wavelength_uncertainty_nm": self.wavelength_uncertainty_nm,
            "diameter_nm": self.diameter_nm,
            "diameter_uncertainty_nm": self.diameter_uncertainty_nm,
            "extinction_per_molar_cm": self.extinction_per_molar_cm,
            "extinction_uncertainty": self.extinction_uncertainty,
            "host_cations_per_nc": self.host_cations_per_nc,
            "host_cations_uncertainty": self.host_cations_uncertainty,
            "nc_conc_molar": self.nc_conc_molar,
            "nc_conc_uncertainty": self.nc_conc_uncertainty,
            "warning": self.warning,
        }

    def to_frame(self) -> Any:
        import pandas as pd  # lazily: `cationx size` starts without pandas

        d = self.to_dict()
        return pd.DataFrame({"quantity": list(d), "value": [str(v) if isinstance(v, str) or v is None else v for v in d.values()]})


def size_from_exciton(
    material: str,
    wavelength_nm: float,
    *,
    wavelength_uncertainty_nm: float = 1.0,
    phase: str = "zincblende",
    density: float | None = None,
    absorbance: float | None = None,
    path_length_cm: float = 1.0,
) -> Sizing:
    """Diameter, extinction, cations per NC (and NC concentration given the exciton absorbance).

    Uncertainties are first-order propagation of ``wavelength_uncertainty_nm`` (the
    calibration curves' own scatter is not included: Yu et al. do not give it per point).
    """
    m = _material(material)
    lam = check_positive(wavelength_nm, "wavelength_nm")
    s_lam = check_nonnegative(wavelength_uncertainty_nm, "wavelength_uncertainty_nm")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d = diameter_nm(m, lam)
    note = None
    for w in caught:
        note = str(w.message)
        warnings.warn(w.message, w.category, stacklevel=2)
    slope = float(np.polyval(np.polyder(_POLY[m]), lam))
    s_d = abs(slope) * s_lam
    eps = extinction_per_molar_cm(m, d)
    b = _EPS[m][1]
    s_eps = eps * b * s_d / d
    n_cat = host_cations_per_nc(m, d, phase=phase, density=density)
    s_n = n_cat * 3 * s_d / d
    conc = s_conc = None
    if absorbance is not None:
        conc = nc_concentration_molar(absorbance, eps, path_length_cm)
        s_conc = conc * s_eps / eps
    return Sizing(m, phase, lam, s_lam, d, s_d, eps, s_eps, n_cat, s_n, conc, s_conc, note)


def cumulative_ions_per_nc(
    volumes_ul: Any,
    titrant_molar: Any,
    *,
    nc_conc_molar: float,
    start_volume_ml: float,
    dilution: bool = False,
) -> Any:
    """Cumulative ions added per NC after each addition (000 Supplementary Table S2).

    Parameters
    ----------
    volumes_ul
        Volume of each addition in microlitres (>= 0).
    titrant_molar
        Titrant concentration of each addition (one value or one per addition), M.
    nc_conc_molar
        NC concentration in the starting volume, M.
    start_volume_ml
        Volume before any addition, mL.
    dilution
        If True, ``dilution_factor`` (total volume / start volume) is applied by the
        caller to bring spectra back to the starting volume; the ions per NC do not depend
        on it (moles of ions over moles of NCs).  The column is always reported.

    Returns
    -------
    DataFrame with ``addition``, ``volume_ul``, ``titrant_molar``, ``added_mol``,
    ``cumulative_mol``, ``total_volume_ml``, ``dilution_factor``, ``ions_per_nc``,
    one row per addition plus a first row for the start (no addition).
    """
    vols = as_1d_array(volumes_ul, "volumes_ul", min_length=1)
    if (vols < 0).any():
        i = int(np.flatnonzero(vols < 0)[0])
        raise InputError(f"volumes_ul must be >= 0; addition {i + 1} has {vols[i]!r} uL")
    conc = np.broadcast_to(as_1d_array(titrant_molar, "titrant_molar"), vols.shape).astype(float)
    if (conc < 0).any():
        raise InputError("titrant_molar must be >= 0")
    c_nc = check_positive(nc_conc_molar, "nc_conc_molar")
    v0 = check_positive(start_volume_ml, "start_volume_ml")
    mol_nc = c_nc * v0 * 1e-3
    added = vols * 1e-6 * conc
    cum = np.concatenate([[0.0], np.cumsum(added)])
    vtot = v0 + np.concatenate([[0.0], np.cumsum(vols)]) * 1e-3
    import pandas as pd

    return pd.DataFrame(
        {
            "addition": np.arange(vols.size + 1),
            "volume_ul": np.concatenate([[0.0], vols]),
            "titrant_molar": np.concatenate([[0.0], conc]),
            "added_mol": np.concatenate([[0.0], added]),
            "cumulative_mol": cum,
            "total_volume_ml": vtot,
            "dilution_factor": vtot / v0 if dilution else np.ones_like(vtot),
            "volume_ratio": vtot / v0,
            "ions_per_nc": cum / mol_nc,
        }
    )
