"""Wavelength and energy axes, with the Jacobian where intensities are converted.

``E (eV) = HC_EV_NM / lambda (nm)`` with ``HC_EV_NM = h c / e = 1239.84198 eV nm`` (CODATA
2018, exact SI constants).  A spectral *density* per unit wavelength becomes a density per
unit energy by ``I(E) = I(lambda) |d lambda / d E| = I(lambda) lambda^2 / HC_EV_NM``, so that
the integral over a band is the same on both axes.  Absorbance is not a density (it is a
value at a wavelength), so it converts without the Jacobian: ``jacobian=False``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cationx._validation import as_1d_array
from cationx.constants import HC_EV_NM

__all__ = ["HC_EV_NM", "ev_to_nm", "nm_to_ev", "to_energy_axis"]


def nm_to_ev(wavelength_nm: Any) -> Any:
    """Photon energy in eV of a wavelength in nm (scalar or array, > 0)."""
    w = np.asarray(wavelength_nm, dtype=float)
    if np.any(~(w > 0)):
        from cationx.errors import InputError

        raise InputError("wavelength_nm must be > 0 and finite")
    out = HC_EV_NM / w
    return float(out) if out.ndim == 0 else out


def ev_to_nm(energy_ev: Any) -> Any:
    """Wavelength in nm of a photon energy in eV (scalar or array, > 0)."""
    e = np.asarray(energy_ev, dtype=float)
    if np.any(~(e > 0)):
        from cationx.errors import InputError

        raise InputError("energy_ev must be > 0 and finite")
    out = HC_EV_NM / e
    return float(out) if out.ndim == 0 else out


def to_energy_axis(wavelength_nm: Any, intensity: Any, *, jacobian: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Convert a spectrum on a wavelength axis to an ascending energy axis.

    Parameters
    ----------
    wavelength_nm, intensity
        The spectrum (any order).
    jacobian
        Multiply by ``lambda^2 / hc`` (densities such as PL per nm); False for absorbance.

    Returns
    -------
    energy_ev, intensity_per_ev
        Sorted by ascending energy.
    """
    w = as_1d_array(wavelength_nm, "wavelength_nm", min_length=2)
    y = as_1d_array(intensity, "intensity", min_length=2)
    e = nm_to_ev(w)
    yy = y * w**2 / HC_EV_NM if jacobian else y.copy()
    order = np.argsort(e)
    return e[order], yy[order]
