"""X-ray atomic form factors, from xraydb (a maintained table; nothing transcribed here).

- :func:`f0`: the non-resonant (Thomson) form factor of the neutral atom, the
  Waasmaier-Kirfel five-Gaussian fit (Acta Cryst. A51, 416 (1995); International Tables
  Vol. C), as tabulated in ``xraydb.f0``.  xraydb takes s = sin(theta)/lambda; cationx
  takes Q = 4 pi sin(theta)/lambda (1/A) and converts (s = Q / 4 pi).  The fit is valid
  for s <= 6 1/A, i.e. Q <= 75.4 1/A; larger Q raises.
- :func:`anomalous`: the dispersion corrections f' and f'' of the Chantler tables
  (NIST FFAST; J. Phys. Chem. Ref. Data 24, 71 (1995)) from ``xraydb.f1_chantler`` and
  ``xraydb.f2_chantler``, at the photon energy E = hc / lambda.  They do not depend on Q.

The full scattering factor is f(Q, lambda) = f0(Q) + f'(lambda) + i f''(lambda).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from cationx._validation import check_positive
from cationx.constants import ELECTRON_MASS, ELEMENTARY_CHARGE, HC_EV_NM, PLANCK, SPEED_OF_LIGHT
from cationx.crystal.structure import normalize_element
from cationx.errors import InputError

__all__ = [
    "HC_EV_ANGSTROM",
    "MOTT_BETHE_ANGSTROM",
    "Q_MAX_INV_ANGSTROM",
    "anomalous",
    "electron_f",
    "electron_wavelength_angstrom",
    "f0",
    "scattering_factor",
]

#: m0 e^2 / (8 pi^2 eps0 h^2) in A: f_e(s) = 0.023934 (Z - f_x(s)) / s^2 (Mott-Bethe; s in 1/A).
MOTT_BETHE_ANGSTROM = 0.023934

#: h c in eV A, for E = hc / lambda (cationx.constants.HC_EV_NM in eV A).
HC_EV_ANGSTROM = HC_EV_NM * 10
#: Largest Q (1/A) where the Waasmaier-Kirfel fit is valid (s = 6 1/A).
Q_MAX_INV_ANGSTROM = 4 * math.pi * 6.0


def f0(element: str, q_inv_angstrom: Any) -> Any:
    """Non-resonant atomic form factor f0(Q) of a neutral atom, in electrons.

    Parameters
    ----------
    element : str
        Element symbol (``"Cu"``; ``"Cu1+"`` is read as Cu).
    q_inv_angstrom : float or array
        Scattering vector magnitude Q = 4 pi sin(theta) / lambda in 1/A, 0 <= Q <= 75.4.

    Returns
    -------
    float or ndarray
        f0 with the shape of ``q_inv_angstrom`` (f0(0) = Z).

    Notes
    -----
    Source: xraydb ``f0`` (Waasmaier & Kirfel 1995), converted from s = sin(theta)/lambda.
    """
    sym = normalize_element(element)
    q = np.asarray(q_inv_angstrom, dtype=float)
    if not np.all(np.isfinite(q)):
        raise InputError("q_inv_angstrom must be finite")
    if np.any(q < 0):
        raise InputError(f"q_inv_angstrom must be >= 0, got {float(q.min())!r}")
    if np.any(q > Q_MAX_INV_ANGSTROM):
        raise InputError(
            f"q_inv_angstrom must be <= {Q_MAX_INV_ANGSTROM:.1f} 1/A (validity of the "
            f"Waasmaier-Kirfel fit), got {float(q.max())!r}"
        )
    coeffs = _wk_coefficients(sym)
    s2 = (q / (4 * math.pi)) ** 2
    if coeffs is None:  # pragma: no cover - only if xraydb changes its internals
        import xraydb

        out = np.asarray(xraydb.f0(sym, np.sqrt(s2).ravel()), dtype=float).reshape(q.shape)
    else:
        offset, scale, expo = coeffs
        out = offset + np.sum(scale[:, None] * np.exp(-np.outer(expo, s2.ravel())), axis=0).reshape(q.shape)
    return float(out) if out.ndim == 0 else out


@lru_cache(maxsize=128)
def _wk_coefficients(sym: str) -> tuple[float, np.ndarray, np.ndarray] | None:
    """Waasmaier-Kirfel coefficients of a neutral atom from xraydb's table (c, a_i, b_i).

    f0(s) = c + sum_i a_i exp(-b_i s^2), the form xraydb itself evaluates; read once and
    cached because ``xraydb.f0`` searches its table on every call.
    """
    import json

    from cationx.crystal import _xray_table

    bundled = _xray_table.wk_coefficients(sym)
    if bundled is not None:
        offset, scale, expo = bundled
        return offset, np.array(scale, dtype=float), np.array(expo, dtype=float)
    import xraydb

    try:
        rows = [r for r in xraydb.get_xraydb().get_cache("Waasmaier") if r.ion == sym]
    except Exception:  # pragma: no cover - defensive: fall back to xraydb.f0
        return None
    if not rows:
        return None
    r = rows[0]
    return float(r.offset), np.array(json.loads(r.scale), dtype=float), np.array(json.loads(r.exponents), dtype=float)


@lru_cache(maxsize=512)
def _anomalous_cached(sym: str, energy_ev: float) -> tuple[float, float]:
    from cationx.crystal import _xray_table

    bundled = _xray_table.anomalous(sym, energy_ev)
    if bundled is not None:
        return bundled
    import xraydb

    fp = float(xraydb.f1_chantler(sym, energy_ev))
    fpp = float(xraydb.f2_chantler(sym, energy_ev))
    return fp, fpp


def anomalous(element: str, wavelength_angstrom: float) -> tuple[float, float]:
    """Anomalous-dispersion corrections (f', f'') in electrons at one wavelength.

    Parameters
    ----------
    element : str
        Element symbol.
    wavelength_angstrom : float
        X-ray wavelength in A (Cu K-alpha1: 1.5406); photon energy E = hc / lambda must lie
        in the Chantler range 10 eV - 450 keV.

    Returns
    -------
    (f', f'') : tuple of float
        From the Chantler tables via xraydb (``f1_chantler``, ``f2_chantler``).
        For Cu at Cu K-alpha (8.05 keV, below the Cu K edge at 8.98 keV) f' ~ -2.0, f'' ~ 0.6.
    """
    sym = normalize_element(element)
    lam = check_positive(wavelength_angstrom, "wavelength_angstrom")
    energy = HC_EV_ANGSTROM / lam
    if not 10.0 <= energy <= 450_000.0:
        raise InputError(
            f"wavelength_angstrom {lam!r} gives a photon energy of {energy:.4g} eV, outside the "
            f"Chantler tables (10 eV - 450 keV, i.e. 0.0276 - 1240 A)"
        )
    return _anomalous_cached(sym, round(energy, 6))


def scattering_factor(
    element: str, q_inv_angstrom: Any, wavelength_angstrom: float | None = None
) -> Any:
    """Complex f = f0(Q) + f' + i f'' (f0 only, as complex, when ``wavelength_angstrom`` is None)."""
    base = np.asarray(f0(element, q_inv_angstrom), dtype=complex)
    if wavelength_angstrom is not None:
        fp, fpp = anomalous(element, wavelength_angstrom)
        base = base + complex(fp, fpp)
    return complex(base) if base.ndim == 0 else base


def electron_f(element: str, q_inv_angstrom: Any) -> Any:
    """Electron scattering factor (A, non-relativistic) by the Mott-Bethe formula.

    f_e(s) = 0.023934 A^3 (Z - f_x(s)) / s^2 (in A) with s = Q / 4 pi in 1/A and f_x the X-ray
    form factor of :func:`f0` (International Tables Vol. C, 4.3.1).  Q must be > 0 (the
    formula is 0/0 at Q = 0); below Q = 0.3 1/A the difference Z - f_x loses digits, so
    smaller Q raises.  The relativistic factor gamma = 1 + eV/m0c^2 multiplies every f_e
    alike and cancels in relative intensities; it is not applied.
    """
    from cationx.crystal.structure import normalize_element

    sym = normalize_element(element)
    q = np.asarray(q_inv_angstrom, dtype=float)
    if np.any(~np.isfinite(q)) or np.any(q < 0.3):
        raise InputError("q_inv_angstrom must be >= 0.3 1/A for electron scattering factors (Mott-Bethe)")
    from cationx.crystal import _xray_table

    z = float(_xray_table.atomic_number(sym))  # normalize_element admits only elements in the table
    s = q / (4 * math.pi)
    out = MOTT_BETHE_ANGSTROM * (z - np.asarray(f0(sym, q), dtype=float)) / s**2
    return float(out) if np.ndim(out) == 0 else out


def electron_wavelength_angstrom(voltage_kv: float) -> float:
    """Relativistic electron wavelength (A) at an accelerating voltage (kV): 200 kV -> 0.02508 A.

    lambda = h / sqrt(2 m0 e V (1 + e V / (2 m0 c^2))), CODATA 2018 constants.
    """
    v = check_positive(voltage_kv, "voltage_kv") * 1e3
    if v > 1e7:
        raise InputError(f"voltage_kv must be <= 10000, got {voltage_kv!r}")
    h, m0, e, c = PLANCK, ELECTRON_MASS, ELEMENTARY_CHARGE, SPEED_OF_LIGHT
    lam_m = h / math.sqrt(2 * m0 * e * v * (1 + e * v / (2 * m0 * c * c)))
    return lam_m * 1e10
