"""The product-spectrum and host-PL corrections of White et al. 2013 (000, Methods).

Absorbance (000, "Analysis of absorption and PL spectra")::

    corrected = measured - product * A_measured(E_ref) / A_product(E_ref)      E_ref = 1.82 eV

because the host (CdSe) does not absorb at 1.82 eV while the product (Cu2Se, Ag2Se) does.
The first-exciton absorbance of the corrected spectrum, normalised to 100 % at zero
addition, is the percentage of *unexchanged* NCs; the absorbance at 1.82 eV normalised to
100 % at full exchange is the percentage of *exchanged* NCs.

PL::

    corrected = measured - host_PL * PL_measured(650 nm) / PL_host(650 nm)

then the defect band is integrated over 650-900 nm.  All wavelengths and energies are
parameters.  Values at a reference point are read from a local quadratic fit over
``+-ref_half_width_nm`` (default 3 nm) so that one noisy point does not set the scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cationx._validation import as_1d_array, check_positive
from cationx.errors import InputError
from cationx.spectra.axes import ev_to_nm

__all__ = [
    "AbsorbanceCorrection",
    "PLCorrection",
    "correct_absorbance",
    "correct_pl",
    "value_at",
]


def _series(wavelength_nm: Any, spectra: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    w = as_1d_array(wavelength_nm, "wavelength_nm", min_length=3)
    y = np.array(spectra, dtype=float, copy=True)
    if y.ndim == 1:
        y = y[None, :]
    if y.ndim != 2 or y.shape[1] != w.size:
        raise InputError(f"{name} must have shape (spectra, {w.size}) to match wavelength_nm, got {y.shape}")
    return w, y


def value_at(wavelength_nm: np.ndarray, y: np.ndarray, at_nm: float, *, half_width_nm: float = 3.0) -> np.ndarray:
    """Value of each row of ``y`` at ``at_nm``: local quadratic (or linear) fit over +-half width."""
    w = np.asarray(wavelength_nm, dtype=float)
    yy = np.atleast_2d(np.asarray(y, dtype=float))
    if not (w.min() <= at_nm <= w.max()):
        raise InputError(f"reference wavelength {at_nm:.4g} nm lies outside the data ({w.min():g}-{w.max():g} nm)")
    sel = np.abs(w - at_nm) <= half_width_nm
    if sel.sum() < 3:
        return np.array([np.interp(at_nm, w, row) for row in yy]) if w[0] < w[-1] else np.array(
            [np.interp(at_nm, w[::-1], row[::-1]) for row in yy]
        )
    xs = w[sel] - at_nm
    deg = 2 if sel.sum() >= 5 else 1
    coef = np.polynomial.polynomial.polyfit(xs, yy[:, sel].T, deg)
    return np.asarray(coef[0], dtype=float)


@dataclass(frozen=True, slots=True)
class AbsorbanceCorrection:
    """Corrected spectra and the two fractions of 000 (one entry per spectrum)."""

    wavelength_nm: np.ndarray
    corrected: np.ndarray
    scale: np.ndarray  # A_measured(ref) / A_product(ref)
    reference_nm: float
    exciton_nm: np.ndarray
    exciton_height: np.ndarray
    fraction_unexchanged: np.ndarray
    fraction_exchanged: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "exciton_nm": self.exciton_nm,
                "exciton_height": self.exciton_height,
                "product_scale": self.scale,
                "fraction_unexchanged": self.fraction_unexchanged,
                "fraction_exchanged": self.fraction_exchanged,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {"reference_nm": self.reference_nm, **{k: v.to_numpy() for k, v in self.to_frame().items()}}


def correct_absorbance(
    wavelength_nm: Any,
    spectra: Any,
    product: Any,
    *,
    exciton_nm: float | np.ndarray,
    reference_ev: float = 1.82,
    full_exchange: Any = None,
    initial_index: int = 0,
    ref_half_width_nm: float = 3.0,
    valid: np.ndarray | None = None,
) -> AbsorbanceCorrection:
    """Apply the 000 product correction and compute both fractions.

    Parameters
    ----------
    wavelength_nm
        Common axis, shape (p,).
    spectra
        Measured absorbance, shape (k, p), in titration order (index 0 = no addition).
    product
        Product spectrum (e.g. fully exchanged Cu2Se), shape (p,).
    exciton_nm
        Where the first-exciton absorbance is read in the corrected spectra: one wavelength
        (the exciton of the starting NCs: 000 reports no shift) or one per spectrum
        (tracked).
    reference_ev
        Energy where the host does not absorb (000: 1.82 eV).
    full_exchange
        Spectrum that defines 100 % exchange (default: ``product``).
    initial_index
        The spectrum that defines 100 % unexchanged.
    valid
        Optional boolean mask (k, p): False marks saturated points, which must not be
        used at the reference or exciton wavelengths (InputError if they are).
    """
    w, y = _series(wavelength_nm, spectra, "spectra")
    prod = as_1d_array(product, "product", min_length=3)
    if prod.size != w.size:
        raise InputError(f"product has {prod.size} points, wavelength_nm has {w.size}")
    ref_nm = float(ev_to_nm(check_positive(reference_ev, "reference_ev")))
    if valid is not None:
        bad = ~np.asarray(valid, dtype=bool)[:, np.abs(w - ref_nm) <= ref_half_width_nm]
        if bad.any():
            raise InputError(f"spectrum {int(np.flatnonzero(bad.any(axis=1))[0])} is saturated at the reference {ref_nm:.1f} nm")
    a_prod_ref = float(value_at(w, prod, ref_nm, half_width_nm=ref_half_width_nm)[0])
    if not abs(a_prod_ref) > 0:
        raise InputError(f"the product spectrum is zero at the reference {ref_nm:.1f} nm ({reference_ev} eV)")
    a_ref = value_at(w, y, ref_nm, half_width_nm=ref_half_width_nm)
    scale = a_ref / a_prod_ref
    corrected = y - scale[:, None] * prod[None, :]
    ex = np.broadcast_to(np.asarray(exciton_nm, dtype=float), (y.shape[0],)).copy()
    if not np.all(np.isfinite(ex)):
        raise InputError("exciton_nm must be finite for every spectrum")
    if valid is not None:
        vmask = np.asarray(valid, dtype=bool)
        for k in range(y.shape[0]):
            near = np.abs(w - ex[k]) <= ref_half_width_nm
            if not vmask[k, near].all():
                raise InputError(f"spectrum {k} is saturated at the exciton ({ex[k]:.1f} nm); it cannot be used")
    heights = np.array(
        [value_at(w, corrected[k], ex[k], half_width_nm=ref_half_width_nm)[0] for k in range(y.shape[0])]
    )
    k0 = int(initial_index)
    if not heights[k0] > 0:
        raise InputError(f"the corrected exciton absorbance of the initial spectrum is {heights[k0]:.3g} (must be > 0)")
    full = prod if full_exchange is None else as_1d_array(full_exchange, "full_exchange", min_length=3)
    a_full = float(value_at(w, full, ref_nm, half_width_nm=ref_half_width_nm)[0])
    return AbsorbanceCorrection(
        wavelength_nm=w,
        corrected=corrected,
        scale=scale,
        reference_nm=ref_nm,
        exciton_nm=ex,
        exciton_height=heights,
        fraction_unexchanged=heights / heights[k0],
        fraction_exchanged=a_ref / a_full,
    )


@dataclass(frozen=True, slots=True)
class PLCorrection:
    """Host-corrected PL spectra and the integrated defect band (one entry per spectrum)."""

    wavelength_nm: np.ndarray
    corrected: np.ndarray
    scale: np.ndarray
    reference_nm: float
    band_nm: tuple[float, float]
    defect_integral: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"host_scale": self.scale, "defect_integral": self.defect_integral})

    def to_dict(self) -> dict[str, Any]:
        return {"reference_nm": self.reference_nm, "band_nm": list(self.band_nm), **{k: v.to_numpy() for k, v in self.to_frame().items()}}


def correct_pl(
    wavelength_nm: Any,
    spectra: Any,
    host: Any,
    *,
    reference_nm: float = 650.0,
    band_nm: tuple[float, float] = (650.0, 900.0),
    ref_half_width_nm: float = 3.0,
) -> PLCorrection:
    """000 PL correction (scaled host PL removed at ``reference_nm``) and the defect integral.

    The integral is over wavelength (intensity x nm, trapezoid rule) of the corrected
    spectrum within ``band_nm``; the same number results on an energy axis with the
    Jacobian of :func:`cationx.spectra.axes.to_energy_axis`.
    """
    w, y = _series(wavelength_nm, spectra, "PL spectra")
    h = as_1d_array(host, "host PL", min_length=3)
    if h.size != w.size:
        raise InputError(f"host PL has {h.size} points, wavelength_nm has {w.size}")
    lo, hi = sorted(float(v) for v in band_nm)
    if not lo < hi:
        raise InputError(f"band_nm must have low < high, got {band_nm}")
    h_ref = float(value_at(w, h, reference_nm, half_width_nm=ref_half_width_nm)[0])
    if not abs(h_ref) > 0:
        raise InputError(f"the host PL is zero at {reference_nm:g} nm; choose another PL reference wavelength")
    scale = value_at(w, y, reference_nm, half_width_nm=ref_half_width_nm) / h_ref
    corrected = y - scale[:, None] * h[None, :]
    sel = (w >= lo) & (w <= hi)
    if sel.sum() < 2:
        raise InputError(f"the PL band {lo:g}-{hi:g} nm holds fewer than 2 points")
    ws = w[sel]
    order = np.argsort(ws)
    integral = np.trapezoid(corrected[:, sel][:, order], ws[order], axis=1)
    return PLCorrection(w, corrected, scale, float(reference_nm), (lo, hi), integral)
